package models_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

func TestCheckOutAndIn(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 2)
		staff := w.StaffActor()
		kit := w.Kits[0]

		loan := must(models.CheckOut(db, staff, models.CheckOutInput{Tag: strings.ToLower(kit.AssetTag) + " ", BorrowerID: w.SchoolBorrower}))(t)
		if got, want := loan.DueOn, w.Day(21); got != want {
			t.Errorf("due %s, want %s (the kit type's 21-day loan period)", got, want)
		}
		if loan.ReservationID != nil {
			t.Errorf("walk-in loan tied to reservation %d", *loan.ReservationID)
		}
		assertStatus(t, db, kit.AssetTag, models.KitOnLoan)

		w.AdvanceDays(7)
		res := must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: "https://kitshelf.example/k/" + kit.AssetTag}))(t)
		if len(res.Shortfalls) != 0 || res.Late {
			t.Errorf("clean on-time return reported shortfalls %v, late %v", res.Shortfalls, res.Late)
		}
		assertStatus(t, db, kit.AssetTag, models.KitAvailable)

		trail := must(models.AuditTrail(db, models.AuditFilter{SubjectType: "kit", SubjectID: kit.ID}))(t)
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, ","); got != "kit.check_in,kit.check_out,kit.create" {
			t.Fatalf("audit trail %s", got)
		}
		out := trail[1]
		if out.ActorID == nil || *out.ActorID != w.Staff.ID || !strings.Contains(out.Summary, "Hillside Primary") {
			t.Errorf("check-out audit entry %+v", out)
		}
		var before, after map[string]any
		json.Unmarshal([]byte(out.Before), &before)
		json.Unmarshal([]byte(out.After), &after)
		if before["status"] != "available" || after["status"] != "on_loan" {
			t.Errorf("audit before %v after %v", before, after)
		}
	})
}

func assertStatus(t *testing.T, db *gorm.DB, tag string, want models.KitStatus) {
	t.Helper()
	k := must(models.KitByTag(db, tag))(t)
	if k.Status != want {
		t.Fatalf("%s is %s, want %s", tag, k.Status, want)
	}
}

func TestCheckInWithShortfallNeedsRestock(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		kit := w.Kits[0]
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: kit.AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		microbit, battery := w.KitType.Contents[0], w.KitType.Contents[1]
		res := must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: kit.AssetTag, Note: "box wet",
			Counts: []models.Count{{ContentID: microbit.ID, Missing: 2}, {ContentID: battery.ID, Damaged: 1}}}))(t)
		if got := models.ShortfallSummary(res.Shortfalls); got != "2 × micro:bit missing, 1 × battery pack damaged" {
			t.Errorf("shortfall %q", got)
		}
		assertStatus(t, db, kit.AssetTag, models.KitNeedsRestock)

		// It warns before it goes out again…
		_, err := models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: kit.AssetTag, BorrowerID: w.SchoolBorrower})
		r := wantRefusal(t, err, "kit_needs_restock")
		if !strings.Contains(r.Message, "2 × micro:bit missing") {
			t.Errorf("message %q does not say what is short", r.Message)
		}
		// …and restocking resolves the shortfall.
		must(models.ChangeKitStatus(db, w.StaffActor(), kit.AssetTag, models.ActionRestocked, ""))(t)
		assertStatus(t, db, kit.AssetTag, models.KitAvailable)
		if open := must(models.OpenShortfalls(db, kit.ID))(t); len(open) != 0 {
			t.Errorf("shortfalls still open after restock: %v", open)
		}
	})
}

func TestLendingAKitThatCameBackShortWhenAccepted(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		kit := w.Kits[0]
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: kit.AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: kit.AssetTag,
			Counts: []models.Count{{ContentID: w.KitType.Contents[2].ID, Missing: 10}}}))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: kit.AssetTag, BorrowerID: w.AmbassadorBorrower, AcceptShortfall: true}))(t)
		assertStatus(t, db, kit.AssetTag, models.KitOnLoan)
	})
}

