package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Role is what a user may do.
type Role string

// The four roles.
const (
	RoleAdmin      Role = "admin"      // every hub, settings and users
	RoleStaff      Role = "staff"      // one hub's kits, loans, reservations and borrowers
	RoleSchool     Role = "school"     // a contact at one organisation
	RoleAmbassador Role = "ambassador" // a volunteer borrowing for themselves
)

// Roles lists every role, for forms and validation.
var Roles = []Role{RoleAdmin, RoleStaff, RoleSchool, RoleAmbassador}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", fmt.Errorf("%q is not a role; use admin, staff, school or ambassador", s)
	}
	return r, nil
}

// IsStaff reports whether the role works behind the counter (staff or admin).
func (r Role) IsStaff() bool { return r == RoleStaff || r == RoleAdmin }

// KitStatus is where a physical kit is in its life.
type KitStatus string

// Kit statuses.
const (
	KitAvailable    KitStatus = "available"
	KitOnLoan       KitStatus = "on_loan"
	KitNeedsRestock KitStatus = "needs_restock"
	KitInRepair     KitStatus = "in_repair"
	KitRetired      KitStatus = "retired"
	KitLost         KitStatus = "lost"
)

// KitStatuses lists every kit status, in a kit's usual order of life.
var KitStatuses = []KitStatus{KitAvailable, KitOnLoan, KitNeedsRestock, KitInRepair, KitRetired, KitLost}

// InServiceStatuses are the statuses of kits that count towards capacity: a
// kit being restocked is back within days, one in repair is not counted
// until it returns.
var InServiceStatuses = []KitStatus{KitAvailable, KitOnLoan, KitNeedsRestock}

// Label is the status as a person reads it.
func (s KitStatus) Label() string {
	switch s {
	case KitOnLoan:
		return "on loan"
	case KitNeedsRestock:
		return "needs restock"
	case KitInRepair:
		return "in repair"
	}
	return string(s)
}

// ReservationStatus is where a booking stands.
type ReservationStatus string

// Reservation statuses.
const (
	ResRequested ReservationStatus = "requested"
	ResApproved  ReservationStatus = "approved"
	ResDeclined  ReservationStatus = "declined"
	ResCancelled ReservationStatus = "cancelled"
	ResFulfilled ReservationStatus = "fulfilled"
	ResExpired   ReservationStatus = "expired"
)

// HoldingStatuses are the reservation statuses that hold copies.
var HoldingStatuses = []ReservationStatus{ResRequested, ResApproved}

// OrgKind is what sort of organisation borrows.
type OrgKind string

// Organisation kinds.
const (
	OrgSchool     OrgKind = "school"
	OrgYouthGroup OrgKind = "youth_group"
	OrgCollege    OrgKind = "college"
	OrgOther      OrgKind = "other"
)

// UrbanRural is the Scottish Government 8-fold Urban Rural Classification of
// an organisation's location; reach reports group it into four.
type UrbanRural string

// Urban-rural classes.
const (
	URUnknown             UrbanRural = "unknown"
	URLargeUrban          UrbanRural = "large_urban"
	UROtherUrban          UrbanRural = "other_urban"
	URAccessibleSmallTown UrbanRural = "accessible_small_town"
	URRemoteSmallTown     UrbanRural = "remote_small_town"
	URVeryRemoteSmallTown UrbanRural = "very_remote_small_town"
	URAccessibleRural     UrbanRural = "accessible_rural"
	URRemoteRural         UrbanRural = "remote_rural"
	URVeryRemoteRural     UrbanRural = "very_remote_rural"
)

// Group folds the 8-fold class into the four groups reach reports use:
// urban, accessible, remote and very remote.
func (u UrbanRural) Group() string {
	switch u {
	case URLargeUrban, UROtherUrban:
		return "urban"
	case URAccessibleSmallTown, URAccessibleRural:
		return "accessible"
	case URRemoteSmallTown, URRemoteRural:
		return "remote"
	case URVeryRemoteSmallTown, URVeryRemoteRural:
		return "very remote"
	}
	return "unknown"
}

// AgeLevel is a stage of schooling a kit suits: a Curriculum for Excellence
// level (Scotland) or a Key Stage (England).
type AgeLevel struct {
	Code  string
	Label string
}

// AgeLevels lists every level in teaching order, Scotland first.
var AgeLevels = []AgeLevel{
	{"cfe-early", "CfE Early (3–5)"},
	{"cfe-first", "CfE First (5–8)"},
	{"cfe-second", "CfE Second (8–11)"},
	{"cfe-third", "CfE Third (11–14)"},
	{"cfe-fourth", "CfE Fourth (14–15)"},
	{"senior-phase", "Senior Phase (15–18)"},
	{"ks1", "Key Stage 1 (5–7)"},
	{"ks2", "Key Stage 2 (7–11)"},
	{"ks3", "Key Stage 3 (11–14)"},
	{"ks4", "Key Stage 4 (14–16)"},
	{"post-16", "Post-16"},
}

// AgeLevelLabel returns the label of a level code, or the code if unknown.
func AgeLevelLabel(code string) string {
	for _, l := range AgeLevels {
		if l.Code == code {
			return l.Label
		}
	}
	return code
}

// StringList is a short list of words (topics, age levels) stored as a JSON
// array, which reads the same on both databases.
type StringList []string

// Value stores the list as JSON.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan reads the JSON array back.
func (l *StringList) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("cannot read a list from %T", v)
	}
	return json.Unmarshal(b, (*[]string)(l))
}
