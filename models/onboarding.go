package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// How long one-time links work.
const (
	InvitationTTL    = 7 * 24 * time.Hour
	PasswordResetTTL = time.Hour
	SetupTTL         = 24 * time.Hour
	// at most this many reset links per account per hour, so the form cannot
	// be used to flood someone's inbox
	maxResetsPerHour = 3
)

// Invite creates an account for someone and emails them a link to set their
// password. Staff invite school contacts and ambassadors to their hub;
// admins may invite anyone, staff and admins included.
func Invite(db *gorm.DB, by Actor, in UserInput, compose Composer) (*User, error) {
	if _, err := ParseRole(string(in.Role)); err != nil {
		return nil, &Refusal{Kind: Invalid, Code: "invalid_input", Message: "Please correct the highlighted field.",
			Fields: map[string]string{"role": "Choose what the person will do in Kitshelf."}}
	}
	switch {
	case by.Role == RoleAdmin:
	case by.Role == RoleStaff && (in.Role == RoleSchool || in.Role == RoleAmbassador):
		if in.Role == RoleAmbassador {
			in.HubID = by.HubID
		}
	default:
		return nil, refuse(Forbidden, "cannot_invite", "You cannot invite someone as %s.", in.Role)
	}
	if in.Role == RoleSchool {
		in.HubID = nil // a school contact belongs to an organisation, and through it to a hub
	}
	var u *User
	err := transact(db, by, func(tx *gorm.DB) error {
		if in.Role == RoleSchool && in.OrganisationID != nil && by.Role == RoleStaff {
			if err := orgAtHub(tx, *in.OrganisationID, by.HubID); err != nil {
				return err
			}
		}
		var err error
		if u, err = CreateUser(tx, by, in); err != nil {
			return err
		}
		if err := sendLink(tx, by, u, TokenInvitation, InvitationTTL, compose); err != nil {
			return err
		}
		return record(tx, by, change{action: "user.invite", subjectType: "user", subjectID: u.ID, hubID: u.HubID,
			summary: fmt.Sprintf("%s invited as %s", u.Email, u.Role)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func orgAtHub(tx *gorm.DB, orgID uint, hubID *uint) error {
	var o Organisation
	if err := tx.Take(&o, orgID).Error; err != nil {
		return notFound(err, refuse(NotFound, "organisation_not_found", "There is no such organisation."))
	}
	if hubID == nil || o.HubID == nil || *o.HubID != *hubID {
		return refuse(NotFound, "organisation_not_found", "There is no such organisation.")
	}
	return nil
}

// sendLink issues a one-time token for u and queues the message carrying it.
func sendLink(tx *gorm.DB, by Actor, u *User, purpose TokenPurpose, ttl time.Duration, compose Composer) error {
	secret, err := IssueToken(tx, by, purpose, &u.ID, ttl)
	if err != nil {
		return err
	}
	m, err := compose(u, secret)
	if err != nil {
		return err
	}
	m.To = u.Email
	return QueueMail(tx, m)
}

// RequestPasswordReset emails a reset link if an active account uses the
// address. It answers the same whether or not one does (and does a similar
// amount of work either way), so the form cannot be used to find out who has
// an account.
func RequestPasswordReset(db *gorm.DB, email, ip string, now time.Time, compose Composer) error {
	by := Actor{Name: NormaliseEmail(email) + " (password reset from " + ip + ")", At: now}
	return transact(db, by, func(tx *gorm.DB) error {
		if err := withinRate(tx, "reset", ip, MaxResetsPerIPPerHour, time.Hour, now,
			"Too many password reset requests from your network. Please try again in an hour."); err != nil {
			return err
		}
		u, err := UserByEmail(tx, email)
		if err != nil {
			if _, ok := AsRefusal(err); ok {
				return nil
			}
			return err
		}
		if !u.Active {
			return nil
		}
		by.UserID, by.Role = &u.ID, u.Role
		var recent int64
		if err := tx.Model(&OneTimeToken{}).Where("user_id = ? AND purpose = ? AND created_at > ?",
			u.ID, TokenResetPassword, now.Add(-time.Hour).UTC()).Count(&recent).Error; err != nil {
			return err
		}
		if recent >= maxResetsPerHour {
			return nil
		}
		if err := sendLink(tx, by, u, TokenResetPassword, PasswordResetTTL, compose); err != nil {
			return err
		}
		return record(tx, by, change{action: "user.password_reset_requested", subjectType: "user", subjectID: u.ID,
			summary: "password reset link sent"})
	})
}

// RegistrationInput is a school or youth group asking for an account.
type RegistrationInput struct {
	Organisation   string
	Kind           OrgKind
	HubID          uint
	LocalAuthority string
	Postcode       string
	Name           string
	Email          string
	IP             string // the asker's address, for the rate limit
}

// Registration and reset requests allowed per address per hour.
const (
	MaxRegistrationsPerHour = 5
	MaxResetsPerIPPerHour   = 20
)

// Register records a request for an account: a new organisation waiting for
// the hub's approval, and its contact, who gets a link to set a password
// (which also proves they own the address). If the address already has an
// account nothing is created, and the answer is the same — every check that
// could fail runs before the address is looked up, so registration cannot be
// used to find out who has an account.
func Register(db *gorm.DB, in RegistrationInput, now time.Time, compose Composer) error {
	org := OrganisationInput{Name: in.Organisation, Kind: in.Kind, HubID: &in.HubID,
		LocalAuthority: in.LocalAuthority, Postcode: in.Postcode, UrbanRural: URUnknown}
	user := UserInput{Email: in.Email, Name: in.Name, Role: RoleSchool, OrganisationID: new(uint)}
	f := fieldErrors{}
	if _, err := org.check(); err != nil {
		for k, v := range err.(*Refusal).Fields {
			if k == "name" {
				k = "organisation"
			}
			f.add(k, "%s", v)
		}
	}
	if strings.TrimSpace(in.LocalAuthority) == "" {
		f.add("local_authority", "Give your local authority, e.g. Highland.")
	}
	if err := user.validate(); err != nil {
		for k, v := range err.(*Refusal).Fields {
			f.add(k, "%s", v)
		}
	}
	if err := f.err(); err != nil {
		return err
	}
	by := Actor{Name: user.Email + " (registering from " + in.IP + ")", Role: RoleSchool, At: now}
	var hub Hub
	if err := db.Take(&hub, in.HubID).Error; err != nil {
		return notFound(err, &Refusal{Kind: Invalid, Code: "invalid_input", Message: "Please correct the highlighted field.",
			Fields: map[string]string{"hub": "Choose the hub nearest you."}})
	}
	// Counted in its own transaction: the main one rolls back, silently,
	// for a known address, and must not take the count with it.
	if err := transact(db, by, func(tx *gorm.DB) error {
		return withinRate(tx, "register", in.IP, MaxRegistrationsPerHour, time.Hour, now,
			"Too many requests for accounts from your network. Please try again in an hour, or contact the hub.")
	}); err != nil {
		return err
	}
	err := transact(db, by, func(tx *gorm.DB) error {
		if _, err := UserByEmail(tx, user.Email); err == nil {
			return errAlreadyRegistered
		}
		o, err := CreateOrganisation(tx, by, org)
		if err != nil {
			return err
		}
		user.OrganisationID = &o.ID
		u, err := CreateUser(tx, by, user)
		if err != nil {
			return err
		}
		if err := sendLink(tx, by, u, TokenSetPassword, InvitationTTL, compose); err != nil {
			return err
		}
		return record(tx, by, change{action: "organisation.register", subjectType: "organisation", subjectID: o.ID,
			hubID: &hub.ID, summary: fmt.Sprintf("%s asked for an account for %s", u.Email, o.Name)})
	})
	if errors.Is(err, errAlreadyRegistered) {
		return nil
	}
	return err
}

var errAlreadyRegistered = errors.New("already registered")

// PendingOrganisations lists organisations waiting for approval at a hub
// (every hub for nil).
func PendingOrganisations(db *gorm.DB, hubID *uint) ([]Organisation, error) {
	q := db.Where("approved = ?", false)
	if hubID != nil {
		q = q.Where("hub_id = ?", *hubID)
	}
	var out []Organisation
	return out, q.Order("created_at").Find(&out).Error
}

// ApproveOrganisation lets a registered organisation book, and queues a
// message (written by notify, if given) to each of its contacts.
func ApproveOrganisation(db *gorm.DB, by Actor, orgID uint, notify func(contact *User, org *Organisation) (Mail, error)) (*Organisation, error) {
	var o Organisation
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := forUpdate(tx).Take(&o, orgID).Error; err != nil {
			return notFound(err, refuse(NotFound, "organisation_not_found", "There is no such organisation."))
		}
		if o.HubID == nil || !mayManageHub(by, *o.HubID) {
			return refuse(NotFound, "organisation_not_found", "There is no such organisation.")
		}
		if o.Approved {
			return refuse(Conflict, "already_approved", "%s is already approved.", o.Name)
		}
		if err := tx.Model(&Organisation{}).Where("id = ?", o.ID).Update("approved", true).Error; err != nil {
			return err
		}
		o.Approved = true
		if notify != nil {
			contacts, err := ContactsOf(tx, o.ID)
			if err != nil {
				return err
			}
			for i := range contacts {
				m, err := notify(&contacts[i], &o)
				if err != nil {
					return err
				}
				m.To = contacts[i].Email
				if err := QueueMail(tx, m); err != nil {
					return err
				}
			}
		}
		return record(tx, by, change{action: "organisation.approve", subjectType: "organisation", subjectID: o.ID,
			hubID: o.HubID, summary: o.Name + " approved to book", before: map[string]any{"approved": false}, after: map[string]any{"approved": true}})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// IssueSetupLink returns a one-time link secret for creating the first
// admin, if the database has no users yet; otherwise "".
func IssueSetupLink(db *gorm.DB, now time.Time) (string, error) {
	var secret string
	by := SystemActor("first start")
	by.At = now
	err := transact(db, by, func(tx *gorm.DB) error {
		var users int64
		if err := tx.Model(&User{}).Count(&users).Error; err != nil || users > 0 {
			return err
		}
		var err error
		secret, err = IssueToken(tx, by, TokenSetup, nil, SetupTTL)
		return err
	})
	return secret, err
}

// CompleteSetup uses the first-start link to create the first admin.
func CompleteSetup(db *gorm.DB, secret, name, email, password string) (*User, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *User
	by := SystemActor("first-start setup")
	err = transact(db, by, func(tx *gorm.DB) error {
		if _, err := useToken(tx, by, secret, TokenSetup); err != nil {
			return err
		}
		var users int64
		if err := tx.Model(&User{}).Count(&users).Error; err != nil {
			return err
		}
		if users > 0 {
			return ErrTokenInvalid
		}
		if u, err = CreateUser(tx, by, UserInput{Email: email, Name: name, Role: RoleAdmin}); err != nil {
			return err
		}
		return setPasswordHash(tx, by, u.ID, hash)
	})
	return u, err
}
