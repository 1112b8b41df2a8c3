package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The capacity rule. For one kit type at one hub, on every day, the copies in
// service must cover every copy held that day. A copy is held
//
//   - by a requested or approved reservation, for the copies it has not yet
//     collected, from its first day to its last day plus the kit type's
//     turnaround days;
//   - by a loan, from the day it went out to its due day (or today, if it is
//     overdue) plus turnaround; once returned, to the return day plus
//     turnaround.
//
// A reservation's collected copies are held by their loans, so an early
// return frees a copy early and an overdue kit keeps holding one.
// Booking, approval, check-out, renewal and the availability calendar all
// call this one implementation.

// hold is copies held on every day from..to inclusive.
type hold struct {
	from, to Day
	n        int
}

// capacityKey picks one kit type at one hub.
type capacityKey struct{ hubID, kitTypeID uint }

// exclusion names held copies that a change replaces, so they are counted as
// "before" rather than alongside the change's own holds.
type exclusion struct {
	reservationID uint // a reservation being approved or collected against
	loanID        uint // a loan being renewed
	returnedOfKit uint // a kit being handed out: its past loans' turnaround is over
}

// ledger is what capacity looks like for one key over a window of days.
type ledger struct {
	from      Day
	inService int
	others    []int // copies held each day by everything not excluded
	replaced  []int // copies held each day by the excluded holds
}

func (l *ledger) days() int { return len(l.others) }

func (l *ledger) add(counts []int, h hold) {
	start := max(0, l.from.DaysUntil(h.from))
	end := min(l.days()-1, l.from.DaysUntil(h.to))
	for i := start; i <= end; i++ {
		counts[i] += h.n
	}
}

// loadLedger reads everything that holds copies of key on from..to.
// Callers that go on to write must hold lockCapacity(key) first.
func loadLedger(tx *gorm.DB, key capacityKey, kt *KitType, from, to, today Day, ex exclusion) (*ledger, error) {
	n := from.DaysUntil(to) + 1
	if n < 1 {
		n = 1
	}
	l := &ledger{from: from, others: make([]int, n), replaced: make([]int, n)}
	var inService int64
	if err := tx.Model(&Kit{}).
		Where("hub_id = ? AND kit_type_id = ? AND status IN ?", key.hubID, key.kitTypeID, InServiceStatuses).
		Count(&inService).Error; err != nil {
		return nil, err
	}
	l.inService = int(inService)
	turn := kt.TurnaroundDays
	// A hold reaching from..to started before to and ends on or after from.
	earliestEnd := from.AddDays(-turn)

	var loans []Loan
	if err := tx.Model(&Loan{}).Select("loans.*").
		Joins("JOIN kits ON kits.id = loans.kit_id").
		Where("kits.hub_id = ? AND kits.kit_type_id = ? AND loans.out_on <= ?", key.hubID, key.kitTypeID, to).
		// A returned kit's turnaround holds a copy only while the kit is in
		// service: one sent for repair (or lost, retired) has already left
		// the count of copies, and must not be subtracted twice.
		Where("loans.returned_at IS NULL OR (loans.lost = ? AND loans.returned_on >= ? AND kits.status IN ?)",
			false, earliestEnd, InServiceStatuses).
		Find(&loans).Error; err != nil {
		return nil, err
	}
	for _, ln := range loans {
		h := loanHold(&ln, today, turn)
		target := l.others
		if ln.ID == ex.loanID || (ln.KitID == ex.returnedOfKit && !ln.Open()) {
			target = l.replaced
		}
		l.add(target, h)
	}

	var res []Reservation
	if err := tx.Where("hub_id = ? AND kit_type_id = ? AND status IN ? AND start_on <= ? AND end_on >= ?",
		key.hubID, key.kitTypeID, HoldingStatuses, to, earliestEnd).Find(&res).Error; err != nil {
		return nil, err
	}
	collected, err := collectedCopies(tx, res)
	if err != nil {
		return nil, err
	}
	for _, r := range res {
		h := reservationHold(&r, r.Quantity-collected[r.ID], turn)
		target := l.others
		if r.ID == ex.reservationID {
			target = l.replaced
		}
		l.add(target, h)
	}
	return l, nil
}

