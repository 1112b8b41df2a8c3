package handlers_test

import (
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
	"github.com/kitshelf/kitshelf/views/labels"
)

// getJSON asks for path as a script would, wanting problem+json on failure.
func (c *client) getJSON(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

func (s *site) kitURL(tag string) string { return s.Base + "/k/" + tag }

// retire withdraws a kit for good, through the rule staff use.
func (s *site) retire(t *testing.T, k *models.Kit) {
	t.Helper()
	must(models.ChangeKitStatus(s.DB, s.StaffActor(), k.AssetTag, models.ActionRetire, "beyond repair"))(t)
}

// farHub adds a second hub with a staff member who can sign in.
func (s *site) farHub(t *testing.T) (*models.Hub, *models.User) {
	t.Helper()
	sys := models.SystemActor("t")
	hub := must(models.CreateHub(s.DB, sys, models.HubInput{Name: "Far Hub", TagPrefix: "FH"}))(t)
	staff := must(models.CreateUser(s.DB, sys, models.UserInput{Email: "far@hub.org", Name: "Far Staff",
		Role: models.RoleStaff, HubID: &hub.ID}))(t)
	if err := models.SetPassword(s.DB, sys, staff.ID, password); err != nil {
		t.Fatal(err)
	}
	return hub, staff
}

func TestKitQRCodes(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db, fixedBase)
	staff := s.as(t, s.Staff)
	tag := s.Kits[0].AssetTag

	for _, tc := range []struct {
		path, tag string
		size      int
	}{
		{"/kits/" + tag + "/qr.png", tag, 512},
		{"/kits/" + tag + "/qr.png?size=300", tag, 300},
		{"/kits/" + strings.ToLower(s.Kits[1].AssetTag) + "/qr.png?size=64", s.Kits[1].AssetTag, 64},
		{"/kits/" + tag + "/qr.png?size=2048", tag, 2048},
	} {
		res := staff.get(tc.path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s: %d %s", tc.path, res.StatusCode, res.Header.Get("Content-Type"))
			continue
		}
		if got, want := res.Header.Get("Content-Disposition"), `inline; filename="`+tc.tag+`.png"`; got != want {
			t.Errorf("%s: Content-Disposition %q, want %q", tc.path, got, want)
		}
		img, err := png.Decode(strings.NewReader(res.Body))
		if err != nil {
			t.Errorf("%s: not a PNG: %v", tc.path, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Errorf("%s: image is %v, want %d px square", tc.path, b, tc.size)
		}
		if got, err := decodeQR(img); err != nil || got != s.kitURL(tc.tag) {
			t.Errorf("%s: decoded %q (%v), want %q", tc.path, got, err, s.kitURL(tc.tag))
		}
	}

	for _, path := range []string{"/kits/" + tag + "/qr.svg", "/kits/" + strings.ToLower(tag) + "/qr.svg"} {
		res := staff.get(path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got, want := res.Header.Get("Content-Disposition"), `inline; filename="`+tag+`.svg"`; got != want {
			t.Errorf("%s: Content-Disposition %q, want %q", path, got, want)
		}
		if got, err := decodeQR(rasteriseSVG(t, []byte(res.Body), 8)); err != nil || got != s.kitURL(tag) {
			t.Errorf("%s: decoded %q (%v), want %q", path, got, err, s.kitURL(tag))
		}
	}

	for _, path := range []string{"/kits/KS-9999/qr.png", "/kits/KS-9999/qr.svg", "/kits/not%20a%20tag/qr.png"} {
		if res := staff.get(path); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
	for _, size := range []string{"abc", "63", "2049", "-512", "1.5", "0", "99999999999999999999"} {
		path := "/kits/" + tag + "/qr.png?size=" + url.QueryEscape(size)
		res := staff.get(path)
		if res.StatusCode != 422 || !strings.Contains(res.Body, "Ask for a size from 64 to 2048 pixels.") {
			t.Errorf("%s: %d, want 422 saying the range\n%s", path, res.StatusCode, errorSummary(res.Body))
		}
		var p struct {
			Status int
			Code   string
			Fields map[string]string
		}
		res = staff.getJSON(path)
		if err := json.Unmarshal([]byte(res.Body), &p); err != nil || res.Header.Get("Content-Type") != "application/problem+json" ||
			p.Status != 422 || p.Code != "invalid_size" || p.Fields["size"] == "" {
			t.Errorf("%s as JSON: %d %s %+v", path, res.StatusCode, res.Header.Get("Content-Type"), p)
		}
	}

	// Staff only.
	anon := s.client(t).get("/kits/" + tag + "/qr.png")
	if anon.StatusCode != 303 || !strings.HasPrefix(anon.Location(), "/login?next=") {
		t.Errorf("anonymous: %d %q, want a redirect to sign in", anon.StatusCode, anon.Location())
	}
	if res := s.as(t, s.SchoolContact).get("/kits/" + tag + "/qr.svg"); res.StatusCode != 403 {
		t.Errorf("school contact: %d, want 403", res.StatusCode)
	}
}

// TestLabelSheetsScanOnEveryStock prints the world's kits of one type on
// every stock, rasterises the PDF with Poppler as a printer would, and
// reads every QR code back: each in-service kit exactly once, at its place
// in asset-tag order, on pages of the stock's size.
func TestLabelSheetsScanOnEveryStock(t *testing.T) {
	requirePoppler(t)
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db, fixedBase)
	for len(s.Kits) < 16 {
		s.AddKit()
	}
	s.retire(t, s.Kits[5])
	var want []string
	for _, k := range s.Kits {
		if k != s.Kits[5] {
			want = append(want, s.kitURL(k.AssetTag))
		}
	}
	slices.Sort(want)

	for _, tc := range []struct {
		stock         string
		start         int // the position printing starts at: the roll has no other than 1
		pages, onLast int
	}{
		{"L7163", 2, 2, 2},  // 13 on the first sheet, then 2
		{"L7160", 2, 1, 15}, // 21 per sheet
		{"L7651", 2, 1, 15}, // 65 per sheet
		{"DK11209", 1, 15, 1},
	} {
		t.Run(tc.stock, func(t *testing.T) {
			t.Parallel() // decoding whole A4 pages is slow under -race
			began := time.Now()
			staff := s.as(t, s.Staff)
			stock, _ := labels.StockByCode(tc.stock)
			path := fmt.Sprintf("/labels.pdf?stock=%s&type=%s&start=2", tc.stock, s.KitType.Slug)
			res := staff.get(path)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("%s: %d %s\n%s", path, res.StatusCode, res.Header.Get("Content-Type"), errorSummary(res.Body))
			}
			if got, want := res.Header.Get("Content-Disposition"), `inline; filename="kitshelf-labels-`+tc.stock+`.pdf"`; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			pdf := renderPDF(t, []byte(res.Body))
			if len(pdf.pages) != tc.pages {
				t.Fatalf("%d pages, want %d", len(pdf.pages), tc.pages)
			}
			for i, size := range pdf.sizes {
				if !nearMM(size[0], stock.PageW) || !nearMM(size[1], stock.PageH) {
					t.Errorf("page %d is %.1f × %.1f mm, want %.1f × %.1f", i+1, size[0], size[1], stock.PageW, stock.PageH)
				}
			}
			// Every code anywhere on the pages, found without knowing the layout…
			var found []string
			for i, page := range pdf.pages {
				urls, err := decodeAllQR(page)
				if err != nil {
					t.Fatalf("page %d: %v", i+1, err)
				}
				if i == len(pdf.pages)-1 && len(urls) != tc.onLast {
					t.Errorf("last page has %d codes, want %d", len(urls), tc.onLast)
				}
				found = append(found, urls...)
			}
			slices.Sort(found)
			if !slices.Equal(found, want) {
				t.Errorf("the pages' QR codes read\n%q\nwant\n%q", found, want)
			}
			// …and each label where the stock has it, in asset-tag order.
			if got := labelURLs(t, pdf, stock, len(want), tc.start); !slices.Equal(got, want) {
				t.Errorf("labels in print order read\n%q\nwant\n%q", got, want)
			}
			t.Logf("%s: %d labels on %d pages checked in %v", tc.stock, len(want), len(pdf.pages), time.Since(began).Round(time.Millisecond))
		})
	}
}

func nearMM(got, want float64) bool { return got > want-0.2 && got < want+0.2 }

// rollTags prints a selection on the roll (one label a page) and reads each
// page's QR code back, in page order, as asset tags.
func rollTags(t *testing.T, s *site, c *client, query string) []string {
	t.Helper()
	res := c.get("/labels.pdf?stock=DK11209&" + query)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("%s: %d %s\n%s", query, res.StatusCode, res.Header.Get("Content-Type"), errorSummary(res.Body))
	}
	var tags []string
	for i, page := range renderPDF(t, []byte(res.Body)).pages {
		got, err := decodeQR(page)
		if err != nil {
			t.Fatalf("%s: page %d: %v", query, i+1, err)
		}
		tag, ok := strings.CutPrefix(got, s.Base+"/k/")
		if !ok {
			t.Fatalf("%s: page %d encodes %q, not a kit URL of this site", query, i+1, got)
		}
		tags = append(tags, tag)
	}
	return tags
}

