package models

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// CheckOutInput says which kit goes to whom.
type CheckOutInput struct {
	Tag        string // asset tag or kit URL, as scanned
	BorrowerID uint
	// DueOn overrides the due day, which otherwise comes from the borrower's
	// reservation or the kit type's loan period.
	DueOn Day
	// AcceptShortfall lends a kit that came back short and was not restocked;
	// without it such a check-out is refused with code kit_needs_restock.
	AcceptShortfall bool
}

// CheckOut lends one kit to a borrower. If the borrower has an approved
// reservation for the kit's type at its hub covering today with copies still
// to collect, the loan fulfils it and is due when it ends; otherwise the loan
// runs for the kit type's loan period and must fit the capacity rule.
func CheckOut(db *gorm.DB, by Actor, in CheckOutInput) (*Loan, error) {
	var loan *Loan
	err := transact(db, by, func(tx *gorm.DB) error {
		var err error
		loan, err = checkOut(tx, by, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return loan, nil
}

// checkOut is CheckOut inside the caller's transaction.
func checkOut(tx *gorm.DB, by Actor, in CheckOutInput) (*Loan, error) {
	kit, err := lockKit(tx, in.Tag)
	if err != nil {
		return nil, err
	}
	if !mayManageHub(by, kit.HubID) {
		return nil, refuse(Forbidden, "other_hub", "%s belongs to %s and can only be lent from there.", kit.AssetTag, kit.Hub.Name)
	}
	if err := lendable(tx, kit, in.AcceptShortfall); err != nil {
		return nil, err
	}
	b, err := borrowerByID(tx, in.BorrowerID)
	if err != nil {
		return nil, err
	}
	if err := mayBorrowAt(by, b, kit.Hub); err != nil {
		return nil, err
	}
	now := by.now()
	today := kit.Hub.Today(now)
	res, err := reservationToCollect(tx, kit, b.ID, today)
	if err != nil {
		return nil, err
	}
	due, err := dueDay(kit, res, today, in.DueOn)
	if err != nil {
		return nil, err
	}
	if err := ensureCheckOutCapacity(tx, kit, res, today, due); err != nil {
		return nil, err
	}
	loan := &Loan{KitID: kit.ID, BorrowerID: b.ID, OutAt: now, OutOn: today, OutByID: by.UserID, DueOn: due}
	if res != nil {
		loan.ReservationID = &res.ID
	}
	if err := tx.Create(loan).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) { // the partial unique index caught a race
			return nil, refuse(Conflict, "kit_on_loan", "%s is already on loan.", kit.AssetTag)
		}
		return nil, err
	}
	from := kit.Status
	if err := setKitStatus(tx, kit, KitOnLoan); err != nil {
		return nil, err
	}
	if res != nil {
		if err := markFulfilledIfCollected(tx, by, res); err != nil {
			return nil, err
		}
	}
	loan.Kit, loan.Borrower = kit, b
	return loan, record(tx, by, change{
		action: "kit.check_out", subjectType: "kit", subjectID: kit.ID, hubID: &kit.HubID,
		summary: fmt.Sprintf("%s checked out to %s, due %s", kit.AssetTag, b.Name(), due.Human()),
		before:  map[string]any{"status": from},
		after: map[string]any{"status": KitOnLoan, "loan_id": loan.ID, "borrower_id": b.ID,
			"due_on": due, "reservation_id": loan.ReservationID},
	})
}

// lendable refuses a kit that cannot go out, saying why.
func lendable(tx *gorm.DB, kit *Kit, acceptShortfall bool) error {
	switch kit.Status {
	case KitAvailable:
		return nil
	case KitOnLoan:
		l, err := OpenLoan(tx, kit.ID)
		if err != nil {
			return err
		}
		if l == nil {
			return refuse(Conflict, "kit_on_loan", "%s is already on loan.", kit.AssetTag)
		}
		return refuse(Conflict, "kit_on_loan", "%s is already on loan to %s since %s, due %s.",
			kit.AssetTag, l.Borrower.Name(), l.OutOn.Short(), l.DueOn.Short())
	case KitNeedsRestock:
		if acceptShortfall {
			return nil
		}
		missing, err := OpenShortfalls(tx, kit.ID)
		if err != nil {
			return err
		}
		what := ShortfallSummary(missing)
		if what == "" {
			what = "contents not yet counted back"
		}
		return refuse(Conflict, "kit_needs_restock", "%s came back short (%s) and has not been restocked.", kit.AssetTag, what)
	}
	return refuse(Conflict, "kit_unavailable", "%s is %s and cannot be lent.", kit.AssetTag, kit.Status.Label())
}

// reservationToCollect finds the borrower's approved reservation that this
// kit can fulfil today, if any: the earliest-starting one with copies left.
func reservationToCollect(tx *gorm.DB, kit *Kit, borrowerID uint, today Day) (*Reservation, error) {
	var candidates []Reservation
	err := tx.Where("hub_id = ? AND kit_type_id = ? AND borrower_id = ? AND status = ? AND start_on <= ? AND end_on >= ?",
		kit.HubID, kit.KitTypeID, borrowerID, ResApproved, today, today).
		Order("start_on, id").Find(&candidates).Error
	if err != nil {
		return nil, err
	}
	collected, err := collectedCopies(tx, candidates)
	if err != nil {
		return nil, err
	}
	for i := range candidates {
		if collected[candidates[i].ID] < candidates[i].Quantity {
			return &candidates[i], nil
		}
	}
	return nil, nil
}

func dueDay(kit *Kit, res *Reservation, today, asked Day) (Day, error) {
	due := today.AddDays(kit.KitType.DefaultLoanDays)
	if res != nil {
		due = res.EndOn
	}
	if !asked.IsZero() {
		due = asked
	}
	switch {
	case due.Before(today):
		return Day{}, &Refusal{Kind: Invalid, Code: "invalid_due_date", Message: "The due date cannot be in the past.",
			Fields: map[string]string{"due_on": "Choose today or a later day."}}
	case today.DaysUntil(due) > 365:
		return Day{}, &Refusal{Kind: Invalid, Code: "invalid_due_date", Message: "A loan can last at most a year.",
			Fields: map[string]string{"due_on": "Choose a day within a year."}}
	}
	return due, nil
}

// ensureCheckOutCapacity checks that lending this kit until due takes no copy
// promised to someone else. Collecting against a reservation swaps one of its
// held copies for the loan.
func ensureCheckOutCapacity(tx *gorm.DB, kit *Kit, res *Reservation, today, due Day) error {
	turn := kit.KitType.TurnaroundDays
	key := capacityKey{kit.HubID, kit.KitTypeID}
	ex := exclusion{returnedOfKit: kit.ID}
	proposed := []hold{{from: today, to: due.AddDays(turn), n: 1}}
	if res != nil {
		collected, err := collectedCopies(tx, []Reservation{*res})
		if err != nil {
			return err
		}
		ex.reservationID = res.ID
		proposed = append(proposed, reservationHold(res, res.Quantity-collected[res.ID]-1, turn))
	}
	return ensureCapacity(tx, key, kit.KitType, today, ex, false, proposed...)
}

func markFulfilledIfCollected(tx *gorm.DB, by Actor, res *Reservation) error {
	collected, err := collectedCopies(tx, []Reservation{*res})
	if err != nil || collected[res.ID] < res.Quantity {
		return err
	}
	return setReservationStatus(tx, by, res, ResFulfilled, "",
		fmt.Sprintf("reservation #%d fulfilled: all %d copies collected", res.ID, res.Quantity))
}

func setKitStatus(tx *gorm.DB, kit *Kit, to KitStatus) error {
	kit.Status = to
	return tx.Model(&Kit{}).Where("id = ?", kit.ID).Updates(map[string]any{"status": to, "updated_at": tx.NowFunc()}).Error
}

// Count is what staff counted back for one line of the contents list.
type Count struct {
	ContentID uint
	Missing   int
	Damaged   int
}

// CheckInInput says which kit came back and what was found.
type CheckInInput struct {
	Tag    string
	Counts []Count // only lines with something missing or damaged need be given
	Note   string
	// LoanID, when set, is the loan the counts were made for: a check-in
	// form left open while the kit came back and went out again must not
	// close the new borrower's loan.
	LoanID uint
}

// CheckInResult is what a check-in did.
type CheckInResult struct {
	Loan       *Loan
	Kit        *Kit
	Shortfalls []Shortfall
	Late       bool // returned after its due day
}

// CheckIn ends the kit's loan. Anything missing or damaged is recorded as a
// shortfall and puts the kit in needs_restock; otherwise it is available.
func CheckIn(db *gorm.DB, by Actor, in CheckInInput) (*CheckInResult, error) {
	var out *CheckInResult
	err := transact(db, by, func(tx *gorm.DB) error {
		kit, err := lockKit(tx, in.Tag)
		if err != nil {
			return err
		}
		if !mayManageHub(by, kit.HubID) {
			return kitNotFound(kit.AssetTag) // another hub's kit, and its borrower, are not this actor's to see
		}
		loan, err := openLoanForUpdate(tx, kit)
		if err != nil {
			return err
		}
		if in.LoanID != 0 && loan.ID != in.LoanID {
			return refuse(Conflict, "loan_changed", "%s has come back and gone out again since this page was opened. Scan it again to check it in.", kit.AssetTag)
		}
		shortfalls, err := shortfallsFromCounts(kit, loan, in.Counts)
		if err != nil {
			return err
		}
		now := by.now()
		today := kit.Hub.Today(now)
		loan.ReturnedAt, loan.ReturnedOn, loan.ReturnedByID = &now, &today, by.UserID
		loan.ReturnNote = strings.TrimSpace(in.Note)
		if err := tx.Model(&Loan{}).Where("id = ?", loan.ID).Updates(map[string]any{"returned_at": now,
			"returned_on": today, "returned_by_id": by.UserID, "return_note": loan.ReturnNote}).Error; err != nil {
			return err
		}
		if len(shortfalls) > 0 {
			if err := tx.Create(&shortfalls).Error; err != nil {
				return err
			}
		}
		to := KitAvailable
		if len(shortfalls) > 0 {
			to = KitNeedsRestock
		}
		if err := setKitStatus(tx, kit, to); err != nil {
			return err
		}
		out = &CheckInResult{Loan: loan, Kit: kit, Shortfalls: shortfalls, Late: today.After(loan.DueOn)}
		summary := fmt.Sprintf("%s checked in from %s", kit.AssetTag, loan.Borrower.Name())
		if len(shortfalls) > 0 {
			summary += ": " + ShortfallSummary(shortfalls)
		}
		return record(tx, by, change{
			action: "kit.check_in", subjectType: "kit", subjectID: kit.ID, hubID: &kit.HubID, summary: summary,
			before: map[string]any{"status": KitOnLoan, "loan_id": loan.ID},
			after:  map[string]any{"status": to, "loan_id": loan.ID, "shortfalls": shortfalls, "note": in.Note},
		})
	})
	return out, err
}

// openLoanForUpdate returns the kit's open loan, refusing if there is none.
func openLoanForUpdate(tx *gorm.DB, kit *Kit) (*Loan, error) {
	var loan Loan
	err := withBorrower(forUpdate(tx), "Borrower").Where("kit_id = ? AND returned_at IS NULL", kit.ID).Take(&loan).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notOnLoan(tx, kit)
	}
	return &loan, err
}

