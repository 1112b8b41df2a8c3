package handlers

import (
	"encoding/gob"
	"net/http"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/views"
)

// Session lifetimes: a session ends after two idle hours, and after twelve
// hours whatever happens, so a shared staff-room computer does not stay
// signed in overnight.
const (
	sessionIdle     = 2 * time.Hour
	sessionAbsolute = 12 * time.Hour
)

// Session keys.
const (
	keyUserID  = "user_id"
	keyEpoch   = "epoch"
	keyFlashes = "flashes"
)

func init() { gob.Register([]views.Flash{}) }

// newSessions keeps sessions in the database, so any instance can serve any
// request, with cookies that scripts cannot read and that are sent only over
// HTTPS whenever Kitshelf is served over it.
func (a *App) newSessions() (*scs.SessionManager, error) {
	store, err := gormstore.NewWithCleanupInterval(a.db, 10*time.Minute)
	if err != nil {
		return nil, err
	}
	s := scs.New()
	s.Store = store
	s.IdleTimeout = sessionIdle
	s.Lifetime = sessionAbsolute
	s.Cookie.Name = "kitshelf_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode // Lax, so the sign-in provider's redirect back carries it
	s.Cookie.Secure = a.baseURL.Scheme == "https"
	s.Cookie.Path = "/"
	s.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		a.log.Error("session store", "err", err)
		http.Error(w, "Something went wrong on our side. Please try again.", http.StatusInternalServerError)
	}
	return s, nil
}

// flash queues a message for the next page this browser sees.
func (a *App) flash(c echo.Context, kind, message string) {
	ctx := c.Request().Context()
	fs, _ := a.sessions.Get(ctx, keyFlashes).([]views.Flash)
	a.sessions.Put(ctx, keyFlashes, append(fs, views.Flash{Kind: kind, Message: message}))
}

// flashLink queues a message with a link to what to do next.
func (a *App) flashLink(c echo.Context, kind, message, link, linkText string) {
	ctx := c.Request().Context()
	fs, _ := a.sessions.Get(ctx, keyFlashes).([]views.Flash)
	a.sessions.Put(ctx, keyFlashes, append(fs, views.Flash{Kind: kind, Message: message, Link: link, LinkText: linkText}))
}

// popFlashes takes the queued messages. A request refused before its session
// was loaded (an oversized body, say) has none; scs panics rather than
// saying so, hence the recover.
func (a *App) popFlashes(c echo.Context) (fs []views.Flash) {
	defer func() {
		if recover() != nil {
			fs = nil
		}
	}()
	fs, _ = a.sessions.Pop(c.Request().Context(), keyFlashes).([]views.Flash)
	return fs
}
