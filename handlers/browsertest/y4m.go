package browsertest

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// WriteY4M writes a video of frames identical frames, width×height, for
// Chromium's fake camera (see [NewWithFakeCamera]). The picture is img in
// grey, scaled to fit and centred on white; a QR code therefore stays
// decodable and keeps its quiet zone. Chromium loops the file, so a few
// frames are enough.
//
// The format is YUV4MPEG2 with 4:2:0 chroma (C420jpeg): per frame the luma
// plane and two quarter-size chroma planes, which are all 128 (no colour).
func WriteY4M(w io.Writer, img image.Image, width, height, frames int) error {
	if width <= 0 || height <= 0 || width%2 != 0 || height%2 != 0 {
		return fmt.Errorf("y4m: size %dx%d: width and height must be positive and even for 4:2:0", width, height)
	}
	if frames < 1 {
		return errors.New("y4m: need at least one frame")
	}
	luma := scaleToGrey(img, width, height)
	chroma := make([]byte, width/2*height/2*2)
	for i := range chroma {
		chroma[i] = 128
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", width, height)
	for range frames {
		bw.WriteString("FRAME\n")
		bw.Write(luma)
		bw.Write(chroma)
	}
	// bufio keeps the first error, so checking Flush covers every write.
	return bw.Flush()
}

// scaleToGrey returns the width×height luma plane with img fitted inside a
// white background. It scales by a whole number when img is smaller, so
// every QR module becomes the same number of pixels, and by nearest
// neighbour otherwise; smoothing would blur module edges into grey.
func scaleToGrey(img image.Image, width, height int) []byte {
	plane := make([]byte, width*height)
	for i := range plane {
		plane[i] = 0xff
	}
	b := img.Bounds()
	iw, ih := b.Dx(), b.Dy()
	if iw == 0 || ih == 0 {
		return plane
	}
	dw, dh := width, height
	if s := min(width/iw, height/ih); s >= 1 {
		dw, dh = iw*s, ih*s
	} else if iw*height > ih*width { // wider than the frame: fit the width
		dh = ih * width / iw
	} else {
		dw = iw * height / ih
	}
	x0, y0 := (width-dw)/2, (height-dh)/2
	for y := range dh {
		sy := b.Min.Y + y*ih/dh
		row := plane[(y0+y)*width+x0:]
		for x := range dw {
			sx := b.Min.X + x*iw/dw
			row[x] = lumaOverWhite(img.At(sx, sy))
		}
	}
	return plane
}

// lumaOverWhite is the BT.601 luma (as color.GrayModel computes it) of c
// composited onto white, so transparent areas of a PNG read as background
// rather than black.
func lumaOverWhite(c color.Color) byte {
	r, g, b, a := c.RGBA()
	bg := 0xffff - a
	return byte((19595*(r+bg) + 38470*(g+bg) + 7471*(b+bg) + 1<<15) >> 24)
}
