package labels

import (
	"bytes"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kitshelf/kitshelf/views/labels/labelstest"
)

const renderDPI = 300

func requireTools(t *testing.T, tools ...string) { labelstest.RequirePoppler(t, tools...) }

func run(t *testing.T, name string, args ...string) string { return labelstest.Run(t, name, args...) }

// pxRect converts a rect in mm to pixels of a page rendered at renderDPI.
func pxRect(r Rect) image.Rectangle {
	px := func(mm float64) int { return int(math.Round(mm * renderDPI / 25.4)) }
	return image.Rect(px(r.X), px(r.Y), px(r.X+r.W), px(r.Y+r.H))
}

var pageSizeLine = regexp.MustCompile(`Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`)

// checkPDFInfo checks page count, every page's size and the metadata.
func checkPDFInfo(t *testing.T, file string, p published) {
	info := run(t, "pdfinfo", "-f", "1", "-l", strconv.Itoa(p.wantPages), file)
	if !strings.Contains(info, "Pages:           "+strconv.Itoa(p.wantPages)+"\n") {
		t.Errorf("pdfinfo: want %d pages:\n%s", p.wantPages, info)
	}
	for _, want := range []string{"Title:           Kitshelf labels\n", "Creator:         Kitshelf\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	sizes := pageSizeLine.FindAllStringSubmatch(info, -1)
	if len(sizes) != p.wantPages {
		t.Fatalf("pdfinfo reported %d page sizes, want %d:\n%s", len(sizes), p.wantPages, info)
	}
	for _, m := range sizes {
		w, _ := strconv.ParseFloat(m[2], 64)
		h, _ := strconv.ParseFloat(m[3], 64)
		if !near(w/ptPerMM, p.pageW) || !near(h/ptPerMM, p.pageH) {
			t.Errorf("page %s is %.2f × %.2f mm, want %.1f × %.1f", m[1], w/ptPerMM, h/ptPerMM, p.pageW, p.pageH)
		}
	}
}

// renderPages rasterises every page in grey at renderDPI.
func renderPages(t *testing.T, file string) ([]*image.Gray, []string) {
	imgs, files := labelstest.RenderPages(t, file, renderDPI)
	pages := make([]*image.Gray, len(imgs))
	for i, img := range imgs {
		pages[i] = toGray(img)
	}
	return pages, files
}

// TestRenderedPDFScans prints (rasterises) a job on every stock with
// Poppler and scans each label back with gozxing, checking pages, blanks
// and the quiet zone as a scanner sees them.
func TestRenderedPDFScans(t *testing.T) {
	requireTools(t, "pdfinfo", "pdftoppm")
	t.Parallel()
	for _, p := range publishedStocks {
		t.Run(p.code, func(t *testing.T) {
			t.Parallel()
			s := p.stock(t)
			ls := testLabels(p.n)
			file := filepath.Join(t.TempDir(), s.Code+".pdf")
			var buf bytes.Buffer
			if err := WritePDF(&buf, s, ls, p.startAt); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			checkPDFInfo(t, file, p)
			pages, files := renderPages(t, file)
			if len(pages) != p.wantPages {
				t.Fatalf("rendered %d pages, want %d", len(pages), p.wantPages)
			}
			onFirst := 0
			for i, l := range ls {
				label := p.label(p.startAt - 1 + i)
				if label.Page == 0 {
					onFirst++
				}
				checkLabelScan(t, pages[label.Page], s, label, l.URL)
			}
			if onFirst != p.wantOnFirstPage {
				t.Errorf("%d labels on the first page, want %d", onFirst, p.wantOnFirstPage)
			}
			for pos := range p.startAt - 1 {
				if r := pxRect(p.label(pos)); !blank(pages[0], r) {
					t.Errorf("position %d before start %d is not blank", pos+1, p.startAt)
				}
			}
			checkZbar(t, files[len(files)-1], ls, p)
			checkText(t, file, ls[:min(2, len(ls))])
		})
	}
}

// checkLabelScan decodes the QR code from the label's area of the rendered
// page and checks the quiet zone around it.
func checkLabelScan(t *testing.T, page *image.Gray, s Stock, label Rect, url string) {
	t.Helper()
	crop := page.SubImage(pxRect(label))
	got, err := decodeQR(crop)
	if err != nil {
		t.Errorf("label at %+v: gozxing could not decode: %v", label, err)
		return
	}
	if got != url {
		t.Errorf("label at %+v decoded %q, want %q", label, got, url)
	}
	qz, modPx, err := measureQuietZone(page, pxRect(QRCodeRect(s, label)))
	// Rendering rounds the image edges to whole pixels and resampling spreads
	// ink by about a pixel, so allow 2.5 px less than 4 modules.
	if err != nil {
		t.Errorf("label at %+v: %v", label, err)
	} else if qz*modPx < 4*modPx-2.5 {
		t.Errorf("label at %+v: quiet zone %.2f modules of %.1f px, want 4", label, qz, modPx)
	}
}

// checkZbar scans a whole rendered page with zbarimg, a second decoder.
func checkZbar(t *testing.T, pageFile string, ls []Label, p published) {
	t.Helper()
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Log("zbarimg not found; skipping the second decoder")
		return
	}
	var want []string
	for i, l := range ls {
		if p.label(p.startAt-1+i).Page == p.wantPages-1 {
			want = append(want, l.URL)
		}
	}
	got := strings.Fields(run(t, "zbarimg", "--quiet", "--raw", pageFile))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("zbarimg read %q from the last page, want %q", got, want)
	}
}

// checkText extracts the text with pdftotext (when installed) to check the
// cp1252 translation end to end: "ò" and "–" survive, "✓" becomes "?".
func checkText(t *testing.T, file string, ls []Label) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return
	}
	text := run(t, "pdftotext", file, "-")
	for _, l := range ls {
		if !strings.Contains(text, l.Tag) {
			t.Errorf("pdftotext lacks tag %q:\n%s", l.Tag, text)
		}
	}
	if !strings.Contains(text, "Ròs – Glasgow ?") && !strings.Contains(text, "Ròs – Glas") {
		t.Errorf("pdftotext lacks the translated hub name:\n%s", text)
	}
}
