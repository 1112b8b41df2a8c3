package models_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// labelsWorld is the world's hub with five micro:bit sets (one retired, one
// lost, one in repair), two robot kits, and a second hub with its own
// micro:bit sets and staff.
type labelsWorld struct {
	*modeltest.World
	Robot             *models.KitType
	Far               *models.Hub
	FarStaff          *models.User
	FarKits           []*models.Kit
	Retired, Lost     string
	Repair            string
	RobotKits         []string
	MicrobitsInHand   []string // this hub's micro:bit sets still in service or repair, sorted
	AllMicrobitsAtHub []string // including the retired and lost ones
}

func newLabelsWorld(t *testing.T, db *gorm.DB) *labelsWorld {
	t.Helper()
	w := &labelsWorld{World: modeltest.NewWorld(t, db, 5)}
	sys := models.SystemActor("test")
	staff := w.StaffActor()
	w.Retired, w.Lost, w.Repair = w.Kits[1].AssetTag, w.Kits[3].AssetTag, w.Kits[4].AssetTag
	must(models.ChangeKitStatus(db, staff, w.Retired, models.ActionRetire, "cracked case"))(t)
	must(models.ChangeKitStatus(db, staff, w.Lost, models.ActionMarkLost, "not on the shelf"))(t)
	must(models.ChangeKitStatus(db, staff, w.Repair, models.ActionToRepair, "loose wire"))(t)
	for _, k := range w.Kits {
		w.AllMicrobitsAtHub = append(w.AllMicrobitsAtHub, k.AssetTag)
		if k.AssetTag != w.Retired && k.AssetTag != w.Lost {
			w.MicrobitsInHand = append(w.MicrobitsInHand, k.AssetTag)
		}
	}
	w.Robot = must(models.CreateKitType(db, sys, models.KitTypeInput{Name: "Robot buggy", DefaultLoanDays: 14}))(t)
	for _, tag := range []string{"RB-0002", "RB-0001"} {
		k := must(models.AddKit(db, sys, models.AddKitInput{HubID: w.Hub.ID, KitTypeID: w.Robot.ID, Tag: tag}))(t)
		w.RobotKits = append(w.RobotKits, k.AssetTag)
	}
	slices.Sort(w.RobotKits)
	w.Far = must(models.CreateHub(db, sys, models.HubInput{Name: "Far Hub", TagPrefix: "FH"}))(t)
	w.FarStaff = must(models.CreateUser(db, sys, models.UserInput{Email: "far@hub.org", Name: "Far Staff",
		Role: models.RoleStaff, HubID: &w.Far.ID}))(t)
	for range 2 {
		w.FarKits = append(w.FarKits, must(models.AddKit(db, sys, models.AddKitInput{HubID: w.Far.ID, KitTypeID: w.KitType.ID}))(t))
	}
	return w
}

func labelTagsOf(kits []models.Kit) []string {
	out := make([]string, len(kits))
	for i, k := range kits {
		out[i] = k.AssetTag
	}
	return out
}

func TestKitsForLabels(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newLabelsWorld(t, db)
		staff, admin, far := w.StaffActor(), w.As(w.Admin), w.As(w.FarStaff)
		farTags := []string{w.FarKits[0].AssetTag, w.FarKits[1].AssetTag}
		microbit := w.KitType.Slug
		cases := []struct {
			name string
			by   models.Actor
			sel  models.LabelSelection
			want []string
		}{
			{"staff, a type: their hub only, in service and in repair", staff, models.LabelSelection{KitTypeSlug: microbit},
				w.MicrobitsInHand},
			{"staff, a type at their hub by slug", staff, models.LabelSelection{KitTypeSlug: microbit, Hub: w.Hub.Slug},
				w.MicrobitsInHand},
			{"staff, their hub by id: every type", staff, models.LabelSelection{Hub: fmt.Sprint(w.Hub.ID)},
				append(slices.Clone(w.MicrobitsInHand), w.RobotKits...)},
			{"staff, another type", staff, models.LabelSelection{KitTypeSlug: w.Robot.Slug}, w.RobotKits},
			{"admin, a type at every hub", admin, models.LabelSelection{KitTypeSlug: microbit},
				append(slices.Clone(farTags), w.MicrobitsInHand...)},
			{"admin, another hub", admin, models.LabelSelection{Hub: w.Far.Slug}, farTags},
			{"far staff, the type: their own hub's", far, models.LabelSelection{KitTypeSlug: microbit}, farTags},
			{"tags keep their order; retired and lost included; repeats once", staff,
				models.LabelSelection{Tags: []string{w.Lost, "rb-0002", w.Kits[0].AssetTag, "https://kits.example/k/" + w.Retired, w.Lost}},
				[]string{w.Lost, "RB-0002", w.Kits[0].AssetTag, w.Retired}},
			{"admin lists tags of two hubs", admin, models.LabelSelection{Tags: []string{farTags[1], w.Kits[2].AssetTag}},
				[]string{farTags[1], w.Kits[2].AssetTag}},
		}
		for _, c := range cases {
			kits, err := models.KitsForLabels(db, c.by, c.sel)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if got := labelTagsOf(kits); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
			for _, k := range kits {
				if k.Hub == nil || k.KitType == nil || k.Hub.ID != k.HubID || k.KitType.ID != k.KitTypeID {
					t.Errorf("%s: %s lacks its hub or kit type", c.name, k.AssetTag)
				}
			}
		}
	})
}

