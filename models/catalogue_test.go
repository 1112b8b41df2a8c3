package models_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

func tagsOf(kits []*models.Kit) []string {
	out := make([]string, len(kits))
	for i, k := range kits {
		out[i] = k.AssetTag
	}
	return out
}

// catalogueSnapshot is every row the catalogue rules write, so a test can
// show a refused rule changed nothing.
func catalogueSnapshot(t *testing.T, w *modeltest.World) string {
	t.Helper()
	s := w.Snapshot()
	for _, table := range []string{"kit_types", "kit_type_contents", "photos"} {
		s += fmt.Sprintf(" %s=%d", table, w.Count(table))
	}
	var types []models.KitType
	if err := w.DB.Preload("Contents").Order("id").Find(&types).Error; err != nil {
		t.Fatal(err)
	}
	for _, kt := range types {
		photo := uint(0)
		if kt.PhotoID != nil {
			photo = *kt.PhotoID
		}
		s += fmt.Sprintf(" [%s %s %v %v %d %d photo=%d:", kt.Slug, kt.Name, kt.Topics, kt.AgeLevels, kt.DefaultLoanDays, kt.TurnaroundDays, photo)
		for _, c := range kt.Contents {
			s += fmt.Sprintf(" %d/%d/%s/%d/%v", c.ID, c.Position, c.Name, c.Quantity, c.Consumable)
		}
		s += "]"
	}
	var tags []string
	w.DB.Model(&models.Kit{}).Order("id").Pluck("asset_tag", &tags)
	var links []string
	w.DB.Model(&models.Shortfall{}).Order("id").Select("COALESCE(CAST(content_id AS TEXT), 'none') || ':' || item").Scan(&links)
	return s + fmt.Sprintf(" tags%v shortfalls%v", tags, links)
}

func TestAddKitsNumbersInSequence(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3) // KS-0001 to KS-0003
		audits := w.Count("audit_entries")
		kits := must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 3,
			Notes: "  donated by Ferranti  "}))(t)
		if got := tagsOf(kits); !slices.Equal(got, []string{"KS-0004", "KS-0005", "KS-0006"}) {
			t.Fatalf("tags %v", got)
		}
		for _, k := range kits {
			if k.Status != models.KitAvailable || k.HubID != w.Hub.ID || k.ConditionNotes != "donated by Ferranti" {
				t.Errorf("kit %+v", k)
			}
		}
		if n := w.Count("audit_entries") - audits; n != 3 {
			t.Errorf("%d audit entries for 3 kits", n)
		}
		trail := must(models.AuditTrail(db, models.AuditFilter{Action: "kit.create", Limit: 3}))(t)
		if len(trail) != 3 || trail[0].Summary != "KS-0006 added: a copy of micro:bit class set (30)" || *trail[0].ActorID != w.Staff.ID {
			t.Errorf("audit trail %+v", trail)
		}

		// A typed tag is normalised; one that is not a number after the
		// prefix does not disturb the sequence, and a numbered one moves it on.
		must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1, Tag: "ks-spare-2"}))(t)
		next := must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1}))(t)
		if next[0].AssetTag != "KS-0007" {
			t.Errorf("after KS-SPARE-2 the next tag is %s, want KS-0007", next[0].AssetTag)
		}
		typed := must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1, Tag: " ks-0100 "}))(t)
		if typed[0].AssetTag != "KS-0100" {
			t.Errorf("typed tag stored as %s", typed[0].AssetTag)
		}
		if tag := must(models.NextTag(db, w.Hub.ID))(t); tag != "KS-0101" {
			t.Errorf("NextTag = %s, want KS-0101", tag)
		}

		// A typed tag with a huge number is kept but does not count: it
		// would overflow the sequence for every hub using the prefix.
		must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1,
			Tag: "KS-9223372036854775807"}))(t)
		if next := must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1}))(t); next[0].AssetTag != "KS-0101" {
			t.Errorf("after a huge typed tag the next tag is %s, want KS-0101", next[0].AssetTag)
		}
		// The last number a sequence gives is 9999999; after it, staff type tags.
		must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1, Tag: "KS-9999998"}))(t)
		_, err := models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 2})
		wantRefusal(t, err, "tag_sequence_full")
		if last := must(models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 1}))(t); last[0].AssetTag != "KS-9999999" {
			t.Errorf("the last tag of the sequence is %s", last[0].AssetTag)
		}
	})
}

