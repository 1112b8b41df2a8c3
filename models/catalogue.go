package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// KitTypeInput describes a catalogue entry and its contents list.
type KitTypeInput struct {
	Name            string
	Slug            string // empty: made from the name (on creation; an update keeps the slug)
	Description     string
	Topics          []string
	AgeLevels       []string
	DefaultLoanDays int
	TurnaroundDays  int
	Contents        []ContentInput
	// Version, when updating, is the kit type's Version as the form showed
	// it; if the kit type has changed since, the update is refused rather
	// than overwriting someone else's changes. Empty skips the check.
	Version string
}

// ContentInput is one line of a contents list, as a form sends it. A
// refusal names a line's fields by its index in Contents: contents-3-name,
// contents-3-quantity.
type ContentInput struct {
	ID         uint // an existing line, when updating; 0 for a new one
	Name       string
	Quantity   int
	Consumable bool
	Remove     bool // take this existing line off the list
}

// skipped reports whether the line adds nothing: a new line with neither a
// name nor a quantity (the form's spare rows), or a new line removed again.
func (c ContentInput) skipped() bool {
	return c.ID == 0 && (c.Remove || (strings.TrimSpace(c.Name) == "" && c.Quantity == 0))
}

// Limits on a kit type's text, so pages and label sheets stay readable.
const (
	maxDescription = 2000
	maxTopics      = 12
	maxTopic       = 40
	maxLines       = 200
	maxLineName    = 200
)

func (in *KitTypeInput) validate() error {
	f := fieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 120 {
		f.add("name", "Give the kit type a name of up to 120 characters.")
	}
	if in.Slug == "" {
		in.Slug = Slugify(in.Name)
		if in.Slug == "" && in.Name != "" {
			f.add("name", "Give the kit type a name with some letters or digits in it.")
		}
	} else if !slugPattern.MatchString(in.Slug) {
		f.add("slug", "Use lower-case letters, digits and dashes.")
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		f.add("description", "Keep the description to %d characters.", maxDescription)
	}
	topics := cleanList(in.Topics)
	if len(topics) > maxTopics {
		f.add("topics", "Give at most %d topics.", maxTopics)
	}
	for _, t := range topics {
		if utf8.RuneCountInString(t) > maxTopic {
			f.add("topics", "Keep each topic to %d characters; separate topics with commas.", maxTopic)
		}
	}
	if in.DefaultLoanDays < 1 || in.DefaultLoanDays > 365 {
		f.add("default_loan_days", "A loan period is between 1 and 365 days.")
	}
	if in.TurnaroundDays < 0 || in.TurnaroundDays > 60 {
		f.add("turnaround_days", "Turnaround is between 0 and 60 days.")
	}
	for _, l := range in.AgeLevels {
		if AgeLevelLabel(l) == l {
			f.add("age_levels", "%q is not a CfE level or Key Stage.", l)
		}
	}
	if len(in.Contents) > maxLines {
		f.add("contents", "A contents list has at most %d lines.", maxLines)
	}
	for i, c := range in.Contents {
		if c.Remove || c.skipped() {
			continue
		}
		if name := strings.TrimSpace(c.Name); name == "" || utf8.RuneCountInString(name) > maxLineName {
			f.add(fmt.Sprintf("contents-%d-name", i), "Line %d needs what the item is, in up to %d characters.", i+1, maxLineName)
		}
		if c.Quantity < 1 || c.Quantity > 10000 {
			f.add(fmt.Sprintf("contents-%d-quantity", i), "Line %d needs a quantity between 1 and 10,000.", i+1)
		}
	}
	return f.err()
}

// contentItems turns a new kit type's lines into rows, numbered in order.
func contentItems(in []ContentInput) []ContentItem {
	out := []ContentItem{}
	for _, c := range in {
		if c.skipped() || c.Remove {
			continue
		}
		out = append(out, ContentItem{Position: len(out) + 1, Name: strings.TrimSpace(c.Name), Quantity: c.Quantity, Consumable: c.Consumable})
	}
	return out
}

