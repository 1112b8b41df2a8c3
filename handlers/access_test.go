package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// who may use each route, written out independently of routes.go so that a
// route whose roles change, or a new route, must be reviewed here too.
var expectedAccess = map[string]string{
	"GET /":                           "anyone",
	"GET /healthz":                    "anyone",
	"GET /readyz":                     "anyone",
	"GET /assets/*":                   "anyone",
	"GET /login":                      "anyone",
	"POST /login":                     "anyone",
	"POST /logout":                    "signed in",
	"POST /logout/everywhere":         "signed in",
	"GET /auth/:provider":             "anyone",
	"GET /auth/:provider/callback":    "anyone",
	"GET /welcome/:token":             "anyone",
	"POST /welcome/:token":            "anyone",
	"GET /password/forgot":            "anyone",
	"POST /password/forgot":           "anyone",
	"GET /register":                   "anyone",
	"POST /register":                  "anyone",
	"GET /setup/:token":               "anyone",
	"POST /setup/:token":              "anyone",
	"GET /home":                       "signed in",
	"GET /account":                    "signed in",
	"GET /reservations/:id":           "signed in",
	"POST /reservations/:id/cancel":   "signed in",
	"POST /reservations/:id/approve":  "staff",
	"POST /reservations/:id/decline":  "staff",
	"GET /users":                      "staff",
	"GET /users/invite":               "staff",
	"POST /users/invite":              "staff",
	"GET /users/:id":                  "staff",
	"POST /users/:id/deactivate":      "staff",
	"POST /users/:id/reactivate":      "staff",
	"GET /organisations/pending":      "staff",
	"POST /organisations/:id/approve": "staff",
	"GET /k/:tag":                     "anyone",
	"POST /k/:tag/status":             "staff",
	"GET /photos/:id":                 "anyone",
	"GET /scan":                       "staff",
	"POST /scan":                      "staff",
	"POST /scan/basket/remove":        "staff",
	"POST /scan/basket/clear":         "staff",
	"POST /scan/checkout":             "staff",
	"GET /scan/checkin/:tag":          "staff",
	"POST /scan/checkin/:tag":         "staff",
	"GET /kits/:tag/qr.png":           "staff",
	"GET /kits/:tag/qr.svg":           "staff",
	"GET /labels":                     "staff",
	"GET /labels.pdf":                 "staff",
	"GET /kits":                       "staff",
	"GET /kits/new":                   "staff",
	"POST /kits":                      "staff",
	"GET /kit-types/new":              "staff",
	"POST /kit-types":                 "staff",
	"GET /kit-types/:slug/edit":       "staff",
	"POST /kit-types/:slug":           "staff",
	"POST /kit-types/:slug/photo":     "staff",
	"POST /users/:id/role":            "admin",
	"GET /admin/audit":                "admin",
	"GET /admin/outbox":               "admin",
}

var allowed = map[string][]string{
	"anyone":    {"anonymous", "admin", "staff", "school", "ambassador"},
	"signed in": {"admin", "staff", "school", "ambassador"},
	"staff":     {"admin", "staff"},
	"admin":     {"admin"},
}

