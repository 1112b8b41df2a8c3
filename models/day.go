package models

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Day is a whole calendar day, as people at a hub count days: loans are due
// on a day and reservations run from one day to another, in the hub's time
// zone. It is stored as a DATE on PostgreSQL and as YYYY-MM-DD text on SQLite.
type Day struct{ t time.Time } // always midnight UTC, so == and arithmetic are exact

// DayLayout is how a Day is written in forms, URLs and the database.
const DayLayout = "2006-01-02"

// NewDay returns the day y-m-d.
func NewDay(y int, m time.Month, d int) Day { return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DayOf returns the calendar day that instant t falls on in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return NewDay(y, m, d)
}

// ParseDay reads a YYYY-MM-DD day.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(DayLayout, s)
	if err != nil {
		return Day{}, fmt.Errorf("%q is not a date like 2026-03-14", s)
	}
	return Day{t}, nil
}

// IsZero reports whether d is unset.
func (d Day) IsZero() bool { return d.t.IsZero() }

// AddDays returns the day n days after d (before, if n < 0).
func (d Day) AddDays(n int) Day { return Day{d.t.AddDate(0, 0, n)} }

// Before reports whether d is earlier than e.
func (d Day) Before(e Day) bool { return d.t.Before(e.t) }

// After reports whether d is later than e.
func (d Day) After(e Day) bool { return d.t.After(e.t) }

// DaysUntil returns how many days e is after d.
func (d Day) DaysUntil(e Day) int { return int(e.t.Sub(d.t).Hours() / 24) }

// String writes d as YYYY-MM-DD.
func (d Day) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DayLayout)
}

// Human writes d the way a person in the UK reads a date: "Sat 14 March 2026".
func (d Day) Human() string { return d.t.Format("Mon 2 January 2006") }

// Short writes d as "14 March", the form used in sentences.
func (d Day) Short() string { return d.t.Format("2 January") }

// Weekday is the day of the week.
func (d Day) Weekday() time.Weekday { return d.t.Weekday() }

// Start returns the instant d begins in loc.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := d.t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// MinDay returns the earlier of two days; MaxDay the later.
func MinDay(a, b Day) Day {
	if b.Before(a) {
		return b
	}
	return a
}

// MaxDay returns the later of two days.
func MaxDay(a, b Day) Day {
	if b.After(a) {
		return b
	}
	return a
}

// Value stores d as YYYY-MM-DD, which both databases accept for a day.
func (d Day) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a day as PostgreSQL (time.Time) or SQLite (text) returns it.
func (d *Day) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*d = Day{}
		return nil
	case time.Time:
		*d = NewDay(v.Date())
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("cannot read a day from %T", v)
}

func (d *Day) scanText(s string) error {
	if len(s) > len(DayLayout) {
		s = s[:len(DayLayout)]
	}
	p, err := ParseDay(s)
	*d = p
	return err
}

// MarshalText lets a Day travel in JSON and forms as YYYY-MM-DD.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Day) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Day{}
		return nil
	}
	p, err := ParseDay(string(b))
	*d = p
	return err
}
