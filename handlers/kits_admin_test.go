package handlers_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// upload is one file in a multipart post.
type upload struct {
	field, filename, contentType string
	data                         []byte
}

// postFile submits a multipart form with one file, as a browser's photo
// upload does, carrying the CSRF token as the form's csrf field. Streamed,
// the body goes without a Content-Length, as a chunked upload.
func (c *client) postFile(path string, f upload, streamed bool) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("csrf", c.csrf()); err != nil {
		c.t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.filename))
	h.Set("Content-Type", f.contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		c.t.Fatal(err)
	}
	part.Write(f.data)
	mw.Close()
	var r io.Reader = &body
	if streamed {
		r = io.MultiReader(&body) // hides the length from http.NewRequest
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, r)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: uint8(x * 7), G: uint8(y * 11), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegImage(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 32, 24)), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifImage(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.White, color.Black}), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// catalogueRows is what the kit and catalogue pages write, so a test can
// show a refused request changed nothing.
func catalogueRows(t *testing.T, db *gorm.DB) string {
	t.Helper()
	out := ""
	for _, table := range []string{"kits", "kit_types", "kit_type_contents", "photos", "audit_entries", "shortfalls"} {
		var n int64
		if err := db.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out += table + "=" + itoa(n) + " "
	}
	var photoIDs, lines []string
	db.Model(&models.KitType{}).Order("id").Select("COALESCE(CAST(photo_id AS TEXT), '-')").Scan(&photoIDs)
	db.Model(&models.ContentItem{}).Order("id").Select("name || '×' || CAST(quantity AS TEXT)").Scan(&lines)
	return out + strings.Join(photoIDs, ",") + " " + strings.Join(lines, ",")
}

var fieldLink = regexp.MustCompile(`<a href="#([a-z0-9_-]+)">`)

// summaryLinks are the fields the error summary links to; each must be an
// element's id on the page.
func summaryLinks(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range fieldLink.FindAllStringSubmatch(errorSummary(body), -1) {
		out = append(out, m[1])
		if !strings.Contains(body, `id="`+m[1]+`"`) {
			t.Errorf("the error summary links to #%s, which no element on the page has", m[1])
		}
	}
	return out
}

