package models

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// KitAction is a change of a kit's status that staff make by hand.
type KitAction string

// The status changes staff make.
const (
	ActionToRepair   KitAction = "repair"    // send for repair
	ActionRepaired   KitAction = "repaired"  // back from repair
	ActionRestocked  KitAction = "restocked" // shortfalls made good
	ActionRetire     KitAction = "retire"    // withdrawn for good
	ActionMarkLost   KitAction = "lost"      // cannot be found, on loan or on the shelf
	ActionMarkFound  KitAction = "found"     // a lost kit turned up: count it before it goes out
	actionReasonNeed           = "Please give a reason."
)

type transition struct {
	from  []KitStatus
	to    KitStatus
	verb  string // for messages: "sent for repair"
	needs bool   // a reason is required
}

var transitions = map[KitAction]transition{
	ActionToRepair:  {[]KitStatus{KitAvailable, KitNeedsRestock}, KitInRepair, "sent for repair", true},
	ActionRepaired:  {[]KitStatus{KitInRepair}, KitAvailable, "back from repair", false},
	ActionRestocked: {[]KitStatus{KitNeedsRestock}, KitAvailable, "restocked", false},
	ActionRetire:    {[]KitStatus{KitAvailable, KitNeedsRestock, KitInRepair, KitLost}, KitRetired, "retired", true},
	ActionMarkLost:  {[]KitStatus{KitAvailable, KitOnLoan, KitNeedsRestock, KitInRepair}, KitLost, "marked lost", true},
	ActionMarkFound: {[]KitStatus{KitLost}, KitNeedsRestock, "found", false},
}

// ActionsFor lists the status changes that fit a kit's current status, for
// the buttons on its page.
func ActionsFor(s KitStatus) []KitAction {
	var out []KitAction
	for _, a := range []KitAction{ActionRestocked, ActionToRepair, ActionRepaired, ActionMarkFound, ActionMarkLost, ActionRetire} {
		for _, from := range transitions[a].from {
			if from == s {
				out = append(out, a)
			}
		}
	}
	return out
}

// Label is how the action reads on a button.
func (a KitAction) Label() string {
	switch a {
	case ActionToRepair:
		return "Send for repair"
	case ActionRepaired:
		return "Back from repair"
	case ActionRestocked:
		return "Mark restocked"
	case ActionRetire:
		return "Retire"
	case ActionMarkLost:
		return "Mark lost"
	case ActionMarkFound:
		return "Mark found"
	}
	return string(a)
}

// NeedsReason reports whether the action must be given a reason.
func (a KitAction) NeedsReason() bool { return transitions[a].needs }

// ChangeKitStatus applies a staff status change with its reason. Marking a
// kit lost while on loan closes the loan as lost; restocking resolves its
// recorded shortfalls.
func ChangeKitStatus(db *gorm.DB, by Actor, tag string, action KitAction, reason string) (*Kit, error) {
	t, ok := transitions[action]
	if !ok {
		return nil, refuse(Invalid, "invalid_action", "%q is not a status change.", action)
	}
	reason = strings.TrimSpace(reason)
	if t.needs && reason == "" {
		return nil, &Refusal{Kind: Invalid, Code: "reason_required", Message: actionReasonNeed,
			Fields: map[string]string{"reason": "Say why, for the kit's history."}}
	}
	var kit *Kit
	err := transact(db, by, func(tx *gorm.DB) error {
		var err error
		if kit, err = lockKit(tx, tag); err != nil {
			return err
		}
		if !mayManageHub(by, kit.HubID) {
			return refuse(NotFound, "kit_not_found", "No kit has the tag %s.", kit.AssetTag)
		}
		from := kit.Status
		if !allowed(t.from, from) {
			return refuse(Conflict, "invalid_transition", "%s is %s, so it cannot be %s.", kit.AssetTag, from.Label(), t.verb)
		}
		closed, err := sideEffects(tx, by, kit, action, reason)
		if err != nil {
			return err
		}
		to := t.to
		if action == ActionRepaired {
			// A kit sent for repair while short comes back still short.
			short, err := OpenShortfalls(tx, kit.ID)
			if err != nil {
				return err
			}
			if len(short) > 0 {
				to = KitNeedsRestock
			}
		}
		if err := setKitStatus(tx, kit, to); err != nil {
			return err
		}
		after := map[string]any{"status": to, "reason": reason}
		if closed != nil {
			after["lost_loan_id"], after["borrower_id"] = closed.ID, closed.BorrowerID
		}
		return record(tx, by, change{
			action: "kit." + string(action), subjectType: "kit", subjectID: kit.ID, hubID: &kit.HubID,
			summary: fmt.Sprintf("%s %s", kit.AssetTag, t.verb) + reasonSuffix(reason),
			before:  map[string]any{"status": from}, after: after,
		})
	})
	if err != nil {
		return nil, err
	}
	return kit, nil
}

func allowed(from []KitStatus, s KitStatus) bool {
	for _, f := range from {
		if f == s {
			return true
		}
	}
	return false
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// sideEffects does what a status change does besides the status, and
// returns the loan it closed (a kit lost while out), for the audit trail.
func sideEffects(tx *gorm.DB, by Actor, kit *Kit, action KitAction, reason string) (*Loan, error) {
	now := by.now()
	switch {
	case action == ActionMarkLost && kit.Status == KitOnLoan:
		loan, err := openLoanForUpdate(tx, kit)
		if err != nil {
			return nil, err
		}
		today := kit.Hub.Today(now)
		return loan, tx.Model(&Loan{}).Where("id = ?", loan.ID).Updates(map[string]any{"returned_at": now,
			"returned_on": today, "returned_by_id": by.UserID, "lost": true, "return_note": reason}).Error
	case action == ActionRestocked:
		return nil, tx.Model(&Shortfall{}).Where("kit_id = ? AND resolved_at IS NULL", kit.ID).
			Updates(map[string]any{"resolved_at": now, "resolved_by_id": by.UserID}).Error
	}
	return nil, nil
}
