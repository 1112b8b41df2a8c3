package models_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// reserve books n copies for the school from day a to day b (relative to today).
func reserve(w *modeltest.World, borrower uint, n, a, b int) (*models.Reservation, error) {
	return models.Reserve(w.DB, w.StaffActor(), models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
		BorrowerID: borrower, Quantity: n, StartOn: w.Day(a), EndOn: w.Day(b)})
}

func TestCapacityCountsTurnaround(t *testing.T) {
	// Two copies, turnaround 2 days: a booking of both for days 10–12 holds
	// them until day 14.
	cases := []struct {
		name       string
		start, end int
		n          int
		wantOK     bool
	}{
		{"overlapping days", 11, 11, 1, false},
		{"during turnaround", 13, 16, 1, false},
		{"last turnaround day", 14, 14, 1, false},
		{"first day after turnaround", 15, 18, 2, true},
		{"ends just before, with its own turnaround running into the booking", 5, 8, 1, false},
		{"ends early enough for its turnaround", 5, 7, 2, true},
	}
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := modeltest.NewWorld(t, modeltest.Open(t, models.DialectOf(db)), 2)
				must(reserve(w, w.SchoolBorrower, 2, 10, 12))(t)
				_, err := reserve(w, w.AmbassadorBorrower, c.n, c.start, c.end)
				if c.wantOK && err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !c.wantOK {
					wantRefusal(t, err, "capacity_exceeded")
				}
			})
		}
	})
}

func TestCapacityCountsRequestedApprovedAndLoans(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		requested := must(reserve(w, w.SchoolBorrower, 1, 5, 6))(t)
		approved := must(reserve(w, w.SchoolBorrower, 1, 5, 6))(t)
		must(models.Approve(db, w.StaffActor(), approved.ID, ""))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.AmbassadorBorrower}))(t)

		_, err := reserve(w, w.AmbassadorBorrower, 1, 5, 5)
		wantRefusal(t, err, "capacity_exceeded")

		// A declined request frees its copy; so does a cancelled one.
		must(models.Decline(db, w.StaffActor(), requested.ID, "we need it for a hub event"))(t)
		freed := must(reserve(w, w.AmbassadorBorrower, 1, 5, 5))(t)
		must(models.Cancel(db, w.As(w.Ambassador), freed.ID, "plans changed"))(t)
		must(reserve(w, w.AmbassadorBorrower, 1, 5, 5))(t)
	})
}

func TestOverdueLoanKeepsHoldingItsCopy(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower, DueOn: w.Day(3)}))(t)
		w.AdvanceDays(10) // seven days overdue
		_, err := reserve(w, w.AmbassadorBorrower, 1, 0, 1)
		wantRefusal(t, err, "capacity_exceeded")
		// Once back, the copy is free after its turnaround.
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: w.Kits[0].AssetTag}))(t)
		_, err = reserve(w, w.AmbassadorBorrower, 1, 2, 3)
		wantRefusal(t, err, "capacity_exceeded")
		must(reserve(w, w.AmbassadorBorrower, 1, 3, 4))(t)
	})
}

func TestWalkInLoanCannotTakeAReservedCopy(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		must(reserve(w, w.AmbassadorBorrower, 1, 10, 12))(t)
		tag := w.Kits[0].AssetTag
		_, err := models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower})
		wantRefusal(t, err, "capacity_exceeded")
		// A short loan that is back, with turnaround, before the booking is fine.
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower, DueOn: w.Day(7)}))(t)
		// Renewing it into the booking is not.
		loan := must(models.OpenLoan(db, w.Kits[0].ID))(t)
		_, err = models.Renew(db, w.StaffActor(), models.RenewInput{LoanID: loan.ID, DueOn: w.Day(8)})
		wantRefusal(t, err, "capacity_exceeded")
		// The kit that just came back can go straight out again: it is in hand.
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag}))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower, DueOn: w.Day(7)}))(t)
	})
}

func TestRenewExtendsWhenFree(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		loan := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		renewed := must(models.Renew(db, w.StaffActor(), models.RenewInput{LoanID: loan.ID}))(t)
		if renewed.DueOn != w.Day(42) || renewed.Renewals != 1 {
			t.Fatalf("renewed loan due %s after %d renewals, want %s after 1", renewed.DueOn, renewed.Renewals, w.Day(42))
		}
		_, err := models.Renew(db, w.StaffActor(), models.RenewInput{LoanID: loan.ID, DueOn: w.Day(30)})
		wantRefusal(t, err, "invalid_due_date")
	})
}

func TestCollectingAReservationWorksEvenWhenOverbooked(t *testing.T) {
	// Two copies, two bookings of one each, then one copy is retired: the
	// first borrower to arrive still gets the copy that is on the shelf.
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 2)
		a := must(reserve(w, w.SchoolBorrower, 1, 0, 5))(t)
		b := must(reserve(w, w.AmbassadorBorrower, 1, 0, 5))(t)
		must(models.Approve(db, w.StaffActor(), a.ID, ""))(t)
		must(models.ChangeKitStatus(db, w.StaffActor(), w.Kits[1].AssetTag, models.ActionRetire, "snapped"))(t)
		_, err := models.Approve(db, w.StaffActor(), b.ID, "")
		wantRefusal(t, err, "capacity_exceeded")
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
	})
}

