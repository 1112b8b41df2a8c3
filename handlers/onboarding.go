package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

// composer writes the message carrying a one-time link; template names a
// file in views/mail.
func (a *App) composer(template, kind string, extra map[string]any) models.Composer {
	return func(u *models.User, secret string) (models.Mail, error) {
		data := map[string]any{"User": u, "Link": a.baseURL.String() + "/welcome/" + secret}
		for k, v := range extra {
			data[k] = v
		}
		subject, body, err := a.views.Mail(template, data)
		return models.Mail{Subject: subject, Body: body, Kind: kind}, err
	}
}

type welcomeData struct {
	Token string
	User  *models.User
}

// welcomePage is where a one-time link lands: an invitation, a reset or a
// confirmation, all of which end in choosing a password.
func (a *App) welcomePage(c echo.Context) error {
	t, err := models.PeekToken(a.dbFor(c), c.Param("token"), models.TokenInvitation, models.TokenSetPassword, models.TokenResetPassword)
	if err != nil {
		return err
	}
	u, err := models.UserByID(a.dbFor(c), *t.UserID)
	if err != nil {
		return models.ErrTokenInvalid
	}
	p := a.page(c, "Choose your password")
	p.Data = welcomeData{Token: c.Param("token"), User: u}
	return a.render(c, http.StatusOK, "welcome", p)
}

func (a *App) welcome(c echo.Context) error {
	pw, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	data := welcomeData{Token: c.Param("token")}
	if pw != confirm {
		return a.rerender(c, &models.Refusal{Kind: models.Invalid, Code: "password_mismatch", Message: "The two passwords are different.",
			Fields: map[string]string{"password_confirm": "Type the same password twice."}}, "welcome", "Choose your password", data)
	}
	u, err := models.SetPasswordWithToken(a.dbFor(c), c.Param("token"), pw)
	if err != nil {
		return a.rerender(c, err, "welcome", "Choose your password", data)
	}
	a.flash(c, "ok", "Your password is set. Sign in to continue.")
	return c.Redirect(http.StatusSeeOther, "/login?email="+u.Email)
}

func (a *App) forgotPage(c echo.Context) error {
	return a.render(c, http.StatusOK, "forgot", a.page(c, "Reset your password"))
}

// forgot answers the same whether or not the address has an account.
func (a *App) forgot(c echo.Context) error {
	err := models.RequestPasswordReset(a.dbFor(c), c.FormValue("email"), c.RealIP(), a.now(),
		a.composer("password_reset", "password_reset", nil))
	if err != nil {
		return a.rerender(c, err, "forgot", "Reset your password", nil)
	}
	a.flash(c, "ok", "If an account uses that address, we have sent it a link to reset the password. It works for an hour.")
	return c.Redirect(http.StatusSeeOther, "/login")
}

type registerData struct {
	Hubs []models.Hub
}

func (a *App) registerData(c echo.Context) (registerData, error) {
	hubs, err := models.Hubs(a.dbFor(c))
	return registerData{Hubs: hubs}, err
}

func (a *App) registerPage(c echo.Context) error {
	d, err := a.registerData(c)
	if err != nil {
		return err
	}
	p := a.page(c, "Ask for an account")
	p.Data = d
	return a.render(c, http.StatusOK, "register", p)
}

func (a *App) register(c echo.Context) error {
	d, err := a.registerData(c)
	if err != nil {
		return err
	}
	hub, _ := strconv.ParseUint(c.FormValue("hub"), 10, 32)
	in := models.RegistrationInput{Organisation: c.FormValue("organisation"), Kind: models.OrgKind(c.FormValue("kind")),
		HubID: uint(hub), LocalAuthority: c.FormValue("local_authority"), Postcode: c.FormValue("postcode"),
		Name: c.FormValue("name"), Email: c.FormValue("email"), IP: c.RealIP()}
	if err := models.Register(a.dbFor(c), in, a.now(), a.composer("registration", "registration", nil)); err != nil {
		return a.rerender(c, err, "register", "Ask for an account", d)
	}
	a.flash(c, "ok", "Thank you. Check your email for a link to confirm your address and choose a password. The hub will approve your organisation before you can book.")
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (a *App) setupPage(c echo.Context) error {
	if _, err := models.PeekToken(a.dbFor(c), c.Param("token"), models.TokenSetup); err != nil {
		return err
	}
	p := a.page(c, "Set up Kitshelf")
	p.Data = welcomeData{Token: c.Param("token")}
	return a.render(c, http.StatusOK, "setup", p)
}

func (a *App) setup(c echo.Context) error {
	data := welcomeData{Token: c.Param("token")}
	_, err := models.CompleteSetup(a.dbFor(c), c.Param("token"), c.FormValue("name"), c.FormValue("email"), c.FormValue("password"))
	if err != nil {
		return a.rerender(c, err, "setup", "Set up Kitshelf", data)
	}
	a.flash(c, "ok", "Your administrator account is ready. Sign in to continue.")
	return c.Redirect(http.StatusSeeOther, "/login")
}
