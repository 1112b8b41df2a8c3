package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/views/labels"
)

// QR codes and label sheets: a kit's QR code as an image, and sheets of
// labels (QR code, asset tag, kit type, hub) as a PDF for the hub's label
// stock.

var _ = usePages("labels")

// A QR image's size in pixels: large enough to print sharply by default,
// and bounded because the PNG is drawn in memory (size² bytes).
const (
	defaultQRSize = 512
	minQRSize     = 64
	maxQRSize     = 2048
)

// kitURL is what a kit's QR code encodes: its public page.
func (a *App) kitURL(tag string) string {
	return strings.TrimSuffix(a.baseURL.String(), "/") + "/k/" + tag
}

func (a *App) kitQRPNG(c echo.Context) error {
	kit, err := models.KitByTag(a.dbFor(c), c.Param("tag"))
	if err != nil {
		return err
	}
	size, err := qrSize(c.QueryParam("size"))
	if err != nil {
		return err
	}
	img, err := labels.PNG(a.kitURL(kit.AssetTag), size)
	if err != nil {
		// The size is in range, so only the code's own size can be the problem:
		// a very long base URL needs more modules than a small image has pixels.
		return invalidField("size", "%d px is too small for this kit's QR code; ask for a larger size.", size)
	}
	return qrImage(c, kit.AssetTag+".png", "image/png", img)
}

func (a *App) kitQRSVG(c echo.Context) error {
	kit, err := models.KitByTag(a.dbFor(c), c.Param("tag"))
	if err != nil {
		return err
	}
	img, err := labels.SVG(a.kitURL(kit.AssetTag))
	if err != nil {
		return err
	}
	return qrImage(c, kit.AssetTag+".svg", "image/svg+xml", img)
}

// qrSize reads ?size=, which must be a whole number of pixels in range.
func qrSize(s string) (int, error) {
	if s == "" {
		return defaultQRSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < minQRSize || n > maxQRSize {
		return 0, invalidField("size", "Ask for a size from %d to %d pixels.", minQRSize, maxQRSize)
	}
	return n, nil
}

func qrImage(c echo.Context, filename, contentType string, data []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `inline; filename="`+filename+`"`)
	// A kit's code changes only if KITSHELF_BASE_URL does.
	h.Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, contentType, data)
}

func invalidField(field, format string, args ...any) *models.Refusal {
	msg := fmt.Sprintf(format, args...)
	return &models.Refusal{Kind: models.Invalid, Code: "invalid_" + field, Message: msg, Fields: map[string]string{field: msg}}
}

// labelsData is what the label form needs besides its values.
type labelsData struct {
	Stocks    []labels.Stock
	KitTypes  []models.KitType
	Hubs      []models.Hub // the hubs the person may print for
	AllHubs   bool         // admins may print a kit type at every hub
	By        string       // which kits: "type", "hub" or "tags"
	Stock     string       // the chosen stock's code
	Hub       string       // the chosen hub's slug or id
	Tags      string       // the listed tags, one a line
	StartMax  int
	StartHint string
}

func (a *App) labelsData(c echo.Context) (labelsData, error) {
	q := c.QueryParams()
	d := labelsData{Stocks: labels.Stocks, By: labelsBy(q), Tags: strings.Join(tagsParam(q), "\n")}
	if s, ok := labels.StockByCode(strings.TrimSpace(q.Get("stock"))); ok {
		d.Stock = s.Code
	}
	var sizes []string
	for _, s := range labels.Stocks {
		if s.PerPage() > 1 {
			d.StartMax = max(d.StartMax, s.PerPage())
			sizes = append(sizes, fmt.Sprintf("%d on %s", s.PerPage(), s.Code))
		}
	}
	d.StartHint = "On a part-used sheet, the first free label, counting across then down from 1 at the top left: up to " +
		strings.Join(sizes, ", ") + "."
	db := a.dbFor(c)
	var err error
	if d.KitTypes, err = models.KitTypes(db); err != nil {
		return d, err
	}
	hubs, err := models.Hubs(db)
	if err != nil {
		return d, err
	}
	by := a.actor(c)
	d.AllHubs = by.Role == models.RoleAdmin
	for _, h := range hubs {
		if d.AllHubs || (by.HubID != nil && h.ID == *by.HubID) {
			d.Hubs = append(d.Hubs, h)
		}
	}
	d.Hub = q.Get("hub")
	if !q.Has("hub") && !d.AllHubs && len(d.Hubs) == 1 {
		d.Hub = d.Hubs[0].Slug // staff print their own hub's kits
	}
	return d, nil
}

// labelsBy is which way the form chooses kits: as asked, or else as the
// other parameters suggest (a link to /labels?tags=… lists tags).
func labelsBy(q url.Values) string {
	switch by := q.Get("by"); {
	case by == "type" || by == "hub" || by == "tags":
		return by
	case len(tagsParam(q)) > 0:
		return "tags"
	case q.Get("hub") != "" && q.Get("type") == "":
		return "hub"
	}
	return "type"
}

