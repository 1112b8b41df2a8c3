package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ReserveInput is a borrower's request for copies of a kit type.
type ReserveInput struct {
	HubID        uint
	KitTypeID    uint
	BorrowerID   uint
	Quantity     int
	StartOn      Day
	EndOn        Day
	Purpose      string
	Participants int
	Delivery     string // "collection" (the default) or "delivery"
}

// Limits on a single request.
const (
	MaxCopiesPerRequest = 50
	MaxReservationDays  = 365
)

func (in *ReserveInput) validate(today Day) error {
	f := fieldErrors{}
	if in.Quantity < 1 || in.Quantity > MaxCopiesPerRequest {
		f.add("quantity", "Ask for between 1 and %d copies.", MaxCopiesPerRequest)
	}
	switch {
	case in.StartOn.IsZero():
		f.add("start_on", "Choose the first day.")
	case in.StartOn.Before(today):
		f.add("start_on", "The first day cannot be in the past.")
	}
	switch {
	case in.EndOn.IsZero():
		f.add("end_on", "Choose the last day.")
	case !in.StartOn.IsZero() && in.EndOn.Before(in.StartOn):
		f.add("end_on", "The last day must be on or after the first day.")
	case !in.StartOn.IsZero() && in.StartOn.DaysUntil(in.EndOn) >= MaxReservationDays:
		f.add("end_on", "A reservation can last at most %d days.", MaxReservationDays)
	}
	in.Purpose = strings.TrimSpace(in.Purpose)
	if utf8.RuneCountInString(in.Purpose) > 2000 {
		f.add("purpose", "Keep the purpose under 2,000 characters.")
	}
	if in.Participants < 0 || in.Participants > 100000 {
		f.add("participants", "Give the number of participants you expect, 0 if unsure.")
	}
	switch in.Delivery {
	case "":
		in.Delivery = "collection"
	case "collection", "delivery":
	default:
		f.add("delivery", "Choose collection or delivery.")
	}
	return f.err()
}

