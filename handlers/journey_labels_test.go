package handlers_test

import (
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kitshelf/kitshelf/handlers/browsertest"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
	"github.com/kitshelf/kitshelf/views/labels"
)

// hidden reports whether the element is not displayed.
func hidden(tab *tab, sel string) bool {
	return browsertest.Eval[bool](tab.Tab, `getComputedStyle(document.querySelector(`+jsQuote(sel)+`)).display === "none"`)
}

func jsQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestPrintingLabelsInTheBrowser(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db, fixedBase)
	robot := must(models.CreateKitType(db, models.SystemActor("t"), models.KitTypeInput{Name: "Robot buggy", DefaultLoanDays: 14}))(t)
	must(models.AddKit(db, models.SystemActor("t"), models.AddKitInput{HubID: s.Hub.ID, KitTypeID: robot.ID}))(t)

	staff := newTab(t)
	signInByKeyboard(t, staff, s.URL, s.Staff.Email, password)
	staff.Click(`.site-nav a[href="/labels"]`)
	staff.WaitText("h1", "Print labels")
	staff.check("labels-form")

	// The form shows only what applies to the choices made.
	if hidden(staff, ".for-type") || hidden(staff, ".for-hub") || !hidden(staff, ".for-tags") {
		t.Error("choosing by kit type should show the kit type and hub, not the tag list")
	}
	staff.Click("#by-tags")
	if !hidden(staff, ".for-type") || !hidden(staff, ".for-hub") || hidden(staff, ".for-tags") {
		t.Error("choosing by tags should show only the tag list")
	}
	staff.Click("#stock-DK11209")
	if !hidden(staff, ".for-sheets") {
		t.Error(`"start at label" is shown for the roll`)
	}

	// Sheets of L7160, the micro:bit sets, from the third label: the kit type
	// chosen by typing its name into the focused list, as a keyboard user does.
	staff.Click("#stock-L7160")
	if hidden(staff, ".for-sheets") {
		t.Error(`"start at label" is hidden for a sheet`)
	}
	staff.Click("#by")
	staff.Type("#type", "mic")
	if got := staff.Value("#type"); got != s.KitType.Slug {
		t.Fatalf("typing the kit type's name chose %q", got)
	}
	if got := staff.Value("#hub"); got != s.Hub.Slug {
		t.Errorf("the hub is %q, not the staff member's own", got)
	}
	staff.Fill("#start", "3")
	staff.check("labels-chosen")
	staff.Click("main button[type=submit]")
	staff.WaitFor(`location.pathname === "/labels.pdf"`)
	if ct := browsertest.Eval[string](staff.Tab, "document.contentType"); ct != "application/pdf" {
		t.Errorf("the form led to a %s document, not a PDF", ct)
	}

	// The address the form made is the print job: fetch it as the same person.
	u, err := url.Parse(staff.URL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"stock": "L7160", "by": "type", "type": s.KitType.Slug, "hub": s.Hub.Slug, "start": "3"} {
		if q.Get(k) != want {
			t.Errorf("the form sent %s=%q, want %q (%s)", k, q.Get(k), want, u.RawQuery)
		}
	}
	res := s.as(t, s.Staff).get("/labels.pdf?" + u.RawQuery)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("fetching the form's job: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil {
		var want []string
		for _, k := range s.Kits {
			want = append(want, s.kitURL(k.AssetTag))
		}
		slices.Sort(want)
		stock, _ := labels.StockByCode("L7160")
		if got := labelURLs(t, renderPDF(t, []byte(res.Body)), stock, len(want), 3); !slices.Equal(got, want) {
			t.Errorf("the sheet's labels read %q, want %q", got, want)
		}
	}

	// A mistake: the form comes back with the problem, focused, and linked.
	staff.Go(s.URL + "/labels?tags=KS-0001,KS-9999")
	if staff.Value("#tags") != "KS-0001\nKS-9999" || !browsertest.Eval[bool](staff.Tab, `document.querySelector("#by-tags").checked`) {
		t.Error("/labels?tags= does not fill in the tag list")
	}
	staff.Click("#stock") // L7163, the first stock
	staff.Click("main button[type=submit]")
	staff.WaitFor(`document.querySelector(".error-summary")`) // and app.js has moved the focus
	if !strings.Contains(staff.Text(".error-summary"), "No kit has the tag KS-9999.") {
		t.Errorf("the summary says %q", staff.Text(".error-summary"))
	}
	if got := staff.Focused(); !strings.HasPrefix(got, "div") {
		t.Errorf("focus after the refused job is on %s, not the error summary", got)
	}
	staff.check("labels-errors")
	staff.Click(`.error-summary a[href="#tags"]`)
	staff.WaitFor(`location.hash === "#tags"`)

	staff.SetMobileViewport(360, 740)
	staff.Go(s.URL + "/labels?by=tags")
	if staff.HasHorizontalScroll() {
		t.Error("the label form scrolls sideways on a 360 px phone")
	}
	staff.Screenshot("labels-phone")
}