func TestAvailabilityUsesTheSameRule(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		must(reserve(w, w.SchoolBorrower, 2, 2, 3))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.AmbassadorBorrower, DueOn: w.Day(1)}))(t)
		days := must(models.Availability(db, w.Hub.ID, w.KitType.ID, w.Day(0), w.Day(7), w.Today()))(t)
		// Loan: days 0–1 plus 2 turnaround → 0..3. Reservation: 2–3 plus 2 → 2..5.
		want := []int{2, 2, 0, 0, 1, 1, 3, 3}
		for i, d := range days {
			if d.Free != want[i] {
				t.Errorf("day %d (%s): %d free, want %d", i, d.Day, d.Free, want[i])
			}
		}
	})
}

func TestExpireReservations(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 4)
		neverApproved := must(reserve(w, w.SchoolBorrower, 1, 1, 2))(t)
		neverCollected := must(reserve(w, w.SchoolBorrower, 1, 1, 2))(t)
		collected := must(reserve(w, w.AmbassadorBorrower, 2, 1, 2))(t)
		future := must(reserve(w, w.AmbassadorBorrower, 1, 20, 22))(t)
		for _, r := range []*models.Reservation{neverCollected, collected} {
			must(models.Approve(db, w.StaffActor(), r.ID, ""))(t)
		}
		w.AdvanceDays(1)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.AmbassadorBorrower}))(t)
		w.AdvanceDays(2)
		n := must(models.ExpireReservations(db, w.Now))(t)
		if n != 3 {
			t.Errorf("expired %d, want 3", n)
		}
		assertReservation(t, db, neverApproved.ID, models.ResExpired)
		assertReservation(t, db, neverCollected.ID, models.ResExpired)
		assertReservation(t, db, collected.ID, models.ResFulfilled)
		assertReservation(t, db, future.ID, models.ResRequested)
		if again := must(models.ExpireReservations(db, w.Now))(t); again != 0 {
			t.Errorf("a second run expired %d more", again)
		}
	})
}

func TestOnlyHubStaffDecide(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		r := must(models.Reserve(db, w.As(w.SchoolContact), models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
			BorrowerID: w.SchoolBorrower, Quantity: 1, StartOn: w.Day(5), EndOn: w.Day(6)}))(t)
		_, err := models.Approve(db, w.As(w.SchoolContact), r.ID, "")
		wantRefusal(t, err, "staff_only")
		_, err = models.Approve(db, w.As(w.Ambassador), r.ID, "")
		wantRefusal(t, err, "reservation_not_found")

		other := must(models.CreateHub(db, models.SystemActor("test"), models.HubInput{Name: "Other Hub"}))(t)
		elsewhere := must(models.CreateUser(db, models.SystemActor("test"), models.UserInput{Email: "x@other.org", Name: "Xen",
			Role: models.RoleStaff, HubID: &other.ID}))(t)
		_, err = models.Approve(db, w.As(elsewhere), r.ID, "")
		wantRefusal(t, err, "reservation_not_found")

		must(models.Approve(db, w.As(w.Admin), r.ID, ""))(t)
	})
}

func TestLongerTurnaroundMustFitWhatIsBooked(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		// One copy, turnaround 2: bookings for days 10–12 and 15–17 just fit.
		w := modeltest.NewWorld(t, db, 1)
		first := must(reserve(w, w.SchoolBorrower, 1, 10, 12))(t)
		must(models.Approve(db, w.StaffActor(), first.ID, ""))(t)
		second := must(reserve(w, w.AmbassadorBorrower, 1, 15, 17))(t)
		edit := func(days int) (*models.KitType, error) {
			kt, err := models.KitTypeBySlug(db, w.KitType.Slug)
			if err != nil {
				t.Fatal(err)
			}
			in := inputOf(kt)
			in.TurnaroundDays = days
			return models.UpdateKitType(db, w.StaffActor(), kt.Slug, in)
		}

		before := w.Snapshot()
		_, err := edit(3)
		r := wantRefusal(t, err, "turnaround_too_long")
		if want := "With 3 turnaround days, micro:bit class set (30) at Test Hub would be short on " + w.Day(15).Human(); !strings.HasPrefix(r.Message, want) {
			t.Errorf("message %q, want it to start %q", r.Message, want)
		}
		if r.Fields["turnaround_days"] == "" {
			t.Errorf("no message on the turnaround field: %v", r.Fields)
		}
		if after := w.Snapshot(); after != before {
			t.Errorf("a refused change changed things:\n%s\n%s", before, after)
		}

		// Shorter is always fine, and so is the same length.
		if kt := must(edit(1))(t); kt.TurnaroundDays != 1 {
			t.Errorf("turnaround %d after shortening to 1", kt.TurnaroundDays)
		}
		must(edit(1))(t)
		// Once the second booking is cancelled, nothing stands in the way.
		_, err = edit(3)
		wantRefusal(t, err, "turnaround_too_long")
		must(models.Cancel(db, w.StaffActor(), second.ID, ""))(t)
		if kt := must(edit(3))(t); kt.TurnaroundDays != 3 {
			t.Errorf("turnaround %d, want 3", kt.TurnaroundDays)
		}
	})
}

