package models_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

const racers = 50

// race runs fn from racers goroutines released at the same moment and
// returns how many succeeded and the refusal codes of the rest.
func race(t *testing.T, fn func(i int) error) (int, map[string]int) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	wins, codes := 0, map[string]int{}
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		r, ok := models.AsRefusal(err)
		if !ok {
			t.Fatalf("a racer failed with an error, not a refusal: %v", err)
		}
		codes[r.Code]++
	}
	return wins, codes
}

func TestConcurrentCheckOutsOfOneKit(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		borrowers := make([]uint, racers)
		for i := range borrowers {
			_, borrowers[i] = w.AddSchool(fmt.Sprintf("School %d", i))
		}
		tag := w.Kits[0].AssetTag
		wins, codes := race(t, func(i int) error {
			_, err := models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: borrowers[i]})
			return err
		})
		if wins != 1 || codes["kit_on_loan"] != racers-1 {
			t.Fatalf("%d check-outs succeeded (want 1); refusals %v", wins, codes)
		}
		if n := w.Count("loans"); n != 1 {
			t.Fatalf("%d loans recorded, want 1", n)
		}
		var audits int64
		db.Model(&models.AuditEntry{}).Where("action = ?", "kit.check_out").Count(&audits)
		if audits != 1 {
			t.Fatalf("%d check-out audit entries, want 1", audits)
		}
	})
}

func TestConcurrentReservationsForTheLastCopy(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		// Two of three copies are already booked on the days everyone wants.
		must(reserve(w, w.SchoolBorrower, 2, 7, 9))(t)
		borrowers := make([]uint, racers)
		for i := range borrowers {
			_, borrowers[i] = w.AddSchool(fmt.Sprintf("School %d", i))
		}
		wins, codes := race(t, func(i int) error {
			_, err := reserve(w, borrowers[i], 1, 8, 10)
			return err
		})
		if wins != 1 || codes["capacity_exceeded"] != racers-1 {
			t.Fatalf("%d reservations succeeded (want 1); refusals %v", wins, codes)
		}
		if n := w.Count("reservations"); n != 2 {
			t.Fatalf("%d reservations stored, want 2", n)
		}
	})
}

func TestConcurrentCheckInsOfOneKit(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		tag := w.Kits[0].AssetTag
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower}))(t)
		missing := []models.Count{{ContentID: w.KitType.Contents[0].ID, Missing: 1}}
		wins, codes := race(t, func(int) error {
			_, err := models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag, Counts: missing})
			return err
		})
		if wins != 1 || codes["kit_not_on_loan"] != racers-1 {
			t.Fatalf("%d check-ins succeeded (want 1); refusals %v", wins, codes)
		}
		if n := w.Count("shortfalls"); n != 1 {
			t.Fatalf("%d shortfalls recorded, want 1", n)
		}
	})
}

func TestConcurrentCheckOutAndRetire(t *testing.T) {
	// Retiring and lending the same kit at once: exactly one wins, and the
	// kit ends in a state consistent with its loans.
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		tag := w.Kits[0].AssetTag
		wins, _ := race(t, func(i int) error {
			if i%2 == 0 {
				_, err := models.ChangeKitStatus(db, w.StaffActor(), tag, models.ActionRetire, "race")
				return err
			}
			_, err := models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower})
			return err
		})
		if wins != 1 {
			t.Fatalf("%d operations succeeded, want 1", wins)
		}
		k := must(models.KitByTag(db, tag))(t)
		loans := w.Count("loans")
		if (k.Status == models.KitOnLoan) != (loans == 1) {
			t.Fatalf("kit is %s with %d loans", k.Status, loans)
		}
	})
}

func TestConcurrentBasketsSharingKits(t *testing.T) {
	// Baskets list the same kits in different orders; locks are taken in one
	// order, so none deadlocks, and exactly one basket goes out.
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		tags := []string{w.Kits[0].AssetTag, w.Kits[1].AssetTag, w.Kits[2].AssetTag}
		borrowers := make([]uint, racers)
		for i := range borrowers {
			_, borrowers[i] = w.AddSchool(fmt.Sprintf("School %d", i))
		}
		wins, codes := race(t, func(i int) error {
			order := []string{tags[i%3], tags[(i+1)%3], tags[(i+2)%3]}
			if i%2 == 1 {
				order[0], order[2] = order[2], order[0]
			}
			_, err := models.CheckOutBasket(db, w.StaffActor(), models.BasketCheckOut{Tags: order, BorrowerID: borrowers[i]})
			return err
		})
		if wins != 1 || codes["kit_on_loan"] != racers-1 {
			t.Fatalf("%d baskets went out (want 1); refusals %v", wins, codes)
		}
		if n := w.Count("loans"); n != 3 {
			t.Fatalf("%d loans, want 3", n)
		}
	})
}

// A booking that waits while the kit type's turnaround is being lengthened
// must be checked against the new turnaround, not the one it read before
// it waited. (PostgreSQL only: SQLite runs one write transaction at a time,
// so nothing can change between the read and the lock.)
func TestABookingWaitingOnATurnaroundChangeSeesTheNewTurnaround(t *testing.T) {
	db := modeltest.Open(t, models.Postgres)
	w := modeltest.NewWorld(t, db, 1)
	first := must(reserve(w, w.SchoolBorrower, 1, 10, 12))(t) // turnaround 2: held to day 14
	must(models.Approve(db, w.StaffActor(), first.ID, ""))(t)

	// The change to 3 days is in flight: it holds the capacity lock, as
	// UpdateKitType does, and has written the new turnaround.
	tx := db.Begin()
	check(t, tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", int32(w.Hub.ID), int32(w.KitType.ID)).Error)
	check(t, tx.Exec("UPDATE kit_types SET turnaround_days = 3 WHERE id = ?", w.KitType.ID).Error)

	done := make(chan error, 1)
	go func() {
		_, err := reserve(w, w.AmbassadorBorrower, 1, 15, 17) // fits after a 2-day turnaround, not a 3-day one
		done <- err
	}()
	// Let the booking reach the lock (it has read the kit type by then).
	for i := 0; i < 200; i++ {
		var waiting int64
		check(t, db.Raw(`SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND classid = ? AND objid = ?`, w.Hub.ID, w.KitType.ID).Scan(&waiting).Error)
		if waiting > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	check(t, tx.Commit().Error)
	wantRefusal(t, <-done, "capacity_exceeded")
}
