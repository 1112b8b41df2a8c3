package models

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// HubInput describes a new hub.
type HubInput struct {
	Name      string
	Slug      string
	TimeZone  string
	TagPrefix string
	Address   string
	Email     string
	Phone     string
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Slugify makes a URL-safe name: "micro:bit class set (30)" → "micro-bit-class-set-30".
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// CreateHub adds a hub.
func CreateHub(db *gorm.DB, by Actor, in HubInput) (*Hub, error) {
	f := fieldErrors{}
	h := Hub{Name: strings.TrimSpace(in.Name), Slug: in.Slug, TimeZone: in.TimeZone, TagPrefix: strings.ToUpper(in.TagPrefix),
		Address: in.Address, Email: in.Email, Phone: in.Phone}
	if h.Name == "" {
		f.add("name", "Give the hub a name.")
	}
	if h.Slug == "" {
		h.Slug = Slugify(h.Name)
	}
	if !slugPattern.MatchString(h.Slug) {
		f.add("slug", "Use lower-case letters, digits and dashes.")
	}
	if h.TimeZone == "" {
		h.TimeZone = "Europe/London"
	}
	if _, err := time.LoadLocation(h.TimeZone); err != nil {
		f.add("time_zone", "%q is not a time zone such as Europe/London.", h.TimeZone)
	}
	if h.TagPrefix == "" {
		h.TagPrefix = "KS"
	}
	if !regexp.MustCompile(`^[A-Z]{1,6}$`).MatchString(h.TagPrefix) {
		f.add("tag_prefix", "Use one to six letters, e.g. KS.")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Create(&h).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &Refusal{Kind: Conflict, Code: "hub_exists", Message: "A hub with that name already exists.",
					Fields: map[string]string{"slug": "Choose another name."}}
			}
			return err
		}
		return record(tx, by, change{action: "hub.create", subjectType: "hub", subjectID: h.ID, hubID: &h.ID,
			summary: "hub " + h.Name + " created", after: h})
	})
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// Hubs lists every hub by name.
func Hubs(db *gorm.DB) ([]Hub, error) {
	var out []Hub
	return out, db.Order("name").Find(&out).Error
}

// OrganisationInput describes a school, youth group or college.
type OrganisationInput struct {
	Name           string
	Kind           OrgKind
	HubID          *uint
	LocalAuthority string
	Postcode       string
	UrbanRural     UrbanRural
	Approved       bool
}

// check validates the input and returns the organisation it describes.
func (in OrganisationInput) check() (Organisation, error) {
	o := Organisation{Name: strings.TrimSpace(in.Name), Kind: in.Kind, HubID: in.HubID,
		LocalAuthority: strings.TrimSpace(in.LocalAuthority), Postcode: NormalisePostcode(in.Postcode),
		UrbanRural: in.UrbanRural, Approved: in.Approved}
	f := fieldErrors{}
	if o.Name == "" || utf8.RuneCountInString(o.Name) > 200 {
		f.add("name", "Give the organisation's name, in at most 200 characters.")
	}
	switch o.Kind {
	case OrgSchool, OrgYouthGroup, OrgCollege, OrgOther:
	case "":
		o.Kind = OrgSchool
	default:
		f.add("kind", "Choose school, youth group, college or other.")
	}
	if o.UrbanRural == "" {
		o.UrbanRural = URUnknown
	}
	if o.UrbanRural.Group() == "unknown" && o.UrbanRural != URUnknown {
		f.add("urban_rural", "Choose a class from the Scottish Government Urban Rural Classification.")
	}
	if utf8.RuneCountInString(o.LocalAuthority) > 100 {
		f.add("local_authority", "Give the local authority in at most 100 characters.")
	}
	if o.Postcode != "" && !postcodePattern.MatchString(o.Postcode) {
		f.add("postcode", "%q is not a UK postcode such as EH1 1AA.", in.Postcode)
	}
	return o, f.err()
}

