// Package labelstest checks labels the way a reader would: it decodes QR
// codes with gozxing (a ZXing port that shares nothing with the encoder) and
// renders PDFs with Poppler's command-line tools. Tests in views/labels and
// handlers use it.
package labelstest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// RequirePoppler skips the test when Poppler's tools are missing, unless
// KITSHELF_REQUIRE_POPPLER=1 says they must be there (as CI does).
func RequirePoppler(t testing.TB, tools ...string) {
	t.Helper()
	if len(tools) == 0 {
		tools = []string{"pdfinfo", "pdftoppm"}
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " not found (install poppler-utils), so the rendered-PDF checks cannot run"
			if os.Getenv("KITSHELF_REQUIRE_POPPLER") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// Run runs a command and returns its output, failing the test on error.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

var tryHarder = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}

// Decode reads the one QR code in img, with its ZXing result (for its
// metadata, such as the error-correction level).
func Decode(img image.Image) (*gozxing.Result, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	return zxqr.NewQRCodeReader().Decode(bmp, tryHarder)
}

// DecodeText reads the one QR code in img. gozxing misses the odd valid
// symbol (its finder-pattern search trips on some data patterns; seen with
// "http://127.0.0.1:36979/k/KS-0014"), so when it fails zbar, a second
// independent decoder, gets a look where it is installed.
func DecodeText(img image.Image) (string, error) {
	res, err := Decode(img)
	if err == nil {
		return res.GetText(), nil
	}
	if texts, zerr := zbar(img); zerr == nil && len(texts) == 1 {
		return texts[0], nil
	}
	return "", err
}

// DecodeAll reads every QR code anywhere in img: what gozxing finds, plus
// whatever zbar finds that gozxing missed.
func DecodeAll(img image.Image) ([]string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	res, gerr := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, tryHarder)
	for _, r := range res {
		if !seen[r.GetText()] {
			seen[r.GetText()] = true
			out = append(out, r.GetText())
		}
	}
	texts, zerr := zbar(img)
	for _, t := range texts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		if gerr != nil {
			return nil, gerr
		}
		return nil, zerr
	}
	return out, nil
}

// zbar decodes QR codes with zbarimg, if it is installed.
func zbar(img image.Image) ([]string, error) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "labelstest-*.png")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", f.Name()).Output()
	if err != nil {
		return nil, fmt.Errorf("zbarimg: %w", err)
	}
	var texts []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			texts = append(texts, line)
		}
	}
	return texts, nil
}