func TestKitsForLabelsRefusals(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newLabelsWorld(t, db)
		staff, admin, far := w.StaffActor(), w.As(w.Admin), w.As(w.FarStaff)
		empty := must(models.CreateKitType(db, models.SystemActor("t"), models.KitTypeInput{Name: "Solar car", DefaultLoanDays: 7}))(t)
		cases := []struct {
			name  string
			by    models.Actor
			sel   models.LabelSelection
			code  string
			field string
			says  string
		}{
			{"nothing chosen", staff, models.LabelSelection{}, "labels_nothing_chosen", "type", "Choose a kit type"},
			{"tags and a type", staff, models.LabelSelection{KitTypeSlug: w.KitType.Slug, Tags: []string{"KS-0001"}},
				"labels_ambiguous", "tags", "not both"},
			{"tags and a hub", staff, models.LabelSelection{Hub: w.Hub.Slug, Tags: []string{"KS-0001"}}, "labels_ambiguous", "tags", "not both"},
			{"unknown tags are named", staff, models.LabelSelection{Tags: []string{"KS-9999", w.Kits[0].AssetTag, "ks-9998"}},
				"labels_unknown_tags", "tags", "No kit has the tags KS-9999, KS-9998."},
			{"one unknown tag", staff, models.LabelSelection{Tags: []string{"KS-9999"}}, "labels_unknown_tags", "tags", "No kit has the tag KS-9999."},
			{"another hub's tag is unknown to staff", staff, models.LabelSelection{Tags: []string{w.FarKits[0].AssetTag}},
				"labels_unknown_tags", "tags", "No kit has the tag " + w.FarKits[0].AssetTag + "."},
			{"and the other way round", far, models.LabelSelection{Tags: []string{w.Kits[0].AssetTag}},
				"labels_unknown_tags", "tags", w.Kits[0].AssetTag},
			{"not a tag", staff, models.LabelSelection{Tags: []string{"KS-0001", "hello!"}}, "labels_not_tags", "tags", `"hello!" is not an asset tag.`},
			{"another hub", staff, models.LabelSelection{Hub: w.Far.Slug}, "labels_other_hub", "hub", "your own hub"},
			{"a type at another hub", far, models.LabelSelection{KitTypeSlug: w.KitType.Slug, Hub: w.Hub.Slug}, "labels_other_hub", "hub", "your own hub"},
			{"unknown type", staff, models.LabelSelection{KitTypeSlug: "no-such-type"}, "kit_type_not_found", "type", `"no-such-type"`},
			{"unknown hub", admin, models.LabelSelection{Hub: "atlantis"}, "hub_not_found", "hub", `"atlantis"`},
			{"no kits of the type", admin, models.LabelSelection{KitTypeSlug: empty.Slug}, "labels_no_kits", "type", "no Solar car kits at any hub"},
			{"no school contacts", w.As(w.SchoolContact), models.LabelSelection{KitTypeSlug: w.KitType.Slug}, "labels_forbidden", "", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				kits, err := models.KitsForLabels(db, c.by, c.sel)
				if err == nil {
					t.Fatalf("got %v, want refusal %s", labelTagsOf(kits), c.code)
				}
				r := wantRefusal(t, err, c.code)
				if c.field == "" {
					return
				}
				if r.Kind != models.Invalid || !strings.Contains(r.Fields[c.field], c.says) || !strings.Contains(r.Message, c.says) {
					t.Errorf("refusal %+v: want Invalid, field %q saying %q", r, c.field, c.says)
				}
			})
		}
	})
}

// One print job is at most MaxLabelsPerJob labels, by type and by tag.
func TestKitsForLabelsCap(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		kits := make([]models.Kit, models.MaxLabelsPerJob+1)
		tags := make([]string, len(kits))
		for i := range kits {
			tags[i] = fmt.Sprintf("BULK-%05d", i)
			kits[i] = models.Kit{AssetTag: tags[i], HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Status: models.KitAvailable}
		}
		check(t, db.CreateInBatches(kits, 500).Error)
		_, err := models.KitsForLabels(db, w.StaffActor(), models.LabelSelection{KitTypeSlug: w.KitType.Slug})
		r := wantRefusal(t, err, "labels_too_many")
		if !strings.Contains(r.Message, "2001 labels") || r.Fields["type"] == "" {
			t.Errorf("by type: %+v", r)
		}
		_, err = models.KitsForLabels(db, w.StaffActor(), models.LabelSelection{Tags: tags})
		wantRefusal(t, err, "labels_too_many")
		got := must(models.KitsForLabels(db, w.StaffActor(), models.LabelSelection{Tags: tags[1:]}))(t)
		if len(got) != models.MaxLabelsPerJob || got[0].AssetTag != tags[1] {
			t.Errorf("%d tags: got %d kits starting %s", len(tags)-1, len(got), got[0].AssetTag)
		}
	})
}

func TestSplitTags(t *testing.T) {
	got := models.SplitTags(" KS-0001,KS-0002\nks-0003 ;\r\n\tKS-0004,, ")
	if want := []string{"KS-0001", "KS-0002", "ks-0003", "KS-0004"}; !slices.Equal(got, want) {
		t.Errorf("SplitTags = %q, want %q", got, want)
	}
	if got := models.SplitTags(" \n "); len(got) != 0 {
		t.Errorf("blank: %q", got)
	}
}