func TestAddKitsRefusesAndChangesNothing(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		other := must(models.CreateHub(db, models.SystemActor("t"), models.HubInput{Name: "Far Hub", TagPrefix: "FH"}))(t)
		farStaff := must(models.CreateUser(db, models.SystemActor("t"), models.UserInput{Email: "far@hub.org", Name: "Far Staff",
			Role: models.RoleStaff, HubID: &other.ID}))(t)
		in := func(mod func(*models.AddKitsInput)) models.AddKitsInput {
			i := models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 2}
			mod(&i)
			return i
		}
		cases := []struct {
			name  string
			by    models.Actor
			in    models.AddKitsInput
			code  string
			field string
		}{
			{"a typed tag that is taken", w.StaffActor(), in(func(i *models.AddKitsInput) { i.Count, i.Tag = 1, "ks-0002" }), "tag_taken", "tag"},
			{"a typed tag for several copies", w.StaffActor(), in(func(i *models.AddKitsInput) { i.Tag = "KS-0900" }), "invalid_input", "count"},
			{"a tag that cannot be one", w.StaffActor(), in(func(i *models.AddKitsInput) { i.Count, i.Tag = 1, "K" }), "invalid_input", "tag"},
			{"no copies", w.StaffActor(), in(func(i *models.AddKitsInput) { i.Count = 0 }), "invalid_input", "count"},
			{"too many copies", w.StaffActor(), in(func(i *models.AddKitsInput) { i.Count = models.MaxKitsAtOnce + 1 }), "invalid_input", "count"},
			{"no kit type", w.StaffActor(), in(func(i *models.AddKitsInput) { i.KitTypeID = 0 }), "invalid_input", "kit_type"},
			{"an unknown kit type", w.StaffActor(), in(func(i *models.AddKitsInput) { i.KitTypeID = 9999 }), "kit_type_not_found", "kit_type"},
			{"no hub", w.As(w.Admin), in(func(i *models.AddKitsInput) { i.HubID = 0 }), "invalid_input", "hub"},
			{"another hub's staff", w.As(farStaff), in(func(*models.AddKitsInput) {}), "not_your_hub", ""},
			{"a school contact", w.As(w.SchoolContact), in(func(*models.AddKitsInput) {}), "not_your_hub", ""},
		}
		before := catalogueSnapshot(t, w)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := models.AddKits(db, c.by, c.in)
				r := wantRefusal(t, err, c.code)
				if _, ok := r.Fields[c.field]; c.field != "" && !ok {
					t.Errorf("refusal names fields %v, want %s", r.Fields, c.field)
				}
				if after := catalogueSnapshot(t, w); after != before {
					t.Errorf("a refused AddKits changed things:\n%s\n%s", before, after)
				}
			})
		}
		// An admin may add to any hub; that hub's prefix numbers them.
		kits := must(models.AddKits(db, w.As(w.Admin), models.AddKitsInput{HubID: other.ID, KitTypeID: w.KitType.ID, Count: 2}))(t)
		if got := tagsOf(kits); !slices.Equal(got, []string{"FH-0001", "FH-0002"}) {
			t.Errorf("admin adding at Far Hub got %v", got)
		}
	})
}