func tagsParam(q url.Values) []string { return models.SplitTags(strings.Join(q["tags"], ",")) }

func (a *App) labelsPage(c echo.Context) error {
	d, err := a.labelsData(c)
	if err != nil {
		return err
	}
	p := a.page(c, "Print labels")
	p.Section = "labels"
	p.Data = d
	p.Form = queryForm(c)
	return a.render(c, http.StatusOK, "labels", p)
}

// labelsRequest is a label print job as the form asks for it.
type labelsRequest struct {
	stock labels.Stock
	start int
	sel   models.LabelSelection
}

// readLabelsRequest reads the label form. What it can check itself goes in
// the returned field errors, keyed by the form's input ids; which kits match
// is for models.
func readLabelsRequest(q url.Values) (labelsRequest, map[string]string) {
	var r labelsRequest
	fields := map[string]string{}
	stock, ok := labels.StockByCode(strings.TrimSpace(q.Get("stock")))
	switch {
	case q.Get("stock") == "":
		fields["stock"] = "Choose the label stock you are printing on."
	case !ok:
		fields["stock"] = fmt.Sprintf("There is no label stock %q; choose one of these.", q.Get("stock"))
	}
	r.stock, r.start = stock, 1
	if s := strings.TrimSpace(q.Get("start")); s != "" && (!ok || stock.PerPage() > 1) {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			fields["start"] = "Give the label to start at as a number, such as 1."
		case ok && (n < 1 || n > stock.PerPage()):
			fields["start"] = fmt.Sprintf("%s sheets have %d labels, so start at a label from 1 to %d.",
				stock.Code, stock.PerPage(), stock.PerPage())
		}
		r.start = n
	}
	// The form says which way it chooses; a hand-made URL without "by" is
	// passed on as it is, and models insist it chooses one way.
	r.sel = models.LabelSelection{KitTypeSlug: q.Get("type"), Hub: q.Get("hub"), Tags: tagsParam(q)}
	switch q.Get("by") {
	case "type":
		r.sel.Tags = nil
		if r.sel.KitTypeSlug == "" {
			fields["type"] = "Choose a kit type."
		}
	case "hub":
		r.sel.KitTypeSlug, r.sel.Tags = "", nil
		if r.sel.Hub == "" {
			fields["hub"] = "Choose a hub."
		}
	case "tags":
		r.sel.KitTypeSlug, r.sel.Hub = "", ""
		if len(r.sel.Tags) == 0 {
			fields["tags"] = "List the asset tags to print."
		}
	}
	return r, fields
}

func (a *App) labelsPDF(c echo.Context) error {
	r, fields := readLabelsRequest(c.QueryParams())
	var refusal *models.Refusal
	var kits []models.Kit
	if fields["type"] == "" && fields["hub"] == "" && fields["tags"] == "" {
		var err error
		kits, err = models.KitsForLabels(a.dbFor(c), a.actor(c), r.sel)
		if ref, ok := models.AsRefusal(err); ok && len(ref.Fields) > 0 {
			refusal = ref
			for k, v := range ref.Fields {
				fields[k] = v
			}
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		ref := labelsRefusal(fields, refusal)
		if wantsJSON(c) {
			return ref
		}
		d, err := a.labelsData(c)
		if err != nil {
			return err
		}
		return a.rerender(c, ref, "labels", "Print labels", d)
	}
	ls := make([]labels.Label, len(kits))
	for i, k := range kits {
		ls[i] = labels.Label{URL: a.kitURL(k.AssetTag), Tag: k.AssetTag, Title: k.KitType.Name, Hub: k.Hub.Name}
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="kitshelf-labels-%s.pdf"`, r.stock.Code))
	h.Set("Cache-Control", "private, no-cache")
	// WritePDF writes nothing when it fails, so the error page can still be sent.
	if err := labels.WritePDF(c.Response(), r.stock, ls, r.start); err != nil {
		h.Del("Content-Disposition")
		return fmt.Errorf("writing labels for %d kits: %w", len(ls), err)
	}
	return nil
}

// labelsRefusal sums up the label form's problems the way a rule's field
// errors are: a sentence for the summary and one message per field. A
// single refusal from models keeps its code.
func labelsRefusal(fields map[string]string, from *models.Refusal) *models.Refusal {
	code, msg := "invalid_input", "Please correct the highlighted field."
	if len(fields) > 1 {
		msg = fmt.Sprintf("Please correct the %d highlighted fields.", len(fields))
	} else if from != nil {
		code = from.Code
	}
	return &models.Refusal{Kind: models.Invalid, Code: code, Message: msg, Fields: fields}
}
