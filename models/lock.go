package models

import (
	"time"

	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Concurrency. Rules read, decide, then write; two of them must never decide
// on the same facts at once. On SQLite every write transaction begins with
// BEGIN IMMEDIATE, so writers already run one at a time. On PostgreSQL a rule
// takes locks in one fixed order, which also rules out deadlocks:
//
//  1. the capacity lock of a (hub, kit type) pair: a transaction-scoped
//     advisory lock, taken by every rule that changes how many copies are
//     held or in service;
//  2. the kit's row (SELECT … FOR UPDATE);
//  3. the loan's or reservation's row.
//
// Changing a kit type (UpdateKitType) alters capacity at every hub, so it
// takes the capacity locks of that kit type at every hub, in hub id order,
// then the kit type's row. Giving out new asset tags takes the tag
// sequence lock of the prefix last, after the capacity lock: nothing is
// locked after it.

// lockCapacity serialises every rule that could change capacity for one kit
// type at one hub.
func lockCapacity(tx *gorm.DB, hubID, kitTypeID uint) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", int32(hubID), int32(kitTypeID)).Error
}

// lockTagSequence serialises rules that number new kits with a tag prefix,
// so two of them never hand out the same next tag. (Its one-key advisory
// lock cannot collide with the two-key capacity locks: PostgreSQL keeps the
// two key spaces apart.)
func lockTagSequence(tx *gorm.DB, prefix string) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "kitshelf.asset_tags."+prefix).Error
}

// lockKitTypeEverywhere takes the capacity locks of a kit type at every
// hub, then its row, and reads it afresh with its contents.
func lockKitTypeEverywhere(tx *gorm.DB, slug string) (*KitType, error) {
	kt, err := KitTypeBySlug(tx, slug)
	if err != nil || DialectOf(tx) != Postgres {
		return kt, err
	}
	var hubs []uint
	if err := tx.Model(&Hub{}).Order("id").Pluck("id", &hubs).Error; err != nil {
		return nil, err
	}
	for _, h := range hubs {
		if err := lockCapacity(tx, h, kt.ID); err != nil {
			return nil, err
		}
	}
	if err := forUpdate(tx).Select("id").Take(&KitType{}, kt.ID).Error; err != nil {
		return nil, err
	}
	return KitTypeBySlug(tx, slug)
}

// forUpdate adds FOR UPDATE on PostgreSQL; SQLite has no row locks and needs
// none under BEGIN IMMEDIATE.
func forUpdate(tx *gorm.DB) *gorm.DB {
	if DialectOf(tx) != Postgres {
		return tx
	}
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// notFound turns a missing row into the given refusal and passes other errors on.
func notFound(err error, r *Refusal) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r
	}
	return err
}

// transact runs fn in one transaction whose automatic timestamps
// (created_at, updated_at) read the actor's clock, so a rule's rows and its
// audit entry agree on when it happened.
func transact(db *gorm.DB, by Actor, fn func(tx *gorm.DB) error) error {
	at := by.now()
	return db.Session(&gorm.Session{NowFunc: func() time.Time { return at }}).Transaction(fn)
}

// lockKeys takes transaction-scoped locks on named keys, in the order given
// (callers always name them in the same order). On SQLite the write
// transaction already excludes every other writer.
func lockKeys(tx *gorm.DB, keys ...string) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	for _, k := range keys {
		// The one-key form lives in a different lock space from the
		// two-key (hub, kit type) capacity locks.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", k).Error; err != nil {
			return err
		}
	}
	return nil
}

// RateEvent is one use of a rate-limited anonymous form.
type RateEvent struct {
	ID   uint
	At   time.Time
	Kind string
	Key  string
}

// withinRate records one event of kind for key (an IP address) and refuses
// it if there were already max in the window.
func withinRate(tx *gorm.DB, kind, key string, max int, window time.Duration, now time.Time, message string) error {
	if err := lockKeys(tx, "rate:"+kind+":"+key); err != nil {
		return err
	}
	var n int64
	if err := tx.Model(&RateEvent{}).Where("kind = ? AND key = ? AND at > ?", kind, key, now.Add(-window).UTC()).Count(&n).Error; err != nil {
		return err
	}
	if n >= int64(max) {
		return &Refusal{Kind: TooMany, Code: "too_many_requests", Message: message}
	}
	return tx.Create(&RateEvent{At: now.UTC(), Kind: kind, Key: key}).Error
}