// A failure part-way through adds none of the copies: here the database
// itself refuses the second of three, through a trigger.
func TestAddKitsIsAllOrNothing(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		var ddl []string
		if models.DialectOf(db) == models.Postgres {
			ddl = []string{`CREATE FUNCTION refuse_ks_0005() RETURNS trigger AS $$
				BEGIN IF NEW.asset_tag = 'KS-0005' THEN RAISE EXCEPTION 'KS-0005 refused by the test'; END IF; RETURN NEW; END;
				$$ LANGUAGE plpgsql`,
				`CREATE TRIGGER refuse_ks_0005 BEFORE INSERT ON kits FOR EACH ROW EXECUTE FUNCTION refuse_ks_0005()`}
		} else {
			ddl = []string{`CREATE TRIGGER refuse_ks_0005 BEFORE INSERT ON kits WHEN NEW.asset_tag = 'KS-0005'
				BEGIN SELECT RAISE(ABORT, 'KS-0005 refused by the test'); END`}
		}
		for _, s := range ddl {
			if err := db.Exec(s).Error; err != nil {
				t.Fatal(err)
			}
		}
		before := catalogueSnapshot(t, w)
		_, err := models.AddKits(db, w.StaffActor(), models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID, Count: 3})
		if err == nil || !strings.Contains(err.Error(), "refused by the test") {
			t.Fatalf("AddKits past the trigger: %v", err)
		}
		if after := catalogueSnapshot(t, w); after != before {
			t.Errorf("a failed AddKits left some kits behind:\n%s\n%s", before, after)
		}
	})
}

// Copies of different kit types added at once at one hub still get distinct
// tags in one unbroken sequence.
func TestConcurrentAddKitsShareOneSequence(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		second := must(models.CreateKitType(db, models.SystemActor("t"), models.KitTypeInput{Name: "Rocket kit", DefaultLoanDays: 14}))(t)
		types := []uint{w.KitType.ID, second.ID}
		staff := w.StaffActor()
		wins, codes := race(t, func(i int) error {
			_, err := models.AddKits(db, staff, models.AddKitsInput{HubID: w.Hub.ID, KitTypeID: types[i%2], Count: 2})
			return err
		})
		if wins != racers {
			t.Fatalf("%d of %d AddKits succeeded; refusals %v", wins, racers, codes)
		}
		var tags []string
		db.Model(&models.Kit{}).Order("asset_tag").Pluck("asset_tag", &tags)
		for i, tag := range tags {
			if want := fmt.Sprintf("KS-%04d", i+1); tag != want {
				t.Fatalf("tag %d is %s, want %s (all: %v)", i, tag, want, tags)
			}
		}
		if len(tags) != 2*racers {
			t.Fatalf("%d kits, want %d", len(tags), 2*racers)
		}
	})
}

// existingLines turns a kit type's contents back into input lines.
func existingLines(kt *models.KitType) []models.ContentInput {
	var out []models.ContentInput
	for _, c := range kt.Contents {
		out = append(out, models.ContentInput{ID: c.ID, Name: c.Name, Quantity: c.Quantity, Consumable: c.Consumable})
	}
	return out
}

func inputOf(kt *models.KitType) models.KitTypeInput {
	return models.KitTypeInput{Name: kt.Name, Description: kt.Description, Topics: kt.Topics, AgeLevels: kt.AgeLevels,
		DefaultLoanDays: kt.DefaultLoanDays, TurnaroundDays: kt.TurnaroundDays, Contents: existingLines(kt), Version: kt.Version()}
}

