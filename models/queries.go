package models

import (
	"time"

	"gorm.io/gorm"
)

// Read-side queries for pages. Each one that takes an Actor returns only
// what that actor may see; a miss is a not-found refusal, never a hint that
// the thing exists.

// LoansOf lists a borrower's loans, open ones first, newest first.
func LoansOf(db *gorm.DB, borrowerID uint, limit int) ([]Loan, error) {
	var out []Loan
	err := db.Preload("Kit.KitType").Preload("Kit.Hub").Where("borrower_id = ?", borrowerID).
		Order("CASE WHEN returned_at IS NULL THEN 0 ELSE 1 END, out_at DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ReservationsOf lists a borrower's reservations, latest start first.
func ReservationsOf(db *gorm.DB, borrowerID uint, limit int) ([]Reservation, error) {
	var out []Reservation
	err := db.Preload("KitType").Preload("Hub").Where("borrower_id = ?", borrowerID).
		Order("start_on DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ReservationFor returns a reservation if the actor may see it: its
// borrower, or staff of its hub.
func ReservationFor(db *gorm.DB, by Actor, id uint) (*Reservation, error) {
	var r Reservation
	err := withBorrower(db.Preload("KitType").Preload("Hub"), "Borrower").Take(&r, id).Error
	if err != nil {
		return nil, notFound(err, reservationNotFound())
	}
	if !mayManageHub(by, r.HubID) && (by.BorrowerID == nil || *by.BorrowerID != r.BorrowerID) {
		return nil, reservationNotFound()
	}
	return &r, nil
}

// LoansForReservation lists the loans made against a reservation.
func LoansForReservation(db *gorm.DB, id uint) ([]Loan, error) {
	var out []Loan
	return out, db.Preload("Kit").Where("reservation_id = ?", id).Order("id").Find(&out).Error
}

// Desk is what hub staff need to see first thing: requests to decide,
// kits overdue and kits due soon.
type Desk struct {
	Pending     []Reservation
	Overdue     []Loan
	DueSoon     []Loan
	PendingOrgs int64
}

// DeskFor gathers a hub's desk (every hub's, for an admin without one).
func DeskFor(db *gorm.DB, hubID *uint, today Day) (*Desk, error) {
	d := &Desk{}
	res := withBorrower(db.Preload("KitType"), "Borrower").Where("status = ?", ResRequested)
	loans := func() *gorm.DB {
		q := withBorrower(db.Preload("Kit.KitType"), "Borrower").Joins("JOIN kits ON kits.id = loans.kit_id").
			Where("loans.returned_at IS NULL")
		if hubID != nil {
			q = q.Where("kits.hub_id = ?", *hubID)
		}
		return q
	}
	orgs := db.Model(&Organisation{}).Where("approved = ?", false)
	if hubID != nil {
		res = res.Where("hub_id = ?", *hubID)
		orgs = orgs.Where("hub_id = ?", *hubID)
	}
	if err := res.Order("start_on, id").Limit(100).Find(&d.Pending).Error; err != nil {
		return nil, err
	}
	if err := loans().Where("loans.due_on < ?", today).Order("loans.due_on").Limit(100).Find(&d.Overdue).Error; err != nil {
		return nil, err
	}
	if err := loans().Where("loans.due_on >= ? AND loans.due_on <= ?", today, today.AddDays(7)).Order("loans.due_on").Limit(100).Find(&d.DueSoon).Error; err != nil {
		return nil, err
	}
	return d, orgs.Count(&d.PendingOrgs).Error
}

// UsersFor lists the accounts the actor manages: everyone for an admin; for
// staff, their hub's staff, school contacts and ambassadors.
func UsersFor(db *gorm.DB, by Actor) ([]User, error) {
	q := db.Preload("Organisation").Preload("Hub").Order("name")
	if by.Role != RoleAdmin {
		if by.HubID == nil {
			return nil, nil
		}
		q = q.Where("hub_id = ? OR organisation_id IN (?)", *by.HubID,
			db.Model(&Organisation{}).Select("id").Where("hub_id = ?", *by.HubID))
	}
	var out []User
	return out, q.Find(&out).Error
}

// UserFor returns an account the actor manages.
func UserFor(db *gorm.DB, by Actor, id uint) (*User, error) {
	u, err := UserByID(db, id)
	if err != nil {
		return nil, err
	}
	if err := mayManageUser(db, by, u); err != nil {
		// Staff may also look up their own hub's staff.
		if !(by.Role == RoleStaff && u.Role == RoleStaff && u.HubID != nil && by.HubID != nil && *u.HubID == *by.HubID) {
			return nil, err
		}
	}
	return u, nil
}

// OrganisationsAt lists a hub's organisations (every hub's for nil).
func OrganisationsAt(db *gorm.DB, hubID *uint) ([]Organisation, error) {
	q := db.Order("name")
	if hubID != nil {
		q = q.Where("hub_id = ?", *hubID)
	}
	var out []Organisation
	return out, q.Find(&out).Error
}

// ContactsOf lists an organisation's active contacts.
func ContactsOf(db *gorm.DB, orgID uint) ([]User, error) {
	var out []User
	return out, db.Where("organisation_id = ? AND active = ?", orgID, true).Order("name").Find(&out).Error
}

// Since is a helper for "in the last d" filters.
func Since(now time.Time, d time.Duration) time.Time { return now.Add(-d).UTC() }
