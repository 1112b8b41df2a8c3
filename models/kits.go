package models

import (
	"net/url"
	"regexp"
	"strings"

	"gorm.io/gorm"
)

var tagPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,23}$`)

// NormaliseTag turns what a person typed or a scanner sent into an asset tag:
// a bare tag ("ks-0042 ") or a whole kit URL (".../k/KS-0042"). It returns
// "" when the input cannot be a tag.
func NormaliseTag(input string) string {
	s := strings.TrimSpace(input)
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		s = u.Path
	}
	if i := strings.LastIndex(s, "/k/"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.ToUpper(strings.Trim(s, "/ "))
	if !tagPattern.MatchString(s) {
		return ""
	}
	return s
}

func kitNotFound(input string) *Refusal {
	if tag := NormaliseTag(input); tag != "" {
		return refuse(NotFound, "kit_not_found", "No kit has the tag %s. Check the label, or add the kit first.", tag)
	}
	return refuse(NotFound, "kit_not_found", "%q is not an asset tag or a kit link.", strings.TrimSpace(input))
}

// KitByTag finds a kit by its asset tag or kit URL, with its hub and kit type.
func KitByTag(db *gorm.DB, input string) (*Kit, error) {
	tag := NormaliseTag(input)
	if tag == "" {
		return nil, kitNotFound(input)
	}
	var k Kit
	err := db.Preload("Hub").Preload("KitType.Contents", orderContents).Where("asset_tag = ?", tag).Take(&k).Error
	if err != nil {
		return nil, notFound(err, kitNotFound(input))
	}
	return &k, nil
}

func orderContents(db *gorm.DB) *gorm.DB { return db.Order("position, id") }

// lockKit finds a kit and takes, in order, its capacity lock and its row lock,
// then reads it afresh: whatever a rule decides about the kit afterwards
// cannot be invalidated by a concurrent rule.
func lockKit(tx *gorm.DB, input string) (*Kit, error) {
	k, err := KitByTag(tx, input)
	if err != nil {
		return nil, err
	}
	if err := lockCapacity(tx, k.HubID, k.KitTypeID); err != nil {
		return nil, err
	}
	if err := forUpdate(tx).Select("id").Take(&Kit{}, k.ID).Error; err != nil {
		return nil, err
	}
	return KitByTag(tx, k.AssetTag)
}

// OpenLoan returns the kit's current loan with its borrower, or nil.
func OpenLoan(db *gorm.DB, kitID uint) (*Loan, error) {
	var l Loan
	err := withBorrower(db, "Borrower").Where("kit_id = ? AND returned_at IS NULL", kitID).Take(&l).Error
	if err == gorm.ErrRecordNotFound {
		return nil, nil
	}
	return &l, err
}

// withBorrower preloads a borrower association and its organisation or user.
func withBorrower(db *gorm.DB, path string) *gorm.DB {
	return db.Preload(path + ".Organisation").Preload(path + ".User")
}

// OpenShortfalls lists what a kit still lacks from earlier returns.
func OpenShortfalls(db *gorm.DB, kitID uint) ([]Shortfall, error) {
	var out []Shortfall
	err := db.Where("kit_id = ? AND resolved_at IS NULL", kitID).Order("id").Find(&out).Error
	return out, err
}

// ShortfallSummary writes shortfalls as "2 × micro:bit missing, 1 × battery pack damaged".
func ShortfallSummary(s []Shortfall) string {
	var parts []string
	for _, f := range s {
		if f.Missing > 0 {
			parts = append(parts, itoa(f.Missing)+" × "+f.Item+" missing")
		}
		if f.Damaged > 0 {
			parts = append(parts, itoa(f.Damaged)+" × "+f.Item+" damaged")
		}
	}
	return strings.Join(parts, ", ")
}

// CountKitsInService counts kits that can be lent or soon will be.
func CountKitsInService(db *gorm.DB) (int64, error) {
	var n int64
	err := db.Model(&Kit{}).Where("status IN ?", InServiceStatuses).Count(&n).Error
	return n, err
}
