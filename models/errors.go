package models

import (
	"errors"
	"fmt"
)

// Kind sorts refusals by what the caller did wrong, so the web layer can pick a
// status without knowing every rule.
type Kind int

// The kinds of refusal.
const (
	Invalid      Kind = iota // the request makes no sense (a 422)
	NotFound                 // no such thing, or not one the actor may see (a 404)
	Conflict                 // the request is fine but the world is not in a state to allow it (a 409)
	Forbidden                // the actor may see it but not do this (a 403)
	TooMany                  // slow down (a 429)
	Unauthorised             // who you are could not be established (a 401)
	TooLarge                 // what was sent is bigger than allowed (a 413)
)

// Refusal is a rule saying no. Code is stable for machines ("kit_on_loan");
// Message is a sentence for a person ("KS-0042 is already on loan to Hillside
// Primary, due 14 March."). Fields, when set, names the form fields at fault.
type Refusal struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string]string
}

func (r *Refusal) Error() string { return r.Message }

func refuse(kind Kind, code, format string, args ...any) *Refusal {
	return &Refusal{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsRefusal returns the refusal inside err, if there is one.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// IsRefusal reports whether err is a refusal with the given code.
func IsRefusal(err error, code string) bool {
	r, ok := AsRefusal(err)
	return ok && r.Code == code
}

// fieldErrors collects form-field problems into one Invalid refusal.
type fieldErrors map[string]string

func (f fieldErrors) add(field, format string, args ...any) {
	if _, dup := f[field]; !dup {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// err returns nil when there were no problems.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "Please correct the highlighted field."
	if len(f) > 1 {
		msg = fmt.Sprintf("Please correct the %d highlighted fields.", len(f))
	}
	return &Refusal{Kind: Invalid, Code: "invalid_input", Message: msg, Fields: f}
}
