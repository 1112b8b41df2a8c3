package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// followOIDC walks a browser through "Sign in with …": our redirect to the
// provider, the provider's redirect back with a code, our callback.
func followOIDC(t *testing.T, c *client) response {
	t.Helper()
	res := c.get("/auth/google?next=/account")
	if res.StatusCode != 303 {
		t.Fatalf("start: %d %s", res.StatusCode, errorSummary(res.Body))
	}
	req, _ := http.NewRequest(http.MethodGet, res.Location(), nil)
	atProvider := c.do(req)
	if atProvider.StatusCode != 302 {
		t.Fatalf("provider: %d %s", atProvider.StatusCode, atProvider.Body)
	}
	back, _ := url.Parse(atProvider.Location())
	return c.get(back.RequestURI())
}

func TestSignInWithAnOIDCProvider(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown()
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db, func(o *handlers.Options) {
		o.OIDC = []handlers.OIDCProvider{{Name: "google", Label: "Google", Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret}}
	})
	users := func() int64 { return s.Count("users") }
	before := users()

	t.Run("a verified address of an existing account signs in", func(t *testing.T) {
		c := s.client(t)
		if body := c.get("/login").Body; !strings.Contains(body, "Sign in with Google") {
			t.Error("the sign-in page does not offer Google")
		}
		m.QueueUser(&mockoidc.MockUser{Subject: "1", Email: "Head@Hillside.sch.uk", EmailVerified: true})
		res := followOIDC(t, c)
		if res.StatusCode != 303 || res.Location() != "/account" {
			t.Fatalf("callback: %d %s %s", res.StatusCode, res.Location(), errorSummary(res.Body))
		}
		if body := c.get("/account").Body; !strings.Contains(body, s.SchoolContact.Email) {
			t.Error("not signed in as the school contact")
		}
	})
	t.Run("an unverified address is refused", func(t *testing.T) {
		c := s.client(t)
		m.QueueUser(&mockoidc.MockUser{Subject: "2", Email: s.Admin.Email, EmailVerified: false})
		if res := followOIDC(t, c); res.StatusCode != 403 || !strings.Contains(res.Body, "did not confirm your email") {
			t.Errorf("unverified: %d", res.StatusCode)
		}
		if c.get("/home").StatusCode != 303 {
			t.Error("signed in with an unverified address")
		}
	})
	t.Run("an address without an account creates nothing", func(t *testing.T) {
		c := s.client(t)
		m.QueueUser(&mockoidc.MockUser{Subject: "3", Email: "stranger@gmail.example", EmailVerified: true})
		if res := followOIDC(t, c); res.StatusCode != 403 || !strings.Contains(res.Body, "No active Kitshelf account uses stranger@gmail.example") {
			t.Errorf("unknown: %d", res.StatusCode)
		}
		if users() != before {
			t.Error("an account was created")
		}
	})
	t.Run("a forged callback is refused", func(t *testing.T) {
		c := s.client(t)
		c.get("/auth/google")
		if res := c.get("/auth/google/callback?state=forged&code=x"); res.StatusCode != 422 {
			t.Errorf("forged state: %d", res.StatusCode)
		}
	})
	t.Run("an unknown provider is 404", func(t *testing.T) {
		if res := s.client(t).get("/auth/myspace"); res.StatusCode != 404 {
			t.Errorf("unknown provider: %d", res.StatusCode)
		}
	})
	if n := len(must(models.AuditTrail(db, models.AuditFilter{Action: "user.sign_in"}))(t)); n < 1 {
		t.Error("OIDC sign-in not audited")
	}
}
