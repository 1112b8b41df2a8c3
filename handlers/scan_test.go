package handlers_test

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// scanAs scans code in a mode and returns the scan page that follows.
func scanAs(t *testing.T, c *client, mode, code string) string {
	t.Helper()
	res := c.post("/scan", url.Values{"mode": {mode}, "code": {code}})
	if res.StatusCode != 303 {
		t.Fatalf("scan %s: %d %s", code, res.StatusCode, errorSummary(res.Body))
	}
	return html.UnescapeString(c.get(res.Location()).Body)
}

func resultOf(page string) string {
	i := strings.Index(page, `id="scan-result"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</div>")
	return strings.Join(strings.Fields(stripTags(page[i:i+j])), " ")
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func loansOf(t *testing.T, db *gorm.DB) int64 {
	var n int64
	db.Model(&models.Loan{}).Count(&n)
	return n
}

func TestScanStationCheckOutAndIn(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		staff := s.as(t, s.Staff)
		tags := []string{s.Kits[0].AssetTag, s.Kits[1].AssetTag, s.Kits[2].AssetTag}

		page := scanAs(t, staff, "out", tags[0])
		if r := resultOf(page); !strings.Contains(r, "Added "+tags[0]) {
			t.Fatalf("first scan: %q", r)
		}
		scanAs(t, staff, "out", strings.ToLower(tags[1])+"\n")
		scanAs(t, staff, "out", s.URL+"/k/"+tags[2]) // a phone-camera URL works as well as a tag
		page = scanAs(t, staff, "out", tags[1])
		if r := resultOf(page); !strings.Contains(r, "Already in the basket") {
			t.Errorf("duplicate scan: %q", r)
		}
		if n := strings.Count(page, "Remove KS-"); n != 3 {
			t.Errorf("basket holds %d kits, want 3", n)
		}
		if r := resultOf(scanAs(t, staff, "out", "KS-9999")); !strings.Contains(r, "No kit has the tag KS-9999") {
			t.Errorf("unknown tag: %q", r)
		}
		res := staff.post("/scan/checkout", url.Values{"borrower": {fmt.Sprint(s.SchoolBorrower)}})
		page = html.UnescapeString(staff.get(res.Location()).Body)
		if r := resultOf(page); !strings.Contains(r, "3 kits checked out") || !strings.Contains(r, "Hillside Primary") {
			t.Fatalf("confirm: %q", r)
		}
		if n := loansOf(t, db); n != 3 {
			t.Fatalf("%d loans, want 3", n)
		}
		// Scanning a kit that is out says to whom and since when, and changes nothing.
		r := resultOf(scanAs(t, staff, "out", tags[0]))
		if !strings.Contains(r, "already on loan to Hillside Primary since") {
			t.Errorf("scan of a kit on loan: %q", r)
		}
		if n := loansOf(t, db); n != 3 {
			t.Errorf("%d loans after re-scanning, want 3", n)
		}

		// Check one in with two micro:bits missing.
		res = staff.post("/scan", url.Values{"mode": {"in"}, "code": {tags[0]}})
		checklist := staff.get(res.Location())
		if checklist.StatusCode != 200 || !strings.Contains(checklist.Body, "30 × micro:bit") {
			t.Fatalf("checklist: %d", checklist.StatusCode)
		}
		form := url.Values{"note": {"two lost at the science fair"}}
		for _, c := range s.KitType.Contents {
			if c.Name == "micro:bit" {
				form.Set(fmt.Sprintf("missing_%d", c.ID), "2")
			} else {
				form.Set(fmt.Sprintf("present_%d", c.ID), "on")
			}
		}
		res = staff.post("/scan/checkin/"+tags[0], form)
		r = resultOf(html.UnescapeString(staff.get(res.Location()).Body))
		if !strings.Contains(r, "needs restocking") || !strings.Contains(r, "2 × micro:bit missing") {
			t.Fatalf("check-in result: %q", r)
		}
		kit := html.UnescapeString(staff.get("/k/" + tags[0]).Body)
		if !strings.Contains(kit, "needs restock") || !strings.Contains(kit, "2 × micro:bit missing") {
			t.Error("the kit page does not show the shortfall")
		}
		// Confirming the same check-in again (a double click, a second scan) changes nothing.
		before := counts(t, db) + fmt.Sprint(loansOf(t, db))
		var shortfalls int64
		db.Model(&models.Shortfall{}).Count(&shortfalls)
		res = staff.post("/scan/checkin/"+tags[0], form)
		r = resultOf(html.UnescapeString(staff.get(res.Location()).Body))
		if !strings.Contains(r, "is not on loan: it was checked in from Hillside Primary") {
			t.Errorf("repeated check-in: %q", r)
		}
		var after int64
		db.Model(&models.Shortfall{}).Count(&after)
		if after != shortfalls || counts(t, db)+fmt.Sprint(loansOf(t, db)) != before {
			t.Error("a repeated check-in changed data")
		}
	})
}

func TestCheckInCountsMustMakeSense(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	staff := s.as(t, s.Staff)
	tag := s.Kits[0].AssetTag
	if _, err := models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: s.AmbassadorBorrower}); err != nil {
		t.Fatal(err)
	}
	microbit := s.KitType.Contents[0]
	for _, bad := range []string{"", "31", "-1", "lots"} {
		form := url.Values{fmt.Sprintf("missing_%d", microbit.ID): {bad}}
		for _, c := range s.KitType.Contents[1:] {
			form.Set(fmt.Sprintf("present_%d", c.ID), "on")
		}
		res := staff.post("/scan/checkin/"+tag, form)
		if res.StatusCode != 422 || !strings.Contains(res.Body, "error-summary") {
			t.Errorf("missing=%q: %d, want 422 with the error summary", bad, res.StatusCode)
		}
	}
	if k := must(models.KitByTag(db, tag))(t); k.Status != models.KitOnLoan {
		t.Errorf("kit is %s after refused check-ins", k.Status)
	}
}

func TestBasketIsAllOrNothing(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		staff := s.as(t, s.Staff)
		scanAs(t, staff, "out", s.Kits[0].AssetTag)
		scanAs(t, staff, "out", s.Kits[1].AssetTag)
		// Meanwhile another desk lends the second kit.
		if _, err := models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: s.Kits[1].AssetTag, BorrowerID: s.AmbassadorBorrower}); err != nil {
			t.Fatal(err)
		}
		res := staff.post("/scan/checkout", url.Values{"borrower": {fmt.Sprint(s.SchoolBorrower)}})
		r := resultOf(html.UnescapeString(staff.get(res.Location()).Body))
		if !strings.Contains(r, s.Kits[1].AssetTag+" is already on loan to Abe Ambassador") {
			t.Errorf("result: %q", r)
		}
		if n := loansOf(t, db); n != 1 {
			t.Errorf("%d loans: the basket went out in part", n)
		}
	})
}

// collectingToday books n copies for the school from today to day 4, approved.
func (s *site) collectingToday(t *testing.T, n int) *models.Reservation {
	t.Helper()
	r := must(models.Reserve(s.DB, s.StaffActor(), models.ReserveInput{HubID: s.Hub.ID, KitTypeID: s.KitType.ID,
		BorrowerID: s.SchoolBorrower, Quantity: n, StartOn: s.Today(), EndOn: s.Day(4)}))(t)
	return must(models.Approve(s.DB, s.StaffActor(), r.ID, ""))(t)
}

func TestScanProposesTheBorrowerCollectingToday(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	s.collectingToday(t, 2)
	staff := s.as(t, s.Staff)
	page := scanAs(t, staff, "out", s.Kits[0].AssetTag)
	if !strings.Contains(page, "Kitshelf proposes Hillside Primary") ||
		!strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>Hillside Primary (reserved)</option>`, s.SchoolBorrower)) {
		t.Error("the scan page does not propose the school collecting today")
	}
	if !strings.Contains(page, "reservation ends "+s.Day(4).Human()) {
		t.Error("the hint does not give the reservation's last day")
	}
	if strings.Contains(page, `name="due_on" type="date" value=`) {
		t.Error("the due date is pre-filled, overriding each kit's own")
	}
}

