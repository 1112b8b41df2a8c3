package handlers_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// client is a scripted visitor with its own cookies. It does not send
// Sec-Fetch-Site, so, like any non-browser client, it must carry the CSRF
// token on every post.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	*http.Response
	Body string
}

// Location is where a redirect points.
func (r response) Location() string { return r.Header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// csrf returns the token the CSRF cookie holds, fetching a page to get one.
func (c *client) csrf() string {
	c.t.Helper()
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kitshelf_csrf" {
			return ck.Value
		}
	}
	c.get("/login")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kitshelf_csrf" {
			return ck.Value
		}
	}
	c.t.Fatal("no CSRF cookie")
	return ""
}

// post submits a form with the CSRF token, as a page's form would.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf())
	return c.postRaw(path, form)
}

// postRaw submits a form exactly as given.
func (c *client) postRaw(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) signIn(email, password string) {
	c.t.Helper()
	res := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("signing in as %s: %d\n%s", email, res.StatusCode, errorSummary(res.Body))
	}
}

var summaryPattern = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>|<main.*?</main>`)

// errorSummary picks the useful part of a page for a failure message.
func errorSummary(body string) string {
	if m := summaryPattern.FindString(body); m != "" {
		return m
	}
	return body
}
