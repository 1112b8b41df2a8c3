package models_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

func TestSignInLimitPerAddress(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		check(t, models.SetPassword(db, models.SystemActor("t"), w.Staff.ID, "correct password"))
		now := time.Now()
		// Spraying many accounts from one address trips the per-address limit…
		for i := range models.MaxFailuresPerIP {
			_, err := models.SignIn(db, fmt.Sprintf("guess%d@example.org", i), "password1", "203.0.113.9", now)
			wantRefusal(t, err, "sign_in_failed")
		}
		_, err := models.SignIn(db, w.Staff.Email, "correct password", "203.0.113.9", now)
		wantRefusal(t, err, "too_many_attempts")
		// …but not other addresses, such as the staff member's own school network.
		must(models.SignIn(db, w.Staff.Email, "correct password", "198.51.100.7", now))(t)
	})
}

func TestRoleChangesAndInvitationsAreAudited(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		compose := func(u *models.User, secret string) (models.Mail, error) {
			return models.Mail{Subject: "Welcome", Body: "https://kits.example/welcome/" + secret}, nil
		}
		_, err := models.Invite(db, w.StaffActor(), models.UserInput{Email: "new@hub.org", Name: "New Staff", Role: models.RoleStaff, HubID: &w.Hub.ID}, compose)
		wantRefusal(t, err, "cannot_invite")
		amb := must(models.Invite(db, w.StaffActor(), models.UserInput{Email: "v@volunteer.org", Name: "Val", Role: models.RoleAmbassador}, compose))(t)
		if amb.HubID == nil || *amb.HubID != w.Hub.ID {
			t.Errorf("an ambassador invited by staff does not belong to their hub: %+v", amb.HubID)
		}
		_, err = models.ChangeRole(db, w.StaffActor(), amb.ID, models.RoleStaff, &w.Hub.ID)
		wantRefusal(t, err, "admin_only")
		must(models.ChangeRole(db, w.As(w.Admin), amb.ID, models.RoleStaff, &w.Hub.ID))(t)
		var u models.User
		db.Take(&u, amb.ID)
		if u.Role != models.RoleStaff || u.SessionEpoch != 1 {
			t.Errorf("after role change: role %s epoch %d (sessions must end)", u.Role, u.SessionEpoch)
		}
		for _, action := range []string{"user.invite", "user.role_change"} {
			if n := len(must(models.AuditTrail(db, models.AuditFilter{Action: action}))(t)); n != 1 {
				t.Errorf("%d %s entries, want 1", n, action)
			}
		}
		var queued int64
		db.Model(&models.OutboxMessage{}).Count(&queued)
		if queued != 1 {
			t.Errorf("%d messages queued, want 1 (the refused invitation queues none)", queued)
		}
	})
}

func TestStaffManageOnlyTheirHubsBorrowers(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		other := must(models.CreateHub(db, models.SystemActor("t"), models.HubInput{Name: "Other Hub"}))(t)
		far := must(models.CreateUser(db, models.SystemActor("t"), models.UserInput{Email: "far@other.org", Name: "Far",
			Role: models.RoleStaff, HubID: &other.ID}))(t)
		_, err := models.SetUserActive(db, w.As(far), w.SchoolContact.ID, false)
		wantRefusal(t, err, "user_not_found")
		_, err = models.SetUserActive(db, w.StaffActor(), w.Admin.ID, false)
		wantRefusal(t, err, "user_not_found")
		_, err = models.SetUserActive(db, w.As(w.Admin), w.Admin.ID, false)
		wantRefusal(t, err, "cannot_deactivate_self")
		must(models.SetUserActive(db, w.StaffActor(), w.SchoolContact.ID, false))(t)
		if n := len(must(models.AuditTrail(db, models.AuditFilter{Action: "user.deactivate"}))(t)); n != 1 {
			t.Errorf("%d deactivation entries", n)
		}
		visible := must(models.UsersFor(db, w.As(far)))(t)
		for _, u := range visible {
			if u.ID == w.SchoolContact.ID || u.ID == w.Staff.ID {
				t.Errorf("staff of another hub can list %s", u.Email)
			}
		}
	})
}

func TestUnapprovedOrganisationsCannotBook(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		compose := func(u *models.User, s string) (models.Mail, error) { return models.Mail{Subject: "x", Body: s}, nil }
		check(t, models.Register(db, models.RegistrationInput{Organisation: "Tongue Primary", Kind: models.OrgSchool, HubID: w.Hub.ID,
			LocalAuthority: "Highland", Postcode: "IV27 4XB", Name: "Tam", Email: "tam@tongue.sch.uk"}, time.Now(), compose))
		contact := must(models.UserByEmail(db, "tam@tongue.sch.uk"))(t)
		actor := w.As(contact)
		_, err := models.Reserve(db, actor, models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, BorrowerID: *actor.BorrowerID,
			Quantity: 1, StartOn: w.Day(5), EndOn: w.Day(6)})
		wantRefusal(t, err, "borrower_not_approved")
		must(models.ApproveOrganisation(db, w.StaffActor(), *contact.OrganisationID, nil))(t)
		must(models.Reserve(db, actor, models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, BorrowerID: *actor.BorrowerID,
			Quantity: 1, StartOn: w.Day(5), EndOn: w.Day(6)}))(t)
	})
}

// Only school contacts belong to an organisation. An organisation id sent
// with another role is dropped, so nobody can attach an ambassador to a
// school (of another hub, even) to read its name, get its mail, or later
// borrow as it.
func TestOnlySchoolContactsBelongToAnOrganisation(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		compose := func(u *models.User, secret string) (models.Mail, error) {
			return models.Mail{Subject: "Welcome", Body: "https://kits.example/welcome/" + secret}, nil
		}
		amb := must(models.Invite(db, w.StaffActor(), models.UserInput{Email: "v@volunteer.org", Name: "Val",
			Role: models.RoleAmbassador, OrganisationID: &w.School.ID}, compose))(t)
		if amb.OrganisationID != nil {
			t.Errorf("an ambassador was attached to organisation %d", *amb.OrganisationID)
		}
		// Made a school contact, they must be given an organisation; a
		// school contact made an ambassador leaves theirs.
		_, err := models.ChangeRole(db, w.As(w.Admin), amb.ID, models.RoleSchool, nil)
		if r := wantRefusal(t, err, "invalid_input"); r.Fields["organisation"] == "" {
			t.Errorf("no word on the organisation: %v", r.Fields)
		}
		left := must(models.ChangeRole(db, w.As(w.Admin), w.SchoolContact.ID, models.RoleAmbassador, &w.Hub.ID))(t)
		var u models.User
		db.Take(&u, left.ID)
		if u.OrganisationID != nil {
			t.Errorf("a former school contact still belongs to organisation %d", *u.OrganisationID)
		}
	})
}