func TestLabelSelection(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db, fixedBase)
		s.AddKit() // four copies: KS-0001 … KS-0004
		tags := make([]string, len(s.Kits))
		for i, k := range s.Kits {
			tags[i] = k.AssetTag
		}
		s.retire(t, s.Kits[1])
		robot := must(models.CreateKitType(db, models.SystemActor("t"), models.KitTypeInput{Name: "Robot buggy", DefaultLoanDays: 14}))(t)
		buggy := must(models.AddKit(db, models.SystemActor("t"), models.AddKitInput{HubID: s.Hub.ID, KitTypeID: robot.ID, Tag: "RB-0001"}))(t)
		staff := s.as(t, s.Staff)
		inService := []string{tags[0], tags[2], tags[3]}

		// Another hub's staff cannot print this hub's kits: its tags are
		// unknown to them, and they cannot choose the hub.
		_, farStaff := s.farHub(t)
		far := s.as(t, farStaff)
		for query, says := range map[string]string{
			"tags=" + tags[0]:                    "No kit has the tag " + tags[0] + ".",
			"hub=" + s.Hub.Slug:                  "You can print labels only for your own hub&#39;s kits.",
			"type=" + s.KitType.Slug:             "There are no micro:bit class set (30) kits at Far Hub to label",
			"by=hub&hub=" + fmt.Sprint(s.Hub.ID): "You can print labels only for your own hub&#39;s kits.",
		} {
			res := far.get("/labels.pdf?stock=L7163&" + query)
			if res.StatusCode != 422 || !strings.Contains(res.Body, says) || strings.Contains(res.Body, s.Hub.Name) {
				t.Errorf("far staff, %s: %d, want 422 saying %q and not naming the hub\n%s", query, res.StatusCode, says, errorSummary(res.Body))
			}
		}

		// What staff print, read back off the roll, one label a page.
		requirePoppler(t)
		for _, tc := range []struct {
			name, query string
			want        []string
		}{
			{"a type leaves retired kits out", "type=" + s.KitType.Slug, inService},
			{"the form's type, at the staff member's hub", "by=type&type=" + s.KitType.Slug + "&hub=" + s.Hub.Slug + "&tags=RB-0001", inService},
			{"a hub, every type", "hub=" + s.Hub.Slug, append(slices.Clone(inService), buggy.AssetTag)},
			{"the form's hub, by id", "by=hub&hub=" + fmt.Sprint(s.Hub.ID) + "&type=" + s.KitType.Slug, append(slices.Clone(inService), buggy.AssetTag)},
			{"tags keep their order, retired ones too", "tags=" + url.QueryEscape(tags[3]+", rb-0001\n"+strings.ToLower(tags[1])+" "+tags[0]),
				[]string{tags[3], buggy.AssetTag, tags[1], tags[0]}},
			{"the form's tags", "by=tags&type=" + s.KitType.Slug + "&hub=" + s.Hub.Slug + "&tags=" + tags[2] + "&start=99", []string{tags[2]}},
		} {
			if got := rollTags(t, s, staff, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s (%s): printed %v, want %v", tc.name, tc.query, got, tc.want)
			}
		}
	})
}

