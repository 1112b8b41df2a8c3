package labels

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"
)

const (
	// maxLabels caps one print job: 2000 labels is over 140 sheets of L7163,
	// far more than any hub's stock, and it bounds the memory a request can
	// make us spend building the PDF.
	maxLabels = 2000

	// qrMaxShare caps the QR code's width as a share of the label width, so
	// that wide-but-short labels (L7160) keep room for a readable tag.
	qrMaxShare = 0.48

	// pdfModulePx is the pixel size of one module in the images embedded in
	// the PDF. One pixel per module would be smallest, but many viewers and
	// print paths smooth upscaled images, blurring every module edge; at 4
	// pixels the smoothing only touches a quarter of a module, while images
	// stay small and quick to encode for 2000-label jobs.
	pdfModulePx = 4
)

// QRCodeRect returns where the QR code (including its quiet zone) sits inside a label rect; used by PDF and tests.
//
// The code is square, at the label's left inside the padding, vertically
// centred, and as large as the label height allows (capped by qrMaxShare of
// the width): 35.1 mm on L7163, 30.5 mm on L7160, 25 mm on DK-11209 and, on
// the 21.2 mm tall L7651, 18.2 mm.
func QRCodeRect(s Stock, r Rect) Rect {
	size := min(r.H-2*s.padding(), qrMaxShare*r.W)
	return Rect{Page: r.Page, X: r.X + s.padding(), Y: r.Y + (r.H-size)/2, W: size, H: size}
}

// WritePDF writes the label sheet(s). Errors (not panics) for bad start, no labels, too many labels (cap at 2000).
//
// Positions before start on the first sheet are left blank so part-used
// sheets can be fed again. Nothing is written to w if an error occurs.
func WritePDF(w io.Writer, s Stock, labels []Label, start int) error {
	if len(labels) == 0 {
		return errors.New("labels: no labels to print")
	}
	if len(labels) > maxLabels {
		return fmt.Errorf("labels: %d labels requested, at most %d per PDF", len(labels), maxLabels)
	}
	rects, err := Layout(s, len(labels), start)
	if err != nil {
		return err
	}
	doc := newDocument(s)
	for i, l := range labels {
		for doc.pdf.PageNo() <= rects[i].Page {
			doc.pdf.AddPage()
		}
		if err := doc.drawLabel(rects[i], l); err != nil {
			return fmt.Errorf("labels: label %d (%q): %w", i+1, l.Tag, err)
		}
	}
	// Close before Output: Output writes whatever it has even if closing
	// fails, and a truncated PDF must not reach the client.
	doc.pdf.Close()
	if err := doc.pdf.Error(); err != nil {
		return fmt.Errorf("labels: finishing PDF: %w", err)
	}
	return doc.pdf.Output(w)
}

// document is a label PDF being built.
type document struct {
	pdf    *fpdf.Fpdf
	stock  Stock
	tr     func(string) string // UTF-8 to cp1252 for the core fonts
	images map[string]string   // URL → registered image name, so reprinted kits embed one image
}

func newDocument(s Stock) *document {
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P", // with an explicit size, "P" keeps Wd × Ht as given, also for the wide roll label
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: s.PageW, Ht: s.PageH},
	})
	// Everything is positioned absolutely; fpdf's margins and automatic page
	// breaks would only move things.
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle("Kitshelf labels", true)
	pdf.SetCreator("Kitshelf", true)
	pdf.SetCompression(true)
	return &document{
		pdf:    pdf,
		stock:  s,
		tr:     pdf.UnicodeTranslatorFromDescriptor(""),
		images: make(map[string]string),
	}
}

// drawLabel draws one label at r on the current page.
func (d *document) drawLabel(r Rect, l Label) error {
	name, err := d.qrImage(l.URL)
	if err != nil {
		return err
	}
	qr := QRCodeRect(d.stock, r)
	d.pdf.ImageOptions(name, qr.X, qr.Y, qr.W, qr.H, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	for _, line := range textLines(d.pdf, d.tr, d.stock, r, l) {
		d.pdf.SetFont(fontFamily, line.Style, line.Size)
		d.pdf.SetTextColor(line.Gray, line.Gray, line.Gray)
		d.pdf.Text(line.X, line.Y, line.Text)
	}
	return d.pdf.Error()
}

// qrImage registers the QR code image for url with the PDF, once per URL,
// and returns its name. The image includes the quiet zone, so it fills
// QRCodeRect exactly.
func (d *document) qrImage(url string) (string, error) {
	if name, ok := d.images[url]; ok {
		return name, nil
	}
	m, err := encode(url)
	if err != nil {
		return "", err
	}
	data, err := encodePNG(m.render(pdfModulePx, len(m)*pdfModulePx, 0))
	if err != nil {
		return "", err
	}
	name := "qr" + strconv.Itoa(len(d.images))
	d.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
	if err := d.pdf.Error(); err != nil {
		return "", err
	}
	d.images[url] = name
	return name, nil
}
