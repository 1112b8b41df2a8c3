package handlers

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/views"
)

// rerender shows a form page again after a refusal: the person's answers
// (never passwords) come back, with the problems summarised at the top and
// beside each field. Other errors pass on to the error handler.
func (a *App) rerender(c echo.Context, err error, name, title string, data any) error {
	r, ok := models.AsRefusal(err)
	if !ok {
		return err
	}
	form, _ := c.FormParams()
	values := map[string][]string{}
	for k, v := range form {
		if !strings.Contains(k, "password") && k != "csrf" {
			values[k] = v
		}
	}
	p := a.page(c, title)
	p.Data = data
	p.Form = &views.Form{Values: values, Errors: r.Fields, Message: r.Message}
	return a.render(c, statusOf(r.Kind), name, p)
}

// idParam reads a numeric path parameter; anything else is a plain 404.
func idParam(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, &models.Refusal{Kind: models.NotFound, Code: "not_found", Message: "There is nothing at this address."}
	}
	return uint(n), nil
}

// db is the database for this request, cancelled if the client goes away.
func (a *App) dbFor(c echo.Context) *gorm.DB { return a.db.WithContext(c.Request().Context()) }

// queryForm carries a GET form's values back into its page.
func queryForm(c echo.Context) *views.Form {
	return &views.Form{Values: c.QueryParams()}
}