// collectedCopies counts the loans made against each reservation.
func collectedCopies(tx *gorm.DB, res []Reservation) (map[uint]int, error) {
	out := map[uint]int{}
	if len(res) == 0 {
		return out, nil
	}
	ids := make([]uint, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	var rows []struct {
		ReservationID uint
		N             int
	}
	err := tx.Model(&Loan{}).Select("reservation_id, COUNT(*) AS n").
		Where("reservation_id IN ?", ids).Group("reservation_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.ReservationID] = r.N
	}
	return out, err
}

func loanHold(l *Loan, today Day, turn int) hold {
	end := MaxDay(l.DueOn, today)
	if !l.Open() {
		end = *l.ReturnedOn
	}
	return hold{from: l.OutOn, to: end.AddDays(turn), n: 1}
}

func reservationHold(r *Reservation, copies, turn int) hold {
	return hold{from: r.StartOn, to: r.EndOn.AddDays(turn), n: max(0, copies)}
}

// ensureCapacity checks that replacing the excluded holds with the proposed
// ones keeps every day covered. Unless strict, it refuses only on days the
// change makes worse: handing out a copy someone reserved must not fail because
// another copy was retired after the bookings were made.
func ensureCapacity(tx *gorm.DB, key capacityKey, kt *KitType, today Day, ex exclusion, strict bool, proposed ...hold) error {
	from, to := proposed[0].from, proposed[0].to
	for _, h := range proposed[1:] {
		from, to = MinDay(from, h.from), MaxDay(to, h.to)
	}
	from = MaxDay(from, today) // the past cannot be booked
	if to.Before(from) {
		return nil
	}
	l, err := loadLedger(tx, key, kt, from, to, today, ex)
	if err != nil {
		return err
	}
	added := make([]int, l.days())
	for _, h := range proposed {
		l.add(added, h)
	}
	for i := range l.days() {
		after := l.others[i] + added[i]
		worse := after > l.others[i]+l.replaced[i]
		if after > l.inService && (strict || worse) {
			return capacityRefusal(kt, l.from.AddDays(i), l.inService-l.others[i], added[i])
		}
	}
	return nil
}

func capacityRefusal(kt *KitType, day Day, free, wanted int) *Refusal {
	var msg string
	switch {
	case free <= 0:
		msg = fmt.Sprintf("No copies of %s are free on %s.", kt.Name, day.Human())
	case free == 1:
		msg = fmt.Sprintf("Only 1 copy of %s is free on %s, and %d are needed.", kt.Name, day.Human(), wanted)
	default:
		msg = fmt.Sprintf("Only %d copies of %s are free on %s, and %d are needed.", free, kt.Name, day.Human(), wanted)
	}
	return &Refusal{Kind: Conflict, Code: "capacity_exceeded", Message: msg}
}

// DayAvailability is how many copies of a kit type are free on one day.
type DayAvailability struct {
	Day       Day
	InService int
	Held      int
	Free      int
}

// Availability reports, day by day from..to, how many copies of a kit type a
// hub has free — the same sums the booking rule checks, so the calendar and
// the booking never disagree. A copy counts as free on a day when nothing
// holds it that day; a booking also needs the turnaround days after its end.
func Availability(db *gorm.DB, hubID, kitTypeID uint, from, to, today Day) ([]DayAvailability, error) {
	if to.Before(from) || from.DaysUntil(to) > 400 {
		return nil, refuse(Invalid, "invalid_dates", "Choose a range of at most 400 days, ending after it starts.")
	}
	var kt KitType
	if err := db.First(&kt, kitTypeID).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "kit_type_not_found", "There is no such kit type."))
	}
	l, err := loadLedger(db, capacityKey{hubID, kitTypeID}, &kt, from, to, today, exclusion{})
	if err != nil {
		return nil, err
	}
	out := make([]DayAvailability, l.days())
	for i := range out {
		out[i] = DayAvailability{Day: from.AddDays(i), InService: l.inService, Held: l.others[i],
			Free: max(0, l.inService-l.others[i])}
	}
	return out, nil
}

// ensureTurnaroundFits refuses a longer turnaround that would leave a hub
// short of copies for what is already booked or out: every held copy is held
// for the turnaround too, so lengthening it can make approved bookings
// overlap. Days that were already short (after a kit was lost, say) do not
// block the change unless it makes them worse.
// Callers hold lockKitTypeEverywhere.
func ensureTurnaroundFits(tx *gorm.DB, kt *KitType, turnaround int, now time.Time) error {
	var hubs []Hub
	if err := tx.Where("id IN (?) OR id IN (?)",
		tx.Model(&Kit{}).Select("hub_id").Where("kit_type_id = ?", kt.ID),
		tx.Model(&Reservation{}).Select("hub_id").Where("kit_type_id = ?", kt.ID)).
		Order("id").Find(&hubs).Error; err != nil {
		return err
	}
	longer := *kt
	longer.TurnaroundDays = turnaround
	for _, hub := range hubs {
		today := hub.Today(now)
		last, err := lastHeldDay(tx, hub.ID, kt.ID, today)
		if err != nil {
			return err
		}
		if last == nil {
			continue // nothing held at this hub; the next may hold plenty
		}
		key, to := capacityKey{hub.ID, kt.ID}, last.AddDays(turnaround)
		was, err := loadLedger(tx, key, kt, today, to, today, exclusion{})
		if err != nil {
			return err
		}
		will, err := loadLedger(tx, key, &longer, today, to, today, exclusion{})
		if err != nil {
			return err
		}
		for i := range will.days() {
			if held := will.others[i]; held > will.inService && held > was.others[i] {
				return &Refusal{Kind: Conflict, Code: "turnaround_too_long", Message: fmt.Sprintf(
					"With %d turnaround days, %s at %s would be short on %s: %d copies are booked or out and %d are in service. "+
						"Move or decline a booking first, or keep %d days.",
					turnaround, kt.Name, hub.Name, today.AddDays(i).Human(), held, will.inService, kt.TurnaroundDays),
					Fields: map[string]string{"turnaround_days": fmt.Sprintf(
						"%d days would leave too few copies on %s.", turnaround, today.AddDays(i).Human())}}
			}
		}
	}
	return nil
}

// lastHeldDay is the last day before turnaround that anything holds a copy
// of the kit type at the hub from today on, or nil if nothing does.
func lastHeldDay(tx *gorm.DB, hubID, kitTypeID uint, today Day) (*Day, error) {
	var ends []Day
	if err := tx.Model(&Reservation{}).Where("hub_id = ? AND kit_type_id = ? AND status IN ? AND end_on >= ?",
		hubID, kitTypeID, HoldingStatuses, today).Pluck("end_on", &ends).Error; err != nil {
		return nil, err
	}
	var dues []Day
	if err := tx.Model(&Loan{}).Joins("JOIN kits ON kits.id = loans.kit_id").
		Where("kits.hub_id = ? AND kits.kit_type_id = ? AND loans.returned_at IS NULL", hubID, kitTypeID).
		Pluck("loans.due_on", &dues).Error; err != nil {
		return nil, err
	}
	var last *Day
	for _, d := range append(ends, dues...) {
		d = MaxDay(d, today)
		if last == nil || last.Before(d) {
			last = &d
		}
	}
	return last, nil
}