func TestCreateAndEditAKitTypeThroughTheForm(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		c := s.as(t, s.Staff)

		page := c.get("/kit-types/new")
		if page.StatusCode != 200 || !strings.Contains(page.Body, `id="contents-2-name"`) || !strings.Contains(page.Body, "js/contents.") ||
			!strings.Contains(page.Body, "<legend>Age levels</legend>") {
			t.Fatalf("new kit type form: %d\n%s", page.StatusCode, errorSummary(page.Body))
		}
		form := url.Values{"name": {"Solar racers"}, "description": {"Build a solar car."}, "topics": {"energy, engineering"},
			"age_levels": {"cfe-second", "ks2"}, "default_loan_days": {"14"}, "turnaround_days": {"1"},
			"contents-0-name": {"solar car kit"}, "contents-0-quantity": {"10"},
			"contents-1-name": {""}, "contents-1-quantity": {""},
			"contents-2-name": {""}, "contents-2-quantity": {""}}
		before := catalogueRows(t, db)

		// "Add another contents line", without scripts: the same form comes
		// back with a fourth row, and nothing is saved.
		more := cloneForm(form)
		more.Set("add_line", "1")
		res := c.post("/kit-types", more)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `id="contents-3-name"`) || strings.Contains(res.Body, `id="contents-4-name"`) ||
			!strings.Contains(res.Body, `value="solar car kit"`) || !strings.Contains(res.Body, `value="ks2" checked`) {
			t.Fatalf("add a line: %d\n%s", res.StatusCode, errorSummary(res.Body))
		}
		// A mistake: a line without its quantity, and no name.
		bad := cloneForm(form)
		bad.Set("name", "")
		bad.Set("contents-3-name", "sandpaper")
		bad.Set("contents-3-quantity", "")
		res = c.post("/kit-types", bad)
		if res.StatusCode != 422 {
			t.Fatalf("a form with mistakes: %d", res.StatusCode)
		}
		if links := summaryLinks(t, res.Body); strings.Join(links, " ") != "contents-3-quantity name" {
			t.Errorf("error summary links %v", links)
		}
		if !strings.Contains(res.Body, "Line 4 needs a quantity between 1 and 10,000.") || !strings.Contains(res.Body, `value="sandpaper"`) {
			t.Errorf("the line's message or its value is missing:\n%s", errorSummary(res.Body))
		}
		if after := catalogueRows(t, db); after != before {
			t.Fatalf("refused or unsaved forms changed the catalogue:\n%s\n%s", before, after)
		}

		form.Set("contents-1-name", "sandpaper sheet")
		form.Set("contents-1-quantity", "20")
		form.Set("contents-1-consumable", "on")
		res = c.post("/kit-types", form)
		if res.StatusCode != 303 || res.Location() != "/kit-types/solar-racers/edit" {
			t.Fatalf("create: %d %s\n%s", res.StatusCode, res.Location(), errorSummary(res.Body))
		}
		kt := must(models.KitTypeBySlug(db, "solar-racers"))(t)
		if kt.DefaultLoanDays != 14 || kt.TurnaroundDays != 1 || strings.Join(kt.Topics, "|") != "energy|engineering" ||
			strings.Join(kt.AgeLevels, "|") != "cfe-second|ks2" || len(kt.Contents) != 2 || !kt.Contents[1].Consumable || kt.Contents[0].Consumable {
			t.Fatalf("created %+v", kt)
		}
		edit := c.get(res.Location())
		if !strings.Contains(edit.Body, "Solar racers is in the catalogue") || !strings.Contains(edit.Body, `href="/kits/new?type=solar-racers"`) ||
			!strings.Contains(edit.Body, fmt.Sprintf(`name="contents-1-id" value="%d"`, kt.Contents[1].ID)) ||
			!strings.Contains(edit.Body, `id="contents-2-name"`) || !strings.Contains(edit.Body, `enctype="multipart/form-data"`) ||
			!strings.Contains(edit.Body, `name="version" value="`+kt.Version()+`"`) {
			t.Fatalf("edit page after creating:\n%s", edit.Body)
		}

		// A shortfall was recorded against the sandpaper line.
		kit := must(models.AddKit(db, s.StaffActor(), models.AddKitInput{HubID: s.Hub.ID, KitTypeID: kt.ID}))(t)
		sandpaper := kt.Contents[1].ID
		if err := db.Create(&models.Shortfall{KitID: kit.ID, ContentID: &sandpaper, Item: "sandpaper sheet", Missing: 3}).Error; err != nil {
			t.Fatal(err)
		}
		// Edit: rename, change the car's quantity, remove the sandpaper, add a lead.
		upd := url.Values{"name": {"Solar racers (class set)"}, "description": {"Build a solar car."}, "topics": {"energy"},
			"age_levels": {"ks2"}, "default_loan_days": {"21"}, "turnaround_days": {"2"},
			"contents-0-id": {fmt.Sprint(kt.Contents[0].ID)}, "contents-0-name": {"solar car kit"}, "contents-0-quantity": {"12"},
			"contents-1-id": {fmt.Sprint(sandpaper)}, "contents-1-name": {"sandpaper sheet"}, "contents-1-quantity": {"20"},
			"contents-1-consumable": {"on"}, "contents-1-remove": {"on"},
			"contents-2-name": {"crocodile lead"}, "contents-2-quantity": {"24"}, "version": {kt.Version()}}
		res = c.post("/kit-types/solar-racers", upd)
		if res.StatusCode != 303 || res.Location() != "/kits" {
			t.Fatalf("update: %d %s\n%s", res.StatusCode, res.Location(), errorSummary(res.Body))
		}
		got := must(models.KitTypeBySlug(db, "solar-racers"))(t)
		if got.Name != "Solar racers (class set)" || len(got.Contents) != 2 || got.Contents[0].ID != kt.Contents[0].ID ||
			got.Contents[0].Quantity != 12 || got.Contents[1].Name != "crocodile lead" || got.Contents[1].Position != 2 {
			t.Fatalf("after the edit: %+v", got)
		}
		var sf models.Shortfall
		db.Where("kit_id = ?", kit.ID).Take(&sf)
		if sf.ContentID != nil || sf.Item != "sandpaper sheet" || sf.Missing != 3 {
			t.Errorf("the shortfall after its line was removed: %+v", sf)
		}
		if !strings.Contains(c.get("/kits").Body, "Saved the changes to Solar racers (class set).") {
			t.Error("no confirmation after saving")
		}
		if n := len(must(models.AuditTrail(db, models.AuditFilter{Action: "kit_type.", SubjectID: kt.ID}))(t)); n != 2 {
			t.Errorf("%d kit type audit entries, want create and update", n)
		}

		// The same form again is stale now, and refused, changing nothing.
		before = catalogueRows(t, db)
		res = c.post("/kit-types/solar-racers", upd)
		if res.StatusCode != 409 || !strings.Contains(res.Body, "Someone changed Solar racers (class set) while you were editing it.") {
			t.Errorf("stale form: %d\n%s", res.StatusCode, errorSummary(res.Body))
		}
		if after := catalogueRows(t, db); after != before {
			t.Errorf("a stale form changed the catalogue:\n%s\n%s", before, after)
		}
		if res := c.post("/kit-types/no-such-kit", upd); res.StatusCode != 404 {
			t.Errorf("editing a kit type that does not exist: %d", res.StatusCode)
		}
	})
}

