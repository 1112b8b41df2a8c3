// Package mailer delivers the outbox. Rules queue mail in the database in
// the same transaction as the change that causes it; a worker on every
// instance claims due messages (a lease stops two instances sending the same
// one) and sends them over SMTP with retries. With no SMTP configured each
// message is written to the log instead and stays on the admins' outbox
// page, so nothing is silently lost.
package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
)

// SMTP says where and how to send mail.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // "implicit" (smtps), "starttls" (required), "opportunistic" (default) or "none"
}

// ParseURL reads KITSHELF_SMTP_URL: smtp://[user:pass@]host[:port][?tls=starttls|opportunistic|none]
// or smtps://user:pass@host[:465].
func ParseURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a URL like smtp://user:pass@smtp.example.org:587", raw)
	}
	s := &SMTP{Host: u.Hostname(), Username: u.User.Username()}
	s.Password, _ = u.User.Password()
	switch u.Scheme {
	case "smtps":
		s.TLS, s.Port = "implicit", 465
	case "smtp":
		s.TLS, s.Port = "opportunistic", 587
		switch t := u.Query().Get("tls"); t {
		case "", "opportunistic":
		case "starttls", "none":
			s.TLS = t
		default:
			return nil, fmt.Errorf("tls=%q: use starttls, opportunistic or none", t)
		}
	default:
		return nil, fmt.Errorf("%q: the scheme must be smtp or smtps", raw)
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return nil, fmt.Errorf("%q: bad port", raw)
		}
	}
	return s, nil
}

// Worker sends queued mail.
type Worker struct {
	DB   *gorm.DB
	SMTP *SMTP // nil: log messages instead of sending them
	From string
	Log  *slog.Logger
	Now  func() time.Time
}

// lease is how long a claimed message is reserved for one worker.
const lease = 2 * time.Minute

// Run delivers mail until ctx ends, checking every interval.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("delivering mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce delivers what is due now and reports how many messages it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.now()
	msgs, err := models.ClaimMail(w.DB.WithContext(ctx), now, 20, lease)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if err := w.deliver(ctx, m); err != nil {
			w.Log.Warn("mail not delivered; will retry", "to", m.ToAddress, "subject", m.Subject, "attempt", m.Attempts+1, "err", err)
			if err := models.MailAttemptFailed(w.DB, m, err, w.now()); err != nil {
				return 0, err
			}
			continue
		}
		status := models.MailSent
		if w.SMTP == nil {
			status = models.MailLogged
		}
		if err := models.MailDelivered(w.DB, m.ID, status, w.now()); err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) deliver(ctx context.Context, m models.OutboxMessage) error {
	if w.SMTP == nil {
		w.Log.Info("mail (no SMTP configured; kept in the outbox)", "to", m.ToAddress, "subject", m.Subject, "body", m.Body)
		return nil
	}
	msg := gomail.NewMsg()
	if err := msg.From(w.From); err != nil {
		return fmt.Errorf("KITSHELF_MAIL_FROM: %w", err)
	}
	if err := msg.To(m.ToAddress); err != nil {
		return err
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	msg.SetMessageID()
	msg.SetDate()
	c, err := w.client()
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

func (w *Worker) client() (*gomail.Client, error) {
	s := w.SMTP
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(20 * time.Second)}
	switch s.TLS {
	case "implicit":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return gomail.NewClient(s.Host, opts...)
}

// DefaultFrom is the sender when KITSHELF_MAIL_FROM is unset.
func DefaultFrom(base *url.URL) string {
	return "Kitshelf <kitshelf@" + strings.TrimPrefix(base.Hostname(), "www.") + ">"
}
