package models_test

import (
	"testing"

	"github.com/kitshelf/kitshelf/models/modeltest"
)

// TestDatabasesCovered says which databases the store tests ran on; `make
// test` prints it, so a run that skipped PostgreSQL cannot pass unnoticed.
func TestDatabasesCovered(t *testing.T) {
	covered := "databases covered: SQLite (embedded)"
	if u, reason := modeltest.PostgresURL(); u != "" {
		covered += ", PostgreSQL"
	} else {
		covered += "; PostgreSQL SKIPPED: " + reason
	}
	t.Log(covered)
}
