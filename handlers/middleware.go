package handlers

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/kitshelf/kitshelf/models"
)

// contentSecurityPolicy allows only our own scripts, styles and images: no
// inline code at all, so injected markup cannot run.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// maxBody caps request bodies; forms are small. (Photo uploads, which need
// more, get their own limit on their route.)
const maxBody = "1M"

func (a *App) middleware(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(a.recoverPanics)
	e.Use(a.logRequests())
	e.Use(a.securityHeaders)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: maxBody, Skipper: bigUpload}))
	e.Use(skipFor(sessionless, echo.WrapMiddleware(a.sessions.LoadAndSave)))
	e.Use(skipFor(sessionless, a.loadViewer))
	// Errors from here inwards are rendered inside the session, so error
	// pages know who is signed in; anything earlier reaches handleError
	// through echo.
	e.Use(a.renderErrors)
	e.Use(limitUploads)
	e.Use(onlyText)
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper:               sessionless,
		TokenLookup:           "form:csrf,header:X-CSRF-Token",
		CookieName:            "kitshelf_csrf",
		CookiePath:            "/",
		CookieHTTPOnly:        true,
		CookieSecure:          a.baseURL.Scheme == "https",
		CookieSameSite:        http.SameSiteStrictMode,
		ErrorHandler:          func(error, echo.Context) error { return errCSRF },
		AllowSecFetchSiteFunc: func(echo.Context) (bool, error) { return false, errCSRF },
	}))
}

// sessionless picks responses that are the same for everyone and may be
// cached publicly (assets, kit photos). They run without the session and
// the CSRF cookie: scs re-sends the session cookie on every request (the
// idle timeout moves), and a shared cache must never store one person's
// cookie with a response it hands to the next.
func sessionless(c echo.Context) bool {
	r := c.Request()
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		(strings.HasPrefix(r.URL.Path, "/assets/") || strings.HasPrefix(r.URL.Path, "/photos/"))
}

// skipFor runs mw except for requests skip picks.
func skipFor(skip func(echo.Context) bool, mw echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		with := mw(next)
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			return with(c)
		}
	}
}

// errCSRF answers a state-changing request that did not come from one of
// Kitshelf's own pages.
var errCSRF = echo.NewHTTPError(http.StatusForbidden,
	"This form has expired or did not come from Kitshelf. Go back, reload the page and try again.")

// errNotText answers a request whose address or fields hold something that
// is not text.
var errNotText = echo.NewHTTPError(http.StatusBadRequest,
	"Something you sent is not plain text (it has a NUL character or broken UTF-8). "+
		"Retype it, or scan it again, and send it once more.")

// onlyText refuses a request whose path, query or form fields are not valid
// UTF-8 or contain NUL: PostgreSQL cannot store or compare such strings and
// would fail the query, and no person types them. Uploaded files are not
// fields and are not checked.
func onlyText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !isText(r.URL.Path) {
			return errNotText
		}
		values := c.QueryParams()
		if r.Method == http.MethodPost {
			if form, err := c.FormParams(); err == nil {
				values = form // includes the query
			}
		}
		for k, vs := range values {
			if !isText(k) {
				return errNotText
			}
			for _, v := range vs {
				if !isText(v) {
					return errNotText
				}
			}
		}
		return next(c)
	}
}

func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func (a *App) renderErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			a.handleError(err, c)
		}
		return nil
	}
}

// bigUpload marks routes that set their own, larger body limit: photo
// uploads, which check their size and type themselves.
func bigUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && strings.HasSuffix(c.Request().URL.Path, "/photo")
}

// maxUploadBody caps a photo upload's whole request: the photo (which
// models holds to MaxPhotoBytes) plus the CSRF field and multipart framing.
const maxUploadBody = models.MaxPhotoBytes + 64<<10

// maxUploadDrain is how much of an oversized upload is read and thrown away
// so the browser sees the 413 page rather than a reset connection; past it
// the connection is simply closed.
const maxUploadDrain = 4 * maxUploadBody

// limitUploads reads a photo upload under its own limit, with
// http.MaxBytesReader, before anything else parses the body: the CSRF check
// reads form fields, and without this it would parse a body of any size.
// Anything larger is answered 413 with a sentence saying why.
func limitUploads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !bigUpload(c) {
			return next(c)
		}
		r := c.Request()
		body := r.Body
		tooLarge := func() error {
			// Read what is left, up to a point, so the browser gets to read
			// the answer; past that point, hang up.
			if n, _ := io.Copy(io.Discard, io.LimitReader(body, maxUploadDrain)); n == maxUploadDrain {
				c.Response().Header().Set(echo.HeaderConnection, "close")
			}
			return models.ErrPhotoTooLarge
		}
		if r.ContentLength > maxUploadBody {
			return tooLarge()
		}
		r.Body = http.MaxBytesReader(c.Response(), body, maxUploadBody)
		var over *http.MaxBytesError
		if err := r.ParseMultipartForm(maxUploadBody); errors.As(err, &over) {
			return tooLarge()
		}
		// Other parse errors (not multipart at all, say) leave the form
		// without a photo, which the handler refuses in words.
		return next(c)
	}
}

// recoverPanics turns a panic into a logged 500 with the stack in the log
// only, never in the response.
func (a *App) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				a.log.Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()),
					"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// loggablePath hides the secret of a one-time link (an invitation, a
// password reset, the first admin's setup), which is in its path: whoever
// reads the logs must not be able to use a link that is still valid.
func loggablePath(p string) string {
	for _, prefix := range []string{"/welcome/", "/setup/"} {
		if strings.HasPrefix(p, prefix) {
			return prefix + "[secret]"
		}
	}
	return p
}

func (a *App) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			a.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", loggablePath(v.URIPath)), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		if a.baseURL.Scheme == "https" {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}