func TestEveryRouteForEveryRole(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	_, app, _ := handlers.NewWithApp(handlers.Options{DB: db, BaseURL: mustURL(s.URL)})
	routes := handlers.RouteTable(app)

	declared := map[string]bool{}
	for _, r := range routes {
		declared[r.Method+" "+r.Path] = true
		if _, ok := expectedAccess[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s has no expected access in this test", r.Method, r.Path)
		}
	}
	for k := range expectedAccess {
		if !declared[k] {
			t.Errorf("expected route %s is not declared", k)
		}
	}

	clients := map[string]*client{"anonymous": s.client(t), "admin": s.as(t, s.Admin), "staff": s.as(t, s.Staff),
		"school": s.as(t, s.SchoolContact), "ambassador": s.as(t, s.Ambassador)}
	res := mustReserve(t, s, s.SchoolBorrower)
	roles := []string{"anonymous", "admin", "staff", "school", "ambassador"}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path < routes[j].Path })
	for _, r := range routes {
		if r.Path == "/logout" || r.Path == "/logout/everywhere" {
			continue // tested separately: they end the very sessions this test reuses
		}
		path := strings.NewReplacer(":id", fmt.Sprint(res.ID), ":token", "not-a-token", ":provider", "google",
			"*", "css/missing.css", ":tag", s.Kits[0].AssetTag, ":slug", s.KitType.Slug).Replace(r.Path)
		for _, role := range roles {
			c := clients[role]
			var got response
			if r.Method == http.MethodGet {
				got = c.get(path)
			} else {
				got = c.post(path, url.Values{})
			}
			want := contains(allowed[expectedAccess[r.Method+" "+r.Path]], role)
			// The guard's own answers, told apart from a handler's 401 or 403
			// (a wrong password, a rule's refusal) by their words.
			denied := (got.StatusCode == 401 && strings.Contains(got.Body, "Please sign in first")) ||
				(got.StatusCode == 403 && strings.Contains(got.Body, "Your account cannot use this page")) ||
				(got.StatusCode == 303 && strings.HasPrefix(got.Location(), "/login?next="))
			if want == denied {
				t.Errorf("%s %s as %s: status %d (location %q); want allowed=%v", r.Method, path, role, got.StatusCode, got.Location(), want)
			}
			if got.StatusCode >= 500 {
				t.Errorf("%s %s as %s: %d\n%s", r.Method, path, role, got.StatusCode, errorSummary(got.Body))
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func mustReserve(t *testing.T, s *site, borrower uint) *models.Reservation {
	t.Helper()
	r, err := models.Reserve(s.DB, s.StaffActor(), models.ReserveInput{HubID: s.Hub.ID, KitTypeID: s.KitType.ID,
		BorrowerID: borrower, Quantity: 1, StartOn: s.Day(10), EndOn: s.Day(12), Purpose: "Science week at " + fmt.Sprint(borrower)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A borrower who edits the URL to another borrower's reservation finds
// nothing there: 404, with none of its details.
func TestNobodySeesAnotherBorrowersReservation(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		_, otherSchool := s.AddSchool("Glen Academy")
		theirs := mustReserve(t, s, otherSchool)
		mine := mustReserve(t, s, s.SchoolBorrower)
		ambassadors := mustReserve(t, s, s.AmbassadorBorrower)

		other := must(models.CreateHub(db, models.SystemActor("t"), models.HubInput{Name: "Far Hub"}))(t)
		farStaff := must(models.CreateUser(db, models.SystemActor("t"), models.UserInput{Email: "far@hub.org", Name: "Far Staff",
			Role: models.RoleStaff, HubID: &other.ID}))(t)
		models.SetPassword(db, models.SystemActor("t"), farStaff.ID, password)

		school, amb, staff, far := s.as(t, s.SchoolContact), s.as(t, s.Ambassador), s.as(t, s.Staff), s.as(t, farStaff)
		cases := []struct {
			who  string
			c    *client
			id   uint
			want int
		}{
			{"school, own", school, mine.ID, 200},
			{"school, another school's", school, theirs.ID, 404},
			{"school, an ambassador's", school, ambassadors.ID, 404},
			{"ambassador, a school's", amb, mine.ID, 404},
			{"ambassador, own", amb, ambassadors.ID, 200},
			{"hub staff, any at their hub", staff, theirs.ID, 200},
			{"another hub's staff", far, theirs.ID, 404},
			{"school, a reservation that does not exist", school, 999999, 404},
		}
		for _, c := range cases {
			res := c.c.get(fmt.Sprintf("/reservations/%d", c.id))
			if res.StatusCode != c.want {
				t.Errorf("%s: %d, want %d", c.who, res.StatusCode, c.want)
			}
			if c.want == 404 && (strings.Contains(res.Body, "Glen Academy") || strings.Contains(res.Body, "Science week")) {
				t.Errorf("%s: the 404 page leaks the reservation", c.who)
			}
		}
		// Nor can they act on it.
		if res := school.post(fmt.Sprintf("/reservations/%d/cancel", theirs.ID), nil); res.StatusCode != 404 {
			t.Errorf("school cancelling another school's reservation: %d", res.StatusCode)
		}
		assertReservationStatus(t, db, theirs.ID, models.ResRequested)
		// The school's own page lists only its own bookings.
		if body := school.get("/home").Body; strings.Contains(body, fmt.Sprintf("/reservations/%d\"", theirs.ID)) {
			t.Error("the school's page lists another school's reservation")
		}
	})
}

func assertReservationStatus(t *testing.T, db *gorm.DB, id uint, want models.ReservationStatus) {
	t.Helper()
	var r models.Reservation
	if err := db.Take(&r, id).Error; err != nil || r.Status != want {
		t.Fatalf("reservation %d: %v %s, want %s", id, err, r.Status, want)
	}
}

func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
