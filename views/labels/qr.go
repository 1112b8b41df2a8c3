package labels

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"

	"github.com/skip2/go-qrcode"
)

// quietZone is the white margin, in modules, that the QR specification
// (ISO/IEC 18004) requires around the symbol; without it phone scanners often
// fail to find the finder patterns, especially next to printed text.
const quietZone = 4

// matrix is a QR code including its quiet zone; m[y][x] is true for a dark module.
type matrix [][]bool

// encode returns the QR code for url at error-correction level M (15 %
// recovery: enough for scuffed labels while keeping modules large), surrounded
// by exactly quietZone white modules.
func encode(url string) (matrix, error) {
	if url == "" {
		return nil, errors.New("labels: empty URL")
	}
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("labels: encoding QR code: %w", err)
	}
	// Add the quiet zone ourselves so its width is explicit rather than an
	// implementation detail of the encoder.
	q.DisableBorder = true
	sym := q.Bitmap()
	m := make(matrix, len(sym)+2*quietZone)
	for y := range m {
		m[y] = make([]bool, len(m))
		if sy := y - quietZone; sy >= 0 && sy < len(sym) {
			copy(m[y][quietZone:], sym[sy])
		}
	}
	return m, nil
}

// render draws m with scale pixels per module in a size×size image whose
// top-left module starts at pixel (offset, offset). Pixels outside the modules
// are white, which only widens the quiet zone.
func (m matrix) render(scale, size, offset int) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue // palette index 0 is already white
			}
			for py := offset + y*scale; py < offset+(y+1)*scale; py++ {
				start := py*img.Stride + offset + x*scale
				for px := start; px < start+scale; px++ {
					img.Pix[px] = 1
				}
			}
		}
	}
	return img
}

// pngEncoder is shared so its zlib writers and buffers are reused: a sheet
// job encodes one image per kit, and allocating a fresh compressor for each
// costs more than the compression itself.
var pngEncoder = &png.Encoder{BufferPool: &encoderPool{}}

// encoderPool adapts sync.Pool to png.EncoderBufferPool.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("labels: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// maxPNGSize bounds PNG's memory use (size² bytes) when the size comes from
// a request; 4096 px is ample for any print size.
const maxPNGSize = 4096

// PNG returns a PNG QR code of the URL, size px square, with a 4-module quiet zone, error-correction level M.
//
// Modules are a whole number of pixels so edges stay sharp; any pixels left
// over are split around the code, widening the quiet zone slightly.
func PNG(url string, size int) ([]byte, error) {
	m, err := encode(url)
	if err != nil {
		return nil, err
	}
	if size < len(m) {
		return nil, fmt.Errorf("labels: %d px is too small for a %d-module QR code", size, len(m))
	}
	if size > maxPNGSize {
		return nil, fmt.Errorf("labels: %d px is larger than the %d px limit", size, maxPNGSize)
	}
	scale := size / len(m)
	return encodePNG(m.render(scale, size, (size-scale*len(m))/2))
}

// SVG returns an SVG QR code (crisp vector squares, 4-module quiet zone, viewBox in modules, shape-rendering crispEdges, a <title> with the URL).
//
// The SVG has no width or height, so it scales to whatever box CSS gives it.
// Dark modules are merged into one rect per horizontal run to keep it small.
func SVG(url string) ([]byte, error) {
	m, err := encode(url)
	if err != nil {
		return nil, err
	}
	n := len(m)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	b.WriteString("<title>")
	if err := xml.EscapeText(&b, []byte(url)); err != nil {
		return nil, fmt.Errorf("labels: escaping SVG title: %w", err)
	}
	b.WriteString("</title>")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><g fill="#000">`, n, n)
	for y, row := range m {
		for x := 0; x < n; {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < n && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="1"/>`, x, y, run)
			x += run
		}
	}
	b.WriteString("</g></svg>\n")
	return b.Bytes(), nil
}
