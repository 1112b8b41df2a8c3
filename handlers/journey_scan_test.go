package handlers_test

import (
	"bytes"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kitshelf/kitshelf/handlers/browsertest"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
	"github.com/kitshelf/kitshelf/views/labels"
	"github.com/kitshelf/kitshelf/views/labels/labelstest"
)

// scanWithScanner types a code into the focused scan input and presses
// Enter, as a USB barcode scanner does.
func scanWithScanner(t *testing.T, tb *tab, code string) {
	t.Helper()
	if got := tb.FocusOn("input#code"); got != "input#code" {
		t.Fatalf("the scan input does not have the focus (%s has): a scanner would type elsewhere", got)
	}
	browsertest.Eval[bool](tb.Tab, `window.__oldPage = true`)
	tb.Keys(code)
	tb.PressEnter()
	waitNewPage(tb)
}

// waitNewPage waits until the page marked old has been replaced.
func waitNewPage(tb *tab) {
	tb.WaitFor(`window.__oldPage === undefined && document.readyState === "complete"`)
}

func resultText(tb *tab) string { return strings.Join(strings.Fields(tb.Text("#scan-result")), " ") }

func TestScanStationJourneyInTheBrowser(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	tb := newTab(t)
	signInByKeyboard(t, tb, s.URL, s.Staff.Email, password)
	tb.Go(s.URL + "/scan")
	tb.check("scan-empty")

	// Three kits out to a school through the input field.
	for _, k := range s.Kits[:3] {
		scanWithScanner(t, tb, k.AssetTag)
		if r := resultText(tb); !strings.Contains(r, "Added "+k.AssetTag) {
			t.Fatalf("scanning %s: %q", k.AssetTag, r)
		}
	}
	tb.check("scan-basket")
	if cls := tb.Attr("#scan-result", "class"); !strings.Contains(cls, "scan-ok") {
		t.Errorf("a good scan is not shown green: class %q", cls)
	}
	// A duplicate scan changes nothing.
	scanWithScanner(t, tb, s.Kits[1].AssetTag)
	if r := resultText(tb); !strings.Contains(r, "Already in the basket") {
		t.Errorf("duplicate scan: %q", r)
	}
	if n := tb.Count("#checkout-form tbody tr"); n != 3 {
		t.Fatalf("basket has %d rows, want 3", n)
	}
	tb.Click("#borrower")
	browsertest.Eval[bool](tb.Tab, `(() => { const s = document.getElementById("borrower");
		s.value = [...s.options].find(o => o.text.startsWith("Hillside Primary")).value; return true })()`)
	browsertest.Eval[bool](tb.Tab, `window.__oldPage = true`)
	tb.Click("#confirm-checkout")
	waitNewPage(tb)
	tb.WaitText(".scan-title", "✔ 3 kits checked out")
	tb.check("scan-checked-out")
	if n := loansOf(t, db); n != 3 {
		t.Fatalf("%d loans after checking out the basket", n)
	}

	// The same kit again, in check-out mode: red, and nothing changes.
	scanWithScanner(t, tb, s.Kits[0].AssetTag)
	if r := resultText(tb); !strings.Contains(r, "already on loan to Hillside Primary since") {
		t.Errorf("re-scanning a kit on loan: %q", r)
	}
	if cls := tb.Attr("#scan-result", "class"); !strings.Contains(cls, "scan-bad") {
		t.Errorf("a refused scan is not shown red: %q", cls)
	}
	if n := loansOf(t, db); n != 3 {
		t.Errorf("%d loans after a duplicate scan, want 3", n)
	}
	tb.check("scan-refused")

	// Check one in with a missing part.
	browsertest.Eval[bool](tb.Tab, `window.__oldPage = true`)
	tb.Click(`.modes a[href="/scan?mode=in"]`)
	waitNewPage(tb)
	scanWithScanner(t, tb, s.Kits[0].AssetTag)
	tb.WaitText("h1", "Check in "+s.Kits[0].AssetTag+": micro:bit class set (30)")
	tb.check("checkin-checklist")
	microbit := s.KitType.Contents[0]
	box := "#present_" + itoa(int64(microbit.ID))
	if tb.Attr(box, "checked") == "" && !browsertest.Eval[bool](tb.Tab, `document.querySelector("`+box+`").checked`) {
		t.Fatal("the contents are not ticked present to start with")
	}
	if browsertest.Eval[bool](tb.Tab, `!document.querySelector("#missing_`+itoa(int64(microbit.ID))+`").closest("[data-counts]").hidden`) {
		t.Error("counts are shown for a line ticked present")
	}
	tb.Click(box) // untick: the counts appear and take the focus
	if got := tb.FocusOn("input#missing_" + itoa(int64(microbit.ID))); got != "input#missing_"+itoa(int64(microbit.ID)) {
		t.Errorf("after unticking, focus is on %s", got)
	}
	tb.Keys("2")
	browsertest.Eval[bool](tb.Tab, `window.__oldPage = true`)
	tb.Click("#confirm-checkin")
	waitNewPage(tb)
	if r := resultText(tb); !strings.Contains(r, "needs restocking") || !strings.Contains(r, "2 × micro:bit missing") {
		t.Fatalf("check-in result: %q", r)
	}
	if cls := tb.Attr("#scan-result", "class"); !strings.Contains(cls, "scan-warn") {
		t.Errorf("a short return is not shown amber: %q", cls)
	}
	tb.check("checked-in-short")
	tb.Go(s.URL + "/k/" + s.Kits[0].AssetTag)
	if body := tb.Text("main"); !strings.Contains(body, "needs restock") || !strings.Contains(body, "2 × micro:bit missing") {
		t.Errorf("the kit page does not show the shortfall: %s", body)
	}
	tb.check("kit-page-shortfall")

	// Scanning it in again changes nothing.
	tb.Go(s.URL + "/scan?mode=in")
	scanWithScanner(t, tb, s.Kits[0].AssetTag)
	if r := resultText(tb); !strings.Contains(r, "is not on loan") {
		t.Errorf("second check-in scan: %q", r)
	}
	var returned int64
	db.Model(&models.Loan{}).Where("returned_at IS NOT NULL").Count(&returned)
	if returned != 1 {
		t.Errorf("%d loans returned, want 1", returned)
	}

	tb.SetMobileViewport(360, 740)
	tb.Go(s.URL + "/scan?mode=out")
	if tb.HasHorizontalScroll() {
		t.Error("the scan page scrolls sideways on a 360 px phone")
	}
	tb.check("scan-phone")
}

