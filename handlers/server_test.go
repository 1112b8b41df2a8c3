package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// server starts the whole web application over db, at the world's clock.
func server(t *testing.T, db *gorm.DB, w *modeltest.World) (*httptest.Server, *echo.Echo) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	now := time.Now
	if w != nil {
		now = func() time.Time { return w.Now }
	}
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: base, Now: now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, e
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestStartPageShowsTheLibrary(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := modeltest.NewWorld(t, db, 2)
		srv, _ := server(t, db, w)
		res, body := get(t, srv.URL+"/")
		if res.StatusCode != 200 || !strings.Contains(body, "micro:bit class set (30)") || !strings.Contains(body, "2 kits of 1 kind") {
			t.Fatalf("start page %d:\n%s", res.StatusCode, body)
		}
		if !strings.Contains(body, `<link rel="stylesheet" href="/assets/css/app.`) {
			t.Error("start page does not link the hashed stylesheet")
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		srv, _ := server(t, db, nil)
		if res, _ := get(t, srv.URL+"/healthz"); res.StatusCode != 200 {
			t.Errorf("healthz %d", res.StatusCode)
		}
		if res, body := get(t, srv.URL+"/readyz"); res.StatusCode != 200 || !strings.Contains(body, `"ready"`) {
			t.Errorf("readyz %d %s", res.StatusCode, body)
		}
		sqlDB, _ := db.DB()
		sqlDB.Close()
		if res, body := get(t, srv.URL+"/readyz"); res.StatusCode != 503 {
			t.Errorf("readyz with the database gone: %d %s", res.StatusCode, body)
		}
		if res, _ := get(t, srv.URL+"/healthz"); res.StatusCode != 200 {
			t.Errorf("healthz with the database gone: %d (the process is still up)", res.StatusCode)
		}
	})
}

func TestErrorsAreFriendlyAndLeakNothing(t *testing.T) {
	db := modeltest.Open(t, "sqlite")
	srv, e := server(t, db, nil)
	e.GET("/test/panic", func(echo.Context) error { panic("secret internals: SELECT * FROM users") })
	e.GET("/test/sql", func(c echo.Context) error { return db.Exec("SELECT nonsense FROM nowhere").Error })

	res, body := get(t, srv.URL+"/no/such/page")
	if res.StatusCode != 404 || !strings.Contains(body, "There is nothing at this address") || !strings.Contains(body, "<html") {
		t.Errorf("404 page: %d %s", res.StatusCode, body)
	}
	res, body = get(t, srv.URL+"/no/such/page", "Accept", "application/json")
	if res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("404 problem: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	for _, path := range []string{"/test/panic", "/test/sql"} {
		for _, accept := range []string{"text/html", "application/json"} {
			res, body := get(t, srv.URL+path, "Accept", accept)
			if res.StatusCode != 500 {
				t.Errorf("%s (%s): status %d", path, accept, res.StatusCode)
			}
			for _, leak := range []string{"secret", "SELECT", "nowhere", "goroutine", ".go:"} {
				if strings.Contains(body, leak) {
					t.Errorf("%s (%s) leaks %q:\n%s", path, accept, leak, body)
				}
			}
			if !strings.Contains(body, res.Header.Get("X-Request-Id")) {
				t.Errorf("%s (%s) does not quote the request id for support", path, accept)
			}
		}
	}
}

func TestSecurityHeadersAndAssets(t *testing.T) {
	db := modeltest.Open(t, "sqlite")
	srv, _ := server(t, db, nil)
	res, body := get(t, srv.URL+"/")
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	i := strings.Index(body, "/assets/css/app.")
	href := body[i : i+strings.Index(body[i:], `"`)]
	res, css := get(t, srv.URL+href)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css, "--brand") {
		t.Errorf("stylesheet %s: %d %q", href, res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res, _ := get(t, srv.URL+"/assets/css/app.css"); res.StatusCode != 404 {
		t.Errorf("unhashed asset name served with %d; only hashed names should be", res.StatusCode)
	}
}