// CreateOrganisation adds an organisation and its borrower record.
func CreateOrganisation(db *gorm.DB, by Actor, in OrganisationInput) (*Organisation, error) {
	o, err := in.check()
	if err != nil {
		return nil, err
	}
	err = transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Create(&o).Error; err != nil {
			return err
		}
		if err := tx.Create(&Borrower{OrganisationID: &o.ID}).Error; err != nil {
			return err
		}
		return record(tx, by, change{action: "organisation.create", subjectType: "organisation", subjectID: o.ID,
			hubID: o.HubID, summary: "organisation " + o.Name + " added", after: o})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

var postcodePattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`)

// NormalisePostcode upper-cases a UK postcode and puts the space in its place.
func NormalisePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 5 {
		return s
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// FindOrganisation finds an organisation by id or exact name.
func FindOrganisation(db *gorm.DB, idOrName string) (*Organisation, error) {
	var o Organisation
	q := db.Where("name = ?", idOrName)
	if id, ok := parseID(idOrName); ok {
		q = db.Where("id = ?", id)
	}
	if err := q.Take(&o).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "organisation_not_found", "There is no organisation %q.", idOrName))
	}
	return &o, nil
}

// parseID reads s as a row id written plainly ("42", not "042" or "+42"),
// no larger than the databases' ids: a bigger number is no id, and passed
// on it would make PostgreSQL fail the query.
func parseID(s string) (uint, bool) {
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, false
	}
	return uint(n), true
}

// FindHub finds a hub by id, slug or exact name.
func FindHub(db *gorm.DB, key string) (*Hub, error) {
	var h Hub
	q := db.Where("slug = ? OR name = ?", key, key)
	if id, ok := parseID(key); ok {
		q = db.Where("id = ?", id)
	}
	if err := q.Take(&h).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "hub_not_found", "There is no hub %q.", key))
	}
	return &h, nil
}

// UserInput describes a new user.
type UserInput struct {
	Email          string
	Name           string
	Role           Role
	HubID          *uint
	OrganisationID *uint
}

// NormaliseEmail trims and lower-cases an address so that one person has one account.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (in *UserInput) validate() error {
	f := fieldErrors{}
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		f.add("email", "Give an email address like name@school.org.uk.")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 120 {
		f.add("name", "Give the person's name, in at most 120 characters.")
	}
	if in.Role != RoleSchool {
		// Only school contacts belong to an organisation: anyone else
		// linked to one would get its mail and, made a school contact
		// later, borrow as it.
		in.OrganisationID = nil
	}
	switch in.Role {
	case RoleStaff:
		if in.HubID == nil {
			f.add("hub", "Staff work at a hub: choose one.")
		}
	case RoleSchool:
		if in.OrganisationID == nil {
			f.add("organisation", "A school contact belongs to an organisation: choose one.")
		}
	case RoleAdmin, RoleAmbassador:
	default:
		f.add("role", "Choose admin, staff, school or ambassador.")
	}
	return f.err()
}

// CreateUser adds an account (without a password: the person sets one through
// a one-time link). Ambassadors get their own borrower record.
func CreateUser(db *gorm.DB, by Actor, in UserInput) (*User, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	u := User{Email: in.Email, Name: in.Name, Role: in.Role, HubID: in.HubID, OrganisationID: in.OrganisationID, Active: true}
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Create(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &Refusal{Kind: Conflict, Code: "email_taken", Message: "That email address already has an account.",
					Fields: map[string]string{"email": "Use another address, or find the existing account."}}
			}
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return refuse(Invalid, "invalid_reference", "That hub or organisation does not exist.")
			}
			return err
		}
		if u.Role == RoleAmbassador {
			if err := tx.Create(&Borrower{UserID: &u.ID}).Error; err != nil {
				return err
			}
		}
		return record(tx, by, change{action: "user.create", subjectType: "user", subjectID: u.ID, hubID: u.HubID,
			summary: fmt.Sprintf("account for %s (%s) created", u.Email, u.Role),
			after:   map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "hub_id": u.HubID, "organisation_id": u.OrganisationID}})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail finds an account by email address.
func UserByEmail(db *gorm.DB, email string) (*User, error) {
	var u User
	if err := db.Where("email = ?", NormaliseEmail(email)).Take(&u).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "user_not_found", "There is no account for %s.", email))
	}
	return &u, nil
}

// UserByID finds an account with its hub and organisation.
func UserByID(db *gorm.DB, id uint) (*User, error) {
	var u User
	if err := db.Preload("Hub").Preload("Organisation").Take(&u, id).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "user_not_found", "There is no such account."))
	}
	return &u, nil
}

// BorrowerIDFor returns the borrower a user borrows as: their organisation's
// for a school contact, their own for an ambassador, 0 for staff.
func BorrowerIDFor(db *gorm.DB, u *User) (uint, error) {
	var b Borrower
	var err error
	switch {
	case u.Role == RoleSchool && u.OrganisationID != nil:
		err = db.Where("organisation_id = ?", *u.OrganisationID).Take(&b).Error
	case u.Role == RoleAmbassador:
		err = db.Where("user_id = ?", u.ID).Take(&b).Error
	default:
		return 0, nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	}
	return b.ID, err
}

func borrowerByID(tx *gorm.DB, id uint) (*Borrower, error) {
	var b Borrower
	if err := tx.Preload("Organisation").Preload("User").Take(&b, id).Error; err != nil {
		return nil, notFound(err, borrowerNotFound())
	}
	return &b, nil
}

func borrowerNotFound() *Refusal {
	return &Refusal{Kind: NotFound, Code: "borrower_not_found", Message: "There is no such borrower.",
		Fields: map[string]string{"borrower": "Choose a borrower from the list."}}
}

// BorrowerByID finds a borrower with its organisation or user.
func BorrowerByID(db *gorm.DB, id uint) (*Borrower, error) { return borrowerByID(db, id) }
