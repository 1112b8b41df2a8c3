package handlers_test

import (
	"encoding/xml"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/kitshelf/kitshelf/views/labels"
	"github.com/kitshelf/kitshelf/views/labels/labelstest"
)

// Decoding what Kitshelf draws with decoders that share nothing with its
// encoder: gozxing (a port of ZXing) for QR codes, Poppler for PDFs.

// decodeQR reads the one QR code in img.
func decodeQR(img image.Image) (string, error) { return labelstest.DecodeText(img) }

// decodeAllQR reads every QR code anywhere in img.
func decodeAllQR(img image.Image) ([]string, error) { return labelstest.DecodeAll(img) }

// rasteriseSVG paints an SVG QR code at scale pixels per module.
func rasteriseSVG(t *testing.T, data []byte, scale int) image.Image {
	t.Helper()
	var doc labelstest.SVG
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not SVG: %v\n%s", err, data)
	}
	var n int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d", &n); err != nil {
		t.Fatalf("viewBox %q: %v", doc.ViewBox, err)
	}
	img, _ := doc.Rasterise(n, scale)
	return img
}

func requirePoppler(t *testing.T) { labelstest.RequirePoppler(t) }

func runTool(t *testing.T, name string, args ...string) string {
	return labelstest.Run(t, name, args...)
}

const renderDPI = 300

// renderedPDF is a PDF printed to pixels by Poppler.
type renderedPDF struct {
	pages []image.Image
	sizes [][2]float64 // each page's width and height in mm, from pdfinfo
}

var pageSize = regexp.MustCompile(`Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts`)

// renderPDF checks pdf is a PDF and rasterises each page at renderDPI.
func renderPDF(t *testing.T, pdf []byte) renderedPDF {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "labels.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var r renderedPDF
	for _, m := range pageSize.FindAllStringSubmatch(runTool(t, "pdfinfo", "-f", "1", "-l", "100000", file), -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		r.sizes = append(r.sizes, [2]float64{w * 25.4 / 72, h * 25.4 / 72})
	}
	r.pages, _ = labelstest.RenderPages(t, file, renderDPI)
	if len(r.pages) != len(r.sizes) {
		t.Fatalf("pdfinfo saw %d pages, pdftoppm rendered %d", len(r.sizes), len(r.pages))
	}
	return r
}

// pxRect is a rect in mm on a page rendered at renderDPI, in pixels.
func pxRect(r labels.Rect) image.Rectangle {
	px := func(mm float64) int { return int(math.Round(mm * renderDPI / 25.4)) }
	return image.Rect(px(r.X), px(r.Y), px(r.X+r.W), px(r.Y+r.H))
}

type subImager interface {
	SubImage(image.Rectangle) image.Image
}

// labelURLs reads a rendered sheet label by label, in print order: the
// QR code at each position Layout gives for n labels starting at start.
func labelURLs(t *testing.T, r renderedPDF, s labels.Stock, n, start int) []string {
	t.Helper()
	rects, err := labels.Layout(s, n, start)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rects))
	for i, rect := range rects {
		if rect.Page >= len(r.pages) {
			t.Fatalf("label %d belongs on page %d of %d", i+1, rect.Page+1, len(r.pages))
		}
		page, ok := r.pages[rect.Page].(subImager)
		if !ok {
			t.Fatalf("page image %T cannot be cropped", r.pages[rect.Page])
		}
		url, err := decodeQR(page.SubImage(pxRect(rect)))
		if err != nil {
			t.Errorf("label %d (page %d at %.1f, %.1f mm): no QR code read: %v", i+1, rect.Page+1, rect.X, rect.Y, err)
		}
		out[i] = url
	}
	return out
}
