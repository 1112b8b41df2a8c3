package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/views"
)

// Managing kits and the catalogue: the hub's stock, adding copies, kit types
// with their contents lists, and their photos.

var _ = usePages("kits", "kits_new", "kit_type_form")

type kitsData struct {
	Stock    *models.Stock
	Statuses []models.KitStatus
	Hubs     []models.Hub // admins pick a hub to look at
}

// Showing reports whether the stock is filtered to the hub.
func (d kitsData) Showing(hubID uint) bool {
	return d.Stock.Filter.HubID != nil && *d.Stock.Filter.HubID == hubID
}

// HubName is the name of the hub the stock is filtered to, if an admin chose one.
func (d kitsData) HubName() string {
	for _, h := range d.Hubs {
		if d.Showing(h.ID) {
			return h.Name
		}
	}
	return ""
}

func (a *App) kitsPage(c echo.Context) error {
	by := a.actor(c)
	stock, err := models.StockFor(a.dbFor(c), by, models.StockFilter{HubID: optionalID(c.QueryParam("hub")),
		KitType: c.QueryParam("type"), Status: models.KitStatus(c.QueryParam("status"))})
	if err != nil {
		return err
	}
	d := kitsData{Stock: stock, Statuses: models.KitStatuses}
	if by.Role == models.RoleAdmin {
		if d.Hubs, err = models.Hubs(a.dbFor(c)); err != nil {
			return err
		}
	}
	p := a.page(c, "Kits")
	p.Section = "kits"
	p.Form = queryForm(c)
	p.Data = d
	return a.render(c, http.StatusOK, "kits", p)
}

type newKitsData struct {
	KitTypes []models.KitType
	Hubs     []models.Hub // admins choose the hub
	NextTag  string       // the first tag in sequence at the staff member's hub
	Max      int
}

func (a *App) newKitsData(c echo.Context) (newKitsData, error) {
	by := a.actor(c)
	d := newKitsData{Max: models.MaxKitsAtOnce}
	var err error
	if d.KitTypes, err = models.KitTypes(a.dbFor(c)); err != nil {
		return d, err
	}
	if by.Role == models.RoleAdmin {
		d.Hubs, err = models.Hubs(a.dbFor(c))
	} else if by.HubID != nil {
		d.NextTag, err = models.NextTag(a.dbFor(c), *by.HubID)
	}
	return d, err
}

func (a *App) newKitsPage(c echo.Context) error {
	d, err := a.newKitsData(c)
	if err != nil {
		return err
	}
	values := url.Values{"count": {"1"}}
	for _, kt := range d.KitTypes {
		if kt.Slug == c.QueryParam("type") {
			values.Set("kit_type", strconv.FormatUint(uint64(kt.ID), 10))
		}
	}
	p := a.page(c, "Add kits")
	p.Section = "kits"
	p.Form = &views.Form{Values: values}
	p.Data = d
	return a.render(c, http.StatusOK, "kits_new", p)
}

func (a *App) addKits(c echo.Context) error {
	by := a.actor(c)
	in := models.AddKitsInput{KitTypeID: uintValue(c.FormValue("kit_type")), Count: number(c.FormValue("count"), 1),
		Tag: c.FormValue("tag"), Notes: c.FormValue("notes")}
	// Staff add to their own hub; the model refuses any other, whatever the form says.
	if hub := optionalID(c.FormValue("hub")); hub != nil {
		in.HubID = *hub
	} else if by.HubID != nil {
		in.HubID = *by.HubID
	}
	kits, err := models.AddKits(a.dbFor(c), by, in)
	if err != nil {
		d, derr := a.newKitsData(c)
		if derr != nil {
			return derr
		}
		return a.rerender(c, err, "kits_new", "Add kits", d)
	}
	tags := make([]string, len(kits))
	for i, k := range kits {
		tags[i] = k.AssetTag
	}
	a.flashLink(c, "ok", "Added "+tagList(tags)+".", "/labels?tags="+strings.Join(tags, ","),
		"Print their labels")
	return c.Redirect(http.StatusSeeOther, "/kits")
}

// tagList writes tags as "KS-0061, KS-0062 and KS-0063"; a long run, which
// AddKits numbers in sequence, as "12 kits, KS-0061 to KS-0072".
func tagList(tags []string) string {
	switch n := len(tags); {
	case n == 1:
		return tags[0]
	case n > 5:
		return fmt.Sprintf("%d kits, %s to %s", n, tags[0], tags[n-1])
	default:
		return strings.Join(tags[:n-1], ", ") + " and " + tags[n-1]
	}
}

// The kit type form. Its contents editor is a table of rows named
// contents-N-id, -name, -quantity, -consumable and -remove; spare rows are
// left blank. "Add another line" posts the form back to be shown with one
// more row (contents.js adds it in the page instead, when scripts run).

