package modeltest

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
)

// World is a small lending library for a test: one hub with staff, one kit
// type with a contents list and some copies, a school with a contact, and an
// ambassador. Its clock stands still at Now unless a test moves it.
type World struct {
	t   testing.TB
	DB  *gorm.DB
	Now time.Time

	Hub     *models.Hub
	Admin   *models.User
	Staff   *models.User
	KitType *models.KitType
	Kits    []*models.Kit

	School         *models.Organisation
	SchoolBorrower uint
	SchoolContact  *models.User

	Ambassador         *models.User
	AmbassadorBorrower uint
}

// Today is the hub's day at the world's clock.
func (w *World) Today() models.Day { return w.Hub.Today(w.Now) }

// StartOfTests is when every World's clock starts: a Tuesday morning in term.
var StartOfTests = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

// NewWorld builds a World with the given number of copies of one kit type
// (turnaround 2 days, loan period 21 days).
func NewWorld(t testing.TB, db *gorm.DB, copies int) *World {
	t.Helper()
	w := &World{t: t, DB: db, Now: StartOfTests}
	sys := models.SystemActor("test setup")
	var err error
	w.Hub, err = models.CreateHub(db, sys, models.HubInput{Name: "Test Hub"})
	check(t, err)
	w.Admin, err = models.CreateUser(db, sys, models.UserInput{Email: "admin@test.org", Name: "Ada Admin", Role: models.RoleAdmin})
	check(t, err)
	w.Staff, err = models.CreateUser(db, sys, models.UserInput{Email: "staff@test.org", Name: "Sam Staff",
		Role: models.RoleStaff, HubID: &w.Hub.ID})
	check(t, err)
	kt, err := models.CreateKitType(db, sys, models.KitTypeInput{
		Name: "micro:bit class set (30)", DefaultLoanDays: 21, TurnaroundDays: 2, AgeLevels: []string{"cfe-second", "ks2"},
		Contents: []models.ContentInput{{Name: "micro:bit", Quantity: 30}, {Name: "battery pack", Quantity: 30},
			{Name: "AAA battery", Quantity: 60, Consumable: true}, {Name: "teacher guide", Quantity: 1}},
	})
	check(t, err)
	w.KitType, err = models.KitTypeBySlug(db, kt.Slug)
	check(t, err)
	for range copies {
		w.AddKit()
	}
	w.School, w.SchoolBorrower = w.AddSchool("Hillside Primary")
	w.SchoolContact, err = models.CreateUser(db, sys, models.UserInput{Email: "head@hillside.sch.uk", Name: "Hana Head",
		Role: models.RoleSchool, OrganisationID: &w.School.ID})
	check(t, err)
	w.Ambassador, err = models.CreateUser(db, sys, models.UserInput{Email: "amb@volunteer.org", Name: "Abe Ambassador",
		Role: models.RoleAmbassador})
	check(t, err)
	w.AmbassadorBorrower, err = models.BorrowerIDFor(db, w.Ambassador)
	check(t, err)
	return w
}

// AddKit adds one more copy of the world's kit type.
func (w *World) AddKit() *models.Kit {
	w.t.Helper()
	k, err := models.AddKit(w.DB, models.SystemActor("test setup"), models.AddKitInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID})
	check(w.t, err)
	w.Kits = append(w.Kits, k)
	return k
}

// AddSchool adds an approved school and returns it with its borrower id.
func (w *World) AddSchool(name string) (*models.Organisation, uint) {
	w.t.Helper()
	o, err := models.CreateOrganisation(w.DB, models.SystemActor("test setup"), models.OrganisationInput{
		Name: name, Kind: models.OrgSchool, HubID: &w.Hub.ID, Postcode: "EH1 1AA", UrbanRural: models.URLargeUrban, Approved: true})
	check(w.t, err)
	var b models.Borrower
	if err := w.DB.Where("organisation_id = ?", o.ID).Take(&b).Error; err != nil {
		w.t.Fatal(err)
	}
	return o, b.ID
}

// As acts as user u at the world's clock.
func (w *World) As(u *models.User) models.Actor {
	w.t.Helper()
	b, err := models.BorrowerIDFor(w.DB, u)
	if err != nil {
		w.t.Fatal(err)
	}
	return models.ActorFor(u, b, w.Now)
}

// StaffActor acts as the hub's staff member at the world's clock.
func (w *World) StaffActor() models.Actor { return w.As(w.Staff) }

// Day returns the hub day that is n days from today.
func (w *World) Day(n int) models.Day { return w.Today().AddDays(n) }

// AdvanceDays moves the world's clock on by n days.
func (w *World) AdvanceDays(n int) { w.Now = w.Now.AddDate(0, 0, n) }

// Count returns how many rows a table has.
func (w *World) Count(table string) int64 {
	w.t.Helper()
	var n int64
	if err := w.DB.Table(table).Count(&n).Error; err != nil {
		w.t.Fatal(err)
	}
	return n
}

// Snapshot counts the rows of every table a rule writes, so a test can show
// that a refused rule changed nothing.
func (w *World) Snapshot() string {
	w.t.Helper()
	s := ""
	for _, table := range []string{"kits", "loans", "reservations", "shortfalls", "audit_entries", "borrowers", "users"} {
		s += fmt.Sprintf("%s=%d ", table, w.Count(table))
	}
	var statuses []string
	w.DB.Model(&models.Kit{}).Order("id").Pluck("status", &statuses)
	var resStatuses []string
	w.DB.Model(&models.Reservation{}).Order("id").Pluck("status", &resStatuses)
	var dues []string
	w.DB.Model(&models.Loan{}).Order("id").Pluck("due_on", &dues)
	return fmt.Sprintf("%s kits%v res%v dues%v", s, statuses, resStatuses, dues)
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
}
