package labels

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/kitshelf/kitshelf/views/labels/labelstest"
)

var testURLs = []string{
	"https://kitshelf.example/k/KS-0042",
	// A longer URL needs a bigger QR version; & must survive XML escaping.
	"https://lending.kitshelf.example/k/KS-000123?utm_source=label&hub=glasgow",
}

func TestPNGDecodesWithQuietZone(t *testing.T) {
	t.Parallel()
	for _, url := range testURLs {
		for _, size := range []int{256, 301, 512} {
			t.Run(fmt.Sprintf("%d/%s", size, url), func(t *testing.T) {
				t.Parallel()
				data, err := PNG(url, size)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("not a PNG: %v", err)
				}
				if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
					t.Fatalf("image is %v, want %d×%d", b, size, size)
				}
				got, err := decodeQR(img)
				if err != nil {
					t.Fatalf("gozxing could not decode: %v", err)
				}
				if got != url {
					t.Fatalf("decoded %q, want %q", got, url)
				}
				g := toGray(img)
				qz, modPx, err := measureQuietZone(g, g.Bounds())
				if err != nil {
					t.Fatal(err)
				}
				if qz < 4 {
					t.Errorf("quiet zone is %.2f modules (module %.2f px), want ≥ 4", qz, modPx)
				}
				if modPx != float64(int(modPx)) {
					t.Errorf("module is %.2f px; whole pixels keep edges sharp", modPx)
				}
			})
		}
	}
}

func TestPNGErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		url  string
		size int
	}{
		"empty URL":  {"", 256},
		"too small":  {testURLs[0], 20},
		"zero size":  {testURLs[0], 0},
		"negative":   {testURLs[0], -5},
		"too long":   {"https://kitshelf.example/k/" + strings.Repeat("x", 3000), 4096},
		"too large":  {testURLs[0], 1 << 20},
		"fits at 1x": {testURLs[0], 37}, // version 3 is 29 modules + 2×4 quiet zone: must work
	} {
		_, err := PNG(tc.url, tc.size)
		if wantErr := name != "fits at 1x"; (err != nil) != wantErr {
			t.Errorf("%s: PNG(%q, %d) error = %v, want error %v", name, tc.url, tc.size, err, wantErr)
		}
	}
	if _, err := SVG(""); err == nil {
		t.Error("SVG(\"\") succeeded, want error")
	}
}

func TestSVGDecodes(t *testing.T) {
	t.Parallel()
	for _, url := range testURLs {
		data, err := SVG(url)
		if err != nil {
			t.Fatal(err)
		}
		var doc labelstest.SVG
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("SVG is not XML: %v\n%s", err, data)
		}
		var n, n2 int
		if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &n2); err != nil || n != n2 {
			t.Fatalf("viewBox %q, want \"0 0 N N\"", doc.ViewBox)
		}
		// A version-v symbol is 17+4v modules; plus 4 quiet modules each side.
		if sym := n - 2*4; sym < 21 || (sym-17)%4 != 0 {
			t.Errorf("viewBox size %d is not a QR symbol plus a 4-module quiet zone", n)
		}
		if doc.ShapeRendering != "crispEdges" {
			t.Errorf("shape-rendering = %q, want crispEdges", doc.ShapeRendering)
		}
		if doc.Title != url {
			t.Errorf("title = %q, want %q", doc.Title, url)
		}
		img, dark := doc.Rasterise(n, 8)
		for _, r := range dark {
			if r[0] < 4 || r[1] < 4 || r[0]+r[2] > n-4 || r[1]+r[3] > n-4 {
				t.Fatalf("dark rect %v intrudes on the 4-module quiet zone of a %d-module code", r, n)
			}
		}
		got, err := decodeQR(img)
		if err != nil {
			t.Fatalf("gozxing could not decode the rasterised SVG: %v", err)
		}
		if got != url {
			t.Errorf("decoded %q, want %q", got, url)
		}
	}
}
