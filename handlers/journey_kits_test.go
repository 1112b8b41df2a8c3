package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kitshelf/kitshelf/handlers/browsertest"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// A member of staff puts a new kit type in the catalogue, with its contents
// list, adds two copies and finds them on the kits page — on a desktop and
// on a phone.
func TestKitManagementJourneyInTheBrowser(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db) // KS-0001 to KS-0003 exist

	staff := newTab(t)
	signInByKeyboard(t, staff, s.URL, s.Staff.Email, password)
	staff.Go(s.URL + "/kits")
	staff.WaitText("h1", "Kits at Test Hub")
	staff.check("kits")

	staff.Click(`main a[href="/kit-types/new"]`)
	staff.WaitText("h1", "New kit type")
	staff.check("kit-type-new")
	staff.Fill("#name", "Wind turbine kit")
	staff.Fill("#description", "Build and test a model wind turbine.")
	staff.Fill("#topics", "energy, engineering")
	staff.Click("#age_levels-ks2")
	staff.Fill("#contents-0-name", "model wind turbine")
	staff.Fill("#contents-0-quantity", "6")

	// The form has three rows; "Add another contents line" adds a fourth
	// in the page and puts the cursor in it.
	if n := staff.Count("table[data-contents] tbody tr"); n != 3 {
		t.Fatalf("the new form has %d contents rows, want 3", n)
	}
	staff.Click("button[data-add-line]")
	staff.WaitVisible("#contents-3-name")
	if got := staff.FocusOn("input#contents-3-name"); got != "input#contents-3-name" {
		t.Errorf("after adding a line, focus is on %s", got)
	}
	if staff.URL() != s.URL+"/kit-types/new" {
		t.Errorf("adding a line left the page for %s", staff.URL())
	}
	staff.Keys("multimeter")
	staff.check("kit-type-line-added")

	// Saving without the new line's quantity: the summary says so and
	// links to it; the added row and its text come back.
	staff.Click("main form button[type=submit]:not([name])")
	staff.WaitVisible(".error-summary")
	staff.check("kit-type-errors")
	if href := staff.Attr(".error-summary a", "href"); href != "#contents-3-quantity" {
		t.Errorf("the error summary links to %s", href)
	}
	if got := staff.Value("#contents-3-name"); got != "multimeter" {
		t.Errorf("the added line came back as %q", got)
	}
	staff.Click(".error-summary a")
	if got := staff.FocusOn("input#contents-3-quantity"); got != "input#contents-3-quantity" {
		t.Errorf("the summary link moved focus to %s", got)
	}
	staff.Keys("6")
	staff.Click("main form button[type=submit]:not([name])")
	staff.WaitText("h1", "Edit Wind turbine kit")
	staff.check("kit-type-created")

	kt := must(models.KitTypeBySlug(db, "wind-turbine-kit"))(t)
	if len(kt.Contents) != 2 || kt.Contents[0].Name != "model wind turbine" || kt.Contents[1].Name != "multimeter" ||
		kt.Contents[1].Quantity != 6 || strings.Join(kt.AgeLevels, ",") != "ks2" {
		t.Fatalf("stored kit type %+v", kt)
	}

	staff.Click(`.notice a[href="/kits/new?type=wind-turbine-kit"]`)
	staff.WaitText("h1", "Add kits")
	staff.check("kits-new")
	if got := staff.Value("#kit_type"); got != itoa(int64(kt.ID)) {
		t.Errorf("the kit type is not chosen already: %q", got)
	}
	staff.Fill("#count", "2")
	staff.Click("main form button[type=submit]")
	staff.WaitText(".notice", "Added KS-0004 and KS-0005. Print their labels")
	staff.check("kits-added")
	for _, tag := range []string{"KS-0004", "KS-0005"} {
		if !staff.Exists(`a[href="/k/` + tag + `"]`) {
			t.Errorf("/kits does not list %s", tag)
		}
	}

	// A photo of the kit, uploaded from the edit page.
	photo := filepath.Join(t.TempDir(), "turbine.png")
	if err := os.WriteFile(photo, pngImage(t, 120, 80), 0o600); err != nil {
		t.Fatal(err)
	}
	staff.Go(s.URL + "/kit-types/wind-turbine-kit/edit")
	if _, err := chromedp.Run(staff.Context(), chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{photo})); err != nil {
		t.Fatal(err)
	}
	staff.Click(`form[enctype="multipart/form-data"] button[type=submit]`)
	staff.WaitText(".notice", "The photo of Wind turbine kit is saved.")
	staff.WaitVisible(`img.kit-photo[alt="Photo of Wind turbine kit"]`)
	staff.check("kit-type-photo")
	staff.Go(s.URL + "/kits")
	staff.WaitVisible(`img.thumb[alt="Photo of Wind turbine kit"]`)
	if loaded := browsertest.Eval[bool](staff.Tab, `document.querySelector("img.thumb").naturalWidth === 120`); !loaded {
		t.Error("the photo on /kits did not load")
	}
	staff.check("kits-with-photo")

	staff.SetMobileViewport(360, 740)
	staff.Go(s.URL + "/kits?type=wind-turbine-kit")
	staff.WaitText("h1", "Kits at Test Hub")
	if staff.HasHorizontalScroll() {
		t.Error("the kits page scrolls sideways on a 360 px phone")
	}
	staff.check("kits-phone")
	staff.Go(s.URL + "/kit-types/wind-turbine-kit/edit")
	if staff.HasHorizontalScroll() {
		t.Error("the kit type form scrolls sideways on a 360 px phone")
	}
	staff.check("kit-type-edit-phone")
}
