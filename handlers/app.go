// Package handlers is Kitshelf's web layer: it reads requests, calls one
// models function, and renders a page or redirects. Every route, with the
// roles allowed on it, is declared in routes.go.
package handlers

import (
	"errors"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/views"
)

// Options configure the web layer.
type Options struct {
	DB      *gorm.DB
	BaseURL *url.URL // where Kitshelf is reached; printed into QR codes and emails
	Logger  *slog.Logger
	// Now is the clock; tests set it. Nil means time.Now.
	Now func() time.Time
	// OIDC lists the configured "Sign in with …" providers.
	OIDC []OIDCProvider
	// TrustedProxies are the load balancers whose X-Forwarded-For header
	// names the client. With none, the connection's own address is the
	// client's, so nobody can pick their address to dodge a rate limit.
	TrustedProxies []*net.IPNet
	// SMTPConfigured says whether mail is really sent (else it is logged and
	// kept in the outbox); pages say which.
	SMTPConfigured bool
}

// App holds what handlers share.
type App struct {
	db       *gorm.DB
	baseURL  *url.URL
	log      *slog.Logger
	views    *views.Renderer
	now      func() time.Time
	sessions *scs.SessionManager
	oidc     map[string]*oidcClient
	opts     Options
}

// New builds the web application: parses the templates, checks every page a
// route renders exists, and registers the routes.
func New(o Options) (*echo.Echo, error) {
	e, _, err := NewWithApp(o)
	return e, err
}

// NewWithApp is New that also returns the App, for tests that list its routes.
func NewWithApp(o Options) (*echo.Echo, *App, error) {
	if o.DB == nil || o.BaseURL == nil {
		return nil, nil, errors.New("handlers: DB and BaseURL are required")
	}
	r, err := views.New()
	if err != nil {
		return nil, nil, err
	}
	for _, p := range pagesUsed {
		if !r.Has(p) {
			return nil, nil, errors.New("handlers: missing template for page " + p)
		}
	}
	a := &App{db: o.DB, baseURL: o.BaseURL, log: o.Logger, views: r, now: o.Now, opts: o}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.sessions, err = a.newSessions(); err != nil {
		return nil, nil, err
	}
	if a.oidc, err = a.newOIDC(o.OIDC); err != nil {
		return nil, nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = clientIP(o.TrustedProxies)
	a.middleware(e)
	for _, rt := range a.routes() {
		e.Add(rt.Method, rt.Path, rt.Handler, rt.guard())
	}
	return e, a, nil
}

// clientIP decides where a request's client address comes from.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// pagesUsed lists every template a handler renders; New checks each exists.
var pagesUsed []string

// usePages registers the templates a handler file renders. Files call it in
// a package-level var, so no shared list needs editing.
func usePages(names ...string) bool {
	pagesUsed = append(pagesUsed, names...)
	return true
}

var _ = usePages("home", "error", "login", "welcome", "forgot", "register", "setup", "account", "my",
	"reservation", "users", "invite", "user", "organisations_pending", "audit", "outbox")
