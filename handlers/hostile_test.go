package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// hostileValues are what a confused user, a broken scanner or an attacker
// might put in any field or path segment. PostgreSQL refuses NUL bytes and
// invalid UTF-8 in text, so those must be caught before they reach it.
var hostileValues = []string{
	"", "0", "-1", "2147483648", "9223372036854775808", "99999999999999999999", "1e9", "NaN", "2026-02-30", "31/12/2026",
	"<script>alert(1)</script>", "' OR '1'='1", "a\x00b", "\xff\xfe", strings.Repeat("ü", 4000),
	"../../../etc/passwd", "KS-0001,KS-0001,ks-0001,,", "ＫＳ－０００１",
}

// formFields are the names every handler reads, and the numbered and
// suffixed forms of the contents editor and the check-in checklist.
var formFields = []string{
	"action", "actor", "add_line", "age_levels", "before", "borrower", "by", "code", "count", "default_loan_days",
	"description", "due_on", "email", "from", "hub", "kind", "kit_type", "loan_id", "local_authority", "mode", "name",
	"next", "note", "notes", "organisation", "password", "password_confirm", "postcode", "q", "reason", "role",
	"size", "slug", "start", "state", "status", "stock", "tag", "tags", "to", "token", "topics", "turnaround_days",
	"type", "version", "page",
	"contents-0-id", "contents-0-name", "contents-0-quantity", "contents-0-consumable", "contents-0-remove",
	"contents-999-name", "present_1", "missing_1", "damaged_1", "missing_x", "accept_KS-0001",
}

// TestHostileInputIsNeverAServerError sends every route, as each role that
// may use it, every hostile value in every path segment, query parameter
// and form field. Whatever the answer, it must be a 4xx or better, never a
// 500: bad input is the user's mistake to be told about, not a crash.
func TestHostileInputIsNeverAServerError(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		_, app, _ := handlers.NewWithApp(handlers.Options{DB: db, BaseURL: mustURL(s.URL)})
		mustReserve(t, s, s.SchoolBorrower)
		clients := map[string]*client{"anonymous": s.client(t), "admin": s.as(t, s.Admin), "staff": s.as(t, s.Staff),
			"school": s.as(t, s.SchoolContact)}
		sent := 0
		for _, r := range handlers.RouteTable(app) {
			if r.Path == "/logout" || r.Path == "/logout/everywhere" {
				continue // they end the sessions this test reuses
			}
			for _, role := range []string{"anonymous", "school", "staff", "admin"} {
				if !contains(allowed[expectedAccess[r.Method+" "+r.Path]], role) {
					continue // the guard answers; TestEveryRouteForEveryRole covers that
				}
				if r.Method == http.MethodPost && role != "anonymous" && expectedAccess[r.Method+" "+r.Path] == "anyone" {
					continue // signing in, registering: as a visitor only, so the sessions stay
				}
				for _, v := range hostileValues {
					path := withParams(r.Path, v)
					var got response
					if r.Method == http.MethodGet {
						got = clients[role].get(path + "?" + fieldsOf(v).Encode())
					} else {
						got = clients[role].post(path, fieldsOf(v))
					}
					sent++
					if got.StatusCode >= 500 {
						t.Errorf("%s %s as %s with %q: %d\n%s", r.Method, r.Path, role, shorten(v), got.StatusCode, errorSummary(got.Body))
					}
				}
			}
		}
		t.Logf("%d hostile requests", sent)
	})
}

// withParams puts v in every parameter of a route's path.
func withParams(path, v string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, ":") || seg == "*" {
			segs[i] = url.PathEscape(v)
		}
	}
	return strings.Join(segs, "/")
}

func fieldsOf(v string) url.Values {
	f := url.Values{}
	for _, name := range formFields {
		f.Set(name, v)
	}
	return f
}

func shorten(v string) string {
	if len(v) > 40 {
		return fmt.Sprintf("%s… (%d bytes)", v[:20], len(v))
	}
	return v
}

// A NUL byte or broken UTF-8 gets a 400 that says what is wrong, as a page
// or as problem+json, and changes nothing.
func TestNonTextIsRefusedInWords(t *testing.T) {
	db := modeltest.Open(t, models.Postgres)
	s := newSite(t, db)
	staff := s.as(t, s.Staff) // signing in is audited
	before := s.Snapshot()
	visitor := s.client(t)
	res := visitor.post("/login", url.Values{"email": {s.Staff.Email + "\x00"}, "password": {password}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "not plain text") {
		t.Errorf("NUL in the email: %d\n%s", res.StatusCode, errorSummary(res.Body))
	}
	res = staff.getJSON("/kit-types/" + url.PathEscape("\xff") + "/edit")
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(res.Body, "not plain text") {
		t.Errorf("broken UTF-8 in a path, asked for JSON: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), res.Body)
	}
	if after := s.Snapshot(); after != before {
		t.Errorf("refused requests changed things:\n%s\n%s", before, after)
	}
}

// Requests that are right in every field but one reach deeper than the
// sweep above, where the first bad field stops them.
func TestOneBadFieldIsNeverAServerError(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		admin := s.as(t, s.Admin)
		for _, v := range hostileValues {
			for _, path := range []string{
				"/labels.pdf?stock=L7163&by=hub&hub=" + url.QueryEscape(v),
				"/labels.pdf?stock=L7163&by=type&hub=" + s.Hub.Slug + "&type=" + url.QueryEscape(v),
				"/labels.pdf?stock=L7163&by=tags&tags=" + url.QueryEscape(v),
				"/labels.pdf?stock=L7163&by=tags&start=" + url.QueryEscape(v) + "&tags=" + s.Kits[0].AssetTag,
				"/admin/audit?before=" + url.QueryEscape(v),
				"/admin/audit?actor=" + url.QueryEscape(v) + "&from=2026-01-01&to=2026-12-31",
			} {
				if res := admin.get(path); res.StatusCode >= 500 {
					t.Errorf("GET %s: %d\n%s", path, res.StatusCode, errorSummary(res.Body))
				}
			}
		}
	})
}
