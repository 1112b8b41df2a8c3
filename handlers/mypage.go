package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

// myData is a borrower's own page: what they have and what they booked.
type myData struct {
	Role         models.Role
	Organisation *models.Organisation
	Loans        []models.Loan
	Reservations []models.Reservation
	Desk         *models.Desk
	Today        models.Day
}

// myPage is everyone's home: borrowers see their loans and bookings, staff
// their hub's desk.
func (a *App) myPage(c echo.Context) error {
	v := viewerOf(c)
	d := myData{Role: v.User.Role, Organisation: v.User.Organisation, Today: models.DayOf(a.now(), londonTZ)}
	var err error
	if v.User.Role.IsStaff() {
		if d.Desk, err = models.DeskFor(a.dbFor(c), v.User.HubID, d.Today); err != nil {
			return err
		}
	} else if v.BorrowerID != 0 {
		if d.Loans, err = models.LoansOf(a.dbFor(c), v.BorrowerID, 200); err != nil {
			return err
		}
		if d.Reservations, err = models.ReservationsOf(a.dbFor(c), v.BorrowerID, 200); err != nil {
			return err
		}
	}
	p := a.page(c, "My page")
	p.Section = "home"
	p.Data = d
	return a.render(c, http.StatusOK, "my", p)
}

func (a *App) accountPage(c echo.Context) error {
	p := a.page(c, "Your account")
	p.Section = "account"
	p.Data = viewerOf(c).User
	return a.render(c, http.StatusOK, "account", p)
}

type reservationData struct {
	Reservation *models.Reservation
	Loans       []models.Loan
	CanDecide   bool
	CanCancel   bool
}

// reservationPage shows a reservation to its borrower or the hub's staff;
// to anyone else it does not exist.
func (a *App) reservationPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	by := a.actor(c)
	r, err := models.ReservationFor(a.dbFor(c), by, id)
	if err != nil {
		return err
	}
	loans, err := models.LoansForReservation(a.dbFor(c), r.ID)
	if err != nil {
		return err
	}
	open := r.Status == models.ResRequested || r.Status == models.ResApproved
	d := reservationData{Reservation: r, Loans: loans, CanDecide: by.Role.IsStaff() && r.Status == models.ResRequested,
		CanCancel: open}
	p := a.page(c, fmt.Sprintf("Reservation #%d", r.ID))
	p.Data = d
	return a.render(c, http.StatusOK, "reservation", p)
}

func (a *App) cancelReservation(c echo.Context) error {
	return a.decideReservation(c, func(id uint) (*models.Reservation, error) {
		return models.Cancel(a.dbFor(c), a.actor(c), id, c.FormValue("note"))
	}, func(r *models.Reservation) string {
		if r.Status == models.ResFulfilled { // partly collected: closed, not cancelled
			return "The copies not yet collected are released; the loans made stand."
		}
		return "Reservation cancelled."
	})
}

func (a *App) approveReservation(c echo.Context) error {
	return a.decideReservation(c, func(id uint) (*models.Reservation, error) {
		return models.Approve(a.dbFor(c), a.actor(c), id, c.FormValue("note"))
	}, says("Reservation approved."))
}

func (a *App) declineReservation(c echo.Context) error {
	return a.decideReservation(c, func(id uint) (*models.Reservation, error) {
		return models.Decline(a.dbFor(c), a.actor(c), id, c.FormValue("note"))
	}, says("Reservation declined."))
}

func says(msg string) func(*models.Reservation) string {
	return func(*models.Reservation) string { return msg }
}

// decideReservation runs a decision and flashes what done says of the
// reservation it leaves.
func (a *App) decideReservation(c echo.Context, do func(uint) (*models.Reservation, error), done func(*models.Reservation) string) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := do(id)
	if err != nil {
		if ref, ok := models.AsRefusal(err); ok && ref.Kind != models.NotFound {
			a.flash(c, "bad", ref.Message)
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reservations/%d", id))
		}
		return err
	}
	a.flash(c, "ok", done(r))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reservations/%d", r.ID))
}
