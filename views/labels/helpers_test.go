package labels

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"github.com/makiuchi-d/gozxing"

	"github.com/kitshelf/kitshelf/views/labels/labelstest"
)

// darkThreshold separates ink from paper in 8-bit grey.
const darkThreshold = 128

// decodeQR decodes a QR code anywhere in img with the ZXing port, a decoder
// independent of the encoder under test. It fails unless the code uses
// error-correction level M, which the labels promise.
func decodeQR(img image.Image) (string, error) {
	res, err := labelstest.Decode(img)
	if err != nil {
		return "", err
	}
	if ec := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; ec != "M" {
		return "", fmt.Errorf("decoded %q at error-correction level %v, want M", res.GetText(), ec)
	}
	return res.GetText(), nil
}

// toGray converts any image to 8-bit grey, keeping its bounds. pdftoppm
// writes RGB PNGs even with -gray, so that case takes a fast path: the
// generic draw.Draw conversion dominates the test time under -race.
func toGray(img image.Image) *image.Gray {
	switch src := img.(type) {
	case *image.Gray:
		return src
	case *image.RGBA:
		b := src.Bounds()
		g := image.NewGray(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			dst := g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()]
			row := src.Pix[src.PixOffset(b.Min.X, y):]
			for i := range dst {
				// Rendered pages are neutral grey, so any channel is the luminance.
				dst[i] = row[4*i+1]
			}
		}
		return g
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

func isDark(g *image.Gray, x, y int) bool { return g.GrayAt(x, y).Y < darkThreshold }

// darkBounds is the bounding box of the dark pixels of g inside r.
func darkBounds(g *image.Gray, r image.Rectangle) (image.Rectangle, bool) {
	r = r.Intersect(g.Bounds())
	b := image.Rectangle{Min: r.Max, Max: r.Min}
	found := false
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := g.Pix[g.PixOffset(r.Min.X, y):g.PixOffset(r.Max.X, y)]
		for i, v := range row {
			if v < darkThreshold {
				x := r.Min.X + i
				found = true
				b.Min.X, b.Min.Y = min(b.Min.X, x), min(b.Min.Y, y)
				b.Max.X, b.Max.Y = max(b.Max.X, x+1), max(b.Max.Y, y+1)
			}
		}
	}
	return b, found
}

// measureQuietZone measures, in modules, the narrowest white margin between the QR
// symbol inside r and r's edges. The module size comes from the top-left
// finder pattern, whose top edge is a dark run exactly 7 modules long.
func measureQuietZone(g *image.Gray, r image.Rectangle) (modules, modulePx float64, err error) {
	b, ok := darkBounds(g, r)
	if !ok {
		return 0, 0, fmt.Errorf("no dark pixels in %v", r)
	}
	// A couple of pixels below the top edge, where anti-aliasing has faded.
	y := b.Min.Y + min(2, b.Dy()/2)
	run := 0
	for x := b.Min.X; x < b.Max.X && isDark(g, x, y); x++ {
		run++
	}
	if run < 7 {
		return 0, 0, fmt.Errorf("finder pattern run of %d px is implausible", run)
	}
	// The run is only good to a pixel or so in a rendering; refine over the
	// whole symbol, which is a whole number (17+4v) of modules wide.
	modules = math.Round(float64(b.Dx()) / (float64(run) / 7))
	if modules < 21 || int(modules-17)%4 != 0 {
		return 0, 0, fmt.Errorf("symbol %d px wide with %d px finder: not a QR code", b.Dx(), run)
	}
	modulePx = float64(b.Dx()) / modules
	inset := min(b.Min.X-r.Min.X, b.Min.Y-r.Min.Y, r.Max.X-b.Max.X, r.Max.Y-b.Max.Y)
	return float64(inset) / modulePx, modulePx, nil
}

// blank reports whether r in g has no dark pixels.
func blank(g *image.Gray, r image.Rectangle) bool {
	_, found := darkBounds(g, r)
	return !found
}
