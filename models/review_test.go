package models_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// otherHubStaff adds a second hub with one staff member.
func otherHubStaff(t *testing.T, w *modeltest.World) (*models.Hub, models.Actor) {
	t.Helper()
	h := must(models.CreateHub(w.DB, models.SystemActor("t"), models.HubInput{Name: "Far Hub"}))(t)
	u := must(models.CreateUser(w.DB, models.SystemActor("t"), models.UserInput{Email: "far@far.org", Name: "Far Staff",
		Role: models.RoleStaff, HubID: &h.ID}))(t)
	return h, w.As(u)
}

func TestOnlyTheKitsHubChecksItInOrRenews(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		_, far := otherHubStaff(t, w)
		loan := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: w.SchoolBorrower}))(t)
		_, err := models.CheckIn(db, far, models.CheckInInput{Tag: w.Kits[0].AssetTag})
		wantRefusal(t, err, "kit_not_found")
		_, err = models.Renew(db, far, models.RenewInput{LoanID: loan.ID})
		wantRefusal(t, err, "loan_not_found")
		_, err = models.Reserve(db, far, models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, BorrowerID: w.SchoolBorrower,
			Quantity: 1, StartOn: w.Day(30), EndOn: w.Day(31)})
		wantRefusal(t, err, "hub_not_found")
		if l := must(models.OpenLoan(db, w.Kits[0].ID))(t); l == nil {
			t.Fatal("another hub's staff closed the loan")
		}
	})
}

func TestCheckOutOnlyToBorrowersOfTheHub(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		far, _ := otherHubStaff(t, w)
		pending := must(models.CreateOrganisation(db, models.SystemActor("t"), models.OrganisationInput{Name: "Pending School",
			HubID: &w.Hub.ID, Approved: false}))(t)
		elsewhere := must(models.CreateOrganisation(db, models.SystemActor("t"), models.OrganisationInput{Name: "Far School",
			HubID: &far.ID, Approved: true}))(t)
		borrowerOf := func(orgID uint) uint {
			var b models.Borrower
			db.Where("organisation_id = ?", orgID).Take(&b)
			return b.ID
		}
		farPending := must(models.CreateOrganisation(db, models.SystemActor("t"), models.OrganisationInput{Name: "Far Pending School",
			HubID: &far.ID, Approved: false}))(t)
		must(models.SetUserActive(db, w.As(w.Admin), w.Ambassador.ID, false))(t)
		cases := map[string]struct {
			by       models.Actor
			borrower uint
			code     string
		}{
			"an organisation not yet approved": {w.StaffActor(), borrowerOf(pending.ID), "borrower_not_approved"},
			"a deactivated ambassador":         {w.StaffActor(), w.AmbassadorBorrower, "borrower_inactive"},
			// Another hub's borrowers, approved or not, do not exist for
			// staff here: no name, no standing.
			"another hub's organisation":              {w.StaffActor(), borrowerOf(elsewhere.ID), "borrower_not_found"},
			"another hub's pending organisation":      {w.StaffActor(), borrowerOf(farPending.ID), "borrower_not_found"},
			"another hub's organisation, to an admin": {w.As(w.Admin), borrowerOf(elsewhere.ID), "borrower_other_hub"},
		}
		for name, c := range cases {
			_, err := models.CheckOut(db, c.by, models.CheckOutInput{Tag: w.Kits[0].AssetTag, BorrowerID: c.borrower})
			r, ok := models.AsRefusal(err)
			if !ok || r.Code != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			} else if c.code == "borrower_not_found" && strings.Contains(r.Message, "Far") {
				t.Errorf("%s: the refusal names the borrower: %q", name, r.Message)
			}
		}
		if n := w.Count("loans"); n != 0 {
			t.Errorf("%d loans made", n)
		}
	})
}

func TestConcurrentWrongPasswordsGetNoMoreTriesThanTheLimit(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		check(t, models.SetPassword(db, models.SystemActor("t"), w.Staff.ID, "the right password"))
		const n = 20
		var wg sync.WaitGroup
		codes := make([]string, n)
		for i := range n {
			wg.Go(func() {
				_, err := models.SignIn(db, w.Staff.Email, "a wrong guess", "192.0.2.1", time.Now())
				if r, ok := models.AsRefusal(err); ok {
					codes[i] = r.Code
				} else {
					codes[i] = err.Error()
				}
			})
		}
		wg.Wait()
		tally := map[string]int{}
		for _, c := range codes {
			tally[c]++
		}
		if tally["sign_in_failed"] != models.MaxFailuresPerEmail || tally["too_many_attempts"] != n-models.MaxFailuresPerEmail {
			t.Fatalf("outcomes %v: want exactly %d password checks", tally, models.MaxFailuresPerEmail)
		}
	})
}

func TestSettingAPasswordThroughALinkEndsSessionsAndOtherLinks(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		var first, second string
		compose := func(which *string) models.Composer {
			return func(u *models.User, s string) (models.Mail, error) {
				*which = s
				return models.Mail{Subject: "s", Body: s}, nil
			}
		}
		check(t, models.RequestPasswordReset(db, w.Ambassador.Email, "192.0.2.1", time.Now(), compose(&first)))
		check(t, models.RequestPasswordReset(db, w.Ambassador.Email, "192.0.2.1", time.Now(), compose(&second)))
		must(models.SetPasswordWithToken(db, first, "a fresh new password"))(t)
		u := must(models.UserByID(db, w.Ambassador.ID))(t)
		if u.SessionEpoch != w.Ambassador.SessionEpoch+1 {
			t.Errorf("session epoch %d: sessions from before the reset still work", u.SessionEpoch)
		}
		_, err := models.SetPasswordWithToken(db, second, "an attacker's password")
		wantRefusal(t, err, "token_invalid")
	})
}