func TestUpdateKitTypeKeepsLineIDs(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		old := w.KitType // micro:bit, battery pack, AAA battery, teacher guide
		in := inputOf(old)
		in.Name = "micro:bit class set (32)"
		in.Description = "Thirty-two micro:bits."
		in.Topics = []string{"coding", " electronics ", ""}
		in.AgeLevels = []string{"ks2", "ks3"}
		in.DefaultLoanDays, in.TurnaroundDays = 28, 3
		in.Contents[0].Quantity = 32
		in.Contents[2].Consumable = false
		in.Contents = append(in.Contents, models.ContentInput{}, models.ContentInput{Name: " USB lead ", Quantity: 32},
			models.ContentInput{Name: "forgotten", Quantity: 1, Remove: true}) // a spare blank row; a new line; a new line removed again
		got := must(models.UpdateKitType(db, w.StaffActor(), old.Slug, in))(t)

		if got.Slug != old.Slug || got.Name != "micro:bit class set (32)" || got.Description != "Thirty-two micro:bits." ||
			!slices.Equal(got.Topics, []string{"coding", "electronics"}) || !slices.Equal(got.AgeLevels, []string{"ks2", "ks3"}) ||
			got.DefaultLoanDays != 28 || got.TurnaroundDays != 3 {
			t.Errorf("updated kit type %+v", got)
		}
		if len(got.Contents) != 5 {
			t.Fatalf("%d lines, want 5: %+v", len(got.Contents), got.Contents)
		}
		for i, c := range got.Contents[:4] {
			if c.ID != old.Contents[i].ID || c.Position != i+1 {
				t.Errorf("line %d has id %d position %d, want id %d position %d", i, c.ID, c.Position, old.Contents[i].ID, i+1)
			}
		}
		if got.Contents[0].Quantity != 32 || got.Contents[2].Consumable || got.Contents[4].Name != "USB lead" || got.Contents[4].Position != 5 {
			t.Errorf("lines %+v", got.Contents)
		}
		if again := must(models.KitTypeBySlug(db, old.Slug))(t); again.Name != got.Name || len(again.Contents) != 5 {
			t.Errorf("stored %+v", again)
		}
		// The same form sent twice is refused the second time.
		_, err := models.UpdateKitType(db, w.StaffActor(), old.Slug, in)
		wantRefusal(t, err, "kit_type_changed")
		trail := must(models.AuditTrail(db, models.AuditFilter{Action: "kit_type.update"}))(t)
		if len(trail) != 1 || !strings.Contains(trail[0].Before, `"micro:bit class set (30)"`) ||
			!strings.Contains(trail[0].After, `"micro:bit class set (32)"`) || !strings.Contains(trail[0].After, "USB lead") ||
			trail[0].SubjectID != old.ID || *trail[0].ActorID != w.Staff.ID {
			t.Errorf("audit entry %+v", trail)
		}
	})
}

func TestUpdateKitTypeRemovesALineAShortfallNames(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		battery := w.KitType.Contents[1]
		tag := w.Kits[0].AssetTag
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower}))(t)
		must(models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag, Counts: []models.Count{{ContentID: battery.ID, Missing: 2}}}))(t)

		in := inputOf(w.KitType)
		in.Contents[1].Remove = true
		in.Contents[1].Quantity = 0 // a removed line is not validated
		got := must(models.UpdateKitType(db, w.StaffActor(), w.KitType.Slug, in))(t)

		if len(got.Contents) != 3 || slices.ContainsFunc(got.Contents, func(c models.ContentItem) bool { return c.ID == battery.ID }) {
			t.Fatalf("the battery pack line is still there: %+v", got.Contents)
		}
		for i, c := range got.Contents {
			if c.Position != i+1 {
				t.Errorf("positions not renumbered: %+v", got.Contents)
			}
		}
		open := must(models.OpenShortfalls(db, w.Kits[0].ID))(t)
		if len(open) != 1 || open[0].ContentID != nil || open[0].Item != "battery pack" || open[0].Missing != 2 {
			t.Fatalf("shortfall after removing its line: %+v", open)
		}
		if s := models.ShortfallSummary(open); s != "2 × battery pack missing" {
			t.Errorf("summary %q", s)
		}
	})
}