func TestAddKitsGivesSequentialTags(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db) // KS-0001 to KS-0003
		c := s.as(t, s.Staff)
		page := c.get("/kits/new?type=" + s.KitType.Slug)
		if page.StatusCode != 200 || !strings.Contains(page.Body, fmt.Sprintf(`<option value="%d" selected>`, s.KitType.ID)) ||
			!strings.Contains(page.Body, "starting at KS-0004") || strings.Contains(page.Body, `id="hub"`) {
			t.Fatalf("add kits form: %d\n%s", page.StatusCode, errorSummary(page.Body))
		}
		before := catalogueRows(t, db)
		for _, bad := range []struct {
			form  url.Values
			field string
		}{
			{url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"51"}}, "count"},
			{url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"two"}}, "count"},
			{url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"2"}, "tag": {"KS-0500"}}, "count"},
			{url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"1"}, "tag": {"ks-0002"}}, "tag"},
			{url.Values{"kit_type": {""}, "count": {"1"}}, "kit_type"},
		} {
			res := c.post("/kits", bad.form)
			if res.StatusCode != 422 && res.StatusCode != 409 {
				t.Errorf("%v: %d", bad.form, res.StatusCode)
			}
			if links := summaryLinks(t, res.Body); strings.Join(links, " ") != bad.field {
				t.Errorf("%v: the summary links %v, want %s", bad.form, links, bad.field)
			}
		}
		if after := catalogueRows(t, db); after != before {
			t.Fatalf("refused adds changed things:\n%s\n%s", before, after)
		}

		res := c.post("/kits", url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"3"}, "notes": {"new batch"}})
		if res.StatusCode != 303 || res.Location() != "/kits" {
			t.Fatalf("add 3 kits: %d %s\n%s", res.StatusCode, res.Location(), errorSummary(res.Body))
		}
		kits := c.get("/kits").Body
		if !strings.Contains(kits, "Added KS-0004, KS-0005 and KS-0006.") ||
			!strings.Contains(kits, `<a href="/labels?tags=KS-0004,KS-0005,KS-0006">Print their labels</a>`) {
			t.Errorf("no confirmation with a labels link:\n%s", kits)
		}
		for _, tag := range []string{"KS-0004", "KS-0005", "KS-0006"} {
			k := must(models.KitByTag(db, tag))(t)
			if k.HubID != s.Hub.ID || k.KitTypeID != s.KitType.ID || k.Status != models.KitAvailable || k.ConditionNotes != "new batch" {
				t.Errorf("%s: %+v", tag, k)
			}
			if !strings.Contains(kits, `<a href="/k/`+tag+`"><code>`+tag+`</code></a>`) {
				t.Errorf("/kits does not list %s", tag)
			}
		}
		if !strings.Contains(kits, `<span class="status status-available">available</span>`) || !strings.Contains(kits, `data-label="Total"><strong>6</strong>`) {
			t.Errorf("/kits lacks status badges or the total of 6")
		}
		// One typed tag.
		res = c.post("/kits", url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"1"}, "tag": {"ks-spare"}})
		if res.StatusCode != 303 || !strings.Contains(c.get("/kits").Body, "Added KS-SPARE.") {
			t.Errorf("a typed tag: %d", res.StatusCode)
		}
	})
}

