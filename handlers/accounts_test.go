package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// counts is how many rows the account tables hold, to show that a refused
// request changed nothing.
func counts(t *testing.T, db *gorm.DB) string {
	t.Helper()
	out := ""
	for _, table := range []string{"users", "one_time_tokens", "outbox", "organisations", "reservations"} {
		var n int64
		db.Table(table).Count(&n)
		out += table + "=" + itoa(n) + " "
	}
	var hashes []string
	db.Model(&models.User{}).Order("id").Pluck("password_hash", &hashes)
	return out + strings.Join(hashes, ",")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSignInAndOut(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		c := s.client(t)
		if res := c.get("/home"); res.StatusCode != 303 || res.Location() != "/login?next=%2Fhome" {
			t.Fatalf("signed-out /home: %d %s", res.StatusCode, res.Location())
		}
		before := sessionCookie(t, c)
		res := c.post("/login", url.Values{"email": {"  HEAD@hillside.sch.uk "}, "password": {password}, "next": {"/account"}})
		if res.StatusCode != 303 || res.Location() != "/account" {
			t.Fatalf("sign-in: %d %s", res.StatusCode, res.Location())
		}
		after := sessionCookie(t, c)
		if after == nil || (before != nil && before.Value == after.Value) {
			t.Error("the session token was not renewed at sign-in")
		}
		var set *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "kitshelf_session" {
				set = ck
			}
		}
		if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Secure {
			t.Errorf("session cookie flags over http: %+v", set)
		}
		if body := c.get("/home").Body; !strings.Contains(body, "Hana Head") {
			t.Error("signed-in home page does not greet the user")
		}
		if res := c.post("/logout", nil); res.StatusCode != 303 {
			t.Fatalf("sign-out: %d", res.StatusCode)
		}
		if res := c.get("/home"); res.StatusCode != 303 {
			t.Error("still signed in after signing out")
		}
		// Open redirects are refused.
		c.post("/login", url.Values{"email": {s.SchoolContact.Email}, "password": {password}})
		res = c.post("/login", url.Values{"email": {s.SchoolContact.Email}, "password": {password}, "next": {"//evil.example/x"}})
		if res.Location() != "/home" {
			t.Errorf("next=//evil.example redirected to %q", res.Location())
		}
		trail := must(models.AuditTrail(db, models.AuditFilter{Action: "user.sign"}))(t)
		if len(trail) < 3 {
			t.Errorf("sign-ins and sign-out not in the audit trail: %d entries", len(trail))
		}
	})
}

func sessionCookie(t *testing.T, c *client) *http.Cookie {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kitshelf_session" {
			return ck
		}
	}
	return nil
}

func TestSecureCookiesAndHSTSOverHTTPS(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db, func(o *handlers.Options) { o.BaseURL = mustURL("https://kits.example.org") })
	c := s.client(t)
	res := c.get("/login")
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS header with an https base URL")
	}
	for _, ck := range res.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s is not Secure with an https base URL", ck.Name)
		}
	}
}

func TestWrongPasswordsAreRateLimited(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		c := s.client(t)
		before := counts(t, db)
		for i := range models.MaxFailuresPerEmail {
			res := c.post("/login", url.Values{"email": {s.Staff.Email}, "password": {"wrong password " + itoa(int64(i))}})
			if res.StatusCode != 401 || !strings.Contains(res.Body, "do not match an account") {
				t.Fatalf("wrong password %d: %d", i+1, res.StatusCode)
			}
		}
		res := c.post("/login", url.Values{"email": {s.Staff.Email}, "password": {password}})
		if res.StatusCode != 429 || !strings.Contains(res.Body, "Too many failed sign-ins") {
			t.Fatalf("after %d failures, the right password got %d, want 429", models.MaxFailuresPerEmail, res.StatusCode)
		}
		if sessionCookie(t, c) != nil && c.get("/home").StatusCode == 200 {
			t.Fatal("signed in despite the limit")
		}
		if after := counts(t, db); after != before {
			t.Errorf("failed sign-ins changed accounts:\n%s\n%s", before, after)
		}
		// Another account from another address is not affected…
		s.as(t, s.SchoolContact)
		// …and the limit lifts after the window.
		s.Now = s.Now.Add(models.SignInWindow + time.Minute)
		s.as(t, s.Staff)
		if n := len(must(models.AuditTrail(db, models.AuditFilter{Action: "user.sign_in_failed"}))(t)); n != models.MaxFailuresPerEmail {
			t.Errorf("%d failed sign-ins audited, want %d", n, models.MaxFailuresPerEmail)
		}
	})
}

