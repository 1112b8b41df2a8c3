package demo_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/demo"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

var demoNow = time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)

type census struct {
	KitTypes, Kits, Orgs, Ambassadors, Loans, OpenLoans, Overdue, NeedsRestock, Pending, ApprovedAhead int64
	Audit                                                                                              int64
}

func count(t *testing.T, db *gorm.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func take(t *testing.T, db *gorm.DB) census {
	today := models.NewDay(2026, 11, 23)
	return census{
		KitTypes:      count(t, db, &models.KitType{}, ""),
		Kits:          count(t, db, &models.Kit{}, ""),
		Orgs:          count(t, db, &models.Organisation{}, ""),
		Ambassadors:   count(t, db, &models.User{}, "role = ?", models.RoleAmbassador),
		Loans:         count(t, db, &models.Loan{}, ""),
		OpenLoans:     count(t, db, &models.Loan{}, "returned_at IS NULL"),
		Overdue:       count(t, db, &models.Loan{}, "returned_at IS NULL AND due_on < ?", today),
		NeedsRestock:  count(t, db, &models.Kit{}, "status = ?", models.KitNeedsRestock),
		Pending:       count(t, db, &models.Reservation{}, "status = ? AND start_on >= ?", models.ResRequested, today),
		ApprovedAhead: count(t, db, &models.Reservation{}, "status = ? AND start_on > ?", models.ResApproved, today),
		Audit:         count(t, db, &models.AuditEntry{}, ""),
	}
}

func TestDemoDataLooksAliveAndIsTheSameEveryTime(t *testing.T) {
	var first *census
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.Now()
		if err := demo.Load(db, demoNow); err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded demo data in %s", time.Since(start).Round(time.Millisecond))
		c := take(t, db)
		t.Logf("%+v", c)
		switch {
		case c.KitTypes < 18 || c.Kits < 40 || c.Orgs < 25 || c.Ambassadors < 15:
			t.Errorf("too small a library: %+v", c)
		case c.Loans < 200:
			t.Errorf("only %d loans in a year", c.Loans)
		case c.OpenLoans < 5 || c.Overdue < 2 || c.NeedsRestock < 1:
			t.Errorf("nothing happening now: %+v", c)
		case c.Pending < 1 || c.ApprovedAhead < 1:
			t.Errorf("no upcoming bookings: %+v", c)
		}
		if first == nil {
			first = &c
		} else if *first != c {
			t.Errorf("demo data differs between databases:\n%+v\n%+v", *first, c)
		}
		for _, l := range demo.Logins {
			u, err := models.UserByEmail(db, l.Email)
			if err != nil {
				t.Fatal(err)
			}
			if u.Role != l.Role || !models.PasswordMatches(u.PasswordHash, demo.Password) {
				t.Errorf("demo login %s: role %s, password ok %v", l.Email, u.Role, models.PasswordMatches(u.PasswordHash, demo.Password))
			}
		}
		if err := demo.Load(db, demoNow); err != demo.ErrNotEmpty {
			t.Errorf("a second load gave %v, want ErrNotEmpty", err)
		}
	})
}