func TestStaffAddKitsOnlyAtTheirHub(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		other := must(models.CreateHub(db, models.SystemActor("t"), models.HubInput{Name: "Far Hub", TagPrefix: "FH"}))(t)
		farStaff := must(models.CreateUser(db, models.SystemActor("t"), models.UserInput{Email: "far@hub.org", Name: "Far Staff",
			Role: models.RoleStaff, HubID: &other.ID}))(t)
		check(t, models.SetPassword(db, models.SystemActor("t"), farStaff.ID, password))
		far := s.as(t, farStaff)

		before := catalogueRows(t, db)
		res := far.post("/kits", url.Values{"hub": {fmt.Sprint(s.Hub.ID)}, "kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"2"}})
		if res.StatusCode != 403 || !strings.Contains(res.Body, "You can add kits only to the hub you work at.") {
			t.Fatalf("another hub's staff adding here: %d\n%s", res.StatusCode, errorSummary(res.Body))
		}
		if after := catalogueRows(t, db); after != before {
			t.Fatalf("the refused add changed things:\n%s\n%s", before, after)
		}
		// Their own hub's page shows none of this hub's kits.
		page := far.get("/kits")
		if page.StatusCode != 200 || strings.Contains(page.Body, "KS-0001") || !strings.Contains(page.Body, "Kits at Far Hub") {
			t.Errorf("far staff's /kits: %d\n%s", page.StatusCode, errorSummary(page.Body))
		}
		if page := far.get("/kits?hub=" + fmt.Sprint(s.Hub.ID)); strings.Contains(page.Body, "KS-0001") {
			t.Error("far staff see this hub's kits by asking for its hub")
		}
		// Without a hub in the form, staff add to their own.
		if res := far.post("/kits", url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"1"}}); res.StatusCode != 303 {
			t.Fatalf("far staff adding at their hub: %d", res.StatusCode)
		}
		if k := must(models.KitByTag(db, "FH-0001"))(t); k.HubID != other.ID {
			t.Errorf("FH-0001 is at hub %d", k.HubID)
		}
		// Admins choose the hub, and must.
		admin := s.as(t, s.Admin)
		if body := admin.get("/kits/new").Body; !strings.Contains(body, `id="hub"`) {
			t.Error("admins are not offered a hub")
		}
		res = admin.post("/kits", url.Values{"kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"1"}})
		if links := summaryLinks(t, res.Body); res.StatusCode != 422 || strings.Join(links, " ") != "hub" {
			t.Errorf("admin without a hub: %d %v", res.StatusCode, links)
		}
		if res := admin.post("/kits", url.Values{"hub": {fmt.Sprint(other.ID)}, "kit_type": {fmt.Sprint(s.KitType.ID)}, "count": {"1"}}); res.StatusCode != 303 {
			t.Errorf("admin adding at Far Hub: %d", res.StatusCode)
		}
		if body := admin.get("/kits").Body; !strings.Contains(body, "Kits at every hub") || !strings.Contains(body, "FH-0002") || !strings.Contains(body, "KS-0001") {
			t.Error("an admin's /kits does not show every hub")
		}
		if body := admin.get(fmt.Sprintf("/kits?hub=%d", other.ID)).Body; !strings.Contains(body, "Kits at Far Hub") || strings.Contains(body, "KS-0001") {
			t.Error("an admin's hub filter does not filter")
		}
	})
}

func TestKitsPageFilters(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	must(models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: "KS-0002", BorrowerID: s.SchoolBorrower}))(t)
	c := s.as(t, s.Staff)
	body := c.get("/kits?status=on_loan&type=" + s.KitType.Slug).Body
	if !strings.Contains(body, `href="/k/KS-0002"`) || strings.Contains(body, `href="/k/KS-0001"`) ||
		!strings.Contains(body, `<option value="on_loan" selected>`) || !strings.Contains(body, `<span class="status status-on_loan">on loan</span>`) {
		t.Errorf("filtered to on loan:\n%s", body)
	}
	for _, link := range []string{`href="/kits/new"`, `href="/kit-types/new"`, `href="/kit-types/` + s.KitType.Slug + `/edit"`,
		`href="/labels?type=` + s.KitType.Slug + `"`, `class="stack-on-phone`, `data-label="Condition notes"`} {
		if !strings.Contains(body, link) {
			t.Errorf("/kits lacks %s", link)
		}
	}
	if res := s.as(t, s.SchoolContact).get("/kits"); res.StatusCode != 403 {
		t.Errorf("a school contact on /kits: %d", res.StatusCode)
	}
}

