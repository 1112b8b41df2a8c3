package models_test

import (
	"fmt"
	"testing"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

// The counter's hot path: one check-out and its check-in.
func BenchmarkCheckOutAndIn(b *testing.B) {
	for _, d := range modeltest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := modeltest.Open(b, d)
			w := modeltest.NewWorld(b, db, 1)
			tag := w.Kits[0].AssetTag
			for b.Loop() {
				if _, err := models.CheckOut(db, w.StaffActor(), models.CheckOutInput{Tag: tag, BorrowerID: w.SchoolBorrower}); err != nil {
					b.Fatal(err)
				}
				if _, err := models.CheckIn(db, w.StaffActor(), models.CheckInInput{Tag: tag}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// busyCalendar books a year of a popular kit type: 20 copies, 300
// reservations of one or two copies, a week or two each.
func busyCalendar(b *testing.B, d models.Dialect) *modeltest.World {
	db := modeltest.Open(b, d)
	w := modeltest.NewWorld(b, db, 20)
	made := 0
	for i := 0; made < 300 && i < 2000; i++ {
		start := (i * 7) % 350
		_, err := models.Reserve(db, w.StaffActor(), models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
			BorrowerID: w.SchoolBorrower, Quantity: 1 + i%2, StartOn: w.Day(1 + start), EndOn: w.Day(1 + start + 5 + i%9)})
		if err == nil {
			made++
		}
	}
	if made < 300 {
		b.Fatalf("only %d reservations fitted", made)
	}
	return w
}

// Booking against a busy calendar: the capacity rule reads every hold that
// overlaps the request.
func BenchmarkReserveOnABusyCalendar(b *testing.B) {
	for _, d := range modeltest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			w := busyCalendar(b, d)
			i := 0
			for b.Loop() {
				i++
				r, err := models.Reserve(w.DB, w.StaffActor(), models.ReserveInput{HubID: w.Hub.ID, KitTypeID: w.KitType.ID,
					BorrowerID: w.AmbassadorBorrower, Quantity: 1, StartOn: w.Day(400), EndOn: w.Day(405)})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := models.Cancel(w.DB, w.StaffActor(), r.ID, fmt.Sprint(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A year's availability calendar for the same busy kit type.
func BenchmarkAvailabilityForAYear(b *testing.B) {
	for _, d := range modeltest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			w := busyCalendar(b, d)
			for b.Loop() {
				if _, err := models.Availability(w.DB, w.Hub.ID, w.KitType.ID, w.Day(0), w.Day(365), w.Today()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
