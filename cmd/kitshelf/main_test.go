package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

func envOf(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.Dialect != models.SQLite || c.Database.Path != "kitshelf.db" || c.Addr != ":8080" ||
		c.BaseURL.String() != "http://localhost:8080" || c.LogFormat != "text" {
		t.Errorf("defaults: %+v %s", c, c.BaseURL)
	}
	c, err = LoadConfig(envOf(map[string]string{"DATABASE_URL": "postgres://u:p@db:5432/kitshelf", "KITSHELF_ADDR": "0.0.0.0:9000",
		"KITSHELF_BASE_URL": "https://kits.example.org/", "KITSHELF_LOG_FORMAT": "json", "KITSHELF_LOG_LEVEL": "warn"}))
	if err != nil || c.Database.Dialect != models.Postgres || c.BaseURL.String() != "https://kits.example.org" || c.LogFormat != "json" {
		t.Errorf("explicit config: %+v %v", c, err)
	}
	bad := []struct{ name, value string }{
		{"DATABASE_URL", "mysql://root@localhost/db"},
		{"DATABASE_URL", "sqlite:"},
		{"KITSHELF_ADDR", "8080"},
		{"KITSHELF_ADDR", ":99999"},
		{"KITSHELF_BASE_URL", "kits.example.org"},
		{"KITSHELF_BASE_URL", "ftp://kits.example.org"},
		{"KITSHELF_BASE_URL", "https://kits.example.org/?x=1"},
		{"KITSHELF_LOG_FORMAT", "xml"},
		{"KITSHELF_LOG_LEVEL", "loud"},
		{"KITSHELF_SMTP_URL", "mail.example.org:25"},
		{"KITSHELF_MAIL_FROM", "not an address"},
		{"KITSHELF_TRUSTED_PROXIES", "10.0.0.0/8, the load balancer"},
		{"KITSHELF_OIDC_GOOGLE_CLIENT_SECRET", ""}, // set below with a client id but no secret
	}
	for _, b := range bad {
		env := map[string]string{b.name: b.value}
		if b.name == "KITSHELF_OIDC_GOOGLE_CLIENT_SECRET" {
			env["KITSHELF_OIDC_GOOGLE_CLIENT_ID"] = "client"
		}
		_, err := LoadConfig(envOf(env))
		if err == nil || !strings.HasPrefix(err.Error(), b.name+": ") {
			t.Errorf("%s=%q: error %v, want one naming the variable", b.name, b.value, err)
		}
	}
}

func TestOIDCConfig(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{"KITSHELF_OIDC_GOOGLE_CLIENT_ID": "g", "KITSHELF_OIDC_GOOGLE_CLIENT_SECRET": "gs",
		"KITSHELF_OIDC_MICROSOFT_CLIENT_ID": "m", "KITSHELF_OIDC_MICROSOFT_CLIENT_SECRET": "ms"}))
	if err != nil || len(c.OIDC) != 2 {
		t.Fatalf("%v %+v", err, c.OIDC)
	}
	if g := c.OIDC[0]; g.Issuer != "https://accounts.google.com" || g.AnyTenant {
		t.Errorf("google: %+v", g)
	}
	if m := c.OIDC[1]; m.Issuer != "https://login.microsoftonline.com/organizations/v2.0" || !m.AnyTenant || m.Label != "Microsoft 365" {
		t.Errorf("microsoft: %+v", m)
	}
	c, _ = LoadConfig(envOf(map[string]string{"KITSHELF_OIDC_MICROSOFT_CLIENT_ID": "m", "KITSHELF_OIDC_MICROSOFT_CLIENT_SECRET": "ms",
		"KITSHELF_OIDC_MICROSOFT_TENANT": "0b7c3c4e-5f1a-4a0e-9d55-3f3c2e1d0a9b"}))
	if m := c.OIDC[0]; m.AnyTenant {
		t.Errorf("a single-tenant Microsoft app accepts any tenant: %+v", m)
	}
}