// An admin belongs to no hub, yet can stand in at any counter: the basket's
// hub decides whom the kits can go to.
func TestAnAdminCanLendAtTheCounter(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	admin := s.as(t, s.Admin)
	if page := scanAs(t, admin, "out", s.Kits[0].AssetTag); !strings.Contains(page,
		fmt.Sprintf(`<option value="%d">Hillside Primary (school)</option>`, s.SchoolBorrower)) {
		t.Fatalf("an admin's basket offers no borrowers:\n%s", resultOf(page))
	}
	res := admin.post("/scan/checkout", url.Values{"borrower": {fmt.Sprint(s.SchoolBorrower)}})
	if r := resultOf(html.UnescapeString(admin.get(res.Location()).Body)); !strings.Contains(r, "1 kit checked out") {
		t.Fatalf("confirm: %q", r)
	}
	if n := loansOf(t, db); n != 1 {
		t.Errorf("%d loans, want 1", n)
	}
}

func TestPublicKitPageHasNoPersonalData(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		tag := s.Kits[0].AssetTag
		if _, err := models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: s.SchoolBorrower}); err != nil {
			t.Fatal(err)
		}
		staffPage := html.UnescapeString(s.as(t, s.Staff).get("/k/" + tag).Body)
		if !strings.Contains(staffPage, "On loan to") || !strings.Contains(staffPage, "Hillside Primary") {
			t.Error("staff do not see who has the kit")
		}
		for who, c := range map[string]*client{"anonymous": s.client(t), "ambassador": s.as(t, s.Ambassador), "school": s.as(t, s.SchoolContact)} {
			res := c.get("/k/" + strings.ToLower(tag))
			body := html.UnescapeString(res.Body)
			if res.StatusCode != 200 || !strings.Contains(body, "This kit belongs to") || !strings.Contains(body, s.Hub.Name) {
				t.Errorf("%s: %d, no hub", who, res.StatusCode)
			}
			for _, private := range []string{"Hillside Primary", "Sam Staff", "due back", "History", "Change status"} {
				if strings.Contains(body, private) {
					t.Errorf("%s sees %q on the public kit page", who, private)
				}
			}
		}
		if res := s.client(t).get("/k/KS-9999"); res.StatusCode != 404 {
			t.Errorf("unknown kit: %d", res.StatusCode)
		}
	})
}

