package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/views"
)

// homeData is what the start page shows of the library.
type homeData struct {
	KitTypes []models.KitType
	KitCount int
	Hubs     []models.Hub
}

func (a *App) home(c echo.Context) error {
	db := a.db.WithContext(c.Request().Context())
	var d homeData
	var err error
	if d.KitTypes, err = models.KitTypes(db); err != nil {
		return err
	}
	if d.Hubs, err = models.Hubs(db); err != nil {
		return err
	}
	n, err := models.CountKitsInService(db)
	if err != nil {
		return err
	}
	d.KitCount = int(n)
	p := a.page(c, "")
	p.Data = d
	return a.render(c, http.StatusOK, "home", p)
}

// render answers with a whole page.
func (a *App) render(c echo.Context, status int, name string, p *views.Page) error {
	b, err := a.views.Render(name, p)
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, b)
}