func TestUpdateKitTypeRefusalsChangeNothing(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 1)
		other := must(models.CreateKitType(db, models.SystemActor("t"), models.KitTypeInput{Name: "Rocket kit", DefaultLoanDays: 14,
			Contents: []models.ContentInput{{Name: "rocket", Quantity: 4}}}))(t)
		edit := func(mod func(*models.KitTypeInput)) models.KitTypeInput {
			in := inputOf(w.KitType)
			mod(&in)
			return in
		}
		cases := []struct {
			name   string
			by     models.Actor
			slug   string
			in     models.KitTypeInput
			code   string
			fields []string
		}{
			{"blank name and a line without a quantity", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) {
				in.Name = " "
				in.Contents[1].Quantity = 0
				in.Contents = append(in.Contents, models.ContentInput{Quantity: 3})
			}), "invalid_input", []string{"name", "contents-1-quantity", "contents-4-name"}},
			{"numbers out of range", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) {
				in.DefaultLoanDays, in.TurnaroundDays = 0, 61
				in.AgeLevels = []string{"p7"}
			}), "invalid_input", []string{"default_loan_days", "turnaround_days", "age_levels"}},
			{"another kit type's name", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) { in.Name = "ROCKET KIT" }),
				"kit_type_exists", []string{"name"}},
			{"a line left out (the form was stale)", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) {
				in.Contents = in.Contents[1:]
			}), "contents_changed", nil},
			{"another kit type's line", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) {
				in.Contents[0].ID = other.Contents[0].ID
			}), "contents_changed", nil},
			{"a line twice", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) {
				in.Contents[1].ID = in.Contents[0].ID
			}), "contents_changed", nil},
			{"a form of an older version", w.StaffActor(), w.KitType.Slug, edit(func(in *models.KitTypeInput) {
				in.Version = "0123456789abcdef0123"
			}), "kit_type_changed", nil},
			{"a school contact", w.As(w.SchoolContact), w.KitType.Slug, edit(func(*models.KitTypeInput) {}), "not_staff", nil},
			{"no such kit type", w.StaffActor(), "no-such-kit", edit(func(*models.KitTypeInput) {}), "kit_type_not_found", nil},
		}
		before := catalogueSnapshot(t, w)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := models.UpdateKitType(db, c.by, c.slug, c.in)
				r := wantRefusal(t, err, c.code)
				for _, f := range c.fields {
					if r.Fields[f] == "" {
						t.Errorf("no message for field %s in %v", f, r.Fields)
					}
				}
				if after := catalogueSnapshot(t, w); after != before {
					t.Errorf("a refused update changed things:\n%s\n%s", before, after)
				}
			})
		}
	})
}