func TestRequestsWithoutCSRFTokenAreRefused(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	staff := s.as(t, s.Staff)
	before := counts(t, db)
	form := url.Values{"name": {"Eve"}, "email": {"eve@example.org"}, "role": {"ambassador"}}
	for name, send := range map[string]func() response{
		"no token": func() response { return staff.postRaw("/users/invite", form) },
		"a wrong token": func() response {
			f := cloneForm(form)
			f.Set("csrf", "forged")
			return staff.postRaw("/users/invite", f)
		},
		"cross-site": func() response {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/users/invite", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "https://evil.example")
			return staff.do(req)
		},
	} {
		if res := send(); res.StatusCode != 403 || !strings.Contains(res.Body, "did not come from Kitshelf") {
			t.Errorf("%s: %d, want 403", name, res.StatusCode)
		}
	}
	if after := counts(t, db); after != before {
		t.Errorf("a forged request changed data:\n%s\n%s", before, after)
	}
	// The same form with its token works.
	if res := staff.post("/users/invite", form); res.StatusCode != 303 {
		t.Errorf("with the token: %d\n%s", res.StatusCode, errorSummary(res.Body))
	}
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	staff := s.as(t, s.Staff)
	before := counts(t, db)
	big := url.Values{"name": {strings.Repeat("x", 2<<20)}, "email": {"big@example.org"}, "role": {"ambassador"}, "csrf": {staff.csrf()}}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/users/invite", strings.NewReader(big.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// Wait for the server's answer before sending the body, as careful
	// clients do; otherwise the refusal races the upload.
	req.Header.Set("Expect", "100-continue")
	staff.http.Transport = &http.Transport{ExpectContinueTimeout: 5 * time.Second}
	if res := staff.do(req); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "Too Large") {
		t.Errorf("a 2 MiB form: %d, want 413", res.StatusCode)
	}
	if after := counts(t, db); after != before {
		t.Errorf("an oversized request changed data:\n%s\n%s", before, after)
	}
}

func TestInvitationOverSMTPIsSingleUse(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		staff := s.as(t, s.Staff)
		res := staff.post("/users/invite", url.Values{"name": {"Rory Campbell"}, "email": {"rory@volunteer.example"}, "role": {"ambassador"}})
		if res.StatusCode != 303 {
			t.Fatalf("invite: %d\n%s", res.StatusCode, errorSummary(res.Body))
		}
		s.deliverMail(t)
		mail := s.SMTP.WaitFor(t, "rory@volunteer.example", 5*time.Second)
		if !strings.Contains(mail.Subject, "invited") || len(mail.Links()) != 1 {
			t.Fatalf("invitation mail: %+v", mail)
		}
		link := strings.TrimPrefix(mail.Links()[0], s.URL)
		rory := s.client(t)
		if res := rory.get(link); res.StatusCode != 200 || !strings.Contains(res.Body, "rory@volunteer.example") {
			t.Fatalf("invitation link: %d", res.StatusCode)
		}
		res = rory.post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}})
		if res.StatusCode != 422 || !strings.Contains(res.Body, "at least 10 characters") {
			t.Errorf("short password: %d", res.StatusCode)
		}
		res = rory.post(link, url.Values{"password": {"rory's own password"}, "password_confirm": {"rory's own password"}})
		if res.StatusCode != 303 {
			t.Fatalf("setting the password: %d\n%s", res.StatusCode, errorSummary(res.Body))
		}
		before := counts(t, db)
		// Replaying the link changes nothing.
		replay := rory.post(link, url.Values{"password": {"an attacker's password"}, "password_confirm": {"an attacker's password"}})
		if replay.StatusCode != 404 || !strings.Contains(replay.Body, "already been used") {
			t.Errorf("replayed invitation: %d", replay.StatusCode)
		}
		if after := counts(t, db); after != before {
			t.Errorf("a replayed invitation changed data:\n%s\n%s", before, after)
		}
		rory.signIn("rory@volunteer.example", "rory's own password")
		if _, err := models.SignIn(db, "rory@volunteer.example", "an attacker's password", "10.0.0.1", time.Now()); err == nil {
			t.Error("the replayed password works")
		}
	})
}

