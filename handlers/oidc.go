package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/kitshelf/kitshelf/models"
)

// OIDCProvider is a "Sign in with …" provider: Google or Microsoft 365, the
// two that schools' accounts live on.
type OIDCProvider struct {
	Name         string // in URLs: "google", "microsoft"
	Label        string // on the button: "Google", "Microsoft 365"
	Issuer       string
	ClientID     string
	ClientSecret string
	// AnyTenant accepts tokens from any Microsoft tenant: the discovery
	// document of the shared "organizations" endpoint names no single issuer,
	// so the issuer is checked against Microsoft's pattern instead.
	AnyTenant bool
}

type oidcClient struct {
	p        OIDCProvider
	redirect string

	mu       sync.Mutex
	provider *oidc.Provider // discovered on first use, so start-up never waits on the provider
}

func (a *App) newOIDC(providers []OIDCProvider) (map[string]*oidcClient, error) {
	out := map[string]*oidcClient{}
	for _, p := range providers {
		if p.Name == "" || p.Issuer == "" || p.ClientID == "" {
			return nil, fmt.Errorf("OIDC provider %q needs an issuer and a client id", p.Name)
		}
		out[p.Name] = &oidcClient{p: p, redirect: a.baseURL.String() + "/auth/" + p.Name + "/callback"}
	}
	return out, nil
}

func (o *oidcClient) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	if o.p.AnyTenant {
		ctx = oidc.InsecureIssuerURLContext(ctx, o.p.Issuer)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.p.Issuer)
	if err != nil {
		return nil, err
	}
	o.provider = p
	return p, nil
}

func (o *oidcClient) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.p.ClientID, ClientSecret: o.p.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// Session keys for a sign-in in progress.
const (
	keyOIDCState    = "oidc_state"
	keyOIDCNonce    = "oidc_nonce"
	keyOIDCVerifier = "oidc_verifier"
	keyOIDCNext     = "oidc_next"
)

// oidcStart sends the browser to the provider, with state (against forged
// callbacks), a nonce (against replayed tokens) and PKCE (against stolen codes).
func (a *App) oidcStart(c echo.Context) error {
	o, ok := a.oidc[c.Param("provider")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	p, err := o.discover(c.Request().Context())
	if err != nil {
		a.log.Error("OIDC discovery", "provider", o.p.Name, "err", err)
		return providerUnavailable(o)
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	ctx := c.Request().Context()
	a.sessions.Put(ctx, keyOIDCState, state)
	a.sessions.Put(ctx, keyOIDCNonce, nonce)
	a.sessions.Put(ctx, keyOIDCVerifier, verifier)
	a.sessions.Put(ctx, keyOIDCNext, safeNext(c.QueryParam("next")))
	url := o.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return c.Redirect(http.StatusSeeOther, url)
}

func providerUnavailable(o *oidcClient) error {
	return &models.Refusal{Kind: models.Conflict, Code: "provider_unavailable",
		Message: fmt.Sprintf("Signing in with %s is not working just now. Please try again, or sign in with your password.", o.p.Label)}
}

var microsoftIssuer = regexp.MustCompile(`^https://login\.microsoftonline\.com/[0-9a-f-]{36}/v2\.0$`)

// idClaims are the parts of the ID token Kitshelf reads.
type idClaims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // a bool, or "true" from some providers
	DomainOwner   any    `json:"xms_edov"`       // Microsoft: the tenant owns the email's domain
	Issuer        string `json:"iss"`
}

func truthy(v any) bool { return v == true || v == "true" || v == "1" }

// oidcCallback finishes the sign-in: it signs in the existing, active
// account whose address the provider has verified, and creates nothing.
func (a *App) oidcCallback(c echo.Context) error {
	o, ok := a.oidc[c.Param("provider")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	ctx := c.Request().Context()
	state := a.sessions.PopString(ctx, keyOIDCState)
	nonce := a.sessions.PopString(ctx, keyOIDCNonce)
	verifier := a.sessions.PopString(ctx, keyOIDCVerifier)
	next := a.sessions.PopString(ctx, keyOIDCNext)
	if state == "" || c.QueryParam("state") != state {
		return &models.Refusal{Kind: models.Invalid, Code: "oidc_state", Message: "That sign-in link has expired. Please start signing in again."}
	}
	if e := c.QueryParam("error"); e != "" {
		return &models.Refusal{Kind: models.Unauthorised, Code: "oidc_denied", Message: fmt.Sprintf("%s did not sign you in (%s).", o.p.Label, e)}
	}
	p, err := o.discover(ctx)
	if err != nil {
		return providerUnavailable(o)
	}
	tok, err := o.oauth(p).Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		a.log.Warn("OIDC code exchange", "provider", o.p.Name, "err", err)
		return &models.Refusal{Kind: models.Unauthorised, Code: "oidc_failed", Message: fmt.Sprintf("%s could not confirm who you are. Please try again.", o.p.Label)}
	}
	claims, err := a.verifyIDToken(ctx, o, p, tok, nonce)
	if err != nil {
		a.log.Warn("OIDC token rejected", "provider", o.p.Name, "err", err)
		return &models.Refusal{Kind: models.Unauthorised, Code: "oidc_failed", Message: fmt.Sprintf("%s could not confirm who you are. Please try again.", o.p.Label)}
	}
	if claims.Email == "" || !(truthy(claims.EmailVerified) || truthy(claims.DomainOwner)) {
		return &models.Refusal{Kind: models.Forbidden, Code: "email_not_verified",
			Message: fmt.Sprintf("%s did not confirm your email address, so Kitshelf cannot match it to an account. Sign in with your password instead.", o.p.Label)}
	}
	u, err := models.SignInVerified(a.db.WithContext(ctx), claims.Email, o.p.Label, c.RealIP(), a.now())
	if err != nil {
		return err
	}
	if err := a.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(next))
}

func (a *App) verifyIDToken(ctx context.Context, o *oidcClient, p *oidc.Provider, tok *oauth2.Token, nonce string) (*idClaims, error) {
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, fmt.Errorf("no id_token in the token response")
	}
	id, err := p.Verifier(&oidc.Config{ClientID: o.p.ClientID, SkipIssuerCheck: o.p.AnyTenant, Now: a.now}).Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if id.Nonce != nonce {
		return nil, fmt.Errorf("nonce mismatch")
	}
	var cl idClaims
	if err := id.Claims(&cl); err != nil {
		return nil, err
	}
	if o.p.AnyTenant && !microsoftIssuer.MatchString(cl.Issuer) {
		return nil, fmt.Errorf("issuer %q is not a Microsoft tenant", cl.Issuer)
	}
	return &cl, nil
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
