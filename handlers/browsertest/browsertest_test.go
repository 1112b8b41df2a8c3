package browsertest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	qrcode "github.com/skip2/go-qrcode"
)

func TestMain(m *testing.M) {
	// Keep the self-tests' screenshots out of the developer's
	// test-artifacts directory unless they asked for them.
	if os.Getenv(envArtifacts) == "" {
		dir, err := os.MkdirTemp("", "browsertest-artifacts-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv(envArtifacts, dir)
		defer os.RemoveAll(dir)
	}
	Main(m)
}

// strictCSP is Kitshelf's production policy: every test page must work
// under it, and the helpers must too.
const strictCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:"

// serve starts a server on 127.0.0.1 (a secure context, so camera access is
// allowed) that sends strictCSP with every response.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func page(title, body string) string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + title + `</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
` + body + `
</body>
</html>`
}

const styleCSS = `
body { font-family: sans-serif; color: #111; background: #fff; margin: 1rem; }
.faint { color: #ccc; }
.wide { width: 2000px; }
`

// site serves the given HTML pages, /style.css, and any extra handlers.
func site(pages map[string]string, extra map[string]http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, styleCSS)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	for path, html := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, html)
		})
	}
	for pattern, h := range extra {
		mux.HandleFunc(pattern, h)
	}
	return mux
}

// recorder captures failures and logs so a test can check that a helper
// fails or logs as it should. Everything else goes to the real test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	logs   []string
}

func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// Fatalf records the failure and, like the real one, ends the goroutine;
// call the helper under test from a goroutine of its own.
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// fatal runs f on its own goroutine, so that a recorded Fatalf ends only f.
func (r *recorder) fatal(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) failures() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errors, "\n")
}

const accessiblePage = `
<header><nav aria-label="Main"><a href="/">Home</a></nav></header>
<main>
<h1>Kit list</h1>
<form method="post" action="/add">
<label for="name">Name</label>
<input id="name" name="name" autocomplete="off">
<button type="submit">Add</button>
</form>
</main>`

// moderatePage breaks only best-practice rules of moderate impact: content
// outside landmarks, and no <main>.
const moderatePage = `<h1>Kit list</h1><p>Nothing here yet.</p>`

const inaccessiblePage = `
<main>
<h1>Kit list</h1>
<input id="q" name="q">
<p class="faint">This text is too faint to read.</p>
</main>`

func TestAxe(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(map[string]string{
		"/good": page("Kit list", accessiblePage),
		"/bad":  page("Kit list", inaccessiblePage),
		"/meh":  page("Kit list", moderatePage),
	}, nil))

	t.Run("accessible page passes", func(t *testing.T) {
		t.Parallel()
		tab := New(t)
		tab.Go(srv.URL + "/good")
		tab.Axe()
		tab.AssertNoConsoleErrors()
	})

	t.Run("violations are found", func(t *testing.T) {
		t.Parallel()
		tab := New(t)
		tab.Go(srv.URL + "/bad")
		var ids []string
		for _, v := range tab.AxeViolations() {
			ids = append(ids, v.ID)
			if v.ID == "label" {
				if !v.Blocking() || len(v.Nodes) == 0 || !slices.Contains(v.Nodes[0].Target, "#q") {
					t.Errorf("label violation = %+v; want a blocking one on #q", v)
				}
			}
		}
		for _, want := range []string{"label", "color-contrast"} {
			if !slices.Contains(ids, want) {
				t.Errorf("violations %v lack %q", ids, want)
			}
		}
		// The axe scripts ran under the page's CSP without tripping it.
		tab.AssertNoConsoleErrors()
	})

	t.Run("moderate violations are only logged", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{TB: t}
		tab := New(rec)
		tab.Go(srv.URL + "/meh")
		tab.Axe()
		if got := rec.failures(); got != "" {
			t.Errorf("Axe failed on moderate violations:\n%s", got)
		}
		logs := strings.Join(rec.logs, "\n")
		if !strings.Contains(logs, "(moderate, not failing): region:") {
			t.Errorf("Axe logged %q; want the moderate region violation", logs)
		}
	})

	t.Run("Axe fails the test on serious violations", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{TB: t}
		tab := New(rec)
		tab.Go(srv.URL + "/bad")
		tab.Axe()
		got := rec.failures()
		t.Logf("Axe reported:\n%s", got)
		for _, want := range []string{"label:", "color-contrast:", "#q", srv.URL + "/bad", ".png"} {
			if !strings.Contains(got, want) {
				t.Errorf("Axe failure message lacks %q:\n%s", want, got)
			}
		}
	})
}

func TestKeyboardJourney(t *testing.T) {
	t.Parallel()
	type post struct{ name, code string }
	posted := make(chan post, 1)
	srv := serve(t, site(map[string]string{
		"/form": page("Add kit", `
<main>
<h1>Add kit</h1>
<form method="post" action="/save">
<label for="name">Name</label> <input id="name" name="name">
<label for="code">Code</label> <input id="code" name="code">
<button id="save" type="submit">Save</button>
</form>
</main>`),
	}, map[string]http.HandlerFunc{
		"POST /save": func(w http.ResponseWriter, r *http.Request) {
			posted <- post{r.FormValue("name"), r.FormValue("code")}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, page("Saved", `<main><h1 id="result">Saved</h1></main>`))
		},
	}))
	received := func(t *testing.T) post {
		t.Helper()
		select {
		case p := <-posted:
			return p
		case <-time.After(10 * time.Second):
			t.Fatal("the server received no form post")
			return post{}
		}
	}

	t.Run("Tab, type, Enter", func(t *testing.T) {
		tab := New(t)
		tab.Go(srv.URL + "/form")
		for i, want := range []string{"input#name", "input#code", "button#save"} {
			tab.Press("Tab")
			if got := tab.Focused(); got != want {
				t.Fatalf("after %d Tab(s) focus is on %s, want %s", i+1, got, want)
			}
			if want == "input#name" {
				tab.Keys("Rope, 10 m")
			}
		}
		tab.Press("Shift+Tab")
		if got := tab.Focused(); got != "input#code" {
			t.Fatalf("Shift+Tab moved focus to %s, want input#code", got)
		}
		tab.Keys("KS-0001")
		tab.Press("Tab")
		tab.Press("Enter")
		if got, want := received(t), (post{"Rope, 10 m", "KS-0001"}); got != want {
			t.Errorf("server got %+v, want %+v", got, want)
		}
		tab.WaitText("#result", "Saved")
		if got := tab.Title(); got != "Saved" {
			t.Errorf("title after submit = %q, want Saved", got)
		}
		tab.AssertNoConsoleErrors()
	})

	t.Run("scanner types a code then Enter", func(t *testing.T) {
		tab := New(t)
		tab.Go(srv.URL + "/form")
		tab.Fill("#name", "Stove")
		tab.Fill("#code", "typed by hand")
		if got := tab.Value("#code"); got != "typed by hand" {
			t.Fatalf("Value = %q", got)
		}
		tab.Fill("#code", "KS-0042\r") // replaces, then Enter submits
		if got, want := received(t), (post{"Stove", "KS-0042"}); got != want {
			t.Errorf("server got %+v, want %+v", got, want)
		}
		tab.WaitVisible("#result")
		if !strings.HasSuffix(tab.URL(), "/save") {
			t.Errorf("URL after submit = %s", tab.URL())
		}
	})
}

func TestReadingThePage(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(map[string]string{
		"/": page("Shelf", `<main><h1 id="h">  Shelf  </h1><a id="more" href="/more" data-n="3">More</a>
<ul><li>a</li><li>b</li></ul></main>`),
		"/more": page("More", `<main><h1 id="h">More</h1></main>`),
	}, nil))
	tab := New(t)
	tab.Go(srv.URL + "/")
	if got := tab.Text("#h"); got != "Shelf" {
		t.Errorf("Text = %q", got)
	}
	if got := tab.Attr("#more", "data-n"); got != "3" {
		t.Errorf("Attr = %q", got)
	}
	if got := tab.Attr("#more", "data-missing"); got != "" {
		t.Errorf("Attr of a missing attribute = %q", got)
	}
	if !tab.Exists("li") || tab.Exists("#nope") || tab.Count("li") != 2 {
		t.Error("Exists/Count disagree with the page")
	}
	if got := Eval[int](tab, `Promise.resolve(40 + 2)`); got != 42 {
		t.Errorf("Eval = %d", got)
	}
	tab.Click("#more")
	tab.WaitText("#h", "More")
	if got := tab.URL(); got != srv.URL+"/more" {
		t.Errorf("URL = %s", got)
	}
}

func TestFailedActionKeepsTheTab(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(map[string]string{"/": page("Shelf", `<main><h1 id="h">Shelf</h1></main>`)}, nil))
	rec := &recorder{TB: t}
	tab := New(rec)
	tab.Go(srv.URL + "/")
	tab.SetTimeout(300 * time.Millisecond)
	start := time.Now()
	rec.fatal(func() { tab.Click("#missing") })
	// Reporting the failure may take up to 5 s more (URL, screenshot).
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("a 300 ms action took %v to fail", took)
	}
	msg := rec.failures()
	t.Logf("failure message:\n%s", msg)
	for _, want := range []string{`click "#missing"`, "timed out after 300ms", "url: " + srv.URL + "/", "TestFailedActionKeepsTheTab-failure-1.png"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q", want)
		}
	}
	// The deadline ended the action, not the tab or the browser.
	tab.SetTimeout(DefaultTimeout)
	if got := tab.Text("#h"); got != "Shelf" {
		t.Errorf("after the timeout, Text = %q", got)
	}
}

func TestTabsDoNotShareCookies(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(nil, map[string]http.HandlerFunc{
		"GET /login": func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "ada", Path: "/"})
			io.WriteString(w, page("In", `<main><h1 id="who">ada</h1></main>`))
		},
		"GET /whoami": func(w http.ResponseWriter, r *http.Request) {
			who := "nobody"
			if c, err := r.Cookie("session"); err == nil {
				who = c.Value
			}
			io.WriteString(w, page("Who", `<main><h1 id="who">`+who+`</h1></main>`))
		},
	}))
	ada, other := New(t), New(t)
	ada.Go(srv.URL + "/login")
	ada.Go(srv.URL + "/whoami")
	other.Go(srv.URL + "/whoami")
	if got := ada.Text("#who"); got != "ada" {
		t.Errorf("the tab that logged in is %q", got)
	}
	if got := other.Text("#who"); got != "nobody" {
		t.Errorf("another tab sees the session cookie: %q", got)
	}
}

func TestViewport(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(map[string]string{
		"/narrow": page("Narrow", `<main><h1>Fits</h1></main>`),
		"/wide":   page("Wide", `<main><h1>Too wide</h1><div class="wide">x</div></main>`),
	}, nil))
	tab := New(t)
	tab.SetViewport(360, 740)
	tab.Go(srv.URL + "/narrow")
	if tab.HasHorizontalScroll() {
		t.Error("a plain page scrolls sideways at 360 px")
	}
	if got := Eval[int](tab, `window.innerWidth`); got != 360 {
		t.Errorf("innerWidth = %d, want 360", got)
	}
	tab.Go(srv.URL + "/wide")
	if !tab.HasHorizontalScroll() {
		t.Error("a 2000 px wide page does not scroll sideways")
	}
	tab.SetMobileViewport(360, 740)
	tab.Go(srv.URL + "/narrow")
	if tab.HasHorizontalScroll() || Eval[int](tab, `window.innerWidth`) != 360 {
		t.Error("the mobile viewport does not honour <meta name=viewport>")
	}
}

func TestScreenshot(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(map[string]string{"/": page("Shot", `<main><h1>Hello</h1></main>`)}, nil))
	tab := New(t)
	tab.Go(srv.URL + "/")
	path := tab.Screenshot("home page")
	if want := "TestScreenshot-home_page.png"; filepath.Base(path) != want {
		t.Errorf("screenshot named %s, want %s", filepath.Base(path), want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if cfg.Width != 1280 || cfg.Height < 1 {
		t.Errorf("screenshot is %dx%d, want 1280 wide (the window size)", cfg.Width, cfg.Height)
	}
}

func TestConsoleErrors(t *testing.T) {
	t.Parallel()
	srv := serve(t, site(map[string]string{
		"/inline": page("Inline", `<main><h1>Inline</h1><script>document.title = 'ran';</script></main>`),
		"/logs":   page("Logs", `<main><h1>Logs</h1><script src="/boom.js"></script></main>`),
		"/clean":  page("Clean", `<main><h1>Clean</h1></main>`),
	}, map[string]http.HandlerFunc{
		"GET /boom.js": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, "console.error('broken', 7);\nthrow new Error('kaboom');\n")
		},
	}))

	t.Run("CSP violation", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{TB: t}
		tab := New(rec)
		tab.Go(srv.URL + "/inline")
		if tab.Title() == "ran" {
			t.Fatal("the inline script ran despite the CSP")
		}
		errs := strings.Join(tab.ConsoleErrors(), "\n")
		t.Logf("ConsoleErrors:\n%s", errs)
		if !strings.Contains(errs, "Content Security Policy") {
			t.Errorf("ConsoleErrors = %q; want the CSP violation", errs)
		}
		tab.AssertNoConsoleErrors()
		if !strings.Contains(rec.failures(), "Content Security Policy") {
			t.Errorf("AssertNoConsoleErrors did not fail the test; got %q", rec.failures())
		}
	})

	t.Run("console.error and exceptions", func(t *testing.T) {
		t.Parallel()
		tab := New(t)
		tab.Go(srv.URL + "/logs")
		errs := strings.Join(tab.ConsoleErrors(), "\n")
		t.Logf("ConsoleErrors:\n%s", errs)
		for _, want := range []string{"console.error: broken 7", "kaboom"} {
			if !strings.Contains(errs, want) {
				t.Errorf("ConsoleErrors = %q; want %q", errs, want)
			}
		}
	})

	t.Run("clean page", func(t *testing.T) {
		t.Parallel()
		tab := New(t)
		tab.Go(srv.URL + "/clean")
		tab.AssertNoConsoleErrors()
	})
}

const scanJS = `'use strict';
const result = document.getElementById('result');
const status = document.getElementById('status');

async function scan() {
  const stream = await navigator.mediaDevices.getUserMedia({video: true});
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  status.textContent = 'scanning';
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const tick = () => {
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(frame.data, frame.width, frame.height);
      if (code) {
        result.textContent = code.data;
        stream.getTracks().forEach(t => t.stop());
        return;
      }
    }
    setTimeout(tick, 100);
  };
  tick();
}

scan().catch(err => {
  status.textContent = 'error: ' + err.name + ': ' + err.message;
  console.error(err);
});
`

func TestFakeCameraScansQRCode(t *testing.T) {
	t.Parallel()
	const content = "http://127.0.0.1/k/KS-0042"
	jsQR, err := os.ReadFile("../../assets/vendor/jsqr/jsQR.js")
	if err != nil {
		t.Fatal(err)
	}
	qr, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(t.TempDir(), "qr.y4m")
	f, err := os.Create(video)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteY4M(f, qr.Image(-8), 640, 480, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	js := func(src []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(src)
		}
	}
	srv := serve(t, site(map[string]string{
		"/scan": page("Scan", `<main><h1>Scan a label</h1>
<p id="status" role="status">starting</p>
<output id="result"></output>
</main>
<script src="/jsQR.js"></script>
<script src="/scan.js"></script>`),
	}, map[string]http.HandlerFunc{
		"GET /jsQR.js": js(jsQR),
		"GET /scan.js": js([]byte(scanJS)),
	}))

	tab := NewWithFakeCamera(t, video)
	tab.Go(srv.URL + "/scan")
	if Eval[bool](tab, `'BarcodeDetector' in window`) {
		t.Log("this Chromium has BarcodeDetector; the test still exercises the jsQR fallback")
	}
	tab.SetTimeout(30 * time.Second) // the camera starts and decodes while other tests run
	start := time.Now()
	tab.WaitText("#result", content)
	t.Logf("decoded %q from the fake camera in %v", content, time.Since(start).Round(time.Millisecond))
	tab.AssertNoConsoleErrors()
}

func TestDecide(t *testing.T) {
	present := func(paths ...string) func(string) bool {
		return func(p string) bool { return slices.Contains(paths, p) }
	}
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	tests := []struct {
		name        string
		env         map[string]string
		exists      func(string) bool
		wantPath    string
		wantRequire bool
		wantMessage string // "" when the browser is usable
	}{{
		name:     "default path present",
		exists:   present("/usr/bin/chromium"),
		wantPath: "/usr/bin/chromium",
	}, {
		name:        "default path missing skips",
		exists:      present(),
		wantPath:    "/usr/bin/chromium",
		wantMessage: "browser tests skipped: no Chromium at /usr/bin/chromium (set KITSHELF_REQUIRE_BROWSER=1 to fail instead)",
	}, {
		name:        "missing and required fails",
		env:         map[string]string{"KITSHELF_REQUIRE_BROWSER": "1"},
		exists:      present(),
		wantPath:    "/usr/bin/chromium",
		wantRequire: true,
		wantMessage: "browser tests required (KITSHELF_REQUIRE_BROWSER=1) but no Chromium at /usr/bin/chromium",
	}, {
		name:        "required and present runs",
		env:         map[string]string{"KITSHELF_REQUIRE_BROWSER": "true"},
		exists:      present("/usr/bin/chromium"),
		wantPath:    "/usr/bin/chromium",
		wantRequire: true,
	}, {
		name:        "require=0 still skips",
		env:         map[string]string{"KITSHELF_REQUIRE_BROWSER": "0"},
		exists:      present(),
		wantPath:    "/usr/bin/chromium",
		wantMessage: "browser tests skipped: no Chromium at /usr/bin/chromium (set KITSHELF_REQUIRE_BROWSER=1 to fail instead)",
	}, {
		name:     "override present",
		env:      map[string]string{"KITSHELF_CHROMIUM": "/opt/chrome/chrome"},
		exists:   present("/opt/chrome/chrome"),
		wantPath: "/opt/chrome/chrome",
	}, {
		name:        "override missing, although the default exists",
		env:         map[string]string{"KITSHELF_CHROMIUM": "/opt/chrome/chrome"},
		exists:      present("/usr/bin/chromium"),
		wantPath:    "/opt/chrome/chrome",
		wantMessage: "browser tests skipped: no Chromium at /opt/chrome/chrome (set KITSHELF_REQUIRE_BROWSER=1 to fail instead)",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := decide(env(tt.env), tt.exists)
			if v.execPath != tt.wantPath || v.require != tt.wantRequire {
				t.Errorf("decide = %+v, want path %s, require %v", v, tt.wantPath, tt.wantRequire)
			}
			var msg string
			if v.problem != "" {
				msg = v.message(v.problem)
			}
			if msg != tt.wantMessage {
				t.Errorf("message = %q\nwant      %q", msg, tt.wantMessage)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	for _, tt := range []struct {
		in       string
		keys     string
		mods     []chromedp.Modifier
		wantsErr bool
	}{
		{in: "Tab", keys: "\t"},
		{in: "Shift+Tab", keys: "\t", mods: []chromedp.Modifier{chromedp.ModifierShift}},
		{in: "Enter", keys: "\r"},
		{in: "Space", keys: " "},
		{in: "Ctrl+Shift+a", keys: "a", mods: []chromedp.Modifier{chromedp.ModifierCtrl, chromedp.ModifierShift}},
		{in: "+", keys: "+"},
		{in: "Shift++", keys: "+", mods: []chromedp.Modifier{chromedp.ModifierShift}},
		{in: "é", keys: "é"},
		{in: "Return", wantsErr: true},
		{in: "", wantsErr: true},
	} {
		keys, mods, err := parseKey(tt.in)
		if (err != nil) != tt.wantsErr || keys != tt.keys || !slices.Equal(mods, tt.mods) {
			t.Errorf("parseKey(%q) = %q, %v, %v", tt.in, keys, mods, err)
		}
	}
}

func TestArtifactsPath(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "handlers", "scan")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	if got, err := artifactsPath(noEnv, pkg); err != nil || got != filepath.Join(root, "test-artifacts", "screenshots") {
		t.Errorf("artifactsPath = %q, %v", got, err)
	}
	withEnv := func(k string) string { return map[string]string{envArtifacts: "/elsewhere"}[k] }
	if got, _ := artifactsPath(withEnv, pkg); got != "/elsewhere" {
		t.Errorf("with %s set, artifactsPath = %q", envArtifacts, got)
	}
	if _, err := artifactsPath(noEnv, "/"); err == nil {
		t.Error("no error without a go.mod")
	}
}

func TestScreenshotFile(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"TestScan", "after"}:                   "TestScan-after.png",
		{"TestScan/phone_360x740", "home page"}: "TestScan_phone_360x740-home_page.png",
		{"TestX", "../../etc/passwd"}:           "TestX-.._.._etc_passwd.png",
	} {
		if got := screenshotFile(in[0], in[1]); got != want {
			t.Errorf("screenshotFile(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestWriteY4M(t *testing.T) {
	// A 2×2 image: black, white / transparent, mid grey.
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.Pix = []byte{
		0, 0, 0, 255, 255, 255, 255, 255,
		0, 0, 0, 0, 128, 128, 128, 255,
	}
	var buf bytes.Buffer
	if err := WriteY4M(&buf, img, 8, 4, 2); err != nil {
		t.Fatal(err)
	}
	header := "YUV4MPEG2 W8 H4 F30:1 Ip A1:1 C420jpeg\n"
	frame := 8*4 + 2*(4*2)
	if got, want := buf.Len(), len(header)+2*(len("FRAME\n")+frame); got != want {
		t.Fatalf("size %d, want %d", got, want)
	}
	if !strings.HasPrefix(buf.String(), header+"FRAME\n") {
		t.Fatalf("header %q", buf.String()[:60])
	}
	y := buf.Bytes()[len(header)+len("FRAME\n"):][:8*4]
	// Scaled ×2 into a 4×4 square centred in 8×4: columns 2..5.
	want := []byte{
		255, 255, 0, 0, 255, 255, 255, 255,
		255, 255, 0, 0, 255, 255, 255, 255,
		255, 255, 255, 255, 128, 128, 255, 255,
		255, 255, 255, 255, 128, 128, 255, 255,
	}
	if !bytes.Equal(y, want) {
		t.Errorf("Y plane\n got %v\nwant %v", y, want)
	}
	chroma := buf.Bytes()[len(header)+len("FRAME\n")+8*4:][:2*4*2]
	if bytes.Count(chroma, []byte{128}) != len(chroma) {
		t.Errorf("chroma %v, want all 128", chroma)
	}
	if err := WriteY4M(io.Discard, img, 7, 4, 1); err == nil {
		t.Error("odd width accepted")
	}
}
