package labels

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"testing"
)

// testLabels returns n labels with distinct URLs; the second has far too much
// text and the first a hub name that needs cp1252 (and one character that doesn't fit it).
func testLabels(n int) []Label {
	ls := make([]Label, n)
	for i := range ls {
		tag := fmt.Sprintf("KS-%04d", 40+i)
		ls[i] = Label{URL: "https://kitshelf.example/k/" + tag, Tag: tag, Title: "micro:bit class set (30)", Hub: "Leith"}
	}
	ls[0].Hub = "Ròs – Glasgow ✓"
	if n > 1 {
		ls[1].Title, ls[1].Hub = longLabel.Title, longLabel.Hub
	}
	return ls
}

func TestWritePDFErrors(t *testing.T) {
	s, _ := StockByCode("L7163")
	dk, _ := StockByCode("DK11209")
	for name, tc := range map[string]struct {
		s      Stock
		labels []Label
		start  int
	}{
		"start 0":         {s, testLabels(1), 0},
		"start > PerPage": {s, testLabels(1), 15},
		"roll start 2":    {dk, testLabels(1), 2},
		"no labels":       {s, nil, 1},
		"too many":        {s, testLabels(maxLabels + 1), 1},
		"empty URL":       {s, []Label{{Tag: "KS-0001"}}, 1},
		"no positions":    {Stock{Code: "broken"}, testLabels(1), 1},
	} {
		var buf bytes.Buffer
		if err := WritePDF(&buf, tc.s, tc.labels, tc.start); err == nil {
			t.Errorf("%s: no error", name)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes despite the error", name, buf.Len())
		}
	}
}

func TestWritePDFMaxLabels(t *testing.T) {
	t.Parallel()
	s, _ := StockByCode("L7651")
	// One URL throughout: this tests the cap, not QR encoding speed, and
	// repeated URLs share one image.
	ls := make([]Label, maxLabels)
	for i := range ls {
		ls[i] = Label{URL: "https://kitshelf.example/k/KS-0001", Tag: "KS-0001", Title: "Spare", Hub: "Leith"}
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, s, ls, 1); err != nil {
		t.Fatalf("%d labels should be allowed: %v", maxLabels, err)
	}
}

// placement is where a content stream draws an image, in PDF points with
// the origin at the page's bottom-left.
type placement struct {
	w, h, x, y float64
	name       string
}

var imagePlacement = regexp.MustCompile(`q ([\d.]+) 0 0 ([\d.]+) (-?[\d.]+) (-?[\d.]+) cm /(\S+) Do Q`)

// pageContents returns the decompressed content streams of a PDF's pages in
// page order, following the page tree's /Kids and each page's /Contents. It
// relies only on PDF syntax, not on fpdf, but assumes the uncomplicated files
// fpdf writes: one flat page tree, no object streams, direct /Length values.
func pageContents(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	kids := regexp.MustCompile(`/Type /Pages\s*/Kids \[([^\]]*)\]`).FindSubmatch(pdf)
	if kids == nil {
		t.Fatal("no page tree")
	}
	var pages [][]byte
	for _, ref := range regexp.MustCompile(`(\d+) 0 R`).FindAllSubmatch(kids[1], -1) {
		page, _ := pdfObject(t, pdf, string(ref[1]))
		contents := regexp.MustCompile(`/Contents (\d+) 0 R`).FindSubmatch(page)
		if contents == nil {
			t.Fatalf("page object %s has no /Contents: %q", ref[1], page)
		}
		dict, body := pdfObject(t, pdf, string(contents[1]))
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("content stream: %v", err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("inflating content stream: %v", err)
			}
		}
		pages = append(pages, body)
	}
	return pages
}