func TestCreateKitTypeNamesLineFields(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		before := catalogueSnapshot(t, w)
		_, err := models.CreateKitType(db, w.StaffActor(), models.KitTypeInput{Name: "Solar racers", DefaultLoanDays: 21, TurnaroundDays: 2,
			Contents: []models.ContentInput{{Name: "solar car", Quantity: 10}, {}, {Name: "spare wheel", Quantity: -1}}})
		r := wantRefusal(t, err, "invalid_input")
		if len(r.Fields) != 1 || r.Fields["contents-2-quantity"] != "Line 3 needs a quantity between 1 and 10,000." {
			t.Errorf("fields %v", r.Fields)
		}
		_, err = models.CreateKitType(db, w.As(w.Ambassador), models.KitTypeInput{Name: "Solar racers", DefaultLoanDays: 21})
		wantRefusal(t, err, "not_staff")
		_, err = models.CreateKitType(db, w.StaffActor(), models.KitTypeInput{Name: "***", DefaultLoanDays: 21})
		if r := wantRefusal(t, err, "invalid_input"); r.Fields["name"] == "" {
			t.Errorf("a name with no letters is refused on %v, not on name", r.Fields)
		}
		if after := catalogueSnapshot(t, w); after != before {
			t.Errorf("refused creations changed things:\n%s\n%s", before, after)
		}
		kt := must(models.CreateKitType(db, w.StaffActor(), models.KitTypeInput{Name: "Solar racers", DefaultLoanDays: 21, TurnaroundDays: 2,
			Contents: []models.ContentInput{{Name: "solar car", Quantity: 10}, {}, {Name: "sandpaper", Quantity: 5, Consumable: true}}}))(t)
		got := must(models.KitTypeBySlug(db, kt.Slug))(t)
		if len(got.Contents) != 2 || got.Contents[1].Position != 2 || !got.Contents[1].Consumable {
			t.Errorf("contents %+v", got.Contents)
		}
	})
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: uint8(x), G: 90, B: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSetKitTypePhoto(t *testing.T) {
	webp, err := os.ReadFile("testdata/photo.webp")
	if err != nil {
		t.Fatal(err)
	}
	var jpg, gifData bytes.Buffer
	check(t, jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 20, 10)), nil))
	check(t, gif.Encode(&gifData, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.Black}), nil))

	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 0)
		slug := w.KitType.Slug
		var photos []uint
		for _, c := range []struct {
			data    []byte
			claimed string
			want    string
		}{
			{pngOf(t, 30, 20), "image/gif", "image/png"}, // what the upload claims is not believed
			{jpg.Bytes(), "image/jpeg", "image/jpeg"},
			{webp, "", "image/webp"},
		} {
			kt := must(models.SetKitTypePhoto(db, w.StaffActor(), slug, c.claimed, c.data))(t)
			p := must(models.PhotoByID(db, *kt.PhotoID))(t)
			if p.ContentType != c.want || !bytes.Equal(p.Data, c.data) {
				t.Errorf("stored %s (%d bytes), want %s (%d bytes)", p.ContentType, len(p.Data), c.want, len(c.data))
			}
			photos = append(photos, p.ID)
		}
		// Each replaced photo is gone; the last one stays.
		for _, id := range photos[:2] {
			_, err := models.PhotoByID(db, id)
			wantRefusal(t, err, "photo_not_found")
		}
		if n := w.Count("photos"); n != 1 {
			t.Errorf("%d photos stored, want 1", n)
		}
		trail := must(models.AuditTrail(db, models.AuditFilter{Action: "kit_type.photo"}))(t)
		if len(trail) != 3 || !strings.Contains(trail[0].After, `"content_type":"image/webp"`) ||
			!strings.Contains(trail[2].After, `"claimed_type":"image/gif"`) {
			t.Errorf("audit %+v", trail)
		}

		before := catalogueSnapshot(t, w)
		for _, c := range []struct {
			name string
			by   models.Actor
			slug string
			data []byte
			code string
			msg  string
		}{
			{"a GIF", w.StaffActor(), slug, gifData.Bytes(), "photo_unsuitable", "That file is a GIF; upload a JPEG, PNG or WebP photo."},
			{"text", w.StaffActor(), slug, []byte("not a photo at all, just words"), "photo_unsuitable",
				"That file is text, not a photo; upload a JPEG, PNG or WebP photo."},
			{"a PNG header with nothing after it", w.StaffActor(), slug, pngOf(t, 4, 4)[:20], "photo_unsuitable", "cannot be read"},
			{"too wide", w.StaffActor(), slug, pngOf(t, models.MaxPhotoSide+1, 1), "photo_unsuitable", "6001 × 1 pixels"},
			{"too large", w.StaffActor(), slug, append(pngOf(t, 4, 4), make([]byte, models.MaxPhotoBytes)...), "photo_too_large", "larger than 5 MB"},
			{"nothing", w.StaffActor(), slug, nil, "photo_missing", "Choose a photo"},
			{"a school contact", w.As(w.SchoolContact), slug, pngOf(t, 4, 4), "not_staff", ""},
			{"no such kit type", w.StaffActor(), "no-such-kit", pngOf(t, 4, 4), "kit_type_not_found", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := models.SetKitTypePhoto(db, c.by, c.slug, "image/png", c.data)
				r := wantRefusal(t, err, c.code)
				if !strings.Contains(r.Message, c.msg) {
					t.Errorf("message %q, want %q", r.Message, c.msg)
				}
				if after := catalogueSnapshot(t, w); after != before {
					t.Errorf("a refused photo changed things:\n%s\n%s", before, after)
				}
			})
		}
		_, err := models.SetKitTypePhoto(db, w.StaffActor(), slug, "", append(pngOf(t, 4, 4), make([]byte, models.MaxPhotoBytes)...))
		if r, _ := models.AsRefusal(err); r == nil || r.Kind != models.TooLarge {
			t.Errorf("an oversized photo is not refused as too large: %v", err)
		}
	})
}

