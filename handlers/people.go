package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

func (a *App) usersPage(c echo.Context) error {
	users, err := models.UsersFor(a.dbFor(c), a.actor(c))
	if err != nil {
		return err
	}
	p := a.page(c, "People")
	p.Section = "users"
	p.Data = users
	return a.render(c, http.StatusOK, "users", p)
}

type inviteData struct {
	Organisations []models.Organisation
	Hubs          []models.Hub
	Roles         []models.Role
}

func (a *App) inviteData(c echo.Context) (inviteData, error) {
	by := a.actor(c)
	d := inviteData{Roles: []models.Role{models.RoleSchool, models.RoleAmbassador}}
	if by.Role == models.RoleAdmin {
		d.Roles = models.Roles
	}
	var err error
	if d.Organisations, err = models.OrganisationsAt(a.dbFor(c), by.HubScope()); err != nil {
		return d, err
	}
	d.Hubs, err = models.Hubs(a.dbFor(c))
	return d, err
}

func (a *App) invitePage(c echo.Context) error {
	d, err := a.inviteData(c)
	if err != nil {
		return err
	}
	p := a.page(c, "Invite someone")
	p.Section = "users"
	p.Data = d
	return a.render(c, http.StatusOK, "invite", p)
}

func (a *App) invite(c echo.Context) error {
	d, err := a.inviteData(c)
	if err != nil {
		return err
	}
	by := a.actor(c)
	in := models.UserInput{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: models.Role(c.FormValue("role")),
		OrganisationID: optionalID(c.FormValue("organisation")), HubID: optionalID(c.FormValue("hub"))}
	if in.HubID == nil && in.Role == models.RoleStaff {
		in.HubID = by.HubID
	}
	hubName := ""
	if v := viewerOf(c); v.User.Hub != nil {
		hubName = v.User.Hub.Name
	}
	compose := a.composer("invitation", "invitation", map[string]any{"Inviter": viewerOf(c).User.Name, "Hub": hubName})
	u, err := models.Invite(a.dbFor(c), by, in, compose)
	if err != nil {
		return a.rerender(c, err, "invite", "Invite someone", d)
	}
	a.flash(c, "ok", fmt.Sprintf("Invitation sent to %s. The link in it works for 7 days.", u.Email))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
}

func optionalID(s string) *uint {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return nil
	}
	id := uint(n)
	return &id
}

func (a *App) userPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := models.UserFor(a.dbFor(c), a.actor(c), id)
	if err != nil {
		return err
	}
	hubs, err := models.Hubs(a.dbFor(c))
	if err != nil {
		return err
	}
	p := a.page(c, u.Name)
	p.Section = "users"
	p.Data = map[string]any{"User": u, "Roles": models.Roles, "Hubs": hubs}
	return a.render(c, http.StatusOK, "user", p)
}

func (a *App) deactivateUser(c echo.Context) error { return a.setActive(c, false) }
func (a *App) reactivateUser(c echo.Context) error { return a.setActive(c, true) }

func (a *App) setActive(c echo.Context, active bool) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := models.SetUserActive(a.dbFor(c), a.actor(c), id, active)
	if err != nil {
		return err
	}
	verb := "reactivated"
	if !active {
		verb = "deactivated; their history is kept"
	}
	a.flash(c, "ok", fmt.Sprintf("%s is %s.", u.Name, verb))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
}

func (a *App) changeRole(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := models.ChangeRole(a.dbFor(c), a.actor(c), id, models.Role(c.FormValue("role")), optionalID(c.FormValue("hub")))
	if err != nil {
		return err
	}
	a.flash(c, "ok", fmt.Sprintf("%s is now %s.", u.Name, u.Role))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
}

func (a *App) pendingOrganisationsPage(c echo.Context) error {
	orgs, err := models.PendingOrganisations(a.dbFor(c), a.actor(c).HubScope())
	if err != nil {
		return err
	}
	p := a.page(c, "Organisations waiting for approval")
	p.Section = "users"
	p.Data = orgs
	return a.render(c, http.StatusOK, "organisations_pending", p)
}

func (a *App) approveOrganisation(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	hub := ""
	if v := viewerOf(c); v.User.Hub != nil {
		hub = v.User.Hub.Name
	}
	notify := func(u *models.User, o *models.Organisation) (models.Mail, error) {
		subject, body, err := a.views.Mail("organisation_approved", map[string]any{"User": u, "Organisation": o.Name,
			"Hub": hub, "Link": a.baseURL.String() + "/login"})
		return models.Mail{Subject: subject, Body: body, Kind: "organisation_approved"}, err
	}
	o, err := models.ApproveOrganisation(a.dbFor(c), a.actor(c), id, notify)
	if err != nil {
		return err
	}
	a.flash(c, "ok", o.Name+" can now book kits.")
	return c.Redirect(http.StatusSeeOther, "/organisations/pending")
}