func cleanList(in []string) StringList {
	out := StringList{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mayEditCatalogue reports whether the actor may change kit types, which
// every hub shares: staff and admins.
func mayEditCatalogue(by Actor) error {
	if !by.Role.IsStaff() {
		return refuse(Forbidden, "not_staff", "Only hub staff can change the catalogue.")
	}
	return nil
}

// CreateKitType adds a catalogue entry with its contents list.
func CreateKitType(db *gorm.DB, by Actor, in KitTypeInput) (*KitType, error) {
	if err := mayEditCatalogue(by); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	kt := KitType{Name: in.Name, Slug: in.Slug, Description: strings.TrimSpace(in.Description),
		Topics: cleanList(in.Topics), AgeLevels: cleanList(in.AgeLevels), DefaultLoanDays: in.DefaultLoanDays,
		TurnaroundDays: in.TurnaroundDays, Contents: contentItems(in.Contents)}
	err := transact(db, by, func(tx *gorm.DB) error {
		if err := tx.Create(&kt).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &Refusal{Kind: Conflict, Code: "kit_type_exists", Message: "A kit type with that name already exists.",
					Fields: map[string]string{"name": "Choose a different name."}}
			}
			return err
		}
		return record(tx, by, change{action: "kit_type.create", subjectType: "kit_type", subjectID: kt.ID,
			summary: "kit type " + kt.Name + " created", after: kt})
	})
	if err != nil {
		return nil, err
	}
	return &kt, nil
}

