package models

import (
	"slices"

	"gorm.io/gorm"
)

// StockFilter narrows the kits a staff member sees.
type StockFilter struct {
	HubID   *uint     // admins: one hub, or nil for every hub; staff always see their own
	KitType string    // a kit type's slug; "" for every type
	Status  KitStatus // "" for every status
}

// StockLine is one kit type with how many copies are in each status.
type StockLine struct {
	KitType KitType
	Counts  map[KitStatus]int
	Total   int
}

// Count is how many copies are in the status (for templates).
func (l StockLine) Count(s KitStatus) int { return l.Counts[s] }

// Stock is a hub's kits (every hub's, for an admin who asks): every kit type
// in the catalogue with its counts, and the kits the filter picks.
type Stock struct {
	Filter StockFilter // as applied: unknown values dropped, staff held to their hub
	Lines  []StockLine
	Kits   []Kit // with KitType and Hub
	More   bool  // more kits match than Kits lists
}

// maxStockKits caps the kits one page lists.
const maxStockKits = 500

// StockFor gathers the stock the actor may see.
func StockFor(db *gorm.DB, by Actor, f StockFilter) (*Stock, error) {
	switch by.Role {
	case RoleAdmin:
	case RoleStaff:
		if by.HubID == nil {
			return nil, refuse(Forbidden, "no_hub", "Your account is not attached to a hub yet; ask an administrator.")
		}
		f.HubID = by.HubID
	default:
		return nil, refuse(Forbidden, "not_staff", "Only hub staff can see the stock.")
	}
	if !slices.Contains(KitStatuses, f.Status) {
		f.Status = ""
	}
	st := &Stock{Filter: f}
	types, err := KitTypes(db)
	if err != nil {
		return nil, err
	}
	atHub := func(q *gorm.DB) *gorm.DB {
		if f.HubID != nil {
			return q.Where("kits.hub_id = ?", *f.HubID)
		}
		return q
	}
	var counts []struct {
		KitTypeID uint
		Status    KitStatus
		N         int
	}
	if err := atHub(db.Model(&Kit{})).Select("kit_type_id, status, COUNT(*) AS n").Group("kit_type_id, status").
		Scan(&counts).Error; err != nil {
		return nil, err
	}
	byType := map[uint]*StockLine{}
	var typeID uint
	for _, kt := range types {
		st.Lines = append(st.Lines, StockLine{KitType: kt, Counts: map[KitStatus]int{}})
		if kt.Slug == f.KitType {
			typeID = kt.ID
		}
	}
	for i := range st.Lines {
		byType[st.Lines[i].KitType.ID] = &st.Lines[i]
	}
	for _, c := range counts {
		if l := byType[c.KitTypeID]; l != nil {
			l.Counts[c.Status] += c.N
			l.Total += c.N
		}
	}
	if typeID == 0 {
		st.Filter.KitType = ""
	}
	q := atHub(db.Preload("KitType").Preload("Hub"))
	if typeID != 0 {
		q = q.Where("kit_type_id = ?", typeID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if err := q.Order("LENGTH(asset_tag), asset_tag").Limit(maxStockKits + 1).Find(&st.Kits).Error; err != nil {
		return nil, err
	}
	if len(st.Kits) > maxStockKits {
		st.Kits, st.More = st.Kits[:maxStockKits], true
	}
	return st, nil
}