// notOnLoan explains why a kit cannot be checked in: usually because it
// already was, which a repeated scan should say plainly.
func notOnLoan(tx *gorm.DB, kit *Kit) error {
	var last Loan
	err := withBorrower(tx, "Borrower").Where("kit_id = ? AND returned_at IS NOT NULL", kit.ID).
		Order("returned_at DESC").Take(&last).Error
	if err == nil && !last.Lost {
		return refuse(Conflict, "kit_not_on_loan", "%s is not on loan: it was checked in from %s on %s.",
			kit.AssetTag, last.Borrower.Name(), last.ReturnedOn.Short())
	}
	return refuse(Conflict, "kit_not_on_loan", "%s is not on loan (it is %s).", kit.AssetTag, kit.Status.Label())
}

func shortfallsFromCounts(kit *Kit, loan *Loan, counts []Count) ([]Shortfall, error) {
	items := map[uint]ContentItem{}
	for _, c := range kit.KitType.Contents {
		items[c.ID] = c
	}
	var out []Shortfall
	seen := map[uint]bool{}
	for _, c := range counts {
		item, ok := items[c.ContentID]
		switch {
		case !ok:
			return nil, refuse(Invalid, "invalid_count", "That contents line does not belong to %s.", kit.KitType.Name)
		case seen[c.ContentID]:
			return nil, refuse(Invalid, "invalid_count", "%s was counted twice.", item.Name)
		case c.Missing < 0 || c.Damaged < 0:
			return nil, refuse(Invalid, "invalid_count", "Counts for %s cannot be negative.", item.Name)
		case c.Missing > item.Quantity || c.Damaged > item.Quantity || c.Missing+c.Damaged > item.Quantity:
			return nil, refuse(Invalid, "invalid_count", "%s: %d missing or damaged, but the kit holds only %d.",
				item.Name, c.Missing+c.Damaged, item.Quantity)
		}
		seen[c.ContentID] = true
		if c.Missing+c.Damaged == 0 {
			continue
		}
		out = append(out, Shortfall{KitID: kit.ID, LoanID: &loan.ID, ContentID: &item.ID, Item: item.Name,
			Missing: c.Missing, Damaged: c.Damaged})
	}
	return out, nil
}