func TestRepairingAShortKitKeepsItNeedingRestock(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		tag := w.Kits[0].AssetTag
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower}))(t)
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag, Counts: []models.Count{{ContentID: w.KitType.Contents[0].ID, Missing: 1}}}))(t)
		must(models.ChangeKitStatus(db, w.StaffActor(), tag, models.ActionToRepair, "cracked lid"))(t)
		k := must(models.ChangeKitStatus(db, w.StaffActor(), tag, models.ActionRepaired, ""))(t)
		if k.Status != models.KitNeedsRestock {
			t.Fatalf("after repair a kit still short is %s", k.Status)
		}
	})
}

func TestAStaleCheckInFormDoesNotCloseTheNextLoan(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		tag := w.Kits[0].AssetTag
		old := must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower}))(t)
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag, LoanID: old.ID}))(t)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.AmbassadorBorrower, DueOn: w.Day(5)}))(t)
		_, err := models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag, LoanID: old.ID})
		wantRefusal(t, err, "loan_changed")
	})
}

func TestCountsCannotOverflow(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		tag := w.Kits[0].AssetTag
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower}))(t)
		huge := int(^uint(0) >> 1)
		_, err := models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag,
			Counts: []models.Count{{ContentID: w.KitType.Contents[0].ID, Missing: huge, Damaged: 1}}})
		wantRefusal(t, err, "invalid_count")
	})
}

func TestInvitedSchoolContactsBelongToNoHubOfTheirOwn(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		far, farStaff := otherHubStaff(t, w)
		compose := func(u *models.User, s string) (models.Mail, error) { return models.Mail{Subject: "x", Body: s}, nil }
		u := must(models.Invite(db, w.StaffActor(), models.UserInput{Email: "new@hillside.sch.uk", Name: "New Teacher",
			Role: models.RoleSchool, OrganisationID: &w.School.ID, HubID: &far.ID}, compose))(t)
		if u.HubID != nil {
			t.Errorf("a school contact was put in hub %d", *u.HubID)
		}
		for _, seen := range must(models.UsersFor(db, farStaff))(t) {
			if seen.ID == u.ID {
				t.Error("another hub's staff can list the new contact")
			}
		}
		_, err := models.UserFor(db, farStaff, u.ID)
		wantRefusal(t, err, "user_not_found")
	})
}

func TestRegistrationRevealsNothingAndIsRateLimited(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		compose := func(u *models.User, s string) (models.Mail, error) { return models.Mail{Subject: "x", Body: s}, nil }
		reg := func(email string, hub uint, postcode, ip string) error {
			return models.Register(db, models.RegistrationInput{Organisation: "Some School", Kind: models.OrgSchool, HubID: hub,
				LocalAuthority: "Fife", Postcode: postcode, Name: "Sam", Email: email, IP: ip}, time.Now(), compose)
		}
		for _, email := range []string{w.SchoolContact.Email, "nobody@new.sch.uk"} {
			wantRefusal(t, reg(email, 999999, "KY1 1AA", "198.51.100.1"), "invalid_input")
			wantRefusal(t, reg(email, w.Hub.ID, "not a postcode", "198.51.100.1"), "invalid_input")
		}
		for range models.MaxRegistrationsPerHour {
			check(t, reg(w.SchoolContact.Email, w.Hub.ID, "KY1 1AA", "198.51.100.2"))
		}
		wantRefusal(t, reg("another@new.sch.uk", w.Hub.ID, "KY1 1AA", "198.51.100.2"), "too_many_requests")
		check(t, reg("another@new.sch.uk", w.Hub.ID, "KY1 1AA", "198.51.100.3"))
	})
}

// A hub books only its own borrowers: another hub's staff cannot book its
// borrowers at their own hub (nor learn their names by trying), and a
// school asking another hub is told where it borrows.
func TestReservationsOnlyForBorrowersOfTheHub(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		farHub, far := otherHubStaff(t, w)
		must(models.AddKit(db, models.SystemActor("t"), models.AddKitInput{HubID: farHub.ID, KitTypeID: w.KitType.ID}))(t)
		book := func(by models.Actor) error {
			_, err := models.Reserve(db, by, models.ReserveInput{HubID: farHub.ID, KitTypeID: w.KitType.ID,
				BorrowerID: w.SchoolBorrower, Quantity: 1, StartOn: w.Day(30), EndOn: w.Day(31)})
			return err
		}
		if r := wantRefusal(t, book(far), "borrower_not_found"); strings.Contains(r.Message, w.School.Name) {
			t.Errorf("the refusal names the school: %q", r.Message)
		}
		r := wantRefusal(t, book(w.As(w.SchoolContact)), "borrower_other_hub")
		if !strings.Contains(r.Message, "Far Hub") {
			t.Errorf("the school is not told which hub it asked: %q", r.Message)
		}
		if n := w.Count("reservations"); n != 0 {
			t.Errorf("%d reservations made", n)
		}
	})
}