// pdfObject returns the dictionary of indirect object num and its stream
// data, if any (still encoded).
func pdfObject(t *testing.T, pdf []byte, num string) (dict, stream []byte) {
	t.Helper()
	loc := regexp.MustCompile(`(?m)^` + num + ` 0 obj`).FindIndex(pdf)
	if loc == nil {
		t.Fatalf("object %s not found", num)
	}
	obj := pdf[loc[1]:]
	end := bytes.Index(obj, []byte("endobj"))
	s := bytes.Index(obj, []byte("stream"))
	if s < 0 || s > end {
		return obj[:end], nil
	}
	dict = obj[:s]
	m := regexp.MustCompile(`/Length (\d+)`).FindSubmatch(dict)
	if m == nil {
		t.Fatalf("object %s: stream without a direct /Length", num)
	}
	n, _ := strconv.Atoi(string(m[1]))
	data := bytes.TrimPrefix(bytes.TrimPrefix(obj[s+len("stream"):], []byte("\r")), []byte("\n"))
	return dict, data[:n]
}

func placements(t *testing.T, content []byte) []placement {
	t.Helper()
	var ps []placement
	for _, m := range imagePlacement.FindAllSubmatch(content, -1) {
		var f [4]float64
		for i := range f {
			v, err := strconv.ParseFloat(string(m[i+1]), 64)
			if err != nil {
				t.Fatal(err)
			}
			f[i] = v
		}
		ps = append(ps, placement{f[0], f[1], f[2], f[3], string(m[5])})
	}
	return ps
}

const ptPerMM = 72 / 25.4

// TestPDFPlacesQRCodes reads the image placement matrices back out of the
// PDF and checks each QR code sits where QRCodeRect says inside the label
// computed from the published template.
func TestPDFPlacesQRCodes(t *testing.T) {
	t.Parallel()
	for _, p := range publishedStocks {
		s := p.stock(t)
		ls := testLabels(p.n)
		var buf bytes.Buffer
		if err := WritePDF(&buf, s, ls, p.startAt); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte("/FlateDecode")) {
			t.Errorf("%s: content is not compressed", s.Code)
		}
		pages := pageContents(t, buf.Bytes())
		if len(pages) != p.wantPages {
			t.Fatalf("%s: %d content streams, want %d pages", s.Code, len(pages), p.wantPages)
		}
		var got []placement
		var onPage []int
		for i, c := range pages {
			ps := placements(t, c)
			got = append(got, ps...)
			for range ps {
				onPage = append(onPage, i)
			}
		}
		if len(got) != len(ls) {
			t.Fatalf("%s: %d images placed, want %d", s.Code, len(got), len(ls))
		}
		for i, pl := range got {
			label := p.label(p.startAt - 1 + i)
			want := QRCodeRect(s, label)
			// PDF y grows upwards from the bottom of the page.
			have := Rect{Page: onPage[i], X: pl.x / ptPerMM, Y: p.pageH - (pl.y+pl.h)/ptPerMM, W: pl.w / ptPerMM, H: pl.h / ptPerMM}
			if !rectNear(have, want) {
				t.Errorf("%s label %d: QR drawn at %+v, want %+v", s.Code, i, have, want)
			}
			if !near(have.W, have.H) || have.W < p.minQR {
				t.Errorf("%s label %d: QR is %.2f × %.2f mm, want square and ≥ %.1f mm", s.Code, i, have.W, have.H, p.minQR)
			}
			inside := have.X >= label.X+1.4 && have.Y >= label.Y+1.4 &&
				have.X+have.W <= label.X+label.W-1.4 && have.Y+have.H <= label.Y+label.H-1.4
			if !inside {
				t.Errorf("%s label %d: QR %+v not inside label %+v with ≥ 1.5 mm padding", s.Code, i, have, label)
			}
		}
	}
}

// TestPDFReusesImages checks a kit printed twice embeds its QR image once.
func TestPDFReusesImages(t *testing.T) {
	s, _ := StockByCode("L7163")
	ls := testLabels(3)
	ls[2].URL = ls[0].URL
	var buf bytes.Buffer
	if err := WritePDF(&buf, s, ls, 1); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("/Subtype /Image")); n != 2 {
		t.Errorf("%d images embedded for 2 distinct URLs", n)
	}
	ps := placements(t, pageContents(t, buf.Bytes())[0])
	if len(ps) != 3 || ps[0].name != ps[2].name || ps[0].name == ps[1].name {
		t.Errorf("placements %+v: want labels 1 and 3 to share an image", ps)
	}
}
