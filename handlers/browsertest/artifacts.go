package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

const envArtifacts = "KITSHELF_ARTIFACTS"

// artifactsPath chooses where screenshots go: $KITSHELF_ARTIFACTS, or
// test-artifacts/screenshots in the module root above wd. go test runs each
// package in its own directory, so without the walk every package would
// scatter screenshots through the tree.
func artifactsPath(getenv func(string) string, wd string) (string, error) {
	if dir := getenv(envArtifacts); dir != "" {
		return dir, nil
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "test-artifacts", "screenshots"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s; set %s", wd, envArtifacts)
		}
		dir = parent
	}
}

var artifacts = sync.OnceValues(func() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	dir, err := artifactsPath(os.Getenv, wd)
	if err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o755)
})

// screenshotFile is the file name for a screenshot: the test's name and the
// caller's, with anything that is awkward in a path (subtest slashes,
// spaces) replaced, so names stay stable and greppable.
func screenshotFile(testName, name string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, testName+"-"+name)
	return strings.TrimLeft(clean, ".") + ".png"
}

// capture writes a full-page PNG of the tab and returns its path.
func (tab *Tab) capture(ctx context.Context, name string) (string, error) {
	dir, err := artifacts()
	if err != nil {
		return "", fmt.Errorf("artifacts directory: %w", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 selects PNG
	if err != nil {
		return "", err
	}
	if len(png) == 0 {
		return "", errors.New("empty screenshot")
	}
	path := filepath.Join(dir, screenshotFile(tab.t.Name(), name))
	return path, os.WriteFile(path, png, 0o644)
}

// Screenshot saves a full-page PNG named <TestName>-<name>.png in the
// artifacts directory and returns its path.
func (tab *Tab) Screenshot(name string) string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	path, err := tab.capture(ctx, name)
	if err != nil {
		// Not tab.fail: that would try to take another screenshot.
		tab.t.Fatalf("browsertest: screenshot %q: %v", name, err)
	}
	return path
}