// RenewInput extends a loan.
type RenewInput struct {
	LoanID uint
	DueOn  Day // the new due day; zero means one more loan period from today or the old due day, whichever is later
}

// Renew moves an open loan's due day later, if the capacity rule allows it.
func Renew(db *gorm.DB, by Actor, in RenewInput) (*Loan, error) {
	var loan Loan
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Preload("Kit.Hub").Preload("Kit.KitType").Take(&loan, in.LoanID).Error; err != nil {
			return notFound(err, refuse(NotFound, "loan_not_found", "There is no such loan."))
		}
		kit := loan.Kit
		if !mayManageHub(by, kit.HubID) {
			return refuse(NotFound, "loan_not_found", "There is no such loan.")
		}
		if err := lockCapacity(tx, kit.HubID, kit.KitTypeID); err != nil {
			return err
		}
		if err := tx.Take(kit.KitType, kit.KitTypeID).Error; err != nil { // the turnaround under the lock
			return err
		}
		if err := forUpdate(tx).Take(&loan, loan.ID).Error; err != nil {
			return err
		}
		if !loan.Open() {
			return refuse(Conflict, "loan_closed", "%s has already come back; only open loans can be renewed.", kit.AssetTag)
		}
		today := kit.Hub.Today(by.now())
		due := in.DueOn
		if due.IsZero() {
			due = MaxDay(loan.DueOn, today).AddDays(kit.KitType.DefaultLoanDays)
		}
		if !due.After(loan.DueOn) {
			return &Refusal{Kind: Invalid, Code: "invalid_due_date", Message: fmt.Sprintf("A renewal must move the due date after %s.", loan.DueOn.Human()),
				Fields: map[string]string{"due_on": "Choose a later day."}}
		}
		if due.Before(today) { // an overdue loan renewed to a day that has also passed
			return &Refusal{Kind: Invalid, Code: "invalid_due_date", Message: fmt.Sprintf("A renewal cannot end in the past: choose %s or later.", today.Human()),
				Fields: map[string]string{"due_on": "Choose today or a later day."}}
		}
		if today.DaysUntil(due) > 365 {
			return &Refusal{Kind: Invalid, Code: "invalid_due_date", Message: "A loan can last at most a year from today.",
				Fields: map[string]string{"due_on": "Choose a day within a year."}}
		}
		turn := kit.KitType.TurnaroundDays
		if err := ensureCapacity(tx, capacityKey{kit.HubID, kit.KitTypeID}, kit.KitType, today,
			exclusion{loanID: loan.ID}, false, hold{from: loan.OutOn, to: due.AddDays(turn), n: 1}); err != nil {
			return err
		}
		before := loan.DueOn
		if err := tx.Model(&Loan{}).Where("id = ?", loan.ID).
			Updates(map[string]any{"due_on": due, "renewals": loan.Renewals + 1}).Error; err != nil {
			return err
		}
		loan.DueOn, loan.Renewals = due, loan.Renewals+1
		return record(tx, by, change{
			action: "loan.renew", subjectType: "loan", subjectID: loan.ID, hubID: &kit.HubID,
			summary: fmt.Sprintf("%s renewed: now due %s", kit.AssetTag, due.Human()),
			before:  map[string]any{"due_on": before}, after: map[string]any{"due_on": due, "renewals": loan.Renewals},
		})
	})
	if err != nil {
		return nil, err
	}
	return &loan, nil
}

