// Package browsertest drives Debian's headless Chromium from Go tests.
//
// It is test support: import it only from _test.go files. A test starts its
// server (usually with net/http/httptest, which binds 127.0.0.1, a secure
// context for Chromium) and opens a tab with [New]:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
//	func TestLogin(t *testing.T) {
//		srv := httptest.NewServer(app)
//		t.Cleanup(srv.Close)
//		tab := browsertest.New(t)
//		tab.Go(srv.URL + "/login")
//		tab.Fill("#email", "ada@example.com")
//		tab.Press("Enter")
//		tab.WaitVisible("#dashboard")
//		tab.Axe()
//	}
//
// One Chromium process serves the whole test binary. It starts on first use,
// and every tab gets its own browser context, so cookies and storage do not
// leak between tests, which may run in parallel. When Chromium is missing or
// does not start, [New] skips the test, unless KITSHELF_REQUIRE_BROWSER=1 is
// set, in which case it fails it: CI sets the variable so that browser tests
// cannot silently stop running.
//
// Environment:
//
//	KITSHELF_CHROMIUM         the Chromium executable (default /usr/bin/chromium)
//	KITSHELF_REQUIRE_BROWSER  1 to fail, not skip, when Chromium is unusable
//	KITSHELF_ARTIFACTS        where screenshots go (default <module root>/test-artifacts/screenshots)
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	defaultChromium = "/usr/bin/chromium"

	envChromium = "KITSHELF_CHROMIUM"
	envRequire  = "KITSHELF_REQUIRE_BROWSER"

	// A first start on a fresh machine takes several seconds; a hung start
	// must still not hold the test binary until go test's own 10 minute limit.
	startTimeout = 60 * time.Second

	// Long enough for Chromium to flush its profile, short enough that a
	// wedged browser cannot hold up the end of the test binary.
	shutdownTimeout = 10 * time.Second
)

// verdict is the decision whether browser tests can run, made from the
// environment before any process is started.
type verdict struct {
	execPath string
	require  bool
	// problem is empty when Chromium looks usable.
	problem string
}

// decide chooses the Chromium executable and whether its absence skips or
// fails tests. It is a pure function of the environment and the file system
// view passed in, so the policy can be unit-tested without touching either.
func decide(getenv func(string) string, exists func(path string) bool) verdict {
	v := verdict{execPath: defaultChromium}
	if p := getenv(envChromium); p != "" {
		v.execPath = p
	}
	v.require, _ = strconv.ParseBool(getenv(envRequire))
	if !exists(v.execPath) {
		v.problem = "no Chromium at " + v.execPath
	}
	return v
}

// message is what the test is told when the browser is unusable.
func (v verdict) message(problem string) string {
	if v.require {
		return fmt.Sprintf("browser tests required (%s=1) but %s", envRequire, problem)
	}
	return fmt.Sprintf("browser tests skipped: %s (set %s=1 to fail instead)", problem, envRequire)
}

func (v verdict) giveUp(t testing.TB, problem string) {
	t.Helper()
	if v.require {
		t.Fatal(v.message(problem))
	}
	t.Skip(v.message(problem))
}

// isExecutable is the real-world "exists" for decide. LookPath also resolves a
// bare name such as KITSHELF_CHROMIUM=chromium through PATH.
func isExecutable(path string) bool {
	_, err := exec.LookPath(path)
	return err == nil
}

// browser is one Chromium process. Flags such as the fake camera apply to a
// whole process, which is why there can be more than one.
type browser struct {
	extra []chromedp.ExecAllocatorOption

	once    sync.Once
	verdict verdict
	err     error // why the browser is unusable; verdict.problem or a start error

	// ctx is the chromedp context of the browser's first tab. Tabs for tests
	// are children of it.
	ctx         context.Context
	cancelCtx   context.CancelFunc
	cancelAlloc context.CancelFunc
}

var (
	browsersMu sync.Mutex
	// browsers is keyed by the flags that make a process different: "" for
	// the plain browser, the Y4M path for a fake-camera one.
	browsers = map[string]*browser{}
)

// get returns the started browser for key, starting it on first use.
func get(key string, extra ...chromedp.ExecAllocatorOption) *browser {
	browsersMu.Lock()
	b, ok := browsers[key]
	if !ok {
		b = &browser{extra: extra}
		browsers[key] = b
	}
	browsersMu.Unlock()
	b.once.Do(b.start)
	return b
}

