package handlers_test

import (
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

func farStaffClient(t *testing.T, s *site) *client {
	t.Helper()
	far := must(models.CreateHub(s.DB, models.SystemActor("t"), models.HubInput{Name: "Far Hub"}))(t)
	u := must(models.CreateUser(s.DB, models.SystemActor("t"), models.UserInput{Email: "far@far.org", Name: "Far Staff",
		Role: models.RoleStaff, HubID: &far.ID}))(t)
	if err := models.SetPassword(s.DB, models.SystemActor("t"), u.ID, password); err != nil {
		t.Fatal(err)
	}
	return s.as(t, u)
}

func TestAnotherHubsStaffCannotCheckInOrSeeTheBorrower(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		tag := s.Kits[0].AssetTag
		if _, err := models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: s.SchoolBorrower}); err != nil {
			t.Fatal(err)
		}
		far := farStaffClient(t, s)
		res := far.get("/scan/checkin/" + tag)
		page := html.UnescapeString(far.get(res.Location()).Body)
		if res.StatusCode != 303 || strings.Contains(page, "Hillside") || !strings.Contains(resultOf(page), "No kit has the tag "+tag) {
			t.Errorf("another hub's check-in page: %d %q", res.StatusCode, resultOf(page))
		}
		form := url.Values{}
		for _, c := range s.KitType.Contents {
			form.Set(fmt.Sprintf("present_%d", c.ID), "on")
		}
		far.post("/scan/checkin/"+tag, form)
		if l := must(models.OpenLoan(db, s.Kits[0].ID))(t); l == nil {
			t.Fatal("another hub's staff checked the kit in")
		}
	})
}

func TestNoRedirectLeavesTheSite(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example",
		"https://evil.example/", "javascript:alert(1)", "/%09/evil.example"} {
		c := s.client(t)
		res := c.post("/login", url.Values{"email": {s.Staff.Email}, "password": {password}, "next": {next}})
		if loc := res.Location(); loc != "/home" && !strings.HasPrefix(loc, "/%09") {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestForwardedForDoesNotDodgeTheAddressLimit(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	c := s.client(t)
	try := func(i int) response {
		form := url.Values{"email": {fmt.Sprintf("guess%d@example.org", i)}, "password": {"wrong password"}, "csrf": {c.csrf()}}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		return c.do(req)
	}
	for i := range models.MaxFailuresPerIP {
		if res := try(i); res.StatusCode != 401 {
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
	}
	if res := try(999); res.StatusCode != 429 {
		t.Errorf("a forged X-Forwarded-For dodged the per-address limit: %d", res.StatusCode)
	}
}

func TestResetEndsOldSessionsAndSentLinksAreHidden(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	old := s.as(t, s.Ambassador)
	c := s.client(t)
	c.post("/password/forgot", url.Values{"email": {s.Ambassador.Email}})
	s.deliverMail(t)
	link := strings.TrimPrefix(s.SMTP.WaitFor(t, s.Ambassador.Email, 5*time.Second).Links()[0], s.URL)
	c.post(link, url.Values{"password": {"a new password here"}, "password_confirm": {"a new password here"}})
	if res := old.get("/home"); res.StatusCode != 303 {
		t.Error("a session from before the password reset still works")
	}
	outbox := s.as(t, s.Admin).get("/admin/outbox").Body
	if strings.Contains(outbox, "/welcome/") {
		t.Error("the outbox shows a sent one-time link")
	}
}

func TestRoleChangeToAMissingHubIsAFieldError(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	admin := s.as(t, s.Admin)
	res := admin.post(fmt.Sprintf("/users/%d/role", s.Ambassador.ID), url.Values{"role": {"staff"}, "hub": {"4000000000"}})
	if res.StatusCode >= 500 {
		t.Errorf("role change to a missing hub: %d", res.StatusCode)
	}
	res = admin.post(fmt.Sprintf("/users/%d/role", s.Ambassador.ID), url.Values{"role": {"staff"}, "hub": {"4000"}})
	if res.StatusCode != 422 {
		t.Errorf("role change to a hub that does not exist: %d, want 422", res.StatusCode)
	}
}

func TestHugeCheckInCountsAreAFormError(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		tag := s.Kits[0].AssetTag
		if _, err := models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: s.SchoolBorrower}); err != nil {
			t.Fatal(err)
		}
		id := s.KitType.Contents[0].ID
		res := s.as(t, s.Staff).post("/scan/checkin/"+tag, url.Values{
			fmt.Sprintf("missing_%d", id): {"9223372036854775807"}, fmt.Sprintf("damaged_%d", id): {"1"}})
		if res.StatusCode != 422 {
			t.Errorf("overflowing counts: %d, want 422", res.StatusCode)
		}
	})
}

// lockedBuffer collects a server's log, written from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The secret of a one-time link is in its path; the request log must not
// hand it to whoever reads the logs.
func TestLogsHideOneTimeLinkSecrets(t *testing.T) {
	var logs lockedBuffer
	s := newSite(t, modeltest.Open(t, models.SQLite), func(o *handlers.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	c := s.client(t)
	for _, path := range []string{"/welcome/s3cret-invitation", "/setup/s3cret-setup"} {
		c.get(path)
		c.post(path, url.Values{"password": {"x"}})
	}
	c.get("/login")
	out := logs.String()
	if strings.Contains(out, "s3cret") {
		t.Errorf("the log holds a link's secret:\n%s", out)
	}
	if !strings.Contains(out, "path=/welcome/[secret]") || !strings.Contains(out, "path=/login") {
		t.Errorf("the log does not show the requests:\n%s", out)
	}
}