func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, envOf(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpExplainsEveryCommand(t *testing.T) {
	code, out, _ := runCmd(t, nil, "help")
	if code != 0 {
		t.Fatalf("help exited %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name) {
			t.Errorf("help does not mention %s", c.name)
		}
	}
	for _, v := range ConfigVars {
		if !strings.Contains(out, v[0]) {
			t.Errorf("help does not document %s", v[0])
		}
	}
	for _, args := range [][]string{{"serve", "-h"}, {"migrate", "-h"}, {"demo", "-h"}, {"user", "add", "-h"}, {"help", "serve"}} {
		code, out, _ := runCmd(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage: kitshelf") {
			t.Errorf("%v: exit %d, output %q", args, code, out)
		}
	}
	if code, _, errOut := runCmd(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d %q", code, errOut)
	}
	if code, _, _ := runCmd(t, nil, "migrate", "--bogus"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}

func TestUserAddPrintsAOneTimeLink(t *testing.T) {
	for _, d := range modeltest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": databaseURL(t, d), "KITSHELF_BASE_URL": "https://kits.example.org"}
			code, out, errOut := runCmd(t, env, "user", "add", "--email", "Ada@Example.org", "--name", "Ada Lovelace", "--role", "admin")
			if code != 0 || !strings.Contains(out, "https://kits.example.org/welcome/") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			secret := strings.Fields(out[strings.Index(out, "/welcome/")+len("/welcome/"):])[0]
			db := openAt(t, env["DATABASE_URL"])
			u, err := models.SetPasswordWithToken(db, secret, "correct horse battery")
			if err != nil || u.Email != "ada@example.org" {
				t.Fatalf("using the printed link: %v %+v", err, u)
			}
			if _, err := models.SetPasswordWithToken(db, secret, "another password here"); !models.IsRefusal(err, "token_invalid") {
				t.Errorf("the link worked twice: %v", err)
			}
			code, _, errOut = runCmd(t, env, "user", "add", "--email", "x@example.org", "--name", "X", "--role", "staff")
			if code != 1 || !strings.Contains(errOut, "--hub") {
				t.Errorf("staff without a hub: exit %d %q", code, errOut)
			}
			code, _, errOut = runCmd(t, env, "user", "add", "--email", "ada@example.org", "--name", "Ada", "--role", "admin")
			if code != 1 || !strings.Contains(errOut, "already has an account") {
				t.Errorf("duplicate email: exit %d %q", code, errOut)
			}
		})
	}
}

func TestServeRefusesASchemaNewerThanItKnows(t *testing.T) {
	for _, d := range modeltest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := databaseURL(t, d)
			db := openAt(t, url)
			if _, err := models.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, ?)", true).Error; err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runCmd(t, map[string]string{"DATABASE_URL": url, "KITSHELF_ADDR": "127.0.0.1:0"}, "serve")
			if code != 1 || !strings.Contains(errOut, "newer than this binary knows") {
				t.Fatalf("serve on a newer schema: exit %d %q", code, errOut)
			}
		})
	}
}

func TestServeDemo(t *testing.T) {
	for _, d := range modeltest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"KITSHELF_ADDR": freeAddr(t)}
			if d == models.Postgres {
				env["DATABASE_URL"] = databaseURL(t, d)
			} else {
				t.Chdir(t.TempDir()) // with no DATABASE_URL, -demo makes kitshelf-demo.db here
			}
			ctx, stop := context.WithCancel(context.Background())
			var out, errOut syncBuffer
			done := make(chan int)
			go func() { done <- run(ctx, []string{"-demo"}, envOf(env), &out, &errOut) }()
			base := "http://" + env["KITSHELF_ADDR"]
			waitFor(t, base+"/readyz", done, &errOut)
			for _, path := range []string{"/", "/readyz", "/healthz"} {
				res, err := http.Get(base + path)
				if err != nil || res.StatusCode != 200 {
					t.Errorf("GET %s: %v %v", path, err, res)
				}
			}
			for _, l := range []string{"admin@demo.kitshelf.org", "staff@demo.kitshelf.org", "school@demo.kitshelf.org", "ambassador@demo.kitshelf.org", "kitshelf-demo"} {
				if !strings.Contains(out.String(), l) {
					t.Errorf("start-up output lacks %s:\n%s", l, out.String())
				}
			}
			stop() // as SIGTERM does
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("exit %d after shutdown: %s", code, errOut.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("did not shut down")
			}
		})
	}
}

func TestServeOffersASetupLinkOnAnEmptyDatabase(t *testing.T) {
	env := map[string]string{"KITSHELF_ADDR": freeAddr(t), "DATABASE_URL": databaseURL(t, models.SQLite)}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, envOf(env), &out, &errOut) }()
	waitFor(t, "http://"+env["KITSHELF_ADDR"]+"/readyz", done, &errOut)
	i := strings.Index(out.String(), "/setup/")
	if i < 0 {
		t.Fatalf("no setup link printed:\n%s", out.String())
	}
	link := "http://" + env["KITSHELF_ADDR"] + strings.Fields(out.String()[i:])[0]
	res, err := http.Get(link)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("setup link %s: %v %v", link, err, res)
	}
	stop()
	<-done
}

func waitFor(t *testing.T, url string, done chan int, errOut fmt.Stringer) {
	t.Helper()
	// Generous: -demo loads a year of history first, which takes ~25 s
	// under -race on an idle machine and CI's machines are shared.
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("server exited %d: %s", code, errOut.String())
		default:
		}
		// The port is bound before the database is ready, so a request can
		// wait in the listen queue; a timeout keeps the loop checking done.
		client := http.Client{Timeout: 5 * time.Second}
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never answered: %s", url, errOut.String())
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// databaseURL returns a DATABASE_URL for a fresh, empty database.
func databaseURL(t *testing.T, d models.Dialect) string {
	loc := modeltest.Location(t, d)
	if d == models.SQLite {
		return "sqlite:" + loc.Path
	}
	return loc.DSN
}

func openAt(t *testing.T, url string) *gorm.DB {
	loc, err := models.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	db, err := models.Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(db) })
	return db
}

// syncBuffer is a bytes.Buffer safe for a server goroutine to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var _ io.Writer = (*syncBuffer)(nil)
