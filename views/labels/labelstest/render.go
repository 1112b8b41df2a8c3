package labelstest

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// SVG is the subset of SVG a QR code uses: rects, optionally grouped.
type SVG struct {
	XMLName        xml.Name  `xml:"svg"`
	ViewBox        string    `xml:"viewBox,attr"`
	ShapeRendering string    `xml:"shape-rendering,attr"`
	Title          string    `xml:"title"`
	Rects          []SVGRect `xml:"rect"`
	Groups         []struct {
		Fill  string    `xml:"fill,attr"`
		Rects []SVGRect `xml:"rect"`
	} `xml:"g"`
}

// SVGRect is one rect, in user units.
type SVGRect struct {
	X      int    `xml:"x,attr"`
	Y      int    `xml:"y,attr"`
	Width  int    `xml:"width,attr"`
	Height int    `xml:"height,attr"`
	Fill   string `xml:"fill,attr"`
}

// Rasterise paints an n-unit-square SVG's rects on white paper, in document
// order, at scale px per unit, honouring fill inheritance from groups (SVG's
// default fill is black). It also returns the dark rects, in user units.
func (d SVG) Rasterise(n, scale int) (*image.Gray, [][4]int) {
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	var dark [][4]int
	paint := func(r SVGRect, inherited string) {
		fill := r.Fill
		if fill == "" {
			fill = inherited
		}
		c := color.Gray{Y: 255}
		if fill != "#fff" && fill != "#ffffff" && fill != "white" {
			c.Y = 0
			dark = append(dark, [4]int{r.X, r.Y, r.Width, r.Height})
		}
		for y := r.Y * scale; y < (r.Y+r.Height)*scale; y++ {
			for x := r.X * scale; x < (r.X+r.Width)*scale; x++ {
				img.SetGray(x, y, c)
			}
		}
	}
	// Everything starts transparent; scanners see paper, so start white.
	paint(SVGRect{Width: n, Height: n, Fill: "white"}, "")
	for _, r := range d.Rects {
		paint(r, "black")
	}
	for _, g := range d.Groups {
		for _, r := range g.Rects {
			paint(r, g.Fill)
		}
	}
	return img, dark
}

// RenderPages prints every page of a PDF file to pixels with pdftoppm at
// dpi, in page order, and returns the images and their files.
func RenderPages(t testing.TB, file string, dpi int) ([]image.Image, []string) {
	t.Helper()
	prefix := filepath.Join(filepath.Dir(file), "page")
	Run(t, "pdftoppm", "-r", strconv.Itoa(dpi), "-gray", "-png", file, prefix)
	files, err := filepath.Glob(prefix + "-*.png")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files) // pdftoppm zero-pads page numbers, so this is page order
	pages := make([]image.Image, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if pages[i], err = png.Decode(bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	return pages, files
}