func TestKitTypePhotoUpload(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		c := s.as(t, s.Staff)
		path := "/kit-types/" + s.KitType.Slug + "/photo"

		var previous uint
		for _, f := range []upload{
			{"photo", "microbits.png", "image/png", pngImage(t, 40, 30)},
			{"photo", "microbits.jpg", "image/jpeg", jpegImage(t)},
		} {
			res := c.postFile(path, f, false)
			if res.StatusCode != 303 || res.Location() != "/kit-types/"+s.KitType.Slug+"/edit" {
				t.Fatalf("%s: %d\n%s", f.filename, res.StatusCode, errorSummary(res.Body))
			}
			kt := must(models.KitTypeBySlug(db, s.KitType.Slug))(t)
			if kt.PhotoID == nil {
				t.Fatalf("%s: no photo set", f.filename)
			}
			photoURL := fmt.Sprintf("/photos/%d", *kt.PhotoID)
			// Anyone may see it, and a shared cache may keep it: so no
			// cookie may come with it, not even to someone signed in.
			for who, viewer := range map[string]*client{"a visitor": s.client(t), "staff": c} {
				got := viewer.get(photoURL)
				if got.StatusCode != 200 || got.Body != string(f.data) || got.Header.Get("Content-Type") != f.contentType ||
					got.Header.Get("X-Content-Type-Options") != "nosniff" || got.Header.Get("Cache-Control") != "public, max-age=86400" ||
					got.Header.Get("Set-Cookie") != "" {
					t.Errorf("%s served back to %s: %d %q %v (%d bytes, want %d)", f.filename, who, got.StatusCode,
						got.Header.Get("Content-Type"), got.Header, len(got.Body), len(f.data))
				}
			}
			edit := c.get("/kit-types/" + s.KitType.Slug + "/edit").Body
			if !strings.Contains(edit, `<img class="kit-photo" src="`+photoURL+`" alt="Photo of micro:bit class set (30)">`) {
				t.Errorf("the edit page does not show %s", photoURL)
			}
			if !strings.Contains(c.get("/kits").Body, `src="`+photoURL+`" alt="Photo of micro:bit class set (30)"`) {
				t.Errorf("/kits does not show %s", photoURL)
			}
			if previous != 0 {
				if res := c.get(fmt.Sprintf("/photos/%d", previous)); res.StatusCode != 404 {
					t.Errorf("the replaced photo is still served: %d", res.StatusCode)
				}
			}
			previous = *kt.PhotoID
		}

		school := s.as(t, s.SchoolContact) // signing in is audited, so before the snapshot
		before := catalogueRows(t, db)
		big := append(pngImage(t, 8, 8), bytes.Repeat([]byte{0}, 6<<20)...)
		for _, c2 := range []struct {
			name     string
			f        upload
			streamed bool
			status   int
			message  string
		}{
			{"a GIF", upload{"photo", "anim.gif", "image/gif", gifImage(t)}, false, 422,
				"That file is a GIF; upload a JPEG, PNG or WebP photo."},
			{"text named .png", upload{"photo", "photo.png", "image/png", []byte("just some words, honestly\n")}, false, 422,
				"That file is text, not a photo; upload a JPEG, PNG or WebP photo."},
			{"a 6 MiB file", upload{"photo", "huge.png", "image/png", big}, false, 413, "That photo is larger than 5 MB."},
			{"a 6 MiB file sent without its length", upload{"photo", "huge.png", "image/png", big}, true, 413, "That photo is larger than 5 MB."},
			{"a file just over 5 MiB", upload{"photo", "big.png", "image/png", big[:models.MaxPhotoBytes+1]}, false, 413,
				"That photo is larger than 5 MB."},
			{"too many pixels", upload{"photo", "wide.png", "image/png", pngImage(t, 6001, 1)}, false, 422, "6001 × 1 pixels"},
			{"no file", upload{"other", "x.png", "image/png", pngImage(t, 2, 2)}, false, 422, "Choose a photo to upload."},
		} {
			t.Run(c2.name, func(t *testing.T) {
				res := c.postFile(path, c2.f, c2.streamed)
				if res.StatusCode != c2.status || !strings.Contains(res.Body, c2.message) {
					t.Errorf("%d, want %d with %q\n%s", res.StatusCode, c2.status, c2.message, errorSummary(res.Body))
				}
				if after := catalogueRows(t, db); after != before {
					t.Errorf("a refused upload changed things:\n%s\n%s", before, after)
				}
			})
		}
		// An endless upload is cut off after a few megabytes, before anything
		// (the CSRF check, the multipart parser) reads it all.
		t.Run("an endless upload", func(t *testing.T) {
			const total = 200 << 20
			sent := &countingReader{r: io.MultiReader(strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n\r\n"),
				io.LimitReader(zeros{}, total))}
			req, _ := http.NewRequest(http.MethodPost, s.URL+path, sent)
			req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			req.Header.Set("X-CSRF-Token", c.csrf())
			res, err := c.http.Do(req)
			if err == nil {
				res.Body.Close()
				if res.StatusCode != 413 {
					t.Errorf("status %d, want 413", res.StatusCode)
				}
			}
			// The server reads at most maxUploadBody plus maxUploadDrain
			// (~26 MiB); what the client counts as sent also includes what
			// loopback socket buffers took in before the hang-up, which
			// autotuning can grow to 32 MiB receiving and 4 MiB sending.
			// 100 MiB leaves room for that and still fails a server that
			// reads it all.
			if n := atomic.LoadInt64(&sent.n); n > 100<<20 {
				t.Errorf("the server read %d MiB of the upload before refusing it", n>>20)
			}
			if after := catalogueRows(t, db); after != before {
				t.Errorf("the upload changed things:\n%s\n%s", before, after)
			}
		})
		// The refusal is shown on the edit page, linked to the file field.
		res := c.postFile(path, upload{"photo", "anim.gif", "image/gif", gifImage(t)}, false)
		if links := summaryLinks(t, res.Body); strings.Join(links, " ") != "photo" || !strings.Contains(res.Body, `value="micro:bit class set (30)"`) {
			t.Errorf("the GIF refusal page: links %v\n%s", links, errorSummary(res.Body))
		}
		// Not by just anyone, and not without the form's token.
		if res := school.postFile(path, upload{"photo", "a.png", "image/png", pngImage(t, 4, 4)}, false); res.StatusCode != 403 {
			t.Errorf("a school contact uploading: %d", res.StatusCode)
		}
		if res := c.postFile("/kit-types/no-such-kit/photo", upload{"photo", "a.png", "image/png", pngImage(t, 4, 4)}, false); res.StatusCode != 404 {
			t.Errorf("uploading to a kit type that does not exist: %d", res.StatusCode)
		}
		if after := catalogueRows(t, db); after != before {
			t.Errorf("refused uploads changed things:\n%s\n%s", before, after)
		}
		for _, p := range []string{"/photos/999999", "/photos/abc", "/photos/0"} {
			if res := c.get(p); res.StatusCode != 404 {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// countingReader counts what the client managed to send.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	atomic.AddInt64(&c.n, int64(n))
	return n, err
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Assets are cached publicly for a year: no cookie may come with them, even
// to someone signed in, and a missing one is a plain 404 without a session.
func TestAssetsCarryNoCookies(t *testing.T) {
	s := newSite(t, modeltest.Open(t, models.SQLite))
	staff := s.as(t, s.Staff)
	home := staff.get("/home").Body
	i := strings.Index(home, "/assets/css/app.")
	if i < 0 {
		t.Fatal("the home page links no stylesheet")
	}
	href := home[i : i+strings.Index(home[i:], `"`)]
	for _, path := range []string{href, "/assets/css/missing.css"} {
		res := staff.get(path)
		if res.Header.Get("Set-Cookie") != "" || res.StatusCode >= 500 {
			t.Errorf("%s: %d with Set-Cookie %q", path, res.StatusCode, res.Header.Get("Set-Cookie"))
		}
	}
	if res := staff.get("/home"); res.StatusCode != 200 || !strings.Contains(res.Body, "Sam Staff") {
		t.Errorf("after fetching assets, the session is gone: %d", res.StatusCode)
	}
}