type kitTypeForm struct {
	KitType   *models.KitType // nil for a new one
	Action    string
	AgeLevels []ageLevelChoice
	Rows      []contentRow
	Blank     contentRow // the pattern contents.js copies for a new row
}

type ageLevelChoice struct {
	ID, Code, Label string
	Checked         bool
}

type contentRow struct {
	Prefix     string // "contents-3": the start of its fields' names and ids
	Number     string // "4": the line number people see
	ID         string // an existing line's id
	Name       string
	Quantity   string
	Consumable bool
	Remove     bool
	Focus      bool // the row "Add another line" just added
}

// maxFormRows bounds the rows read from a form; models allows fewer lines.
const maxFormRows = 250

var rowField = regexp.MustCompile(`^contents-(\d{1,3})-`)

// rowsIn counts the contents rows a form holds.
func rowsIn(v url.Values) int {
	n := 0
	for k := range v {
		if m := rowField.FindStringSubmatch(k); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < maxFormRows {
				n = max(n, i+1)
			}
		}
	}
	return n
}

func newKitTypeForm(kt *models.KitType, v url.Values, rows int, focus bool) kitTypeForm {
	f := kitTypeForm{KitType: kt, Action: "/kit-types", Blank: contentRow{Prefix: "contents-__i__", Number: "__n__"}}
	if kt != nil {
		f.Action = "/kit-types/" + kt.Slug
	}
	for i, l := range models.AgeLevels {
		id := "age_levels-" + l.Code
		if i == 0 {
			id = "age_levels" // the error summary links here
		}
		f.AgeLevels = append(f.AgeLevels, ageLevelChoice{ID: id, Code: l.Code, Label: l.Label, Checked: slices.Contains(v["age_levels"], l.Code)})
	}
	for i := range max(rows, rowsIn(v), 1) {
		p := fmt.Sprintf("contents-%d", i)
		f.Rows = append(f.Rows, contentRow{Prefix: p, Number: strconv.Itoa(i + 1), ID: v.Get(p + "-id"), Name: v.Get(p + "-name"),
			Quantity: v.Get(p + "-quantity"), Consumable: v.Get(p+"-consumable") != "", Remove: v.Get(p+"-remove") != ""})
	}
	if focus && len(f.Rows) > 0 {
		f.Rows[len(f.Rows)-1].Focus = true
	}
	return f
}

// kitTypeValues fills the form from a stored kit type.
func kitTypeValues(kt *models.KitType) url.Values {
	v := url.Values{"name": {kt.Name}, "description": {kt.Description}, "topics": {strings.Join(kt.Topics, ", ")},
		"age_levels": kt.AgeLevels, "default_loan_days": {strconv.Itoa(kt.DefaultLoanDays)},
		"turnaround_days": {strconv.Itoa(kt.TurnaroundDays)}, "version": {kt.Version()}}
	for i, l := range kt.Contents {
		p := fmt.Sprintf("contents-%d", i)
		v.Set(p+"-id", strconv.FormatUint(uint64(l.ID), 10))
		v.Set(p+"-name", l.Name)
		v.Set(p+"-quantity", strconv.Itoa(l.Quantity))
		if l.Consumable {
			v.Set(p+"-consumable", "on")
		}
	}
	return v
}

// postedValues is the submitted form, without its CSRF token.
func postedValues(c echo.Context) url.Values {
	form, _ := c.FormParams()
	v := url.Values{}
	for k, vs := range form {
		if k != "csrf" && k != "add_line" {
			v[k] = vs
		}
	}
	return v
}

// kitTypeInput binds the posted form.
func kitTypeInput(v url.Values) models.KitTypeInput {
	in := models.KitTypeInput{Name: v.Get("name"), Description: v.Get("description"),
		Topics: strings.Split(v.Get("topics"), ","), AgeLevels: v["age_levels"],
		DefaultLoanDays: number(v.Get("default_loan_days"), -1), TurnaroundDays: number(v.Get("turnaround_days"), -1),
		Version: v.Get("version")}
	for i := range rowsIn(v) {
		p := fmt.Sprintf("contents-%d", i)
		in.Contents = append(in.Contents, models.ContentInput{ID: uintValue(v.Get(p + "-id")), Name: v.Get(p + "-name"),
			Quantity: number(v.Get(p+"-quantity"), 0), Consumable: v.Get(p+"-consumable") != "", Remove: v.Get(p+"-remove") != ""})
	}
	return in
}

// number reads a whole number a person typed: blank gives blank, and
// anything that is not a number -1, which every rule refuses.
func number(s string, blank int) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return blank
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func uintValue(s string) uint {
	if id := optionalID(s); id != nil {
		return *id
	}
	return 0
}

