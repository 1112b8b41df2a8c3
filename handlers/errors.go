package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

// statusOf maps a refusal's kind to an HTTP status.
func statusOf(k models.Kind) int {
	switch k {
	case models.NotFound:
		return http.StatusNotFound
	case models.Conflict:
		return http.StatusConflict
	case models.Forbidden:
		return http.StatusForbidden
	case models.TooMany:
		return http.StatusTooManyRequests
	case models.Unauthorised:
		return http.StatusUnauthorized
	case models.TooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// Problem is an RFC 9457 problem document, with Kitshelf's machine code.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Code      string            `json:"code"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// handleError is the one place errors become responses: a refusal keeps its
// sentence; anything unexpected is logged in full and shown to the person only
// as an apology and a reference — never a stack trace or SQL.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := a.problemFor(err, c)
	if wantsJSON(c) {
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.JSON(p.Status, p)
		return
	}
	page := a.page(c, p.Title)
	page.Data = p
	if err := a.render(c, p.Status, "error", page); err != nil {
		a.log.Error("rendering error page", "err", err)
		c.String(p.Status, p.Detail)
	}
}

func (a *App) problemFor(err error, c echo.Context) Problem {
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if r, ok := models.AsRefusal(err); ok {
		status := statusOf(r.Kind)
		return Problem{Type: "https://kitshelf.org/problems/" + r.Code, Title: http.StatusText(status), Status: status,
			Detail: r.Message, Code: r.Code, Fields: r.Fields, RequestID: rid}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		detail := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			detail = m
		}
		if he.Code == http.StatusNotFound {
			detail = "There is nothing at this address. It may have moved, or the link may be mistyped."
		}
		return Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code, Detail: detail,
			Code: codeFor(he.Code), RequestID: rid}
	}
	a.log.Error("request failed", "err", err, "request_id", rid, "method", c.Request().Method, "path", loggablePath(c.Request().URL.Path))
	return Problem{Type: "about:blank", Title: "Something went wrong", Status: http.StatusInternalServerError,
		Detail: "Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, tell the hub.",
		Code:   "internal_error", RequestID: rid}
}

func codeFor(status int) string {
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

// wantsJSON reports whether the client asked for JSON (the API, scripts,
// the scan page's fetch calls) rather than a page.
func wantsJSON(c echo.Context) bool {
	r := c.Request()
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}
