package labelstest_test

import (
	"bytes"
	"image"
	_ "image/png"
	"os/exec"
	"testing"

	"github.com/kitshelf/kitshelf/views/labels"
	"github.com/kitshelf/kitshelf/views/labels/labelstest"
)

// gozxing cannot find this valid symbol; DecodeText must still read it,
// through zbar.
func TestDecodeTextReadsWhatGozxingMisses(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg not installed (zbar-tools)")
	}
	const url = "http://127.0.0.1:36979/k/KS-0014"
	b, err := labels.PNG(url, 512)
	if err != nil {
		t.Fatal(err)
	}
	img, _, _ := image.Decode(bytes.NewReader(b))
	if _, err := labelstest.Decode(img); err == nil {
		t.Log("gozxing reads this symbol now; the fallback is not exercised")
	}
	got, err := labelstest.DecodeText(img)
	if err != nil || got != url {
		t.Fatalf("DecodeText = %q, %v", got, err)
	}
	all, err := labelstest.DecodeAll(img)
	if err != nil || len(all) != 1 || all[0] != url {
		t.Fatalf("DecodeAll = %q, %v", all, err)
	}
}
