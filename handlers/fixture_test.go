package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/mailer"
	"github.com/kitshelf/kitshelf/models/mailer/mailtest"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

const password = "a long enough password"

// site is a running Kitshelf over a World, with every account's password
// set, mail delivered to a real SMTP server in the test, and the app's clock
// tied to the world's.
type site struct {
	*modeltest.World
	URL    string
	Base   string // KITSHELF_BASE_URL, printed into QR codes and mail; URL unless fixedBase
	SMTP   *mailtest.Server
	mailer *mailer.Worker
	app    *handlers.App
}

type siteOption func(*handlers.Options)

// fixedBase prints kit links for one address every run, instead of the
// test server's random port, so a QR code is the same symbol each time.
func fixedBase(o *handlers.Options) { o.BaseURL, _ = url.Parse("http://kitshelf.test") }

func newSite(t *testing.T, db *gorm.DB, opts ...siteOption) *site {
	t.Helper()
	w := modeltest.NewWorld(t, db, 3)
	w.Now = time.Now() // sessions and tokens expire by the real clock
	for _, u := range []*models.User{w.Admin, w.Staff, w.SchoolContact, w.Ambassador} {
		if err := models.SetPassword(db, models.SystemActor("test"), u.ID, password); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	o := handlers.Options{DB: db, BaseURL: base, Now: func() time.Time { return w.Now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SMTPConfigured: true}
	for _, opt := range opts {
		opt(&o)
	}
	e, app, err := handlers.NewWithApp(o)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	smtp := mailtest.Start(t)
	cfg, _ := mailer.ParseURL(smtp.URL())
	s := &site{World: w, URL: srv.URL, Base: o.BaseURL.String(), SMTP: smtp, app: app,
		mailer: &mailer.Worker{DB: db, SMTP: cfg, From: "Kitshelf <kitshelf@test.example>", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	return s
}

// deliverMail sends whatever is queued, as the worker would.
func (s *site) deliverMail(t *testing.T) {
	t.Helper()
	if _, err := s.mailer.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// runMailer delivers mail in the background until the test ends.
func (s *site) runMailer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.mailer.Run(ctx, 100*time.Millisecond)
}

func (s *site) client(t *testing.T) *client { return newClient(t, s.URL) }

func (s *site) as(t *testing.T, u *models.User) *client {
	c := s.client(t)
	c.signIn(u.Email, password)
	return c
}

// newSiteNoWorld serves an empty database and returns its URL.
func newSiteNoWorld(t *testing.T, db *gorm.DB) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}
