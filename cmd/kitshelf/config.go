package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/mailer"
)

// Config is every setting Kitshelf reads from its environment.
type Config struct {
	// Database is DATABASE_URL: postgres://… or sqlite:PATH; unset means the
	// embedded SQLite file kitshelf.db.
	Database    models.Location
	DatabaseSet bool
	// Addr is KITSHELF_ADDR, where the server listens (default :8080).
	Addr string
	// BaseURL is KITSHELF_BASE_URL, the absolute address people reach
	// Kitshelf at, printed into QR codes and emails (default
	// http://localhost:PORT).
	BaseURL *url.URL
	// LogFormat is KITSHELF_LOG_FORMAT: text (default) or json.
	LogFormat string
	// LogLevel is KITSHELF_LOG_LEVEL: debug, info (default), warn or error.
	LogLevel slog.Level
	// SMTP is KITSHELF_SMTP_URL; nil means mail is logged and kept in the outbox.
	SMTP *mailer.SMTP
	// MailFrom is KITSHELF_MAIL_FROM (default "Kitshelf <kitshelf@HOST>").
	MailFrom string
	// TrustedProxies is KITSHELF_TRUSTED_PROXIES: the load balancers whose
	// X-Forwarded-For names the client (CIDRs, comma-separated).
	TrustedProxies []*net.IPNet
	// OIDC lists the "Sign in with …" providers configured by
	// KITSHELF_OIDC_GOOGLE_* and KITSHELF_OIDC_MICROSOFT_*.
	OIDC []handlers.OIDCProvider
}

// ConfigVars documents every variable, for help text and the README.
var ConfigVars = [][2]string{
	{"DATABASE_URL", "postgres://user:pass@host/db selects PostgreSQL; sqlite:PATH or unset selects the embedded SQLite file (default kitshelf.db)"},
	{"KITSHELF_ADDR", "address to listen on (default :8080)"},
	{"KITSHELF_BASE_URL", "absolute URL people reach Kitshelf at, printed into QR codes and emails (default http://localhost:PORT)"},
	{"KITSHELF_LOG_FORMAT", "text (default) or json"},
	{"KITSHELF_LOG_LEVEL", "debug, info (default), warn or error"},
	{"KITSHELF_SMTP_URL", "smtp://user:pass@host:587 (STARTTLS when offered; ?tls=starttls to require it) or smtps://user:pass@host:465; unset: mail is logged and kept in the admins' outbox"},
	{"KITSHELF_MAIL_FROM", "the sender of Kitshelf's mail (default Kitshelf <kitshelf@HOST of KITSHELF_BASE_URL>)"},
	{"KITSHELF_TRUSTED_PROXIES", "comma-separated CIDRs of load balancers whose X-Forwarded-For header names the client, e.g. 10.0.0.0/8 (default: none; the connection's address is used)"},
	{"KITSHELF_OIDC_GOOGLE_CLIENT_ID", "with ..._CLIENT_SECRET: offer \"Sign in with Google\" (redirect URI BASE_URL/auth/google/callback)"},
	{"KITSHELF_OIDC_MICROSOFT_CLIENT_ID", "with ..._CLIENT_SECRET and optional ..._TENANT (default organizations): offer \"Sign in with Microsoft 365\" (redirect URI BASE_URL/auth/microsoft/callback)"},
}

// configError names the variable at fault and what is wrong with it.
type configError struct{ name, problem string }

func (e *configError) Error() string { return e.name + ": " + e.problem }

// LoadConfig reads the configuration; getenv is os.Getenv outside tests.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	raw := strings.TrimSpace(getenv("DATABASE_URL"))
	loc, err := models.ParseDatabaseURL(raw)
	if err != nil {
		return c, &configError{"DATABASE_URL", err.Error()}
	}
	c.Database, c.DatabaseSet = loc, raw != ""

	c.Addr = strings.TrimSpace(getenv("KITSHELF_ADDR"))
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return c, &configError{"KITSHELF_ADDR", fmt.Sprintf("%q is not host:port or :port, e.g. :8080", c.Addr)}
	}

	base := strings.TrimSpace(getenv("KITSHELF_BASE_URL"))
	if base == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return c, &configError{"KITSHELF_BASE_URL", fmt.Sprintf("%q must be an absolute http:// or https:// URL without a query, e.g. https://kitshelf.example.org", base)}
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c.BaseURL = u

	switch c.LogFormat = strings.ToLower(strings.TrimSpace(getenv("KITSHELF_LOG_FORMAT"))); c.LogFormat {
	case "":
		c.LogFormat = "text"
	case "text", "json":
	default:
		return c, &configError{"KITSHELF_LOG_FORMAT", fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	if lvl := strings.TrimSpace(getenv("KITSHELF_LOG_LEVEL")); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return c, &configError{"KITSHELF_LOG_LEVEL", fmt.Sprintf("%q is not debug, info, warn or error", lvl)}
		}
	}
	if raw := strings.TrimSpace(getenv("KITSHELF_SMTP_URL")); raw != "" {
		if c.SMTP, err = mailer.ParseURL(raw); err != nil {
			return c, &configError{"KITSHELF_SMTP_URL", err.Error()}
		}
	}
	c.MailFrom = strings.TrimSpace(getenv("KITSHELF_MAIL_FROM"))
	if c.MailFrom == "" {
		c.MailFrom = mailer.DefaultFrom(c.BaseURL)
	} else if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return c, &configError{"KITSHELF_MAIL_FROM", fmt.Sprintf("%q is not an address like Kitshelf <kits@hub.org.uk>", c.MailFrom)}
	}
	for _, cidr := range strings.Split(getenv("KITSHELF_TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return c, &configError{"KITSHELF_TRUSTED_PROXIES", fmt.Sprintf("%q is not a network like 10.0.0.0/8", cidr)}
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	if c.OIDC, err = oidcProviders(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// oidcProviders reads the Google and Microsoft 365 settings. A provider is
// on when its client id is set; its secret must be set too.
func oidcProviders(getenv func(string) string) ([]handlers.OIDCProvider, error) {
	var out []handlers.OIDCProvider
	for _, p := range []struct{ name, label, issuer string }{
		{"google", "Google", "https://accounts.google.com"},
		{"microsoft", "Microsoft 365", ""},
	} {
		prefix := "KITSHELF_OIDC_" + strings.ToUpper(p.name) + "_"
		id := strings.TrimSpace(getenv(prefix + "CLIENT_ID"))
		if id == "" {
			continue
		}
		secret := strings.TrimSpace(getenv(prefix + "CLIENT_SECRET"))
		if secret == "" {
			return nil, &configError{prefix + "CLIENT_SECRET", "must be set when " + prefix + "CLIENT_ID is"}
		}
		prov := handlers.OIDCProvider{Name: p.name, Label: p.label, Issuer: p.issuer, ClientID: id, ClientSecret: secret}
		if p.name == "microsoft" {
			tenant := strings.TrimSpace(getenv(prefix + "TENANT"))
			if tenant == "" {
				tenant = "organizations"
			}
			prov.Issuer = "https://login.microsoftonline.com/" + tenant + "/v2.0"
			prov.AnyTenant = tenant == "organizations" || tenant == "common"
		}
		if iss := strings.TrimSpace(getenv(prefix + "ISSUER")); iss != "" { // for testing against another provider
			prov.Issuer, prov.AnyTenant = iss, false
		}
		out = append(out, prov)
	}
	return out, nil
}
