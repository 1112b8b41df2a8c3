package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Sign-in limits: failures within the window, per account and per address.
// Per-account stops guessing one person's password; per-IP stops spraying
// many accounts from one machine (a school's shared address gets more room).
const (
	SignInWindow         = 15 * time.Minute
	MaxFailuresPerEmail  = 5
	MaxFailuresPerIP     = 30
	signInFailedMessage  = "That email address and password do not match an account. Check both and try again."
	signInLimitedMessage = "Too many failed sign-ins. For your security, wait 15 minutes before trying again, or reset your password."
)

// SignInAttempt is one try at signing in, kept to enforce the limits.
type SignInAttempt struct {
	ID        uint
	At        time.Time
	Email     string
	IP        string
	Succeeded bool
}

// SignIn checks an email and password, within the rate limits. Every
// attempt is recorded, and failures appear in the audit trail; the answer
// never says whether the address has an account.
func SignIn(db *gorm.DB, email, password, ip string, now time.Time) (*User, error) {
	email = NormaliseEmail(email)
	now = now.UTC()
	attempt, err := reserveAttempt(db, email, ip, now)
	if err != nil {
		return nil, err
	}
	var u User
	found := db.Where("email = ?", email).Take(&u).Error == nil
	hash := ""
	if found {
		hash = u.PasswordHash
	}
	ok := PasswordMatches(hash, password) && found && u.Active
	by := Actor{Name: email + " (signing in from " + ip + ")", At: now}
	if found {
		by.UserID = &u.ID
	}
	err = transact(db, by, func(tx *gorm.DB) error {
		c := change{action: "user.sign_in_failed", subjectType: "user", summary: "failed sign-in for " + email + " from " + ip}
		if found {
			c.subjectID, c.hubID = u.ID, u.HubID
		}
		if ok {
			c.action, c.summary = "user.sign_in", "signed in from "+ip
			if err := tx.Model(&SignInAttempt{}).Where("id = ?", attempt).Update("succeeded", true).Error; err != nil {
				return err
			}
			if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("last_sign_in_at", now).Error; err != nil {
				return err
			}
		}
		return record(tx, by, c)
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &Refusal{Kind: Unauthorised, Code: "sign_in_failed", Message: signInFailedMessage}
	}
	return &u, nil
}

// reserveAttempt checks the limits and records the attempt as a failure
// before the (slow) password check, all under locks on the account and the
// address: concurrent guesses each use up a try, so a burst cannot get more
// password checks than the limit allows. A right password turns the
// attempt into a success afterwards.
func reserveAttempt(db *gorm.DB, email, ip string, now time.Time) (uint, error) {
	var id uint
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := lockKeys(tx, "sign-in:"+email, "sign-in-ip:"+ip); err != nil {
			return err
		}
		if err := withinSignInLimits(tx, email, ip, now); err != nil {
			return err
		}
		a := SignInAttempt{At: now, Email: email, IP: ip}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		id = a.ID
		return nil
	})
	return id, err
}

func withinSignInLimits(db *gorm.DB, email, ip string, now time.Time) error {
	since := now.Add(-SignInWindow)
	var byEmail, byIP int64
	if err := db.Model(&SignInAttempt{}).Where("email = ? AND at > ? AND succeeded = ?", email, since, false).Count(&byEmail).Error; err != nil {
		return err
	}
	if err := db.Model(&SignInAttempt{}).Where("ip = ? AND at > ? AND succeeded = ?", ip, since, false).Count(&byIP).Error; err != nil {
		return err
	}
	if byEmail >= MaxFailuresPerEmail || byIP >= MaxFailuresPerIP {
		// Refused attempts are not recorded: waiting out the window works.
		return &Refusal{Kind: TooMany, Code: "too_many_attempts", Message: signInLimitedMessage}
	}
	return nil
}

// SignOutEverywhere ends every session of a user, on every instance, by
// raising their session epoch: sessions carry the epoch they began in.
func SignOutEverywhere(db *gorm.DB, by Actor, userID uint) error {
	return transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", userID).UpdateColumn("session_epoch", gorm.Expr("session_epoch + 1")).Error; err != nil {
			return err
		}
		return record(tx, by, change{action: "user.sign_out_everywhere", subjectType: "user", subjectID: userID,
			summary: "signed out of every session"})
	})
}

// RecordSignOut notes a sign-out in the audit trail.
func RecordSignOut(db *gorm.DB, by Actor) error {
	if by.UserID == nil {
		return nil
	}
	return transact(db, by, func(tx *gorm.DB) error {
		return record(tx, by, change{action: "user.sign_out", subjectType: "user", subjectID: *by.UserID, summary: "signed out"})
	})
}

