package handlers_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kitshelf/kitshelf/handlers/browsertest"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// tab is a browser tab in a test, with the checks every page visit gets.
type tab struct {
	*browsertest.Tab
	t    *testing.T
	seen int // console errors already reported
}

func newTab(t *testing.T) *tab { return &tab{Tab: browsertest.New(t), t: t} }

var documentStatus = regexp.MustCompile(`status of 4\d\d`)

// check runs axe-core, fails on new console or CSP errors and takes a
// screenshot for the artifacts. A page answered with a 4xx on purpose (a form
// with mistakes is a 422) is logged by the browser as a failed load; that is
// not an error of the page, but a failed asset is.
func (tb *tab) check(name string) {
	tb.t.Helper()
	tb.Axe()
	errs := tb.ConsoleErrors()
	for _, e := range errs[min(tb.seen, len(errs)):] {
		if documentStatus.MatchString(e) && !strings.Contains(e, "/assets/") {
			continue
		}
		tb.t.Errorf("console error on %s: %s (screenshot %s)", tb.URL(), e, tb.Screenshot(name+"-console-error"))
	}
	tb.seen = len(errs)
	tb.Screenshot(name)
}

// signInByKeyboard signs in without a mouse: Tab into the fields, type, Enter.
func signInByKeyboard(t *testing.T, tab *tab, base, email, pw string) {
	t.Helper()
	tab.Go(base + "/login")
	tab.check("login")
	tab.Press("Tab") // skip link
	for i := 0; i < 20 && tab.Focused() != "input#email"; i++ {
		tab.Press("Tab")
	}
	if tab.Focused() != "input#email" {
		t.Fatalf("keyboard focus never reached the email field (at %s)", tab.Focused())
	}
	tab.Keys(email)
	tab.Press("Tab")
	if tab.Focused() != "input#password" {
		t.Fatalf("Tab from email went to %s, not the password", tab.Focused())
	}
	tab.Keys(pw)
	tab.PressEnter()
	tab.WaitFor(`!location.pathname.startsWith("/login")`)
}

func TestInvitationJourneyInTheBrowser(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	s.runMailer(t)

	staff := newTab(t)
	signInByKeyboard(t, staff, s.URL, s.Staff.Email, password)
	staff.Go(s.URL + "/users/invite")
	staff.check("invite-form")
	// A mistake first: the summary at the top says what, and links the field.
	staff.Click("main button[type=submit]")
	// app.js moves focus to the summary once the page has loaded.
	staff.WaitFor(`document.querySelector(".error-summary")`)
	if got := staff.Focused(); got != "div.error-summary" && !strings.HasPrefix(got, "div") {
		t.Errorf("focus after a failed submit is on %s, not the error summary", got)
	}
	staff.check("invite-errors")
	staff.Fill("#name", "Rory Campbell")
	staff.Fill("#email", "rory@volunteer.example")
	staff.Click("input[name=role][value=ambassador]")
	staff.Click("main button[type=submit]")
	staff.WaitText("h1", "Rory Campbell")
	staff.check("invited")

	mail := s.SMTP.WaitFor(t, "rory@volunteer.example", 15*time.Second)
	if len(mail.Links()) != 1 {
		t.Fatalf("invitation has %d links: %s", len(mail.Links()), mail.Body)
	}

	rory := newTab(t) // a different person, with their own cookies
	rory.Go(mail.Links()[0])
	rory.WaitText("h1", "Choose your password")
	rory.check("welcome")
	rory.Fill("#password", "rory's own password")
	rory.Fill("#password_confirm", "rory's own password")
	rory.Click("main button[type=submit]")
	rory.WaitText(".notice", "Your password is set. Sign in to continue.")
	rory.check("password-set")

	signInByKeyboard(t, rory, s.URL, "rory@volunteer.example", "rory's own password")
	rory.WaitText("h1", "Hello, Rory Campbell")
	rory.check("own-page")
	rory.SetMobileViewport(360, 740)
	if rory.HasHorizontalScroll() {
		t.Error("the home page scrolls sideways on a 360 px phone")
	}
	rory.Screenshot("own-page-phone")

	rory.Click(".account button[type=submit]") // Sign out
	rory.WaitFor(`location.pathname === "/login"`)
	rory.Go(s.URL + "/home")
	rory.WaitFor(`location.pathname === "/login"`)
}

func TestAccountPagesAreAccessible(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	mustReserve(t, s, s.SchoolBorrower)
	anon := newTab(t)
	for _, path := range []string{"/", "/login", "/register", "/password/forgot"} {
		anon.Go(s.URL + path)
		anon.check("public" + strings.ReplaceAll(path, "/", "-"))
	}
	anon.Go(s.URL + "/no-such-page") // the browser logs the 404 itself, so only axe
	anon.Axe()
	anon.SetMobileViewport(360, 740)
	anon.Go(s.URL + "/register")
	if anon.HasHorizontalScroll() {
		t.Error("the registration form scrolls sideways on a 360 px phone")
	}
	admin := newTab(t)
	signInByKeyboard(t, admin, s.URL, s.Admin.Email, password)
	for _, path := range []string{"/home", "/account", "/users", "/users/invite", "/organisations/pending", "/admin/audit", "/admin/outbox",
		"/reservations/1", "/users/1"} {
		admin.Go(s.URL + path)
		admin.check("admin" + strings.ReplaceAll(path, "/", "-"))
	}
	school := newTab(t)
	signInByKeyboard(t, school, s.URL, s.SchoolContact.Email, password)
	for _, path := range []string{"/home", "/reservations/1"} {
		school.Go(s.URL + path)
		school.check("school" + strings.ReplaceAll(path, "/", "-"))
	}
}
