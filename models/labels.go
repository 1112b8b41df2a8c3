package models

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gorm.io/gorm"
)

// MaxLabelsPerJob caps one label print job. The PDF renderer (views/labels)
// has the same limit; checking it here lets the person be told before any
// kits are loaded.
const MaxLabelsPerJob = 2000

// LabelSelection says which kits to print labels for: every kit of a kit
// type, every kit at a hub, that kit type at that hub, or the kits with the
// listed asset tags — the list, or the type and hub, never both.
type LabelSelection struct {
	KitTypeSlug string
	// Hub is a hub's id or slug. For staff, empty means their own hub, the
	// only one whose kits they may label; for admins, every hub.
	Hub string
	// Tags are asset tags or kit links as typed or scanned, in the order the
	// labels should print. Repeats are printed once.
	Tags []string
}

// SplitTags splits what was typed into an asset-tag box, separated by
// commas, semicolons, spaces or new lines, into its entries.
func SplitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
}

// labelsUnavailable is the status of kits that no longer need a label: they
// are left out of type and hub selections, but printed when listed by tag.
var labelsUnavailable = []KitStatus{KitRetired, KitLost}

func labelRefusal(code, field, format string, args ...any) *Refusal {
	msg := fmt.Sprintf(format, args...)
	return &Refusal{Kind: Invalid, Code: code, Message: msg, Fields: map[string]string{field: msg}}
}

// KitsForLabels returns the kits whose labels to print, with Hub and KitType
// loaded: by type or hub sorted by asset tag, leaving out retired and lost
// kits; by tag in the order listed, whatever their status. Staff may label
// only their own hub's kits — another hub's tags count as unknown — and
// admins any. Mistakes are Invalid refusals whose Fields use the label form's
// field names ("type", "hub", "tags").
func KitsForLabels(db *gorm.DB, by Actor, sel LabelSelection) ([]Kit, error) {
	if !by.Role.IsStaff() {
		return nil, refuse(Forbidden, "labels_forbidden", "Only hub staff print kit labels.")
	}
	sel.KitTypeSlug, sel.Hub = strings.TrimSpace(sel.KitTypeSlug), strings.TrimSpace(sel.Hub)
	switch {
	case len(sel.Tags) > 0 && (sel.KitTypeSlug != "" || sel.Hub != ""):
		return nil, labelRefusal("labels_ambiguous", "tags", "List asset tags, or choose a kit type or hub, not both.")
	case len(sel.Tags) > 0:
		return kitsByTags(db, by, sel.Tags)
	case sel.KitTypeSlug == "" && sel.Hub == "":
		return nil, labelRefusal("labels_nothing_chosen", "type", "Choose a kit type or a hub, or list asset tags.")
	}
	return kitsByTypeAndHub(db, by, sel.KitTypeSlug, sel.Hub)
}

func kitsByTypeAndHub(db *gorm.DB, by Actor, slug, hubKey string) ([]Kit, error) {
	q := db.Model(&Kit{}).Where("status NOT IN ?", labelsUnavailable)
	field, what := "hub", "kits"
	if slug != "" {
		kt, err := KitTypeBySlug(db, slug)
		if IsRefusal(err, "kit_type_not_found") {
			return nil, labelRefusal("kit_type_not_found", "type", "There is no kit type %q.", slug)
		} else if err != nil {
			return nil, err
		}
		q = q.Where("kit_type_id = ?", kt.ID)
		field, what = "type", kt.Name+" kits"
	}
	var hub *Hub
	switch {
	case hubKey != "":
		h, err := FindHub(db, hubKey)
		if IsRefusal(err, "hub_not_found") {
			return nil, labelRefusal("hub_not_found", "hub", "There is no hub %q.", hubKey)
		} else if err != nil {
			return nil, err
		}
		hub = h
	case by.Role != RoleAdmin && by.HubID != nil:
		h, err := FindHub(db, fmt.Sprint(*by.HubID))
		if err != nil {
			return nil, err
		}
		hub = h
	}
	if by.Role != RoleAdmin && (hub == nil || by.HubID == nil || hub.ID != *by.HubID) {
		return nil, labelRefusal("labels_other_hub", "hub", "You can print labels only for your own hub's kits.")
	}
	where := "any hub"
	if hub != nil {
		q = q.Where("hub_id = ?", hub.ID)
		where = hub.Name
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, err
	}
	switch {
	case n == 0:
		return nil, labelRefusal("labels_no_kits", field,
			"There are no %s at %s to label (retired and lost kits are left out).", what, where)
	case n > MaxLabelsPerJob:
		return nil, labelRefusal("labels_too_many", field,
			"That is %d labels; one print job holds at most %d. Choose a kit type or a hub to print fewer.", n, MaxLabelsPerJob)
	}
	var kits []Kit
	if err := q.Preload("Hub").Preload("KitType").Find(&kits).Error; err != nil {
		return nil, err
	}
	// Sorted here, not by SQL: PostgreSQL's collations ignore punctuation,
	// so ORDER BY would not agree with SQLite about dashed tags.
	slices.SortFunc(kits, func(a, b Kit) int { return strings.Compare(a.AssetTag, b.AssetTag) })
	return kits, nil
}

func kitsByTags(db *gorm.DB, by Actor, inputs []string) ([]Kit, error) {
	var tags, notTags []string
	seen := map[string]bool{}
	for _, in := range inputs {
		tag := NormaliseTag(in)
		switch {
		case tag == "":
			notTags = append(notTags, fmt.Sprintf("%q", in))
		case !seen[tag]:
			seen[tag] = true
			tags = append(tags, tag)
		}
	}
	switch {
	case len(notTags) == 1:
		return nil, labelRefusal("labels_not_tags", "tags", "%s is not an asset tag.", notTags[0])
	case len(notTags) > 1:
		return nil, labelRefusal("labels_not_tags", "tags", "%s are not asset tags.", strings.Join(notTags, ", "))
	case len(tags) > MaxLabelsPerJob:
		return nil, labelRefusal("labels_too_many", "tags",
			"That is %d labels; one print job holds at most %d.", len(tags), MaxLabelsPerJob)
	}
	q := db.Preload("Hub").Preload("KitType").Where("asset_tag IN ?", tags)
	if by.Role != RoleAdmin {
		if by.HubID == nil {
			return nil, labelRefusal("labels_other_hub", "tags", "You can print labels only for your own hub's kits.")
		}
		q = q.Where("hub_id = ?", *by.HubID)
	}
	var found []Kit
	if err := q.Find(&found).Error; err != nil {
		return nil, err
	}
	byTag := make(map[string]Kit, len(found))
	for _, k := range found {
		byTag[k.AssetTag] = k
	}
	kits := make([]Kit, 0, len(tags))
	var unknown []string
	for _, tag := range tags {
		if k, ok := byTag[tag]; ok {
			kits = append(kits, k)
		} else {
			unknown = append(unknown, tag)
		}
	}
	switch {
	case len(unknown) == 1:
		return nil, labelRefusal("labels_unknown_tags", "tags", "No kit has the tag %s.", unknown[0])
	case len(unknown) > 1:
		return nil, labelRefusal("labels_unknown_tags", "tags", "No kit has the tags %s.", strings.Join(unknown, ", "))
	}
	return kits, nil
}