// UpdateKitType changes a catalogue entry and its contents list, in one
// transaction with its audit entry. The slug stays as it is when the name
// changes: printed label sheets, bookmarks and links in mail point at it.
//
// Contents lines keep their ids: a line with an ID is updated in place (a
// shortfall recorded against it still points at it), one without is added,
// and one marked Remove is deleted after the shortfalls that name it are
// unlinked (each keeps its own copy of the item's name). Every existing
// line must be listed, kept or removed; if it is not, someone changed the
// list meanwhile and the update is refused rather than guessing; so is an
// update whose Version is no longer the kit type's.
func UpdateKitType(db *gorm.DB, by Actor, slug string, in KitTypeInput) (*KitType, error) {
	if err := mayEditCatalogue(by); err != nil {
		return nil, err
	}
	in.Slug = slug
	if err := in.validate(); err != nil {
		return nil, err
	}
	var after *KitType
	err := transact(db, by, func(tx *gorm.DB) error {
		before, err := lockKitTypeEverywhere(tx, slug)
		if err != nil {
			return err
		}
		if in.Version != "" && in.Version != before.Version() {
			return refuse(Conflict, "kit_type_changed", "Someone changed %s while you were editing it. "+
				"Open it again to see their changes, then make yours.", before.Name)
		}
		var same int64
		if err := tx.Model(&KitType{}).Where("LOWER(name) = LOWER(?) AND id <> ?", in.Name, before.ID).Count(&same).Error; err != nil {
			return err
		}
		if same > 0 {
			return &Refusal{Kind: Conflict, Code: "kit_type_exists", Message: "Another kit type already has that name.",
				Fields: map[string]string{"name": "Choose a different name."}}
		}
		if in.TurnaroundDays > before.TurnaroundDays {
			if err := ensureTurnaroundFits(tx, before, in.TurnaroundDays, by.now()); err != nil {
				return err
			}
		}
		if err := updateContents(tx, before, in.Contents); err != nil {
			return err
		}
		if err := tx.Model(&KitType{}).Where("id = ?", before.ID).Updates(map[string]any{
			"name": in.Name, "description": strings.TrimSpace(in.Description), "topics": cleanList(in.Topics),
			"age_levels": cleanList(in.AgeLevels), "default_loan_days": in.DefaultLoanDays, "turnaround_days": in.TurnaroundDays,
		}).Error; err != nil {
			return err
		}
		if after, err = KitTypeBySlug(tx, slug); err != nil {
			return err
		}
		return record(tx, by, change{action: "kit_type.update", subjectType: "kit_type", subjectID: before.ID,
			summary: "kit type " + after.Name + " changed", before: before, after: after})
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// Version identifies what a kit type says and lists, so that a form can
// tell whether it is still editing what it showed. (Line ids alone cannot:
// SQLite may give a new line the id of one deleted before.)
func (kt *KitType) Version() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q %q %d %d\n", kt.Name, kt.Description, []string(kt.Topics), []string(kt.AgeLevels), kt.DefaultLoanDays, kt.TurnaroundDays)
	for _, c := range kt.Contents {
		fmt.Fprintf(h, "%d %d %q %d %t\n", c.ID, c.Position, c.Name, c.Quantity, c.Consumable)
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

func contentsChanged() *Refusal {
	return refuse(Conflict, "contents_changed",
		"Someone changed this contents list while you were editing it. Reload the page and make your changes again.")
}

// updateContents applies the lines of an update to the kit type's list.
func updateContents(tx *gorm.DB, kt *KitType, lines []ContentInput) error {
	existing := map[uint]bool{}
	for _, c := range kt.Contents {
		existing[c.ID] = true
	}
	listed := map[uint]bool{}
	for _, c := range lines {
		if c.ID == 0 {
			continue
		}
		if !existing[c.ID] || listed[c.ID] {
			return contentsChanged()
		}
		listed[c.ID] = true
	}
	if len(listed) != len(existing) {
		return contentsChanged()
	}
	// New lines go in before removed ones are deleted, so that no new line
	// can take the id of one removed in the same change.
	position := 0
	for _, c := range lines {
		switch {
		case c.skipped() || c.Remove:
		case c.ID != 0:
			position++
			if err := tx.Model(&ContentItem{}).Where("id = ?", c.ID).Updates(map[string]any{"position": position,
				"name": strings.TrimSpace(c.Name), "quantity": c.Quantity, "consumable": c.Consumable}).Error; err != nil {
				return err
			}
		default:
			position++
			item := ContentItem{KitTypeID: kt.ID, Position: position, Name: strings.TrimSpace(c.Name), Quantity: c.Quantity,
				Consumable: c.Consumable}
			if err := tx.Create(&item).Error; err != nil {
				return err
			}
		}
	}
	for _, c := range lines {
		if c.ID == 0 || !c.Remove {
			continue
		}
		// The shortfall keeps its own copy of the item's name.
		if err := tx.Model(&Shortfall{}).Where("content_id = ?", c.ID).Update("content_id", nil).Error; err != nil {
			return err
		}
		if err := tx.Delete(&ContentItem{}, c.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// KitTypeBySlug finds a catalogue entry with its contents.
func KitTypeBySlug(db *gorm.DB, slug string) (*KitType, error) {
	var kt KitType
	if err := db.Preload("Contents", orderContents).Where("slug = ?", slug).Take(&kt).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "kit_type_not_found", "There is no kit type %q.", slug))
	}
	return &kt, nil
}

// KitTypes lists the catalogue by name.
func KitTypes(db *gorm.DB) ([]KitType, error) {
	var out []KitType
	return out, db.Order("name").Find(&out).Error
}

// AddKitInput adds one kit to a hub.
type AddKitInput struct {
	HubID     uint
	KitTypeID uint
	Tag       string // empty: the hub's next tag in sequence
	Notes     string
}

// AddKit adds one physical kit. Without a tag it takes the hub's next one in
// sequence (KS-0001, KS-0002, …).
func AddKit(db *gorm.DB, by Actor, in AddKitInput) (*Kit, error) {
	kits, err := AddKits(db, by, AddKitsInput{HubID: in.HubID, KitTypeID: in.KitTypeID, Count: 1, Tag: in.Tag, Notes: in.Notes})
	if err != nil {
		return nil, err
	}
	return kits[0], nil
}

// AddKitsInput adds copies of a kit type to a hub: Count of them, tagged in
// sequence from the hub's prefix, or one with the Tag typed.
type AddKitsInput struct {
	HubID     uint
	KitTypeID uint
	Count     int    // 1 to MaxKitsAtOnce
	Tag       string // empty: the hub's next tags in sequence; set: Count must be 1
	Notes     string // condition notes, the same for each copy
}

// MaxKitsAtOnce is the most copies one AddKits call adds.
const MaxKitsAtOnce = 50

func (in *AddKitsInput) validate() error {
	f := fieldErrors{}
	in.Notes = strings.TrimSpace(in.Notes)
	if in.KitTypeID == 0 {
		f.add("kit_type", "Choose the kit type to add copies of.")
	}
	if in.Count < 1 || in.Count > MaxKitsAtOnce {
		f.add("count", "Add between 1 and %d copies at a time.", MaxKitsAtOnce)
	}
	if strings.TrimSpace(in.Tag) != "" {
		if NormaliseTag(in.Tag) == "" {
			f.add("tag", "Use 2–24 letters, digits and dashes, e.g. KS-0042.")
		} else if in.Count > 1 {
			f.add("count", "A typed tag is for one kit: add 1 copy, or leave the tag blank to number them in sequence.")
		}
	}
	if utf8.RuneCountInString(in.Notes) > 500 {
		f.add("notes", "Keep the notes to 500 characters.")
	}
	return f.err()
}

// AddKits adds copies of a kit type to a hub in one transaction: all of
// them, each with its audit entry, or none. Staff add to their own hub;
// admins to any.
func AddKits(db *gorm.DB, by Actor, in AddKitsInput) ([]*Kit, error) {
	if in.HubID == 0 {
		return nil, &Refusal{Kind: Invalid, Code: "invalid_input", Message: "Please correct the highlighted field.",
			Fields: map[string]string{"hub": "Choose the hub the kits belong to."}}
	}
	if !mayManageHub(by, in.HubID) {
		return nil, refuse(Forbidden, "not_your_hub", "You can add kits only to the hub you work at.")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var kits []*Kit
	err := transact(db, by, func(tx *gorm.DB) error {
		var hub Hub
		if err := tx.Take(&hub, in.HubID).Error; err != nil {
			return notFound(err, refuse(NotFound, "hub_not_found", "There is no such hub."))
		}
		var kt KitType
		if err := tx.Take(&kt, in.KitTypeID).Error; err != nil {
			return notFound(err, &Refusal{Kind: Invalid, Code: "kit_type_not_found", Message: "There is no such kit type.",
				Fields: map[string]string{"kit_type": "Choose one of the kit types listed."}})
		}
		if err := lockCapacity(tx, hub.ID, kt.ID); err != nil {
			return err
		}
		tags, err := newTags(tx, hub.TagPrefix, in)
		if err != nil {
			return err
		}
		for _, tag := range tags {
			kit := &Kit{AssetTag: tag, HubID: hub.ID, KitTypeID: kt.ID, Status: KitAvailable, ConditionNotes: in.Notes}
			if err := tx.Create(kit).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return &Refusal{Kind: Conflict, Code: "tag_taken", Message: fmt.Sprintf("%s is already the tag of another kit.", tag),
						Fields: map[string]string{"tag": "Choose a tag no other kit has."}}
				}
				return err
			}
			kit.Hub, kit.KitType = &hub, &kt
			kits = append(kits, kit)
			if err := record(tx, by, change{action: "kit.create", subjectType: "kit", subjectID: kit.ID, hubID: &hub.ID,
				summary: fmt.Sprintf("%s added: a copy of %s", tag, kt.Name),
				after:   map[string]any{"asset_tag": tag, "kit_type_id": kt.ID, "status": KitAvailable, "condition_notes": in.Notes}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return kits, nil
}

// newTags returns the typed tag, or the next Count tags of the prefix.
func newTags(tx *gorm.DB, prefix string, in AddKitsInput) ([]string, error) {
	if strings.TrimSpace(in.Tag) != "" {
		return []string{NormaliseTag(in.Tag)}, nil
	}
	if err := lockTagSequence(tx, prefix); err != nil {
		return nil, err
	}
	highest, err := highestTagNumber(tx, prefix)
	if err != nil {
		return nil, err
	}
	if highest+in.Count > maxTagNumber {
		return nil, refuse(Conflict, "tag_sequence_full", "The numbers for %s- tags have run out (%s-%d is in use). "+
			"Type the new kits' tags instead.", prefix, prefix, highest)
	}
	tags := make([]string, in.Count)
	for i := range tags {
		tags[i] = fmt.Sprintf("%s-%04d", prefix, highest+1+i)
	}
	return tags, nil
}

// NextTag is the tag the hub's next kit would get, for forms to show.
func NextTag(db *gorm.DB, hubID uint) (string, error) {
	var hub Hub
	if err := db.Take(&hub, hubID).Error; err != nil {
		return "", notFound(err, refuse(NotFound, "hub_not_found", "There is no such hub."))
	}
	highest, err := highestTagNumber(db, hub.TagPrefix)
	return fmt.Sprintf("%s-%04d", hub.TagPrefix, highest+1), err
}

// maxTagNumber is the highest number a sequence gives. A typed tag with a
// longer number (KS-9223372036854775807) does not count towards the
// sequence, so it cannot overflow it for every hub sharing the prefix.
const maxTagNumber = 9_999_999

// highestTagNumber is the highest N of the tags PREFIX-N in use, at any hub
// (hubs may share a prefix, and tags are unique everywhere). Typed tags that
// are not a number after the prefix (KS-SPARE) do not count.
func highestTagNumber(tx *gorm.DB, prefix string) (int, error) {
	var tags []string
	if err := tx.Model(&Kit{}).Where("asset_tag LIKE ? ESCAPE '\\'", escapeLike(prefix)+"-%").
		Pluck("asset_tag", &tags).Error; err != nil {
		return 0, err
	}
	highest := 0
	for _, t := range tags {
		digits := strings.TrimPrefix(t, prefix+"-")
		if n, err := strconv.Atoi(digits); err == nil && n > highest && n <= maxTagNumber && strings.Trim(digits, "0123456789") == "" {
			highest = n
		}
	}
	return highest, nil
}