func TestRefusalsSayWhyAndChangeNothing(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 2)
		onLoan, idle := w.Kits[0], w.Kits[1]
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: onLoan.AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		other, otherBorrower := w.AddSchool("Glen Academy")
		_ = other
		staff := w.StaffActor()
		school := w.As(w.SchoolContact)

		cases := []struct {
			name    string
			run     func() error
			code    string
			message string // a fragment the person must read
		}{
			{"check out a kit on loan", func() error {
				_, err := models.CheckOut(db, staff, models.CheckOutInput{Tag: onLoan.AssetTag, BorrowerID: otherBorrower})
				return err
			}, "kit_on_loan", onLoan.AssetTag + " is already on loan to Hillside Primary since 10 March, due 31 March."},
			{"check out an unknown tag", func() error {
				_, err := models.CheckOut(db, staff, models.CheckOutInput{Tag: "KS-9999", BorrowerID: w.SchoolBorrower})
				return err
			}, "kit_not_found", "No kit has the tag KS-9999"},
			{"check out gibberish", func() error {
				_, err := models.CheckOut(db, staff, models.CheckOutInput{Tag: "??", BorrowerID: w.SchoolBorrower})
				return err
			}, "kit_not_found", "is not an asset tag"},
			{"check out to nobody", func() error {
				_, err := models.CheckOut(db, staff, models.CheckOutInput{Tag: idle.AssetTag, BorrowerID: 999999})
				return err
			}, "borrower_not_found", "no such borrower"},
			{"check out due yesterday", func() error {
				_, err := models.CheckOut(db, staff, models.CheckOutInput{Tag: idle.AssetTag, BorrowerID: w.SchoolBorrower, DueOn: w.Day(-1)})
				return err
			}, "invalid_due_date", "cannot be in the past"},
			{"check in a kit not on loan", func() error {
				_, err := models.CheckIn(db, staff, models.CheckInInput{Tag: idle.AssetTag})
				return err
			}, "kit_not_on_loan", "is not on loan"},
			{"count more missing than the kit holds", func() error {
				_, err := models.CheckIn(db, staff, models.CheckInInput{Tag: onLoan.AssetTag,
					Counts: []models.Count{{ContentID: w.KitType.Contents[3].ID, Missing: 2}}})
				return err
			}, "invalid_count", "the kit holds only 1"},
			{"count a line of another kit type", func() error {
				_, err := models.CheckIn(db, staff, models.CheckInInput{Tag: onLoan.AssetTag, Counts: []models.Count{{ContentID: 99999, Missing: 1}}})
				return err
			}, "invalid_count", "does not belong"},
			{"retire a kit on loan", func() error {
				_, err := models.ChangeKitStatus(db, staff, onLoan.AssetTag, models.ActionRetire, "worn out")
				return err
			}, "invalid_transition", "is on loan, so it cannot be retired"},
			{"retire without a reason", func() error {
				_, err := models.ChangeKitStatus(db, staff, idle.AssetTag, models.ActionRetire, " ")
				return err
			}, "reason_required", "reason"},
			{"restock a kit that lacks nothing", func() error {
				_, err := models.ChangeKitStatus(db, staff, idle.AssetTag, models.ActionRestocked, "")
				return err
			}, "invalid_transition", "cannot be restocked"},
			{"reserve in the past", func() error {
				_, err := models.Reserve(db, school, models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
					BorrowerID: w.SchoolBorrower, Quantity: 1, StartOn: w.Day(-3), EndOn: w.Day(2)})
				return err
			}, "invalid_input", "Please correct"},
			{"reserve more copies than exist", func() error {
				_, err := models.Reserve(db, school, models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
					BorrowerID: w.SchoolBorrower, Quantity: 3, StartOn: w.Day(30), EndOn: w.Day(32)})
				return err
			}, "capacity_exceeded", "Only 2 copies of micro:bit class set (30) are free on Thu 9 April 2026, and 3 are needed."},
			{"reserve for another school", func() error {
				_, err := models.Reserve(db, school, models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
					BorrowerID: otherBorrower, Quantity: 1, StartOn: w.Day(30), EndOn: w.Day(32)})
				return err
			}, "borrower_not_found", "no such borrower"},
			{"renew a loan that does not exist", func() error {
				_, err := models.Renew(db, staff, models.RenewInput{LoanID: 424242})
				return err
			}, "loan_not_found", "no such loan"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := w.Snapshot()
				r := wantRefusal(t, c.run(), c.code)
				if !strings.Contains(r.Message, c.message) {
					t.Errorf("message %q lacks %q", r.Message, c.message)
				}
				if after := w.Snapshot(); after != before {
					t.Errorf("a refused rule changed the database:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

func TestCheckOutFulfilsTheBorrowersReservation(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		res := must(models.Reserve(db, w.As(w.SchoolContact), models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
			BorrowerID: w.SchoolBorrower, Quantity: 2, StartOn: w.Day(3), EndOn: w.Day(10), Participants: 60}))(t)
		must(models.Approve(db, w.StaffActor(), res.ID, ""))(t)
		w.AdvanceDays(3)

		first := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		if first.ReservationID == nil || *first.ReservationID != res.ID || first.DueOn != w.Day(7) {
			t.Fatalf("loan %+v: want tied to reservation %d and due on its last day %s", first, res.ID, w.Day(7))
		}
		assertReservation(t, db, res.ID, models.ResApproved)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[1].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		assertReservation(t, db, res.ID, models.ResFulfilled)

		// A third copy is not part of the reservation: it goes out on the loan period.
		third := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[2].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		if third.ReservationID != nil || third.DueOn != w.Day(21) {
			t.Errorf("third loan %+v should be a plain 21-day loan", third)
		}
	})
}

