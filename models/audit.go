package models

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Actor is who performs a rule and when. Every rule takes one, so the audit
// trail can say who did what; the time is part of it so that tests (and the
// audit) agree on "now".
type Actor struct {
	UserID     *uint
	Name       string // shown in the audit trail: "Ada Lovelace <ada@hub.org>" or "kitshelf command line"
	Role       Role
	HubID      *uint // staff: the hub they work at
	OrgID      *uint // school contacts: their organisation
	BorrowerID *uint // school contacts and ambassadors: who they borrow as
	At         time.Time
}

// SystemActor acts for Kitshelf itself (the command line, scheduled jobs).
func SystemActor(name string) Actor { return Actor{Name: name, Role: RoleAdmin} }

// ActorFor acts as user u, at time now. It needs u's borrower row for
// borrowers; pass 0 when the user has none.
func ActorFor(u *User, borrowerID uint, now time.Time) Actor {
	a := Actor{UserID: &u.ID, Name: fmt.Sprintf("%s <%s>", u.Name, u.Email), Role: u.Role,
		HubID: u.HubID, OrgID: u.OrganisationID, At: now}
	if borrowerID != 0 {
		a.BorrowerID = &borrowerID
	}
	return a
}

// HubScope is the hub whose lists the actor sees: a staff member's own,
// or nil — every hub — for an admin.
func (a Actor) HubScope() *uint {
	if a.Role == RoleAdmin {
		return nil
	}
	return a.HubID
}

// now is when the actor acts: their given time, or the clock.
func (a Actor) now() time.Time {
	if a.At.IsZero() {
		return time.Now().UTC().Truncate(time.Millisecond)
	}
	return a.At.UTC()
}

// change describes one state change for the audit trail.
type change struct {
	action      string // "kit.check_out"
	subjectType string // "kit"
	subjectID   uint
	hubID       *uint
	summary     string // one sentence a person reads in the trail
	before      any
	after       any
}

// record appends an audit entry inside the caller's transaction, so the change
// and its history commit or roll back together.
func record(tx *gorm.DB, by Actor, c change) error {
	e := AuditEntry{
		At: by.now(), ActorID: by.UserID, Actor: by.Name, Action: c.action,
		SubjectType: c.subjectType, SubjectID: c.subjectID, HubID: c.hubID, Summary: c.summary,
		Before: snapshot(c.before), After: snapshot(c.after),
	}
	if e.Actor == "" {
		e.Actor = "unknown"
	}
	return tx.Create(&e).Error
}

func snapshot(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

// AuditFilter narrows the audit trail.
type AuditFilter struct {
	ActorID     *uint
	HubID       *uint
	Action      string // a prefix: "kit." matches every kit action
	SubjectType string
	SubjectID   uint
	From, To    time.Time // To is exclusive
	Limit       int
	BeforeID    uint // for paging back through the trail
}

// AuditTrail lists entries newest first.
func AuditTrail(db *gorm.DB, f AuditFilter) ([]AuditEntry, error) {
	q := db.Model(&AuditEntry{})
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	if f.HubID != nil {
		q = q.Where("hub_id = ?", *f.HubID)
	}
	if f.Action != "" {
		q = q.Where("action LIKE ? ESCAPE '\\'", escapeLike(f.Action)+"%")
	}
	if f.SubjectType != "" {
		q = q.Where("subject_type = ?", f.SubjectType)
	}
	if f.SubjectID != 0 {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []AuditEntry
	err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error
	return out, err
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
