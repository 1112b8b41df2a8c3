// Package modeltest gives tests real, isolated, migrated databases: SQLite
// always, and PostgreSQL whenever one answers. Each call gets its own SQLite
// file or PostgreSQL schema, built through the same migrations production
// uses, and dropped when the test ends.
package modeltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
)

// DefaultPostgresURL is the local server our machines run.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	pgOnce   sync.Once
	pgURL    string
	pgReason string // why PostgreSQL is unavailable
)

// PostgresURL returns the PostgreSQL server tests use, or "" and why not.
// KITSHELF_TEST_DATABASE_URL picks the server; otherwise the local one is
// tried. With KITSHELF_REQUIRE_POSTGRES=1 an unavailable server fails tests
// instead of skipping them.
func PostgresURL() (string, string) {
	pgOnce.Do(func() {
		u := os.Getenv("KITSHELF_TEST_DATABASE_URL")
		if u == "" {
			u = DefaultPostgresURL
		}
		loc, err := models.ParseDatabaseURL(u)
		if err == nil {
			err = ping(loc)
		}
		// When PostgreSQL is required (CI), one slow answer on a busy machine
		// must not fail every test: keep asking for half a minute.
		for i := 0; err != nil && i < 10 && os.Getenv("KITSHELF_REQUIRE_POSTGRES") == "1"; i++ {
			time.Sleep(time.Second)
			err = ping(loc)
		}
		if err != nil {
			pgReason = fmt.Sprintf("PostgreSQL at %s is unavailable: %v", redact(u), err)
			return
		}
		pgURL = u
	})
	return pgURL, pgReason
}

func ping(loc models.Location) error {
	db, err := models.Open(loc)
	if err != nil {
		return err
	}
	defer closeDB(db)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return models.Ping(ctx, db)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}

// Dialects lists the databases every store test runs on.
func Dialects() []models.Dialect { return []models.Dialect{models.SQLite, models.Postgres} }

// EachDB runs fn as a subtest on SQLite and on PostgreSQL, each with a fresh
// database.
func EachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of the given dialect.
func Open(t testing.TB, d models.Dialect) *gorm.DB {
	t.Helper()
	loc := Location(t, d)
	db, err := models.Open(loc)
	if err != nil {
		t.Fatalf("opening %s: %v", d, err)
	}
	t.Cleanup(func() { closeDB(db) })
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrating %s: %v", d, err)
	}
	return db
}

// Location returns where a fresh, empty database of the dialect lives, and
// arranges for it to be dropped after the test.
func Location(t testing.TB, d models.Dialect) models.Location {
	t.Helper()
	if d == models.SQLite {
		loc, err := models.ParseDatabaseURL("sqlite:" + filepath.Join(t.TempDir(), "kitshelf.db"))
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	base := RequirePostgres(t)
	schema := "kitshelf_test_" + randomHex(6)
	admin, err := models.Open(mustParse(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		closeDB(admin)
	})
	return mustParse(t, WithSearchPath(base, schema))
}

// RequirePostgres returns the PostgreSQL URL, or skips the test (fails it
// under KITSHELF_REQUIRE_POSTGRES=1) when there is none.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	u, reason := PostgresURL()
	if u == "" {
		if os.Getenv("KITSHELF_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("%s, and KITSHELF_REQUIRE_POSTGRES=1", reason)
		}
		t.Skipf("skipping PostgreSQL: %s (set KITSHELF_TEST_DATABASE_URL, or KITSHELF_REQUIRE_POSTGRES=1 to fail instead)", reason)
	}
	return u
}

// WithSearchPath points a PostgreSQL URL at one schema.
func WithSearchPath(raw, schema string) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func mustParse(t testing.TB, raw string) models.Location {
	loc, err := models.ParseDatabaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