// SetUserActive deactivates or reactivates an account. Nobody is deleted:
// their loans, bookings and audit history stay. Deactivating also ends the
// user's sessions. Staff manage their hub's borrowers; admins everyone.
func SetUserActive(db *gorm.DB, by Actor, userID uint, active bool) (*User, error) {
	var u User
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := forUpdate(tx).Take(&u, userID).Error; err != nil {
			return notFound(err, refuse(NotFound, "user_not_found", "There is no such account."))
		}
		if err := mayManageUser(tx, by, &u); err != nil {
			return err
		}
		if by.UserID != nil && *by.UserID == u.ID {
			return refuse(Conflict, "cannot_deactivate_self", "You cannot deactivate your own account.")
		}
		if u.Active == active {
			return nil
		}
		updates := map[string]any{"active": active}
		action, verb := "user.reactivate", "reactivated"
		if !active {
			updates["session_epoch"] = u.SessionEpoch + 1
			action, verb = "user.deactivate", "deactivated"
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return err
		}
		u.Active = active
		return record(tx, by, change{action: action, subjectType: "user", subjectID: u.ID, hubID: u.HubID,
			summary: fmt.Sprintf("%s %s", u.Email, verb), before: map[string]any{"active": !active}, after: map[string]any{"active": active}})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// mayManageUser allows admins to manage anyone and staff to manage the
// borrowers (school contacts and ambassadors) of their own hub.
func mayManageUser(tx *gorm.DB, by Actor, u *User) error {
	if by.Role == RoleAdmin {
		return nil
	}
	if by.Role == RoleStaff && by.HubID != nil && (u.Role == RoleSchool || u.Role == RoleAmbassador) {
		hub, err := homeHubOf(tx, u)
		if err != nil {
			return err
		}
		if hub != nil && *hub == *by.HubID {
			return nil
		}
	}
	return refuse(NotFound, "user_not_found", "There is no such account.")
}

// homeHubOf is the hub a borrower belongs to: an ambassador's own, a school
// contact's organisation's.
func homeHubOf(tx *gorm.DB, u *User) (*uint, error) {
	if u.Role == RoleSchool && u.OrganisationID != nil {
		var o Organisation
		if err := tx.Take(&o, *u.OrganisationID).Error; err != nil {
			return nil, err
		}
		return o.HubID, nil
	}
	return u.HubID, nil
}

// ChangeRole gives a user another role; only admins may. A staff member
// needs a hub, a school contact an organisation.
func ChangeRole(db *gorm.DB, by Actor, userID uint, role Role, hubID *uint) (*User, error) {
	if by.Role != RoleAdmin {
		return nil, refuse(Forbidden, "admin_only", "Only administrators can change roles.")
	}
	var u User
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := forUpdate(tx).Take(&u, userID).Error; err != nil {
			return notFound(err, refuse(NotFound, "user_not_found", "There is no such account."))
		}
		if by.UserID != nil && *by.UserID == u.ID {
			return refuse(Conflict, "cannot_change_own_role", "You cannot change your own role; ask another administrator.")
		}
		in := UserInput{Email: u.Email, Name: u.Name, Role: role, HubID: hubID, OrganisationID: u.OrganisationID}
		if hubID == nil {
			in.HubID = u.HubID
		}
		if err := in.validate(); err != nil {
			return err
		}
		before := map[string]any{"role": u.Role, "hub_id": u.HubID, "organisation_id": u.OrganisationID}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"role": role, "hub_id": in.HubID,
			"organisation_id": in.OrganisationID, "session_epoch": u.SessionEpoch + 1}).Error; err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return &Refusal{Kind: Invalid, Code: "invalid_input", Message: "Please correct the highlighted field.",
					Fields: map[string]string{"hub": "Choose a hub from the list."}}
			}
			return err
		}
		if role == RoleAmbassador {
			if err := ensureAmbassadorBorrower(tx, u.ID); err != nil {
				return err
			}
		}
		u.Role, u.HubID, u.OrganisationID = role, in.HubID, in.OrganisationID
		return record(tx, by, change{action: "user.role_change", subjectType: "user", subjectID: u.ID, hubID: u.HubID,
			summary: fmt.Sprintf("%s is now %s", u.Email, role), before: before,
			after: map[string]any{"role": role, "hub_id": u.HubID, "organisation_id": u.OrganisationID}})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func ensureAmbassadorBorrower(tx *gorm.DB, userID uint) error {
	var n int64
	if err := tx.Model(&Borrower{}).Where("user_id = ?", userID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	return tx.Create(&Borrower{UserID: &userID}).Error
}

// SignInVerified signs in the active account of an address that a sign-in
// provider has verified. It never creates an account: someone without one is
// told to ask their hub.
func SignInVerified(db *gorm.DB, email, provider, ip string, now time.Time) (*User, error) {
	email = NormaliseEmail(email)
	var u User
	if err := db.Where("email = ?", email).Take(&u).Error; err != nil || !u.Active {
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
		return nil, refuse(Forbidden, "no_account", "No active Kitshelf account uses %s. Ask your hub to invite you, or ask for an account.", email)
	}
	by := Actor{UserID: &u.ID, Name: email + " (via " + provider + ")", Role: u.Role, At: now}
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("last_sign_in_at", now.UTC()).Error; err != nil {
			return err
		}
		return record(tx, by, change{action: "user.sign_in", subjectType: "user", subjectID: u.ID, hubID: u.HubID,
			summary: "signed in with " + provider + " from " + ip})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