func (b *browser) start() {
	b.verdict = decide(os.Getenv, isExecutable)
	if b.verdict.problem != "" {
		b.err = errors.New(b.verdict.problem)
		return
	}

	// The chromedp defaults (no background throttling of windows that are
	// not in front, /tmp instead of a small /dev/shm, ...) are what parallel
	// tests need. Of the rest, no-sandbox is needed as root in a container,
	// and the disable-* flags stop Chromium from talking to the network on
	// its own, which is slow and flaky in CI.
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(b.verdict.execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
		// No UserDataDir: chromedp then makes a fresh temporary profile and,
		// on shutdown, kills any Chromium helper still using it and removes it.
	)
	opts = append(opts, b.extra...)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)

	// The first Do binds the browser's lifetime to its context, so it must
	// not carry a deadline; a watchdog stops a start that hangs instead.
	watchdog := time.AfterFunc(startTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		err = fmt.Errorf("no answer within %v", startTimeout)
	}
	if err != nil {
		cancelCtx()
		cancelAlloc()
		b.err = fmt.Errorf("could not start Chromium at %s: %w", b.verdict.execPath, err)
		return
	}
	b.ctx, b.cancelCtx, b.cancelAlloc = ctx, cancelCtx, cancelAlloc
}

// stop closes the browser gracefully and waits for the process to exit and
// its temporary profile to be removed.
func (b *browser) stop() {
	if b.ctx == nil {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, shutdownTimeout)
	// An error here means Chromium did not close in time; cancelAlloc below
	// kills it anyway, so there is nothing more useful to do with it.
	_ = chromedp.Cancel(ctx)
	cancel()
	b.cancelCtx()
	b.cancelAlloc()
	b.ctx = nil
}

// Main runs the tests and then shuts down every Chromium process the package
// started. Call it from TestMain:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
// It returns instead of calling os.Exit, so a TestMain may tear down more
// after it; since Go 1.15 the test binary exits with m.Run's status when
// TestMain returns.
//
// Main is recommended but not required: chromedp starts Chromium with
// Pdeathsig=SIGKILL on Linux, so the browser dies with the test binary
// anyway. Without Main only the temporary profile directory is left behind.
func Main(m *testing.M) {
	defer Shutdown()
	m.Run()
}

// Shutdown closes every browser the package started. It is for a TestMain
// that cannot use [Main]. A later [New] starts a new browser.
func Shutdown() {
	browsersMu.Lock()
	all := browsers
	browsers = map[string]*browser{}
	browsersMu.Unlock()

	var wg sync.WaitGroup
	for _, b := range all {
		// A browser whose start is still running (a test leaked past
		// m.Run) is waited for rather than raced.
		wg.Go(func() {
			b.once.Do(func() {})
			b.stop()
		})
	}
	wg.Wait()
}

// New opens a new tab for t in the shared headless Chromium, starting it if
// needed, and closes the tab when t ends. It skips t (or fails it, with
// KITSHELF_REQUIRE_BROWSER=1) when Chromium is unavailable.
//
// Each tab has its own browser context (cookie jar, storage, cache), like a
// private window, so tests may run in parallel. Create the test's server
// before the tab and close it with t.Cleanup, so the tab closes first.
func New(t testing.TB) *Tab {
	t.Helper()
	return open(t, get(""))
}

// NewWithFakeCamera is like [New], but the tab's browser has a fake camera
// that plays the Y4M video at y4mPath (see [WriteY4M]) and grants camera
// permission without asking. Chromium takes these as process flags, so this
// starts a separate Chromium for each distinct video, shared by the tests
// that use the same file.
func NewWithFakeCamera(t testing.TB, y4mPath string) *Tab {
	t.Helper()
	abs, err := filepath.Abs(y4mPath)
	if err != nil {
		t.Fatalf("browsertest: fake camera video: %v", err)
	}
	// Chromium silently falls back to its built-in test pattern when the file
	// is missing, which would make a scan test fail for a confusing reason.
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("browsertest: fake camera video: %v", err)
	}
	return open(t, get("camera:"+abs,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", abs),
	))
}