// NotOnLoan is the refusal for checking in a kit that is not out, saying
// when it came back.
func NotOnLoan(db *gorm.DB, kit *Kit) error { return notOnLoan(db, kit) }

// mayBorrowAt refuses a borrower the hub does not lend to: an organisation
// not yet approved or belonging to another hub, or an ambassador whose
// account is deactivated or who volunteers with another hub. (The counter's
// borrower list offers the same people: BorrowersAt.) Another hub's
// borrowers do not exist for its staff: their names and standing are not
// theirs to see, so the hub is checked first.
func mayBorrowAt(by Actor, b *Borrower, hub *Hub) error {
	elsewhere := (b.Organisation != nil && b.Organisation.HubID != nil && *b.Organisation.HubID != hub.ID) ||
		(b.User != nil && b.User.HubID != nil && *b.User.HubID != hub.ID)
	self := by.BorrowerID != nil && *by.BorrowerID == b.ID
	switch {
	case elsewhere && by.Role != RoleAdmin && !self:
		return borrowerNotFound()
	case elsewhere:
		return refuse(Forbidden, "borrower_other_hub", "%s borrows from another hub, not %s.", b.Name(), hub.Name)
	case b.Organisation != nil && !b.Organisation.Approved:
		return refuse(Forbidden, "borrower_not_approved", "%s is waiting for the hub to approve its account, so it cannot borrow yet.", b.Name())
	case b.User != nil && !b.User.Active:
		return refuse(Forbidden, "borrower_inactive", "%s's account is deactivated.", b.Name())
	}
	return nil
}
