package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/views"
)

// viewer is the signed-in person on this request.
type viewer struct {
	User       *models.User
	BorrowerID uint
}

const ctxViewer = "viewer"

// loadViewer reads the session and, if it names an active user whose
// sessions have not all been ended since, makes them this request's viewer.
// It runs on every request, so a deactivated account or "sign out
// everywhere" takes effect at once on every instance.
func (a *App) loadViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := a.sessions.GetInt(ctx, keyUserID)
		if id == 0 {
			return next(c)
		}
		u, err := models.UserByID(a.db.WithContext(ctx), uint(id))
		if err != nil || !u.Active || u.SessionEpoch != a.sessions.GetInt(ctx, keyEpoch) {
			if err != nil && !models.IsRefusal(err, "user_not_found") {
				return err
			}
			return a.endSession(c, next)
		}
		b, err := models.BorrowerIDFor(a.db.WithContext(ctx), u)
		if err != nil {
			return err
		}
		c.Set(ctxViewer, &viewer{User: u, BorrowerID: b})
		return next(c)
	}
}

func (a *App) endSession(c echo.Context, next echo.HandlerFunc) error {
	if err := a.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return next(c)
}

// viewerOf returns the signed-in person, or nil.
func viewerOf(c echo.Context) *viewer {
	v, _ := c.Get(ctxViewer).(*viewer)
	return v
}

// actor is the signed-in person as the models see them, acting now.
func (a *App) actor(c echo.Context) models.Actor {
	v := viewerOf(c)
	if v == nil {
		return models.Actor{Name: "anonymous", At: a.now()}
	}
	return models.ActorFor(v.User, v.BorrowerID, a.now())
}

// guard enforces a route's access: anyone, or signed-in people with one of
// the listed roles. Signed-out visitors are sent to sign in (pages) or told
// 401 (JSON); signed-in people without the role get 403.
func (r Route) guard() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if r.Roles == nil {
			return next
		}
		return func(c echo.Context) error {
			v := viewerOf(c)
			if v == nil {
				if wantsJSON(c) || c.Request().Method != http.MethodGet {
					return echo.NewHTTPError(http.StatusUnauthorized, "Please sign in first.")
				}
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			if !slices.Contains(r.Roles, v.User.Role) {
				return echo.NewHTTPError(http.StatusForbidden, "Your account cannot use this page.")
			}
			return next(c)
		}
	}
}

// safeNext keeps post-sign-in redirects on this site: a path only, with no
// scheme, host, backslash or control character (browsers drop tabs and
// newlines, so "/\t/evil.example" would become "//evil.example").
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\t\r\n") {
		return "/home"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/home"
		}
	}
	return next
}

// page starts the data for a page with what every page needs.
func (a *App) page(c echo.Context, title string) *views.Page {
	p := &views.Page{Title: title, Now: a.now()}
	if tok, ok := c.Get("csrf").(string); ok {
		p.CSRF = tok
	}
	if v := viewerOf(c); v != nil {
		p.Viewer = &views.Viewer{ID: v.User.ID, Name: v.User.Name, Email: v.User.Email, Role: v.User.Role}
		if v.User.Hub != nil {
			p.Viewer.Hub = v.User.Hub.Name
		}
	}
	if a.sessions != nil {
		p.Flashes = a.popFlashes(c)
	}
	return p
}