func TestStockFor(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 3)
		must(models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: "KS-0002", BorrowerID: w.SchoolBorrower}))(t)
		far := must(models.CreateHub(db, models.SystemActor("t"), models.HubInput{Name: "Far Hub", TagPrefix: "FH"}))(t)
		must(models.AddKits(db, models.SystemActor("t"), models.AddKitsInput{HubID: far.ID, KitTypeID: w.KitType.ID, Count: 2}))(t)
		rocket := must(models.CreateKitType(db, models.SystemActor("t"), models.KitTypeInput{Name: "Rocket kit", DefaultLoanDays: 14}))(t)

		st := must(models.StockFor(db, w.StaffActor(), models.StockFilter{HubID: &far.ID}))(t)
		if *st.Filter.HubID != w.Hub.ID {
			t.Error("staff saw another hub's stock by asking for it")
		}
		line := func(st *models.Stock, id uint) models.StockLine {
			for _, l := range st.Lines {
				if l.KitType.ID == id {
					return l
				}
			}
			t.Fatalf("no line for kit type %d in %+v", id, st.Lines)
			return models.StockLine{}
		}
		if mb := line(st, w.KitType.ID); len(st.Lines) != 2 || mb.Total != 3 || mb.Count(models.KitAvailable) != 2 ||
			mb.Count(models.KitOnLoan) != 1 || line(st, rocket.ID).Total != 0 {
			t.Errorf("lines %+v", st.Lines)
		}
		if got := kitTags(st.Kits); !slices.Equal(got, []string{"KS-0001", "KS-0002", "KS-0003"}) {
			t.Errorf("staff see %v", got)
		}
		st = must(models.StockFor(db, w.StaffActor(), models.StockFilter{Status: models.KitOnLoan, KitType: w.KitType.Slug}))(t)
		if got := kitTags(st.Kits); !slices.Equal(got, []string{"KS-0002"}) {
			t.Errorf("on loan: %v", got)
		}
		st = must(models.StockFor(db, w.StaffActor(), models.StockFilter{Status: "sold", KitType: "no-such-type"}))(t)
		if len(st.Kits) != 3 || st.Filter.Status != "" || st.Filter.KitType != "" {
			t.Errorf("unknown filter values are not ignored: %+v", st.Filter)
		}
		st = must(models.StockFor(db, w.As(w.Admin), models.StockFilter{}))(t)
		if len(st.Kits) != 5 || line(st, w.KitType.ID).Total != 5 {
			t.Errorf("admin sees %d kits, total %d", len(st.Kits), line(st, w.KitType.ID).Total)
		}
		st = must(models.StockFor(db, w.As(w.Admin), models.StockFilter{HubID: &far.ID}))(t)
		if got := kitTags(st.Kits); !slices.Equal(got, []string{"FH-0001", "FH-0002"}) {
			t.Errorf("admin at Far Hub sees %v", got)
		}
		_, err := models.StockFor(db, w.As(w.SchoolContact), models.StockFilter{})
		wantRefusal(t, err, "not_staff")
	})
}

func kitTags(kits []models.Kit) []string {
	out := make([]string, len(kits))
	for i, k := range kits {
		out[i] = k.AssetTag
	}
	return out
}
