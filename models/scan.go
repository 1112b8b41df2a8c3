package models

import (
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// BasketCheckOut lends several kits to one borrower at once, as staff do at
// the counter with a basket of scanned kits.
type BasketCheckOut struct {
	Tags       []string
	BorrowerID uint
	DueOn      Day             // zero: each kit's own due day (its reservation's end or its loan period)
	Accept     map[string]bool // tags whose recorded shortfall staff accept
}

// CheckOutBasket checks out every kit in the basket, or none: if one kit
// cannot go, nothing changes and the refusal names it. Kits are locked in
// (hub, kit type, tag) order, the same order single check-outs use, so two
// baskets sharing kits cannot deadlock.
func CheckOutBasket(db *gorm.DB, by Actor, in BasketCheckOut) ([]*Loan, error) {
	if len(in.Tags) == 0 {
		return nil, refuse(Invalid, "empty_basket", "Scan at least one kit first.")
	}
	if len(in.Tags) > 100 {
		return nil, refuse(Invalid, "basket_too_big", "Check out at most 100 kits at a time.")
	}
	kits := make([]*Kit, 0, len(in.Tags))
	seen := map[string]bool{}
	for _, t := range in.Tags {
		k, err := KitByTag(db, t)
		if err != nil {
			return nil, err
		}
		if seen[k.AssetTag] {
			continue
		}
		seen[k.AssetTag] = true
		kits = append(kits, k)
	}
	sort.Slice(kits, func(i, j int) bool {
		a, b := kits[i], kits[j]
		if a.HubID != b.HubID {
			return a.HubID < b.HubID
		}
		if a.KitTypeID != b.KitTypeID {
			return a.KitTypeID < b.KitTypeID
		}
		return a.AssetTag < b.AssetTag
	})
	var loans []*Loan
	err := transact(db, by, func(tx *gorm.DB) error {
		for _, k := range kits {
			l, err := checkOut(tx, by, CheckOutInput{Tag: k.AssetTag, BorrowerID: in.BorrowerID, DueOn: in.DueOn,
				AcceptShortfall: in.Accept[k.AssetTag]})
			if err != nil {
				return err
			}
			loans = append(loans, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return loans, nil
}

// ScanCheck is what a scan in check-out mode found, before anything changes.
type ScanCheck struct {
	Kit        *Kit
	Shortfalls []Shortfall // the kit came back short and was not restocked
}

// CheckLendable looks at a scanned kit for the check-out basket: it refuses
// exactly what CheckOut would refuse because of the kit itself (on loan, in
// repair, another hub's), and reports a recorded shortfall for staff to
// accept. It changes nothing.
func CheckLendable(db *gorm.DB, by Actor, tag string) (*ScanCheck, error) {
	k, err := KitByTag(db, tag)
	if err != nil {
		return nil, err
	}
	if !mayManageHub(by, k.HubID) {
		return nil, refuse(Forbidden, "other_hub", "%s belongs to %s and can only be lent from there.", k.AssetTag, k.Hub.Name)
	}
	if err := lendable(db, k, true); err != nil {
		return nil, err
	}
	c := &ScanCheck{Kit: k}
	if k.Status == KitNeedsRestock {
		if c.Shortfalls, err = OpenShortfalls(db, k.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Proposal is a borrower who is due to collect some of a basket today.
type Proposal struct {
	Borrower     *Borrower
	Reservations []Reservation // approved, covering today, with copies to collect
	Covers       int           // how many of the basket's kits these reservations cover
	DueOn        Day           // the earliest end of those reservations
}

// ProposeBorrowers suggests who a basket is for: borrowers with approved
// reservations at the hub covering today for the basket's kit types, those
// covering the most kits first.
func ProposeBorrowers(db *gorm.DB, hubID uint, kitTypeIDs []uint, today Day) ([]Proposal, error) {
	if len(kitTypeIDs) == 0 {
		return nil, nil
	}
	var res []Reservation
	if err := db.Where("hub_id = ? AND kit_type_id IN ? AND status = ? AND start_on <= ? AND end_on >= ?",
		hubID, kitTypeIDs, ResApproved, today, today).Order("start_on, id").Find(&res).Error; err != nil {
		return nil, err
	}
	collected, err := collectedCopies(db, res)
	if err != nil {
		return nil, err
	}
	want := map[uint]int{}
	for _, id := range kitTypeIDs {
		want[id]++
	}
	byBorrower := map[uint]*Proposal{}
	covered := map[[2]uint]int{} // (borrower, kit type): basket kits already counted
	var order []uint
	for _, r := range res {
		left := r.Quantity - collected[r.ID]
		if left <= 0 {
			continue
		}
		p, ok := byBorrower[r.BorrowerID]
		if !ok {
			p = &Proposal{DueOn: r.EndOn}
			byBorrower[r.BorrowerID] = p
			order = append(order, r.BorrowerID)
		}
		p.Reservations = append(p.Reservations, r)
		// Two bookings of one kit type cover no more kits than the basket holds.
		key := [2]uint{r.BorrowerID, r.KitTypeID}
		n := min(left, want[r.KitTypeID]-covered[key])
		covered[key] += n
		p.Covers += n
		p.DueOn = MinDay(p.DueOn, r.EndOn)
	}
	out := make([]Proposal, 0, len(order))
	for _, id := range order {
		p := byBorrower[id]
		if p.Borrower, err = borrowerByID(db, id); err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Covers > out[j].Covers })
	return out, nil
}

// BorrowerChoice is one entry of the borrower list at the counter.
type BorrowerChoice struct {
	ID   uint
	Name string
	Kind string // "school", "youth group", "college", "ambassador"…
}

// BorrowersAt lists who may borrow at a hub: its approved organisations and
// its active ambassadors, by name.
func BorrowersAt(db *gorm.DB, hubID uint) ([]BorrowerChoice, error) {
	var orgs []struct {
		ID   uint
		Name string
		Kind string
	}
	if err := db.Table("borrowers").Select("borrowers.id, organisations.name, organisations.kind").
		Joins("JOIN organisations ON organisations.id = borrowers.organisation_id").
		Where("organisations.hub_id = ? AND organisations.approved = ?", hubID, true).Scan(&orgs).Error; err != nil {
		return nil, err
	}
	var people []struct {
		ID   uint
		Name string
	}
	if err := db.Table("borrowers").Select("borrowers.id, users.name").
		Joins("JOIN users ON users.id = borrowers.user_id").
		Where("users.hub_id = ? AND users.active = ?", hubID, true).Scan(&people).Error; err != nil {
		return nil, err
	}
	out := make([]BorrowerChoice, 0, len(orgs)+len(people))
	for _, o := range orgs {
		out = append(out, BorrowerChoice{ID: o.ID, Name: o.Name, Kind: strings.ReplaceAll(o.Kind, "_", " ")})
	}
	for _, p := range people {
		out = append(out, BorrowerChoice{ID: p.ID, Name: p.Name, Kind: "ambassador"})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// KitHistory is a kit's life for its page: its loans, newest first, and its
// audit entries.
type KitHistory struct {
	Loans      []Loan
	Shortfalls []Shortfall // open ones
	Entries    []AuditEntry
}

// HistoryOf gathers a kit's history.
func HistoryOf(db *gorm.DB, kitID uint) (*KitHistory, error) {
	h := &KitHistory{}
	if err := withBorrower(db.Preload("Shortfalls"), "Borrower").Where("kit_id = ?", kitID).
		Order("out_at DESC, id DESC").Limit(200).Find(&h.Loans).Error; err != nil {
		return nil, err
	}
	var err error
	if h.Shortfalls, err = OpenShortfalls(db, kitID); err != nil {
		return nil, err
	}
	h.Entries, err = AuditTrail(db, AuditFilter{SubjectType: "kit", SubjectID: kitID, Limit: 200})
	return h, err
}

// MayManageKit reports whether the actor works at the kit's hub.
func MayManageKit(by Actor, k *Kit) bool { return mayManageHub(by, k.HubID) }

// CheckInSummary says in one sentence what a check-in did.
func CheckInSummary(r *CheckInResult) string {
	s := fmt.Sprintf("%s checked in from %s", r.Kit.AssetTag, r.Loan.Borrower.Name())
	if r.Late {
		s += fmt.Sprintf(", %d days late", r.Loan.DueOn.DaysUntil(*r.Loan.ReturnedOn))
	}
	if len(r.Shortfalls) > 0 {
		return s + ". Short: " + ShortfallSummary(r.Shortfalls) + ". It needs restocking before it goes out again."
	}
	return s + ". Everything is back; it is available."
}