// Reserve records a request for copies of a kit type at a hub, if the
// capacity rule allows it on every day it needs (its dates plus turnaround).
// Borrowers may only reserve for themselves.
func Reserve(db *gorm.DB, by Actor, in ReserveInput) (*Reservation, error) {
	var res *Reservation
	err := transact(db, by, func(tx *gorm.DB) error {
		var hub Hub
		if err := tx.Take(&hub, in.HubID).Error; err != nil {
			return notFound(err, refuse(NotFound, "hub_not_found", "There is no such hub."))
		}
		var kt KitType
		if err := tx.Take(&kt, in.KitTypeID).Error; err != nil {
			return notFound(err, refuse(NotFound, "kit_type_not_found", "There is no such kit type."))
		}
		today := hub.Today(by.now())
		if err := in.validate(today); err != nil {
			return err
		}
		b, err := borrowerByID(tx, in.BorrowerID)
		if err != nil {
			return err
		}
		if err := mayActFor(by, b, hub.ID); err != nil {
			return err
		}
		if err := mayBorrowAt(by, b, &hub); err != nil {
			return err
		}
		if err := lockCapacity(tx, hub.ID, kt.ID); err != nil {
			return err
		}
		// Read the turnaround again under the lock: a change to it waits
		// for this lock, then checks what is booked.
		if err := tx.Take(&kt, kt.ID).Error; err != nil {
			return err
		}
		h := hold{from: in.StartOn, to: in.EndOn.AddDays(kt.TurnaroundDays), n: in.Quantity}
		if err := ensureCapacity(tx, capacityKey{hub.ID, kt.ID}, &kt, today, exclusion{}, true, h); err != nil {
			return err
		}
		res = &Reservation{HubID: hub.ID, KitTypeID: kt.ID, BorrowerID: b.ID, RequestedByID: by.UserID,
			Quantity: in.Quantity, StartOn: in.StartOn, EndOn: in.EndOn, Purpose: in.Purpose,
			Participants: in.Participants, Delivery: in.Delivery, Status: ResRequested}
		if err := tx.Create(res).Error; err != nil {
			return err
		}
		res.Hub, res.KitType, res.Borrower = &hub, &kt, b
		return record(tx, by, change{
			action: "reservation.request", subjectType: "reservation", subjectID: res.ID, hubID: &hub.ID,
			summary: fmt.Sprintf("%s requested %d × %s, %s to %s", b.Name(), in.Quantity, kt.Name, in.StartOn.Human(), in.EndOn.Human()),
			after:   reservationSnapshot(res),
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func reservationSnapshot(r *Reservation) map[string]any {
	return map[string]any{"status": r.Status, "hub_id": r.HubID, "kit_type_id": r.KitTypeID, "borrower_id": r.BorrowerID,
		"quantity": r.Quantity, "start_on": r.StartOn, "end_on": r.EndOn, "participants": r.Participants,
		"delivery": r.Delivery}
}

// mayActFor refuses a borrower acting for someone else. Staff act for
// anyone, at their own hub.
func mayActFor(by Actor, b *Borrower, hubID uint) error {
	if by.Role.IsStaff() {
		if !mayManageHub(by, hubID) {
			return refuse(NotFound, "hub_not_found", "There is no such hub.")
		}
		return nil
	}
	if by.BorrowerID == nil || *by.BorrowerID != b.ID {
		return refuse(NotFound, "borrower_not_found", "There is no such borrower.")
	}
	return nil
}

// mayManageHub reports whether the actor works at the hub (admins work at all).
func mayManageHub(by Actor, hubID uint) bool {
	return by.Role == RoleAdmin || (by.Role == RoleStaff && by.HubID != nil && *by.HubID == hubID)
}

// Approve confirms a requested reservation, checking the capacity rule once
// more: kits may have been retired or lost since it was requested.
func Approve(db *gorm.DB, by Actor, id uint, note string) (*Reservation, error) {
	return decide(db, by, id, func(tx *gorm.DB, r *Reservation, today Day) error {
		if r.Status != ResRequested {
			return notPending(r)
		}
		if err := lockCapacity(tx, r.HubID, r.KitTypeID); err != nil {
			return err
		}
		h := reservationHold(r, r.Quantity, r.KitType.TurnaroundDays)
		if err := ensureCapacity(tx, capacityKey{r.HubID, r.KitTypeID}, r.KitType, today,
			exclusion{reservationID: r.ID}, true, h); err != nil {
			return err
		}
		return setReservationStatus(tx, by, r, ResApproved, note, fmt.Sprintf("reservation #%d approved", r.ID))
	})
}

// Decline turns down a requested reservation with a reason for the borrower.
func Decline(db *gorm.DB, by Actor, id uint, reason string) (*Reservation, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, &Refusal{Kind: Invalid, Code: "reason_required", Message: "Please give the borrower a reason.",
			Fields: map[string]string{"note": "Say why, so the borrower can plan."}}
	}
	return decide(db, by, id, func(tx *gorm.DB, r *Reservation, _ Day) error {
		if r.Status != ResRequested {
			return notPending(r)
		}
		return setReservationStatus(tx, by, r, ResDeclined, reason, fmt.Sprintf("reservation #%d declined", r.ID))
	})
}

// Cancel withdraws a reservation. Borrowers may cancel their own; staff any
// at their hub. One partly collected is closed as fulfilled instead: its
// loans stand (they hold their own copies), and the copies not yet
// collected are released.
func Cancel(db *gorm.DB, by Actor, id uint, reason string) (*Reservation, error) {
	return decide(db, by, id, func(tx *gorm.DB, r *Reservation, _ Day) error {
		if r.Status != ResRequested && r.Status != ResApproved {
			return refuse(Conflict, "reservation_closed", "Reservation #%d is already %s.", r.ID, r.Status)
		}
		collected, err := collectedCopies(tx, []Reservation{*r})
		if err != nil {
			return err
		}
		if n := collected[r.ID]; n > 0 {
			return setReservationStatus(tx, by, r, ResFulfilled, reason, fmt.Sprintf(
				"reservation #%d closed after %d of %d copies were collected; the rest released", r.ID, n, r.Quantity))
		}
		return setReservationStatus(tx, by, r, ResCancelled, reason, fmt.Sprintf("reservation #%d cancelled", r.ID))
	})
}

func notPending(r *Reservation) error {
	return refuse(Conflict, "reservation_not_pending", "Reservation #%d is already %s.", r.ID, r.Status)
}

// decide loads a reservation the actor may act on, locks it and runs fn.
func decide(db *gorm.DB, by Actor, id uint, fn func(*gorm.DB, *Reservation, Day) error) (*Reservation, error) {
	var r Reservation
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Preload("Hub").Preload("KitType").Take(&r, id).Error; err != nil {
			return notFound(err, reservationNotFound())
		}
		if !mayManageHub(by, r.HubID) && (by.BorrowerID == nil || *by.BorrowerID != r.BorrowerID) {
			return reservationNotFound()
		}
		if err := lockCapacity(tx, r.HubID, r.KitTypeID); err != nil {
			return err
		}
		if err := forUpdate(tx).Take(&r, id).Error; err != nil {
			return err
		}
		var kt KitType // its turnaround as of now, under the lock
		if err := tx.Take(&kt, r.KitTypeID).Error; err != nil {
			return err
		}
		r.KitType = &kt
		return fn(tx, &r, r.Hub.Today(by.now()))
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func reservationNotFound() *Refusal {
	return refuse(NotFound, "reservation_not_found", "There is no such reservation.")
}

// setReservationStatus moves a reservation on and records it. Only staff may
// approve or decline; the caller has already checked the move is allowed.
func setReservationStatus(tx *gorm.DB, by Actor, r *Reservation, to ReservationStatus, note, summary string) error {
	if (to == ResApproved || to == ResDeclined) && !mayManageHub(by, r.HubID) {
		return refuse(Forbidden, "staff_only", "Only the hub's staff can approve or decline reservations.")
	}
	from := r.Status
	now := by.now()
	updates := map[string]any{"status": to, "updated_at": now}
	if to == ResApproved || to == ResDeclined || to == ResCancelled {
		updates["decided_by_id"], updates["decided_at"], updates["decision_note"] = by.UserID, now, strings.TrimSpace(note)
	}
	if err := tx.Model(&Reservation{}).Where("id = ?", r.ID).Updates(updates).Error; err != nil {
		return err
	}
	r.Status = to
	return record(tx, by, change{
		action: "reservation." + statusVerb(to), subjectType: "reservation", subjectID: r.ID, hubID: &r.HubID,
		summary: summary + reasonSuffix(strings.TrimSpace(note)),
		before:  map[string]any{"status": from}, after: map[string]any{"status": to, "note": note},
	})
}

func statusVerb(s ReservationStatus) string {
	switch s {
	case ResApproved:
		return "approve"
	case ResDeclined:
		return "decline"
	case ResCancelled:
		return "cancel"
	case ResFulfilled:
		return "fulfil"
	case ResExpired:
		return "expire"
	}
	return string(s)
}

// ExpireReservations closes reservations whose time has passed: requests
// never approved before their first day, and approved ones whose last day has
// gone (fulfilled if some copies were collected, expired if none). It is safe
// to run on several instances at once.
func ExpireReservations(db *gorm.DB, now time.Time) (int, error) {
	var hubs []Hub
	if err := db.Find(&hubs).Error; err != nil {
		return 0, err
	}
	by := SystemActor("Kitshelf scheduler")
	by.At = now
	n := 0
	for _, hub := range hubs {
		today := hub.Today(now)
		var stale []Reservation
		if err := db.Where("hub_id = ? AND ((status = ? AND start_on < ?) OR (status = ? AND end_on < ?))",
			hub.ID, ResRequested, today, ResApproved, today).Find(&stale).Error; err != nil {
			return n, err
		}
		for _, r := range stale {
			done, err := expireOne(db, by, r.ID, today)
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
	}
	return n, nil
}

func expireOne(db *gorm.DB, by Actor, id uint, today Day) (bool, error) {
	changed := false
	err := transact(db, by, func(tx *gorm.DB) error {
		var r Reservation
		if err := tx.Take(&r, id).Error; err != nil {
			return err
		}
		// The capacity lock first, as every rule takes it: a check-out
		// collecting against this reservation at midnight either finishes
		// first (and the reservation is fulfilled) or sees it expired.
		if err := lockCapacity(tx, r.HubID, r.KitTypeID); err != nil {
			return err
		}
		if err := forUpdate(tx).Take(&r, id).Error; err != nil {
			return err
		}
		stale := (r.Status == ResRequested && r.StartOn.Before(today)) || (r.Status == ResApproved && r.EndOn.Before(today))
		if !stale { // another instance got here first
			return nil
		}
		collected, err := collectedCopies(tx, []Reservation{r})
		if err != nil {
			return err
		}
		to := ResExpired
		if collected[r.ID] > 0 {
			to = ResFulfilled
		}
		changed = true
		return setReservationStatus(tx, by, &r, to, "", fmt.Sprintf("reservation #%d %s: its dates have passed", r.ID, to))
	})
	return changed, err
}
