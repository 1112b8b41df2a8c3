package mailer_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/mailer"
	"github.com/kitshelf/kitshelf/models/mailer/mailtest"
	"github.com/kitshelf/kitshelf/models/modeltest"
)

func queue(t *testing.T, db *gorm.DB, to, subject, body string) {
	t.Helper()
	if err := db.Transaction(func(tx *gorm.DB) error {
		return models.QueueMail(tx, models.Mail{To: to, Subject: subject, Body: body, Kind: "test"})
	}); err != nil {
		t.Fatal(err)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestDeliversOverSMTPWithRetries(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		smtp := mailtest.Start(t)
		cfg, err := mailer.ParseURL(smtp.URL())
		if err != nil {
			t.Fatal(err)
		}
		var now time.Time
		w := &mailer.Worker{DB: db, SMTP: cfg, From: "Kitshelf <kitshelf@example.org>", Log: quiet(), Now: func() time.Time { return now }}
		queue(t, db, "head@hillside.sch.uk", "Your Kitshelf invitation – Ròs", "Set your password: https://kits.example.org/welcome/abc123\n")
		now = time.Now().Add(time.Second) // after queueing: the message is due from when its row was written

		smtp.FailNext(1)
		if n, err := w.RunOnce(context.Background()); n != 1 || err != nil {
			t.Fatalf("first run: %d %v", n, err)
		}
		if got := len(smtp.Messages()); got != 0 {
			t.Fatalf("%d messages arrived through a failing server", got)
		}
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatalf("retried at once instead of backing off")
		}
		now = now.Add(time.Minute)
		if n, err := w.RunOnce(context.Background()); n != 1 || err != nil {
			t.Fatalf("retry: %d %v", n, err)
		}
		m := smtp.WaitFor(t, "head@hillside.sch.uk", 5*time.Second)
		if m.Subject != "Your Kitshelf invitation – Ròs" || len(m.Links()) != 1 || m.Links()[0] != "https://kits.example.org/welcome/abc123" {
			t.Fatalf("received %+v", m)
		}
		msgs, _ := models.OutboxMessages(db, 10)
		if msgs[0].Status != models.MailSent || msgs[0].Attempts != 2 || msgs[0].LastError != "" {
			t.Errorf("outbox row %+v", msgs[0])
		}
		if n, _ := w.RunOnce(context.Background()); n != 0 || len(smtp.Messages()) != 1 {
			t.Error("a sent message was sent again")
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	smtp := mailtest.Start(t)
	cfg, _ := mailer.ParseURL(smtp.URL())
	now := time.Now()
	w := &mailer.Worker{DB: db, SMTP: cfg, From: "kitshelf@example.org", Log: quiet(), Now: func() time.Time { return now }}
	queue(t, db, "a@example.org", "s", "b")
	smtp.FailNext(100)
	for range models.MaxMailAttempts + 2 {
		w.RunOnce(context.Background())
		now = now.Add(24 * time.Hour)
	}
	msgs, _ := models.OutboxMessages(db, 10)
	if msgs[0].Status != models.MailFailed || msgs[0].Attempts != models.MaxMailAttempts || !strings.Contains(msgs[0].LastError, "try again later") {
		t.Errorf("after repeated failures: %+v", msgs[0])
	}
}

func TestWithoutSMTPMailIsLoggedAndKept(t *testing.T) {
	db := modeltest.Open(t, models.SQLite)
	var log strings.Builder
	w := &mailer.Worker{DB: db, Log: slog.New(slog.NewTextHandler(&log, nil))}
	queue(t, db, "a@example.org", "Reset your password", "https://kits.example.org/welcome/xyz")
	if n, err := w.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if !strings.Contains(log.String(), "welcome/xyz") {
		t.Errorf("the message is not in the log: %s", log.String())
	}
	msgs, _ := models.OutboxMessages(db, 10)
	if msgs[0].Status != models.MailLogged {
		t.Errorf("status %s", msgs[0].Status)
	}
}

func TestTwoWorkersNeverSendTheSameMessage(t *testing.T) {
	modeltest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		smtp := mailtest.Start(t)
		cfg, _ := mailer.ParseURL(smtp.URL())
		for range 20 {
			queue(t, db, "a@example.org", "s", "b")
		}
		errc := make(chan error, 2)
		for range 2 {
			go func() {
				w := &mailer.Worker{DB: db, SMTP: cfg, From: "kitshelf@example.org", Log: quiet()}
				_, err := w.RunOnce(context.Background())
				errc <- err
			}()
		}
		if err := errors.Join(<-errc, <-errc); err != nil {
			t.Fatal(err)
		}
		if n := len(smtp.Messages()); n != 20 {
			t.Fatalf("%d messages delivered for 20 queued", n)
		}
	})
}

func TestParseURL(t *testing.T) {
	good := map[string]mailer.SMTP{
		"smtp://mail:1025":                           {Host: "mail", Port: 1025, TLS: "opportunistic"},
		"smtps://u:p%40ss@smtp.example.org":          {Host: "smtp.example.org", Port: 465, TLS: "implicit", Username: "u", Password: "p@ss"},
		"smtp://u:p@smtp.office365.com?tls=starttls": {Host: "smtp.office365.com", Port: 587, TLS: "starttls", Username: "u", Password: "p"},
		"smtp://127.0.0.1:2525?tls=none":             {Host: "127.0.0.1", Port: 2525, TLS: "none"},
	}
	for raw, want := range good {
		got, err := mailer.ParseURL(raw)
		if err != nil || *got != want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"mail:1025", "http://mail", "smtp://mail:0", "smtp://mail?tls=maybe"} {
		if _, err := mailer.ParseURL(raw); err == nil {
			t.Errorf("ParseURL(%q) accepted", raw)
		}
	}
}