func TestForgottenPasswordRevealsNothing(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	c := s.client(t)
	known := c.post("/password/forgot", url.Values{"email": {s.Ambassador.Email}})
	unknown := c.post("/password/forgot", url.Values{"email": {"nobody@example.org"}})
	if known.StatusCode != unknown.StatusCode || known.Location() != unknown.Location() {
		t.Errorf("answers differ: %d %s / %d %s", known.StatusCode, known.Location(), unknown.StatusCode, unknown.Location())
	}
	s.deliverMail(t)
	if msgs := s.SMTP.Messages(); len(msgs) != 1 || msgs[0].To[0] != s.Ambassador.Email {
		t.Fatalf("mail sent: %+v", msgs)
	}
	link := strings.TrimPrefix(s.SMTP.Messages()[0].Links()[0], s.URL)
	c.post(link, url.Values{"password": {"a brand new password"}, "password_confirm": {"a brand new password"}})
	c.signIn(s.Ambassador.Email, "a brand new password")
}

func TestSignOutEverywhereAndDeactivationEndSessions(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		laptop, phone := s.as(t, s.Ambassador), s.as(t, s.Ambassador)
		if res := laptop.post("/logout/everywhere", nil); res.StatusCode != 303 {
			t.Fatalf("sign out everywhere: %d", res.StatusCode)
		}
		if res := phone.get("/home"); res.StatusCode != 303 {
			t.Error("the other session survived 'sign out everywhere'")
		}
		school := s.as(t, s.SchoolContact)
		staff := s.as(t, s.Staff)
		if res := staff.post("/users/"+itoa(int64(s.SchoolContact.ID))+"/deactivate", nil); res.StatusCode != 303 {
			t.Fatalf("deactivate: %d %s", res.StatusCode, errorSummary(res.Body))
		}
		if res := school.get("/home"); res.StatusCode != 303 {
			t.Error("a deactivated user's session still works")
		}
		if res := school.post("/login", url.Values{"email": {s.SchoolContact.Email}, "password": {password}}); res.StatusCode != 401 {
			t.Errorf("a deactivated user signed in: %d", res.StatusCode)
		}
		var u models.User
		db.Take(&u, s.SchoolContact.ID)
		if u.Active || u.Email == "" {
			t.Errorf("deactivated user row: %+v", u)
		}
		staff.post("/users/"+itoa(int64(s.SchoolContact.ID))+"/reactivate", nil)
		s.as(t, s.SchoolContact)
	})
}

