// Package models holds Kitshelf's stored data and every circulation rule.
//
// Each rule is one function that runs one transaction and writes its audit
// entry inside that transaction, so a rule either happens completely, with its
// history, or not at all. Nothing here knows about HTTP: handlers and the
// command line call the same functions.
package models

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the two databases Kitshelf runs on.
type Dialect string

// The supported databases.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Location says which database to open: the parsed form of DATABASE_URL.
type Location struct {
	Dialect Dialect
	DSN     string // the driver's connection string
	Path    string // SQLite only: the file
}

// DefaultSQLitePath is the database file used when DATABASE_URL is unset.
const DefaultSQLitePath = "kitshelf.db"

// ParseDatabaseURL reads DATABASE_URL: unset selects the embedded SQLite file
// kitshelf.db, "sqlite:PATH" another file, and "postgres://…" PostgreSQL.
func ParseDatabaseURL(raw string) (Location, error) {
	switch {
	case raw == "":
		return sqliteLocation(DefaultSQLitePath), nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return Location{}, errors.New(`"sqlite:" needs a file path, e.g. sqlite:kitshelf.db`)
		}
		return sqliteLocation(path), nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return Location{}, fmt.Errorf("not a valid URL: %v", err)
		}
		return Location{Dialect: Postgres, DSN: raw}, nil
	default:
		return Location{}, errors.New(`must start with postgres:// or sqlite: (or be unset for the embedded kitshelf.db)`)
	}
}

// sqliteLocation builds the SQLite connection string. Write transactions
// start with BEGIN IMMEDIATE so that a rule which reads then writes holds the
// write lock from its first read: with deferred transactions, concurrent rules
// fail with SQLITE_BUSY when they try to upgrade. Times are written in UTC as
// "2006-01-02 15:04:05", SQLite's own form: fixed width, so comparing them as
// text orders them in time, and any form SQLite writes (goose's timestamps,
// say) reads back.
func sqliteLocation(path string) Location {
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Set("_timefmt", "sqlite")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "foreign_keys(on)")
	q.Add("_pragma", "synchronous(normal)")
	return Location{Dialect: SQLite, Path: path, DSN: "file:" + path + "?" + q.Encode()}
}

// Open connects to the database at loc. It does not migrate.
func Open(loc Location) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
	}
	var dialector gorm.Dialector
	switch loc.Dialect {
	case Postgres:
		dialector = postgres.Open(loc.DSN)
	case SQLite:
		dialector = gormlite.Open(loc.DSN)
	default:
		return nil, fmt.Errorf("unknown database dialect %q", loc.Dialect)
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if loc.Dialect == SQLite {
		// One writer at a time is SQLite's nature; a small pool lets reads
		// run beside it under WAL without piling up waiting writers.
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(20)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// DialectOf reports which database db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// Ping checks that the database answers; /readyz uses it.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
