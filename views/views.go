// Package views renders Kitshelf's HTML pages. Every page is a template in
// pages/ laid into layout.html with the partials; all are embedded in the
// binary and parsed once when the server starts, so a broken or missing
// template stops start-up instead of failing a request.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/kitshelf/kitshelf/assets"
	"github.com/kitshelf/kitshelf/models"
)

//go:embed layout.html partials/*.html pages/*.html mail/*.txt
var files embed.FS

// Renderer holds every parsed page.
type Renderer struct {
	pages map[string]*template.Template
}

// New parses every page with the layout and partials.
func New() (*Renderer, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("views: %w", err)
		}
		r.pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return r, nil
}

// Has reports whether a page exists; the web layer checks every page it uses
// at start-up.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

// Render returns a whole page. Rendering to bytes, not to the response,
// means a template error never leaves half a page on the wire.
func (r *Renderer) Render(name string, p *Page) ([]byte, error) {
	t, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("views: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil, fmt.Errorf("views: rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Page is what every page template receives.
type Page struct {
	Title   string  // the page's own title; the layout adds " – Kitshelf"
	Section string  // which navigation item is current
	Viewer  *Viewer // nil when nobody is signed in
	CSRF    string  // the token every form posts back
	Flashes []Flash
	Form    *Form // values and errors of the page's form, if any
	Data    any   // the page's own data
	Now     time.Time
}

// Viewer is the signed-in person, as pages need them.
type Viewer struct {
	ID    uint
	Name  string
	Email string
	Role  models.Role
	Hub   string // the hub name, for staff
}

// Flash is a one-off message shown after a redirect.
type Flash struct {
	Kind     string // "ok", "warn" or "bad"
	Message  string
	Link     string // optional: where to go next, e.g. "/labels?tags=KS-0061"
	LinkText string
}

// Form carries a submitted form back to the page with what was wrong.
type Form struct {
	Values  url.Values
	Errors  map[string]string // field name → message
	Message string            // the sentence at the top of the error summary
}

// Value returns a submitted value.
func (f *Form) Value(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Error returns a field's error message.
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// HasErrors reports whether the form needs correcting.
func (f *Form) HasErrors() bool { return f != nil && (len(f.Errors) > 0 || f.Message != "") }

// FieldErrors lists errors in a stable order for the summary.
func (f *Form) FieldErrors() []FieldError {
	if f == nil {
		return nil
	}
	var out []FieldError
	for k, v := range f.Errors {
		out = append(out, FieldError{Field: k, Message: v})
	}
	sortFieldErrors(out)
	return out
}

// FieldError is one line of the error summary.
type FieldError struct{ Field, Message string }

func sortFieldErrors(e []FieldError) {
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].Field < e[j-1].Field; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
}

var funcs = template.FuncMap{
	"asset": assets.URL,
	"day":   func(d models.Day) string { return d.Human() },
	"short": func(d models.Day) string { return d.Short() },
	"when": func(t time.Time) string {
		return t.In(london).Format("2 Jan 2006, 15:04")
	},
	"ageLevel": models.AgeLevelLabel,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"join": strings.Join,
	"int":  func(n int64) int { return int(n) },
	"add":  func(a, b int) int { return a + b },
	// dict builds a map for passing several values to a partial.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict needs key/value pairs")
		}
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict keys are strings")
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

var london, _ = time.LoadLocation("Europe/London")
