package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

type auditData struct {
	Entries []models.AuditEntry
	Next    uint // id to page back from
}

// auditPage lists the audit trail, filtered by who (email), what (action
// prefix) and when (from/to days).
func (a *App) auditPage(c echo.Context) error {
	f := models.AuditFilter{Action: c.QueryParam("action"), Limit: 100}
	if email := c.QueryParam("actor"); email != "" {
		u, err := models.UserByEmail(a.dbFor(c), email)
		if err != nil {
			return a.rerender(c, fieldRefusal("actor", "No account uses that address."), "audit", "Audit trail", auditData{})
		}
		f.ActorID = &u.ID
	}
	if from := c.QueryParam("from"); from != "" {
		d, err := models.ParseDay(from)
		if err != nil {
			return a.rerender(c, fieldRefusal("from", err.Error()), "audit", "Audit trail", auditData{})
		}
		f.From = d.Start(londonTZ)
	}
	if to := c.QueryParam("to"); to != "" {
		d, err := models.ParseDay(to)
		if err != nil {
			return a.rerender(c, fieldRefusal("to", err.Error()), "audit", "Audit trail", auditData{})
		}
		f.To = d.AddDays(1).Start(londonTZ)
	}
	if before, err := strconv.ParseUint(c.QueryParam("before"), 10, 32); err == nil {
		f.BeforeID = uint(before)
	}
	entries, err := models.AuditTrail(a.dbFor(c), f)
	if err != nil {
		return err
	}
	d := auditData{Entries: entries}
	if len(entries) == f.Limit {
		d.Next = entries[len(entries)-1].ID
	}
	p := a.page(c, "Audit trail")
	p.Section = "admin"
	p.Data = d
	p.Form = queryForm(c)
	return a.render(c, http.StatusOK, "audit", p)
}

func (a *App) outboxPage(c echo.Context) error {
	msgs, err := models.OutboxMessages(a.dbFor(c), 200)
	if err != nil {
		return err
	}
	p := a.page(c, "Outbox")
	p.Section = "admin"
	p.Data = map[string]any{"Messages": msgs, "SMTP": a.opts.SMTPConfigured}
	return a.render(c, http.StatusOK, "outbox", p)
}

func fieldRefusal(field, msg string) *models.Refusal {
	return &models.Refusal{Kind: models.Invalid, Code: "invalid_input", Message: "Please correct the highlighted field.",
		Fields: map[string]string{field: msg}}
}

var londonTZ, _ = time.LoadLocation("Europe/London")
