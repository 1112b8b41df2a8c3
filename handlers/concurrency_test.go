package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// Several staff at several counters (each their own session) scan the same
// kit and confirm at the same moment: one loan, one return, and everyone
// else is told why not — never a 500, never a second loan.
func TestStaffConfirmingTheSameKitAtOnce(t *testing.T) {
	const counters = 8
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		tag := s.Kits[0].AssetTag
		staff := make([]*client, counters)
		for i := range staff {
			staff[i] = s.as(t, s.Staff)
			scanAs(t, staff[i], "out", tag) // the same kit in every basket
		}
		statuses := all(t, staff, func(c *client) (*http.Request, error) {
			return formRequest(c, "/scan/checkout", url.Values{"borrower": {fmt.Sprint(s.SchoolBorrower)}})
		})
		if n := loansOf(t, db); n != 1 {
			t.Fatalf("%d loans from %d simultaneous check-outs, want 1 (statuses %v)", n, counters, statuses)
		}
		out, refused := 0, 0
		for _, c := range staff {
			switch r := resultOf(html.UnescapeString(c.get("/scan?mode=out").Body)); {
			case strings.Contains(r, "1 kit checked out"):
				out++
			case strings.Contains(r, "already on loan to Hillside Primary"):
				refused++
			default:
				t.Errorf("a counter was told %q", r)
			}
		}
		if out != 1 || refused != counters-1 {
			t.Errorf("%d told checked out, %d told it is on loan; want 1 and %d", out, refused, counters-1)
		}

		form := url.Values{}
		for _, c := range s.KitType.Contents {
			form.Set(fmt.Sprintf("present_%d", c.ID), "on")
		}
		statuses = all(t, staff, func(c *client) (*http.Request, error) {
			return formRequest(c, "/scan/checkin/"+tag, form)
		})
		var open, returned int64
		db.Model(&models.Loan{}).Where("returned_at IS NULL").Count(&open)
		db.Model(&models.Loan{}).Where("returned_at IS NOT NULL").Count(&returned)
		if open != 0 || returned != 1 || loansOf(t, db) != 1 {
			t.Errorf("after %d simultaneous check-ins: %d open, %d returned loans (statuses %v)", counters, open, returned, statuses)
		}
		var entries int64
		db.Model(&models.AuditEntry{}).Where("action = ?", "kit.check_in").Count(&entries)
		if entries != 1 {
			t.Errorf("%d check-in audit entries, want 1", entries)
		}
	})
}

// all sends one request per client at the same moment and returns the
// statuses; any 5xx fails the test.
func all(t *testing.T, clients []*client, build func(*client) (*http.Request, error)) []int {
	t.Helper()
	reqs := make([]*http.Request, len(clients))
	for i, c := range clients {
		req, err := build(c)
		if err != nil {
			t.Fatal(err)
		}
		reqs[i] = req
	}
	statuses := make([]int, len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range clients {
		wg.Go(func() {
			<-start
			res, err := c.http.Do(reqs[i])
			if err != nil {
				errs[i] = err
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		} else if statuses[i] >= 500 {
			t.Errorf("request %d: %d", i, statuses[i])
		}
	}
	return statuses
}

// formRequest is a post from one of the client's pages, built here so that
// goroutines can send it (client.post may end the test, which only the
// test's own goroutine may do).
func formRequest(c *client, path string, form url.Values) (*http.Request, error) {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf", c.csrf())
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(f.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