func TestKitStatusChangesFromItsPage(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	staff := s.as(t, s.Staff)
	tag := s.Kits[0].AssetTag
	res := staff.post("/k/"+tag+"/status", url.Values{"action": {"repair"}, "reason": {""}})
	page := html.UnescapeString(staff.get(res.Location()).Body)
	if !strings.Contains(page, "Please give a reason") {
		t.Error("a repair without a reason is not refused on the page")
	}
	staff.post("/k/"+tag+"/status", url.Values{"action": {"repair"}, "reason": {"cracked case"}})
	if k := must(models.KitByTag(db, tag))(t); k.Status != models.KitInRepair {
		t.Fatalf("status %s", k.Status)
	}
	page = html.UnescapeString(staff.get("/k/" + tag).Body)
	if !strings.Contains(page, "sent for repair: cracked case") {
		t.Error("the change and its reason are not in the kit's history")
	}
}

func TestAKitThatCameBackShortWarnsBeforeItGoesOut(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newSite(t, db)
		tag := s.Kits[0].AssetTag
		if _, err := models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: s.AmbassadorBorrower}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CheckIn(db, s.StaffActor(), models.CheckInInput{Tag: tag,
			Counts: []models.Count{{ContentID: s.KitType.Contents[3].ID, Missing: 1}}}); err != nil {
			t.Fatal(err)
		}
		staff := s.as(t, s.Staff)
		page := scanAs(t, staff, "out", tag)
		if r := resultOf(page); !strings.Contains(r, "came back short (1 × teacher guide missing)") || !strings.Contains(r, "Lend it anyway") {
			t.Fatalf("scan of a short kit: %q", r)
		}
		if !strings.Contains(page, `class="scan-result scan-warn"`) {
			t.Error("the warning is not amber")
		}
		res := staff.post("/scan/checkout", url.Values{"borrower": {fmt.Sprint(s.SchoolBorrower)}})
		if r := resultOf(html.UnescapeString(staff.get(res.Location()).Body)); !strings.Contains(r, "has not been restocked") {
			t.Errorf("confirming without accepting: %q", r)
		}
		if n := loansOf(t, db); n != 1 {
			t.Fatalf("%d loans: the short kit went out without being accepted", n)
		}
		res = staff.post("/scan/checkout", url.Values{"borrower": {fmt.Sprint(s.SchoolBorrower)}, "accept_" + tag: {"on"}})
		if r := resultOf(html.UnescapeString(staff.get(res.Location()).Body)); !strings.Contains(r, "1 kit checked out") {
			t.Errorf("confirming with “lend it anyway”: %q", r)
		}
	})
}

// Once some copies of a booking are out, the school can still release the
// rest from the reservation's page.
func TestReleasingTheRestOfABookingFromItsPage(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	s := newSite(t, db)
	r := s.collectingToday(t, 2)
	must(models.CheckOut(db, s.StaffActor(), models.CheckOutInput{Tag: s.Kits[0].AssetTag, BorrowerID: s.SchoolBorrower}))(t)
	school := s.as(t, s.SchoolContact)
	path := fmt.Sprintf("/reservations/%d", r.ID)
	if page := school.get(path).Body; !strings.Contains(page, "Release the copies not yet collected") {
		t.Fatalf("the reservation page offers no release:\n%s", errorSummary(page))
	}
	res := school.post(path+"/cancel", url.Values{"note": {"one is enough"}})
	page := html.UnescapeString(school.get(res.Location()).Body)
	if !strings.Contains(page, "The copies not yet collected are released") {
		t.Errorf("after releasing: %d\n%s", res.StatusCode, errorSummary(page))
	}
	if got := must(models.ReservationFor(db, s.StaffActor(), r.ID))(t); got.Status != models.ResFulfilled {
		t.Errorf("status %s, want fulfilled", got.Status)
	}
}
