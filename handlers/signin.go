package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

type loginData struct {
	Next      string
	Providers []OIDCProvider
}

func (a *App) loginData(c echo.Context) loginData {
	d := loginData{Next: safeNext(c.QueryParam("next"))}
	if n := c.FormValue("next"); n != "" {
		d.Next = safeNext(n)
	}
	d.Providers = a.opts.OIDC
	return d
}

func (a *App) loginPage(c echo.Context) error {
	if viewerOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	p := a.page(c, "Sign in")
	p.Data = a.loginData(c)
	return a.render(c, http.StatusOK, "login", p)
}

func (a *App) login(c echo.Context) error {
	u, err := models.SignIn(a.dbFor(c), c.FormValue("email"), c.FormValue("password"), c.RealIP(), a.now())
	if err != nil {
		return a.rerender(c, err, "login", "Sign in", a.loginData(c))
	}
	if err := a.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
}

// startSession signs u in on this browser with a fresh session token, so a
// token planted before sign-in (session fixation) is worthless after it.
func (a *App) startSession(c echo.Context, u *models.User) error {
	ctx := c.Request().Context()
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.sessions.Put(ctx, keyUserID, int(u.ID))
	a.sessions.Put(ctx, keyEpoch, u.SessionEpoch)
	return nil
}

func (a *App) logout(c echo.Context) error {
	if err := models.RecordSignOut(a.dbFor(c), a.actor(c)); err != nil {
		return err
	}
	if err := a.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}

func (a *App) logoutEverywhere(c echo.Context) error {
	v := viewerOf(c)
	if err := models.SignOutEverywhere(a.dbFor(c), a.actor(c), v.User.ID); err != nil {
		return err
	}
	if err := a.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=everywhere")
}