func TestLongerTurnaroundCountsLoansOut(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		// One copy out until day 21 (the default loan), a booking from day 24.
		w := modeltest.NewWorld(t, db, 1)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.AmbassadorBorrower}))(t)
		must(reserve(w, w.SchoolBorrower, 1, 24, 25))(t)
		kt := must(models.KitTypeBySlug(db, w.KitType.Slug))(t)
		in := inputOf(kt)
		in.TurnaroundDays = 3
		_, err := models.UpdateKitType(db, w.StaffActor(), kt.Slug, in)
		wantRefusal(t, err, "turnaround_too_long")
	})
}

// A longer turnaround is checked at every hub, not only until the first one
// that holds nothing.
func TestLongerTurnaroundIsCheckedAtEveryHub(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1) // the first hub: one idle copy, nothing booked
		sys := models.SystemActor("t")
		far := must(models.CreateHub(db, sys, models.HubInput{Name: "Far Hub", TagPrefix: "FH"}))(t)
		must(models.AddKit(db, sys, models.AddKitInput{HubID: far.ID, KitTypeID: w.KitType.ID}))(t)
		org := must(models.CreateOrganisation(db, sys, models.OrganisationInput{Name: "Far School", HubID: &far.ID, Approved: true}))(t)
		var b models.Borrower
		check(t, db.Where("organisation_id = ?", org.ID).Take(&b).Error)
		admin := w.As(w.Admin)
		for _, days := range [][2]int{{10, 12}, {15, 17}} { // fits with turnaround 2, not 3
			r := must(models.Reserve(db, admin, models.ReserveInput{HubID: far.ID, KitTypeID: w.KitType.ID, BorrowerID: b.ID,
				Quantity: 1, StartOn: w.Day(days[0]), EndOn: w.Day(days[1])}))(t)
			must(models.Approve(db, admin, r.ID, ""))(t)
		}
		in := inputOf(must(models.KitTypeBySlug(db, w.KitType.Slug))(t))
		in.TurnaroundDays = 3
		_, err := models.UpdateKitType(db, admin, w.KitType.Slug, in)
		if r := wantRefusal(t, err, "turnaround_too_long"); !strings.Contains(r.Message, "at Far Hub") {
			t.Errorf("the refusal does not name the hub: %q", r.Message)
		}
	})
}

// A kit that comes back broken and goes for repair has left the copies in
// service; its turnaround must not hold a second copy.
func TestAKitInRepairHoldsNoTurnaround(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 2)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		w.AdvanceDays(3)
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: w.Kits[0].AssetTag}))(t)
		must(models.ChangeKitStatus(db, w.StaffActor(), w.Kits[0].AssetTag, models.ActionToRepair, "cracked case"))(t)
		for _, a := range must(models.Availability(db, w.Hub.ID, w.KitType.ID, w.Day(0), w.Day(3), w.Today()))(t) {
			if a.InService != 1 || a.Free != 1 {
				t.Errorf("%s: %d in service, %d free; want 1 and 1 (the other kit is on the shelf)", a.Day, a.InService, a.Free)
			}
		}
		must(reserve(w, w.AmbassadorBorrower, 1, 1, 1))(t)
	})
}

// The school needs only one of the three copies it booked: after collecting
// it, the other two can be released for others.
func TestReleasingTheUncollectedCopiesOfABooking(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		r := must(reserve(w, w.SchoolBorrower, 3, 0, 10))(t)
		must(models.Approve(db, w.StaffActor(), r.ID, ""))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		free := func() int {
			return must(models.Availability(db, w.Hub.ID, w.KitType.ID, w.Day(5), w.Day(5), w.Today()))(t)[0].Free
		}
		if n := free(); n != 0 {
			t.Fatalf("%d copies free on day 5 while booked, want 0", n)
		}
		closed := must(models.Cancel(db, w.As(w.SchoolContact), r.ID, "one is enough"))(t)
		if closed.Status != models.ResFulfilled {
			t.Errorf("a partly collected booking was left %s, want fulfilled", closed.Status)
		}
		if n := free(); n != 2 {
			t.Errorf("%d copies free on day 5 after releasing, want 2 (one is still out)", n)
		}
		if l := must(models.OpenLoan(db, w.Kits[0].ID))(t); l == nil {
			t.Error("releasing the booking ended the loan made against it")
		}
		trail := must(models.AuditTrail(db, models.AuditFilter{Action: "reservation.fulfil", Limit: 1}))(t)
		if len(trail) != 1 || !strings.Contains(trail[0].Summary, "1 of 3 copies were collected") {
			t.Errorf("audit trail: %+v", trail)
		}
	})
}
