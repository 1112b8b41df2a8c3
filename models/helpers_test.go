package models_test

import (
	"testing"

	"github.com/kitshelf/kitshelf/models"
)

// wantRefusal fails unless err is a refusal with the given code.
func wantRefusal(t *testing.T, err error, code string) *models.Refusal {
	t.Helper()
	r, ok := models.AsRefusal(err)
	if !ok {
		t.Fatalf("want refusal %q, got error %v", code, err)
	}
	if r.Code != code {
		t.Fatalf("want refusal %q, got %q: %s", code, r.Code, r.Message)
	}
	return r
}

// must takes a rule's (value, error) result and returns a function that
// yields the value, failing the test on error: must(models.CheckOut(…))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
