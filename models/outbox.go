package models

import (
	"net/mail"
	"time"

	"gorm.io/gorm"
)

// Mail is a message to send: plain text, which every mail client shows well
// and screen readers read plainly.
type Mail struct {
	To      string
	Subject string
	Body    string
	Kind    string // "invitation", "password_reset", … for the outbox page
}

// OutboxMessage is a queued message and its delivery state.
type OutboxMessage struct {
	ID            uint
	CreatedAt     time.Time
	ToAddress     string
	Subject       string
	Body          string
	Kind          string
	Status        string // queued, sent, failed (gave up) or logged (no SMTP configured)
	Attempts      int
	NextAttemptAt time.Time
	ClaimedUntil  *time.Time
	SentAt        *time.Time
	LastError     string
}

// TableName keeps the table name explicit.
func (OutboxMessage) TableName() string { return "outbox" }

// Outbox statuses.
const (
	MailQueued = "queued"
	MailSent   = "sent"
	MailFailed = "failed"
	MailLogged = "logged"
)

// MaxMailAttempts is how often delivery is tried before the message is
// marked failed (and stays visible to admins).
const MaxMailAttempts = 8

// Composer writes a message for a one-time link's secret. Rules that issue
// links take one, so the message is queued in the rule's own transaction
// while models stays free of templates and URLs.
type Composer func(u *User, secret string) (Mail, error)

// QueueMail adds a message to the outbox inside tx: it is sent if and only
// if the change that caused it commits.
func QueueMail(tx *gorm.DB, m Mail) error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return refuse(Invalid, "invalid_email", "%q is not an email address.", m.To)
	}
	now := tx.NowFunc()
	return tx.Create(&OutboxMessage{CreatedAt: now, ToAddress: m.To, Subject: m.Subject, Body: m.Body, Kind: m.Kind,
		Status: MailQueued, NextAttemptAt: now}).Error
}

// ClaimMail leases up to limit due messages to one worker for lease. The
// conditional update means two instances never send the same message at once.
func ClaimMail(db *gorm.DB, now time.Time, limit int, lease time.Duration) ([]OutboxMessage, error) {
	now = now.UTC()
	var due []OutboxMessage
	if err := db.Where("status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
		MailQueued, now, now).Order("id").Limit(limit).Find(&due).Error; err != nil {
		return nil, err
	}
	var claimed []OutboxMessage
	for _, m := range due {
		res := db.Model(&OutboxMessage{}).
			Where("id = ? AND status = ? AND (claimed_until IS NULL OR claimed_until < ?)", m.ID, MailQueued, now).
			Update("claimed_until", now.Add(lease))
		if res.Error != nil {
			return claimed, res.Error
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, m)
		}
	}
	return claimed, nil
}

// MailDelivered records a successful delivery (or, with no SMTP configured,
// that the message was written to the log).
func MailDelivered(db *gorm.DB, id uint, status string, now time.Time) error {
	return db.Model(&OutboxMessage{}).Where("id = ?", id).Updates(map[string]any{
		"status": status, "sent_at": now.UTC(), "claimed_until": nil, "attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
}

// MailAttemptFailed records a failed delivery and schedules the next try
// with exponential backoff (1, 2, 4 … minutes), giving up after MaxMailAttempts.
func MailAttemptFailed(db *gorm.DB, m OutboxMessage, cause error, now time.Time) error {
	attempts := m.Attempts + 1
	status := MailQueued
	if attempts >= MaxMailAttempts {
		status = MailFailed
	}
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return db.Model(&OutboxMessage{}).Where("id = ?", m.ID).Updates(map[string]any{
		"status": status, "attempts": attempts, "last_error": msg, "claimed_until": nil,
		"next_attempt_at": now.UTC().Add(time.Minute << (attempts - 1))}).Error
}

// OutboxMessages lists the newest messages, for the admins' outbox page.
func OutboxMessages(db *gorm.DB, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	return out, db.Order("id DESC").Limit(limit).Find(&out).Error
}