func assertReservation(t *testing.T, db *gorm.DB, id uint, want models.ReservationStatus) {
	t.Helper()
	var r models.Reservation
	if err := db.Take(&r, id).Error; err != nil {
		t.Fatal(err)
	}
	if r.Status != want {
		t.Fatalf("reservation %d is %s, want %s", id, r.Status, want)
	}
}

func TestKitStatusChanges(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 2)
		a, b := w.Kits[0].AssetTag, w.Kits[1].AssetTag
		steps := []struct {
			tag    string
			action models.KitAction
			reason string
			want   models.KitStatus
		}{
			{a, models.ActionToRepair, "cracked case", models.KitInRepair},
			{a, models.ActionRepaired, "", models.KitAvailable},
			{a, models.ActionMarkLost, "not on shelf at stocktake", models.KitLost},
			{a, models.ActionMarkFound, "", models.KitNeedsRestock},
			{a, models.ActionRestocked, "", models.KitAvailable},
			{a, models.ActionRetire, "obsolete", models.KitRetired},
		}
		for _, s := range steps {
			k := must(models.ChangeKitStatus(db, w.StaffActor(), s.tag, s.action, s.reason))(t)
			if k.Status != s.want {
				t.Fatalf("%s %s: status %s, want %s", s.tag, s.action, k.Status, s.want)
			}
		}
		// Marking a kit on loan lost closes its loan, so it holds no copy and
		// can be lent again once found.
		lent := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: b, BorrowerID: w.AmbassadorBorrower}))(t)
		must(models.ChangeKitStatus(db, w.StaffActor(), b, models.ActionMarkLost, "borrower says it was stolen"))(t)
		kit := must(models.KitByTag(db, b))(t)
		if l := must(models.OpenLoan(db, kit.ID))(t); l != nil {
			t.Fatalf("loan still open after the kit was lost: %+v", l)
		}
		// The audit entry says which loan it closed, and whose.
		lost := must(models.AuditTrail(db, models.AuditFilter{Action: "kit.lost", Limit: 1}))(t)
		if want := fmt.Sprintf(`"lost_loan_id":%d`, lent.ID); len(lost) != 1 || !strings.Contains(lost[0].After, want) ||
			!strings.Contains(lost[0].After, fmt.Sprintf(`"borrower_id":%d`, w.AmbassadorBorrower)) {
			t.Errorf("the kit.lost entry does not name the loan it closed: %+v", lost)
		}
		must(models.ChangeKitStatus(db, w.StaffActor(), b, models.ActionMarkFound, ""))(t)
		must(models.ChangeKitStatus(db, w.StaffActor(), b, models.ActionRestocked, ""))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: b, BorrowerID: w.SchoolBorrower}))(t)
		if n := len(must(models.AuditTrail(db, models.AuditFilter{Action: "kit.lost"}))(t)); n != 2 {
			t.Errorf("%d kit.lost audit entries, want 2", n)
		}
	})
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		if err := db.Exec("UPDATE audit_entries SET actor = 'someone else'").Error; err == nil {
			t.Error("the database let an audit entry be rewritten")
		}
		if err := db.Exec("DELETE FROM audit_entries").Error; err == nil {
			t.Error("the database let audit entries be deleted")
		}
		if n := w.Count("audit_entries"); n == 0 {
			t.Error("no audit entries")
		}
	})
}

