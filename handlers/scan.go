package handlers

import (
	"encoding/gob"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

// The scan station (/scan): one big input that takes what a USB scanner
// types (a tag or a kit URL, then Enter) or what the camera reads, in three
// modes — check out into a basket, check in with a contents count, look up.
// Every scan answers with one large, coloured result, also announced to
// screen readers; the answer is kept in the session across the redirect.

var _ = usePages("scan", "checkin", "kit")

// scanResult is the answer to the last scan.
type scanResult struct {
	Level   string // "ok" (green), "warn" (amber) or "bad" (red)
	Title   string // short: "Added KS-0042"
	Message string // what it means and what to do next
}

// basketItem is a kit waiting to go out.
type basketItem struct {
	Tag    string
	Accept bool // staff accepted its recorded shortfall
}

const (
	keyScanResult = "scan_result"
	keyBasket     = "basket"
)

func init() {
	gob.Register(scanResult{})
	gob.Register([]basketItem{})
}

func (a *App) setResult(c echo.Context, level, title, message string) {
	a.sessions.Put(c.Request().Context(), keyScanResult, scanResult{Level: level, Title: title, Message: message})
}

func (a *App) basket(c echo.Context) []basketItem {
	b, _ := a.sessions.Get(c.Request().Context(), keyBasket).([]basketItem)
	return b
}

func (a *App) setBasket(c echo.Context, b []basketItem) {
	a.sessions.Put(c.Request().Context(), keyBasket, b)
}

// scanData is what the scan page shows.
type scanData struct {
	Mode      string // "out", "in" or "look"
	Result    *scanResult
	Basket    []basketLine
	Proposals []models.Proposal
	Borrowers []models.BorrowerChoice
	Chosen    uint       // proposed borrower
	Proposed  models.Day // the proposed borrower's reservation ends then
}

type basketLine struct {
	Kit        *models.Kit
	Accept     bool
	Shortfalls string // what it lacks, if it came back short
}

func scanMode(s string) string {
	switch s {
	case "in", "look":
		return s
	}
	return "out"
}

func (a *App) scanPage(c echo.Context) error {
	d := scanData{Mode: scanMode(c.QueryParam("mode"))}
	if r, ok := a.sessions.Pop(c.Request().Context(), keyScanResult).(scanResult); ok {
		d.Result = &r
	}
	if d.Mode == "out" {
		if err := a.fillBasket(c, &d); err != nil {
			return err
		}
	}
	title := "Scan station"
	if d.Result != nil {
		title = d.Result.Title + " – Scan station" // a page title screen readers announce on load
	}
	p := a.page(c, title)
	p.Section = "scan"
	p.Data = d
	return a.render(c, http.StatusOK, "scan", p)
}

// fillBasket loads the basket's kits and proposes who they are for.
func (a *App) fillBasket(c echo.Context, d *scanData) error {
	db := a.dbFor(c)
	var typeIDs []uint
	for _, it := range a.basket(c) {
		k, err := models.KitByTag(db, it.Tag)
		if err != nil {
			continue // retagged or gone since it was scanned
		}
		line := basketLine{Kit: k, Accept: it.Accept}
		if k.Status == models.KitNeedsRestock {
			sf, err := models.OpenShortfalls(db, k.ID)
			if err != nil {
				return err
			}
			line.Shortfalls = models.ShortfallSummary(sf)
		}
		d.Basket = append(d.Basket, line)
		typeIDs = append(typeIDs, k.KitTypeID)
	}
	hub := a.hubOf(c)
	if hub == nil && len(d.Basket) > 0 {
		// An admin belongs to no hub: lend from the hub of the first kit
		// scanned. (The rule refuses a kit whose hub the borrower is not at.)
		hub = d.Basket[0].Kit.Hub
	}
	if hub == nil {
		return nil
	}
	today := hub.Today(a.now())
	var err error
	if d.Proposals, err = models.ProposeBorrowers(db, hub.ID, typeIDs, today); err != nil {
		return err
	}
	if d.Borrowers, err = models.BorrowersAt(db, hub.ID); err != nil {
		return err
	}
	if len(d.Proposals) > 0 {
		d.Chosen, d.Proposed = d.Proposals[0].Borrower.ID, d.Proposals[0].DueOn
	}
	return nil
}

// hubOf is the hub the signed-in staff member works at (nil for an admin
// without one).
func (a *App) hubOf(c echo.Context) *models.Hub {
	if v := viewerOf(c); v != nil {
		return v.User.Hub
	}
	return nil
}

// scan takes one scanned or typed code.
func (a *App) scan(c echo.Context) error {
	mode := scanMode(c.FormValue("mode"))
	code := c.FormValue("code")
	back := "/scan?mode=" + mode
	tag := models.NormaliseTag(code)
	if tag == "" {
		a.setResult(c, "bad", "Not a kit", fmt.Sprintf("%q is not an asset tag or a kit link. Scan the QR code on the kit's label, or type its tag, e.g. KS-0042.", strings.TrimSpace(code)))
		return c.Redirect(http.StatusSeeOther, back)
	}
	switch mode {
	case "in":
		return c.Redirect(http.StatusSeeOther, "/scan/checkin/"+url.PathEscape(tag))
	case "look":
		if _, err := models.KitByTag(a.dbFor(c), tag); err != nil {
			return a.scanRefused(c, err, back)
		}
		return c.Redirect(http.StatusSeeOther, "/k/"+url.PathEscape(tag))
	}
	return a.addToBasket(c, tag, back)
}

func (a *App) addToBasket(c echo.Context, tag, back string) error {
	basket := a.basket(c)
	for _, it := range basket {
		if it.Tag == tag {
			a.setResult(c, "warn", "Already in the basket", tag+" is already in the basket. Nothing changed; scan the next kit.")
			return c.Redirect(http.StatusSeeOther, back)
		}
	}
	check, err := models.CheckLendable(a.dbFor(c), a.actor(c), tag)
	if err != nil {
		return a.scanRefused(c, err, back)
	}
	a.setBasket(c, append(basket, basketItem{Tag: check.Kit.AssetTag}))
	name := check.Kit.AssetTag + " " + check.Kit.KitType.Name
	if len(check.Shortfalls) > 0 {
		a.setResult(c, "warn", "Check before lending "+check.Kit.AssetTag,
			fmt.Sprintf("%s came back short (%s) and has not been restocked. It is in the basket, but goes out only if you tick “Lend it anyway”.",
				name, models.ShortfallSummary(check.Shortfalls)))
	} else {
		a.setResult(c, "ok", "Added "+check.Kit.AssetTag, name+" is in the basket. Scan the next kit, or choose the borrower below.")
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// scanRefused shows a rule's refusal as a red result; other errors pass on.
func (a *App) scanRefused(c echo.Context, err error, back string) error {
	r, ok := models.AsRefusal(err)
	if !ok {
		return err
	}
	title := map[string]string{"kit_not_found": "Unknown kit", "kit_on_loan": "Already on loan",
		"kit_not_on_loan": "Not on loan", "other_hub": "Another hub's kit"}[r.Code]
	if title == "" {
		title = "Cannot do that"
	}
	a.setResult(c, "bad", title, r.Message)
	return c.Redirect(http.StatusSeeOther, back)
}

func (a *App) basketRemove(c echo.Context) error {
	tag := c.FormValue("tag")
	var kept []basketItem
	for _, it := range a.basket(c) {
		if it.Tag != tag {
			kept = append(kept, it)
		}
	}
	a.setBasket(c, kept)
	a.setResult(c, "ok", "Removed "+tag, tag+" is out of the basket.")
	return c.Redirect(http.StatusSeeOther, "/scan?mode=out")
}

func (a *App) basketClear(c echo.Context) error {
	a.setBasket(c, nil)
	return c.Redirect(http.StatusSeeOther, "/scan?mode=out")
}

// confirmCheckOut lends the whole basket, or nothing.
func (a *App) confirmCheckOut(c echo.Context) error {
	basket := a.basket(c)
	in := models.BasketCheckOut{Accept: map[string]bool{}}
	form, _ := c.FormParams()
	for _, it := range basket {
		in.Tags = append(in.Tags, it.Tag)
		in.Accept[it.Tag] = form.Get("accept_"+it.Tag) == "on"
	}
	id, _ := strconv.ParseUint(c.FormValue("borrower"), 10, 32)
	in.BorrowerID = uint(id)
	if s := c.FormValue("due_on"); s != "" {
		d, err := models.ParseDay(s)
		if err != nil {
			a.setResult(c, "bad", "Check the due date", err.Error())
			return c.Redirect(http.StatusSeeOther, "/scan?mode=out")
		}
		in.DueOn = d
	}
	if in.BorrowerID == 0 {
		a.setResult(c, "bad", "Choose the borrower", "Choose who the kits are going to, then confirm again.")
		return c.Redirect(http.StatusSeeOther, "/scan?mode=out")
	}
	loans, err := models.CheckOutBasket(a.dbFor(c), a.actor(c), in)
	if err != nil {
		// Keep the accepted ticks, so staff don't tick them again.
		for i := range basket {
			basket[i].Accept = in.Accept[basket[i].Tag]
		}
		a.setBasket(c, basket)
		return a.scanRefused(c, err, "/scan?mode=out")
	}
	a.setBasket(c, nil)
	tags := make([]string, len(loans))
	for i, l := range loans {
		tags[i] = l.Kit.AssetTag
	}
	a.setResult(c, "ok", fmt.Sprintf("%d %s checked out", len(loans), plural(len(loans), "kit", "kits")),
		fmt.Sprintf("%s checked out to %s, due back %s.", joinAnd(tags), loans[0].Borrower.Name(), loans[0].DueOn.Human()))
	return c.Redirect(http.StatusSeeOther, "/scan?mode=out")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// joinAnd writes "A, B and C".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

type checkInData struct {
	Kit   *models.Kit
	Loan  *models.Loan
	Late  bool
	Today models.Day
}

// checkInPage shows the kit's contents checklist, everything ticked present.
func (a *App) checkInPage(c echo.Context) error {
	d, err := a.checkInData(c)
	if err != nil {
		return a.scanRefused(c, err, "/scan?mode=in")
	}
	p := a.page(c, "Check in "+d.Kit.AssetTag)
	p.Section = "scan"
	p.Data = d
	return a.render(c, http.StatusOK, "checkin", p)
}

func (a *App) checkInData(c echo.Context) (*checkInData, error) {
	db := a.dbFor(c)
	k, err := models.KitByTag(db, c.Param("tag"))
	if err != nil {
		return nil, err
	}
	if !models.MayManageKit(a.actor(c), k) {
		// Another hub's kit: its loan and borrower are not for this staff member.
		return nil, &models.Refusal{Kind: models.NotFound, Code: "kit_not_found", Message: "No kit has the tag " + k.AssetTag + " at your hub."}
	}
	loan, err := models.OpenLoan(db, k.ID)
	if err != nil {
		return nil, err
	}
	if loan == nil {
		return nil, models.NotOnLoan(db, k)
	}
	today := k.Hub.Today(a.now())
	return &checkInData{Kit: k, Loan: loan, Late: loan.Overdue(today), Today: today}, nil
}

// confirmCheckIn records the return with what was counted.
func (a *App) confirmCheckIn(c echo.Context) error {
	d, err := a.checkInData(c)
	if err != nil {
		return a.scanRefused(c, err, "/scan?mode=in") // already checked in: a repeated confirm changes nothing
	}
	counts, err := countsFromForm(c, d.Kit)
	if err != nil {
		return a.rerender(c, err, "checkin", "Check in "+d.Kit.AssetTag, d)
	}
	loanID, _ := strconv.ParseUint(c.FormValue("loan_id"), 10, 32)
	res, err := models.CheckIn(a.dbFor(c), a.actor(c), models.CheckInInput{Tag: d.Kit.AssetTag, Counts: counts,
		Note: c.FormValue("note"), LoanID: uint(loanID)})
	if err != nil {
		if r, ok := models.AsRefusal(err); ok && r.Kind == models.Invalid {
			return a.rerender(c, err, "checkin", "Check in "+d.Kit.AssetTag, d)
		}
		return a.scanRefused(c, err, "/scan?mode=in")
	}
	level, title := "ok", "Checked in "+d.Kit.AssetTag
	if len(res.Shortfalls) > 0 {
		level, title = "warn", d.Kit.AssetTag+" needs restocking"
	}
	a.setResult(c, level, title, models.CheckInSummary(res))
	return c.Redirect(http.StatusSeeOther, "/scan?mode=in")
}

// countsFromForm reads the checklist: a ticked line is all present; an
// unticked one says how many are missing or damaged.
func countsFromForm(c echo.Context, k *models.Kit) ([]models.Count, error) {
	var counts []models.Count
	problems := map[string]string{}
	for _, item := range k.KitType.Contents {
		id := strconv.FormatUint(uint64(item.ID), 10)
		if c.FormValue("present_"+id) == "on" {
			continue
		}
		missing, err1 := countValue(c.FormValue("missing_" + id))
		damaged, err2 := countValue(c.FormValue("damaged_" + id))
		switch {
		case err1 != nil || err2 != nil:
			problems["missing_"+id] = fmt.Sprintf("%s: give whole numbers of missing and damaged items.", item.Name)
		case missing+damaged == 0 && item.Quantity == 1:
			missing = 1 // an unticked single item is simply not there
		case missing+damaged == 0:
			problems["missing_"+id] = fmt.Sprintf("%s is not ticked as all present: say how many are missing or damaged.", item.Name)
		}
		counts = append(counts, models.Count{ContentID: item.ID, Missing: missing, Damaged: damaged})
	}
	if len(problems) > 0 {
		return nil, &models.Refusal{Kind: models.Invalid, Code: "invalid_count", Message: "Please correct the contents count.", Fields: problems}
	}
	return counts, nil
}

// countValue reads a count; anything beyond a small whole number is a
// mistake, caught here before it can overflow a sum.
func countValue(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err
}
