package models

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
)

//go:embed migrations
var migrationFiles embed.FS

func migrationProvider(db *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	if DialectOf(db) == Postgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, sub)
}

// SchemaStatus says where a database's schema stands against this binary.
type SchemaStatus struct {
	Current int64 // the newest migration applied to the database
	Known   int64 // the newest migration this binary carries
}

// Migrate applies every migration this binary carries that the database lacks.
// It refuses a database whose schema is newer than this binary knows, because
// an older binary would silently ignore columns and rules it has never seen.
func Migrate(ctx context.Context, db *gorm.DB) (SchemaStatus, error) {
	p, err := migrationProvider(db)
	if err != nil {
		return SchemaStatus{}, err
	}
	st, err := schemaStatus(ctx, p)
	if err != nil {
		return st, err
	}
	if st.Current > st.Known {
		return st, ErrSchemaTooNew(st)
	}
	if _, err := p.Up(ctx); err != nil {
		return st, fmt.Errorf("migrating: %w", err)
	}
	return schemaStatus(ctx, p)
}

// CheckSchema reports the schema status and fails if the database is not
// exactly at the version this binary knows.
func CheckSchema(ctx context.Context, db *gorm.DB) (SchemaStatus, error) {
	p, err := migrationProvider(db)
	if err != nil {
		return SchemaStatus{}, err
	}
	st, err := schemaStatus(ctx, p)
	if err != nil {
		return st, err
	}
	switch {
	case st.Current > st.Known:
		return st, ErrSchemaTooNew(st)
	case st.Current < st.Known:
		return st, fmt.Errorf("database schema is at version %d but this binary needs %d: run `kitshelf migrate`", st.Current, st.Known)
	}
	return st, nil
}

func schemaStatus(ctx context.Context, p *goose.Provider) (SchemaStatus, error) {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("reading schema version: %w", err)
	}
	sources := p.ListSources()
	var known int64
	if len(sources) > 0 {
		known = sources[len(sources)-1].Version
	}
	return SchemaStatus{Current: current, Known: known}, nil
}

// ErrSchemaTooNew is returned when the database was migrated by a newer Kitshelf.
func ErrSchemaTooNew(st SchemaStatus) error {
	return fmt.Errorf("database schema is at version %d, newer than this binary knows (%d): run a newer Kitshelf", st.Current, st.Known)
}