// Every mistake comes back as the form, 422, with the problem summarised at
// the top, linked to its field, and beside the field; scripts get problem+json.
func TestLabelFormMistakes(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	staff := s.as(t, s.Staff)
	slug := s.KitType.Slug
	for _, tc := range []struct {
		query  string
		fields map[string]string // field id → what it says
	}{
		{"", map[string]string{"stock": "Choose the label stock", "type": "Choose a kit type or a hub, or list asset tags."}},
		{"stock=L9999&type=" + slug, map[string]string{"stock": "There is no label stock &#34;L9999&#34;"}},
		{"stock=L7163&type=" + slug + "&start=15", map[string]string{"start": "L7163 sheets have 14 labels, so start at a label from 1 to 14."}},
		{"stock=L7651&type=" + slug + "&start=0", map[string]string{"start": "L7651 sheets have 65 labels, so start at a label from 1 to 65."}},
		{"stock=L7160&type=" + slug + "&start=first", map[string]string{"start": "Give the label to start at as a number"}},
		{"stock=L7163&tags=KS-9999,KS-0001,ks-9998", map[string]string{"tags": "No kit has the tags KS-9999, KS-9998."}},
		{"stock=L7163&tags=KS-0001,hello!", map[string]string{"tags": "&#34;hello!&#34; is not an asset tag."}},
		{"stock=L7163&tags=KS-0001&type=" + slug, map[string]string{"tags": "not both"}},
		{"stock=L7163&by=type&hub=" + s.Hub.Slug, map[string]string{"type": "Choose a kit type."}},
		{"stock=L7163&by=hub&hub=", map[string]string{"hub": "Choose a hub."}},
		{"stock=L7163&by=tags&type=" + slug, map[string]string{"tags": "List the asset tags to print."}},
		{"stock=L7163&type=no-such-kit", map[string]string{"type": "There is no kit type &#34;no-such-kit&#34;."}},
		{"stock=L7163&hub=atlantis", map[string]string{"hub": "There is no hub &#34;atlantis&#34;."}},
		{"stock=DK11209&start=0&by=tags&tags=KS-0001,KS-9999", map[string]string{"tags": "No kit has the tag KS-9999."}},
	} {
		res := staff.get("/labels.pdf?" + tc.query)
		if res.StatusCode != 422 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%q: %d %s, want the form with 422", tc.query, res.StatusCode, res.Header.Get("Content-Type"))
			continue
		}
		summary := errorSummary(res.Body)
		if len(tc.fields) == 1 && !strings.Contains(summary, "Please correct the highlighted field.") ||
			len(tc.fields) == 2 && !strings.Contains(summary, "Please correct the 2 highlighted fields.") {
			t.Errorf("%q: summary does not count the fields\n%s", tc.query, summary)
		}
		for id, says := range tc.fields {
			if !strings.Contains(summary, `<a href="#`+id+`">`) || !strings.Contains(summary, says) {
				t.Errorf("%q: summary lacks a link to #%s saying %q\n%s", tc.query, id, says, summary)
			}
			if !strings.Contains(res.Body, `id="`+id+`"`) || !strings.Contains(res.Body, `id="`+id+`-error"`) {
				t.Errorf("%q: the page has no field #%s with its error beside it", tc.query, id)
			}
		}
		if !strings.Contains(res.Body, `action="/labels.pdf"`) {
			t.Errorf("%q: the form is not shown again", tc.query)
		}

		res = staff.getJSON("/labels.pdf?" + tc.query)
		var p struct {
			Status int
			Fields map[string]string
		}
		if err := json.Unmarshal([]byte(res.Body), &p); err != nil || p.Status != 422 || len(p.Fields) != len(tc.fields) ||
			res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%q as JSON: %d %s %+v", tc.query, res.StatusCode, res.Header.Get("Content-Type"), p)
		}
	}

	// The answers come back into the form.
	body := staff.get("/labels.pdf?stock=L7160&by=tags&tags=KS-0002%2CKS-9999&start=4").Body
	for _, want := range []string{`value="L7160"` + "\n        checked", `value="tags" checked`, ">KS-0002\nKS-9999</textarea>", `value="4"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form does not keep %q", want)
		}
	}

	// Anonymous visitors are sent to sign in, and come back to the same job.
	anon := s.client(t)
	for _, path := range []string{"/labels", "/labels.pdf?stock=L7163&type=" + slug} {
		res := anon.get(path)
		if res.StatusCode != 303 || res.Location() != "/login?next="+url.QueryEscape(path) {
			t.Errorf("anonymous %s: %d %q", path, res.StatusCode, res.Location())
		}
	}
	if res := s.as(t, s.Ambassador).get("/labels.pdf?stock=L7163&type=" + slug); res.StatusCode != 403 {
		t.Errorf("ambassador: %d, want 403", res.StatusCode)
	}
}

// A job is at most 2000 labels, so a request cannot make the server draw
// an unbounded PDF.
func TestLabelJobLimit(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	kits := make([]models.Kit, models.MaxLabelsPerJob)
	for i := range kits {
		kits[i] = models.Kit{AssetTag: fmt.Sprintf("BULK-%05d", i), HubID: s.Hub.ID, KitTypeID: s.KitType.ID, Status: models.KitAvailable}
	}
	if err := db.CreateInBatches(kits, 500).Error; err != nil {
		t.Fatal(err)
	}
	res := s.as(t, s.Staff).get("/labels.pdf?stock=L7651&type=" + s.KitType.Slug)
	if res.StatusCode != 422 || !strings.Contains(res.Body, "That is 2003 labels; one print job holds at most 2000.") {
		t.Errorf("2003 labels: %d\n%s", res.StatusCode, errorSummary(res.Body))
	}
}

func TestLabelsPage(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	other, _ := s.farHub(t)
	staff, admin := s.as(t, s.Staff), s.as(t, s.Admin)

	res := staff.get("/labels")
	if res.StatusCode != 200 {
		t.Fatalf("/labels: %d", res.StatusCode)
	}
	body := res.Body
	for _, st := range labels.Stocks {
		if !strings.Contains(body, `value="`+st.Code+`"`) || !strings.Contains(body, st.Name) {
			t.Errorf("no radio button for %s (%s)", st.Code, st.Name)
		}
	}
	for _, want := range []string{`<form method="get" action="/labels.pdf"`, "<legend>Label stock</legend>",
		`<option value="` + s.KitType.Slug + `" >micro:bit class set (30)</option>`,
		`<option value="` + s.Hub.Slug + `" selected>Test Hub</option>`, `<input type="number" id="start"`,
		`max="65"`, `value="type" checked`, "does not apply", `aria-current="page">Labels</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/labels lacks %q", want)
		}
	}
	if strings.Contains(body, other.Name) || strings.Contains(body, "Every hub") {
		t.Error("staff are offered hubs other than their own")
	}

	// Other pages link here with what to print.
	body = staff.get("/labels?type=" + s.KitType.Slug).Body
	if !strings.Contains(body, `<option value="`+s.KitType.Slug+`" selected>`) || !strings.Contains(body, `value="type" checked`) {
		t.Error("/labels?type= does not choose the kit type")
	}
	body = staff.get("/labels?tags=KS-0061,KS-0062&stock=l7651").Body
	for _, want := range []string{`value="tags" checked`, ">KS-0061\nKS-0062</textarea>", `value="L7651"` + "\n        checked"} {
		if !strings.Contains(body, want) {
			t.Errorf("/labels?tags=…&stock=l7651 lacks %q", want)
		}
	}

	// Admins choose among every hub, or every hub at once for a kit type.
	body = admin.get("/labels?by=hub&hub=" + fmt.Sprint(other.ID)).Body
	for _, want := range []string{`<option value="">Every hub</option>`, `<option value="` + other.Slug + `" selected>Far Hub</option>`,
		`<option value="` + s.Hub.Slug + `" >Test Hub</option>`, `value="hub" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("admin's /labels lacks %q", want)
		}
	}
	if !strings.HasPrefix(admin.get("/labels.pdf?stock=L7163&by=type&hub=&type="+s.KitType.Slug).Body, "%PDF-") {
		t.Error("an admin cannot print a kit type at every hub")
	}
}