func TestSchoolsAskForAnAccountAndStaffApprove(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		c := s.client(t)
		form := url.Values{"organisation": {"Tiree High School"}, "kind": {"school"}, "hub": {itoa(int64(s.Hub.ID))},
			"local_authority": {"Argyll and Bute"}, "postcode": {"pa776tx"}, "name": {"Iona MacLean"}, "email": {"iona@tiree.sch.uk"}}
		if res := c.post("/register", form); res.StatusCode != 303 {
			t.Fatalf("register: %d\n%s", res.StatusCode, errorSummary(res.Body))
		}
		// Asking again with a known address answers the same and creates nothing.
		before := counts(t, db)
		if res := c.post("/register", form); res.StatusCode != 303 {
			t.Errorf("second registration: %d", res.StatusCode)
		}
		if after := counts(t, db); after != before {
			t.Errorf("a repeated registration created data")
		}
		s.deliverMail(t)
		link := strings.TrimPrefix(s.SMTP.WaitFor(t, "iona@tiree.sch.uk", 5*time.Second).Links()[0], s.URL)
		c.post(link, url.Values{"password": {"tiree is lovely"}, "password_confirm": {"tiree is lovely"}})
		c.signIn("iona@tiree.sch.uk", "tiree is lovely")
		if body := c.get("/home").Body; !strings.Contains(body, "waiting for the hub to approve") {
			t.Error("the pending school is not told it awaits approval")
		}
		org := must(models.FindOrganisation(db, "Tiree High School"))(t)
		if org.Approved || org.Postcode != "PA77 6TX" {
			t.Fatalf("organisation %+v", org)
		}
		staff := s.as(t, s.Staff)
		if body := staff.get("/organisations/pending").Body; !strings.Contains(body, "Tiree High School") {
			t.Fatal("staff do not see the pending organisation")
		}
		if res := staff.post("/organisations/"+itoa(int64(org.ID))+"/approve", nil); res.StatusCode != 303 {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		s.deliverMail(t)
		if m := s.SMTP.WaitFor(t, "iona@tiree.sch.uk", 5*time.Second); !strings.Contains(m.Subject, "can now book") {
			t.Errorf("approval mail: %+v", m)
		}
	})
}

func TestFirstAdminFromTheSetupLink(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	secret := must(models.IssueSetupLink(db, time.Now()))(t)
	if secret == "" {
		t.Fatal("no setup link on an empty database")
	}
	s := newSite(t, db) // now there are users
	c := s.client(t)
	// With users present the link no longer works: setup happens once.
	res := c.post("/setup/"+secret, url.Values{"name": {"Mallory"}, "email": {"mallory@example.org"}, "password": {"mallory's password"}})
	if res.StatusCode != 404 {
		t.Errorf("setup after users exist: %d", res.StatusCode)
	}
	empty := modeltest.Open(t, models.SQLite)
	secret = must(models.IssueSetupLink(empty, time.Now()))(t)
	s2 := newSiteNoWorld(t, empty)
	c2 := newClient(t, s2)
	if res := c2.get("/setup/" + secret); res.StatusCode != 200 {
		t.Fatalf("setup page: %d", res.StatusCode)
	}
	res = c2.post("/setup/"+secret, url.Values{"name": {"Fiona Grant"}, "email": {"fiona@hub.example"}, "password": {"first admin password"}})
	if res.StatusCode != 303 {
		t.Fatalf("setup: %d %s", res.StatusCode, errorSummary(res.Body))
	}
	c2.signIn("fiona@hub.example", "first admin password")
	if res := c2.get("/admin/audit"); res.StatusCode != 200 {
		t.Errorf("the first admin cannot see the audit trail: %d", res.StatusCode)
	}
	if again := must(models.IssueSetupLink(empty, time.Now()))(t); again != "" {
		t.Error("a setup link was issued with an admin present")
	}
}

func TestAuditPageFilters(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	s.as(t, s.Ambassador)
	admin := s.as(t, s.Admin)
	res := admin.get("/admin/audit?actor=" + url.QueryEscape(s.Ambassador.Email) + "&action=user.")
	if res.StatusCode != 200 || !strings.Contains(res.Body, "user.sign_in") || strings.Contains(res.Body, "kit.create") {
		t.Errorf("filtered audit page: %d", res.StatusCode)
	}
	if res := admin.get("/admin/audit?from=yesterday"); res.StatusCode != 422 || !strings.Contains(res.Body, "not a date") {
		t.Errorf("bad date filter: %d", res.StatusCode)
	}
	if res := admin.get("/admin/audit?action=kit.create&from=2020-01-01"); !strings.Contains(res.Body, "added: a copy of") {
		t.Error("kit creation missing from the trail")
	}
}