func kitTypeTitle(kt *models.KitType) string {
	if kt == nil {
		return "New kit type"
	}
	return "Edit " + kt.Name
}

// kitTypePage shows the new or edit form.
func (a *App) kitTypePage(c echo.Context, status int, kt *models.KitType, form *views.Form, data kitTypeForm) error {
	p := a.page(c, kitTypeTitle(kt))
	p.Section = "kits"
	p.Form = form
	p.Data = data
	return a.render(c, status, "kit_type_form", p)
}

// addLine shows the posted form again with one more, empty, row.
func (a *App) addLine(c echo.Context, kt *models.KitType) error {
	v := postedValues(c)
	return a.kitTypePage(c, http.StatusOK, kt, &views.Form{Values: v}, newKitTypeForm(kt, v, rowsIn(v)+1, true))
}

func (a *App) newKitTypePage(c echo.Context) error {
	v := url.Values{"default_loan_days": {"21"}, "turnaround_days": {"2"}}
	return a.kitTypePage(c, http.StatusOK, nil, &views.Form{Values: v}, newKitTypeForm(nil, v, 3, false))
}

func (a *App) createKitType(c echo.Context) error {
	if c.FormValue("add_line") != "" {
		return a.addLine(c, nil)
	}
	v := postedValues(c)
	kt, err := models.CreateKitType(a.dbFor(c), a.actor(c), kitTypeInput(v))
	if err != nil {
		return a.rerender(c, err, "kit_type_form", kitTypeTitle(nil), newKitTypeForm(nil, v, 0, false))
	}
	a.flashLink(c, "ok", kt.Name+" is in the catalogue. You can add its photo below.", "/kits/new?type="+kt.Slug, "Add copies of it")
	return c.Redirect(http.StatusSeeOther, "/kit-types/"+kt.Slug+"/edit")
}

func (a *App) editKitTypePage(c echo.Context) error {
	kt, err := models.KitTypeBySlug(a.dbFor(c), c.Param("slug"))
	if err != nil {
		return err
	}
	v := kitTypeValues(kt)
	return a.kitTypePage(c, http.StatusOK, kt, &views.Form{Values: v}, newKitTypeForm(kt, v, len(kt.Contents)+1, false))
}

func (a *App) updateKitType(c echo.Context) error {
	slug := c.Param("slug")
	if c.FormValue("add_line") != "" {
		kt, err := models.KitTypeBySlug(a.dbFor(c), slug)
		if err != nil {
			return err
		}
		return a.addLine(c, kt)
	}
	v := postedValues(c)
	kt, err := models.UpdateKitType(a.dbFor(c), a.actor(c), slug, kitTypeInput(v))
	if err != nil {
		current, lookup := models.KitTypeBySlug(a.dbFor(c), slug)
		if lookup != nil {
			return err // no such kit type (or worse): no form to show again
		}
		return a.rerender(c, err, "kit_type_form", kitTypeTitle(current), newKitTypeForm(current, v, 0, false))
	}
	a.flash(c, "ok", "Saved the changes to "+kt.Name+".")
	return c.Redirect(http.StatusSeeOther, "/kits")
}

// uploadKitTypePhoto stores a kit type's photo. limitUploads has already
// held the request to its size; models checks what the file really is.
func (a *App) uploadKitTypePhoto(c echo.Context) error {
	slug := c.Param("slug")
	var data []byte
	claimed := ""
	if fh, err := c.FormFile("photo"); err == nil {
		claimed = fh.Header.Get(echo.HeaderContentType)
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, models.MaxPhotoBytes+1)); err != nil {
			return err
		}
	}
	kt, err := models.SetKitTypePhoto(a.dbFor(c), a.actor(c), slug, claimed, data)
	if err != nil {
		r, ok := models.AsRefusal(err)
		current, lookup := models.KitTypeBySlug(a.dbFor(c), slug)
		if !ok || r.Fields == nil || lookup != nil {
			return err
		}
		v := kitTypeValues(current)
		return a.kitTypePage(c, statusOf(r.Kind), current, &views.Form{Values: v, Errors: r.Fields, Message: r.Message},
			newKitTypeForm(current, v, len(current.Contents)+1, false))
	}
	a.flash(c, "ok", "The photo of "+kt.Name+" is saved.")
	return c.Redirect(http.StatusSeeOther, "/kit-types/"+kt.Slug+"/edit")
}

// photo serves a stored photo. Photos never change (a new upload is a new
// photo), so browsers and caches may keep them for a day; a response that
// caches may share must carry no cookie.
func (a *App) photo(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := models.PhotoByID(a.dbFor(c), id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=86400") // no cookie goes with it: see sessionless
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.Blob(http.StatusOK, p.ContentType, p.Data)
}