// printedLabel renders the kit's thermal label the way it is printed — the
// label PDF through poppler — so the camera sees what a real label shows.
func printedLabel(t *testing.T, url, tag string) image.Image {
	t.Helper()
	var pdf bytes.Buffer
	stock, _ := labels.StockByCode("DK11209")
	if err := labels.WritePDF(&pdf, stock, []labels.Label{{URL: url, Tag: tag, Title: "micro:bit class set (30)", Hub: "Test Hub"}}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("KITSHELF_REQUIRE_POPPLER") == "1" {
			t.Fatal("pdftoppm is missing and KITSHELF_REQUIRE_POPPLER=1")
		}
		t.Log("pdftoppm is missing: the camera sees the bare QR code instead of a printed label")
		b, err := labels.PNG(url, 400)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "label.pdf")
	os.WriteFile(in, pdf.Bytes(), 0o600)
	labelstest.Run(t, "pdftoppm", "-r", "200", "-png", "-singlefile", in, filepath.Join(dir, "label"))
	f, err := os.Open(filepath.Join(dir, "label.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestScanningWithTheCamera(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	tag := s.Kits[2].AssetTag
	label := printedLabel(t, s.URL+"/k/"+tag, tag)
	y4m := filepath.Join(t.TempDir(), "label.y4m")
	f, err := os.Create(y4m)
	if err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WriteY4M(f, label, 640, 480, 10); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tb := &tab{Tab: browsertest.NewWithFakeCamera(t, y4m), t: t}
	signInByKeyboard(t, tb, s.URL, s.Staff.Email, password)
	tb.Go(s.URL + "/scan?mode=out")
	tb.WaitVisible("#camera-toggle") // shown only where a camera API exists
	tb.Click("#camera-toggle")
	tb.SetTimeout(30 * time.Second) // camera start, decoding, a form post to a -race server and the next page
	tb.WaitFor(`location.search === "?mode=out" && document.querySelector("#scan-result").textContent.includes("Added")`)
	if r := resultText(tb); !strings.Contains(r, "Added "+tag) {
		t.Fatalf("camera scan: %q", r)
	}
	tb.check("camera-scanned")
}
