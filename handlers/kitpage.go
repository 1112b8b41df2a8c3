package handlers

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

// kitData is the kit page. Public is set for everyone but the kit's hub
// staff: they see only the hub and how to return the kit — no borrower, no
// dates.
type kitData struct {
	Kit     *models.Kit
	Public  bool
	Loan    *models.Loan
	History *models.KitHistory
	Actions []models.KitAction
	Today   models.Day
}

// kitPage is where a kit's QR code leads.
func (a *App) kitPage(c echo.Context) error {
	db := a.dbFor(c)
	k, err := models.KitByTag(db, c.Param("tag"))
	if err != nil {
		return err
	}
	d := kitData{Kit: k, Public: true, Today: k.Hub.Today(a.now())}
	if v := viewerOf(c); v != nil && models.MayManageKit(a.actor(c), k) {
		d.Public = false
		if d.Loan, err = models.OpenLoan(db, k.ID); err != nil {
			return err
		}
		if d.History, err = models.HistoryOf(db, k.ID); err != nil {
			return err
		}
		d.Actions = models.ActionsFor(k.Status)
	}
	p := a.page(c, k.AssetTag+" "+k.KitType.Name)
	p.Data = d
	return a.render(c, http.StatusOK, "kit", p)
}

// changeKitStatus applies a status change (repair, restocked, retired, lost,
// found) with its reason.
func (a *App) changeKitStatus(c echo.Context) error {
	tag := c.Param("tag")
	back := "/k/" + url.PathEscape(tag)
	k, err := models.ChangeKitStatus(a.dbFor(c), a.actor(c), tag, models.KitAction(c.FormValue("action")), c.FormValue("reason"))
	if err != nil {
		r, ok := models.AsRefusal(err)
		if !ok || r.Kind == models.NotFound {
			return err
		}
		a.flash(c, "bad", r.Message)
		return c.Redirect(http.StatusSeeOther, back)
	}
	a.flash(c, "ok", fmt.Sprintf("%s is now %s.", k.AssetTag, k.Status.Label()))
	return c.Redirect(http.StatusSeeOther, back)
}