func TestOneOpenLoanPerKitIsAlsoADatabaseConstraint(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		loan := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		// Bypass the rule, as a buggy future rule might.
		dup := models.Loan{KitID: loan.KitID, BorrowerID: w.AmbassadorBorrower, OutAt: w.Now, OutOn: w.Today(), DueOn: w.Day(3)}
		if err := db.Create(&dup).Error; err == nil {
			t.Fatal("the database accepted a second open loan for one kit")
		}
	})
}

func TestNormaliseTag(t *testing.T) {
	for in, want := range map[string]string{
		"KS-0042":                             "KS-0042",
		" ks-0042\n":                          "KS-0042",
		"https://kitshelf.example/k/KS-0042":  "KS-0042",
		"http://127.0.0.1:8080/k/ks-0042/":    "KS-0042",
		"https://kitshelf.example/k/KS-0042?": "KS-0042",
		"":                                    "",
		"DROP TABLE kits;":                    "",
		"K":                                   "",
	} {
		if got := models.NormaliseTag(in); got != want {
			t.Errorf("NormaliseTag(%q) = %q, want %q", in, got, want)
		}
	}
}

// Renewing an overdue loan must bring its due date to today or later.
func TestRenewalCannotEndInThePast(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		loan := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag,
			BorrowerID: w.SchoolBorrower, DueOn: w.Day(2)}))(t)
		w.AdvanceDays(10)
		before := w.Snapshot()
		_, err := models.Renew(db, w.StaffActor(), models.RenewInput{LoanID: loan.ID, DueOn: w.Day(-5)})
		if r := wantRefusal(t, err, "invalid_due_date"); r.Fields["due_on"] == "" {
			t.Errorf("no word on the due date field: %v", r.Fields)
		}
		if after := w.Snapshot(); after != before {
			t.Errorf("a refused renewal changed things:\n%s\n%s", before, after)
		}
		if l := must(models.Renew(db, w.StaffActor(), models.RenewInput{LoanID: loan.ID, DueOn: w.Today()}))(t); l.DueOn != w.Today() {
			t.Errorf("renewed to %s, want today", l.DueOn)
		}
	})
}

// The counter proposes who a basket is for. Two bookings of one kit type
// cover no more kits than the basket holds, so they do not put their
// borrower ahead of one whose booking came first.
func TestProposalsCountEachBasketKitOnce(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		approve := func(borrower uint) {
			r := must(models.Reserve(db, w.StaffActor(), models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
				BorrowerID: borrower, Quantity: 1, StartOn: w.Today(), EndOn: w.Day(3)}))(t)
			must(models.Approve(db, w.StaffActor(), r.ID, ""))(t)
		}
		approve(w.SchoolBorrower)
		approve(w.AmbassadorBorrower)
		approve(w.AmbassadorBorrower)
		got := must(models.ProposeBorrowers(db, w.Hub.ID, []uint{w.KitType.ID}, w.Today()))(t)
		if len(got) != 2 || got[0].Borrower.ID != w.SchoolBorrower || got[0].Covers != 1 || got[1].Covers != 1 {
			for _, p := range got {
				t.Logf("%s covers %d", p.Borrower.Name(), p.Covers)
			}
			t.Errorf("proposals for one kit: want the school first, each covering 1")
		}
	})
}
