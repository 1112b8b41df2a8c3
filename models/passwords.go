package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
)

// Password rules follow NCSC guidance: length over complexity.
const (
	MinPasswordLength = 10
	maxPasswordLength = 200
)

// passwordParams are argon2id's costs: OWASP's recommended 19 MiB, 2 passes.
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns an argon2id hash of a password.
func HashPassword(password string) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength || n > maxPasswordLength {
		return "", &Refusal{Kind: Invalid, Code: "weak_password",
			Message: fmt.Sprintf("Choose a password of at least %d characters.", MinPasswordLength),
			Fields:  map[string]string{"password": fmt.Sprintf("At least %d characters; a few unrelated words work well.", MinPasswordLength)}}
	}
	return argon2id.CreateHash(password, passwordParams)
}

// dummyHash makes a sign-in for an unknown address take as long as one for a
// known address, so timing does not reveal who has an account.
var dummyHash, _ = argon2id.CreateHash("not a real password at all", passwordParams)

// PasswordMatches reports whether password matches the stored hash; an empty
// hash (no password set yet) never matches, but costs the same time.
func PasswordMatches(hash, password string) bool {
	if hash == "" {
		argon2id.ComparePasswordAndHash(password, dummyHash)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// SetPassword stores a new password for a user.
func SetPassword(db *gorm.DB, by Actor, userID uint, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return transact(db, by, func(tx *gorm.DB) error {
		return setPasswordHash(tx, by, userID, hash)
	})
}

func setPasswordHash(tx *gorm.DB, by Actor, userID uint, hash string) error {
	res := tx.Model(&User{}).Where("id = ?", userID).Updates(map[string]any{"password_hash": hash, "updated_at": by.now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return refuse(NotFound, "user_not_found", "There is no such account.")
	}
	return record(tx, by, change{action: "user.set_password", subjectType: "user", subjectID: userID,
		summary: "password set"})
}

// TokenPurpose says what a one-time link is for.
type TokenPurpose string

// Token purposes.
const (
	TokenSetPassword   TokenPurpose = "set_password"
	TokenResetPassword TokenPurpose = "reset_password"
	TokenInvitation    TokenPurpose = "invitation"
	TokenSetup         TokenPurpose = "setup"
)

// OneTimeToken is a single-use link's stored half: a hash of the token.
type OneTimeToken struct {
	ID        uint
	Hash      string
	Purpose   TokenPurpose
	UserID    *uint
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// IssueToken creates a single-use token and returns the only copy of its
// secret, to be sent in a link.
func IssueToken(tx *gorm.DB, by Actor, purpose TokenPurpose, userID *uint, ttl time.Duration) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := by.now()
	t := OneTimeToken{Hash: hashToken(secret), Purpose: purpose, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.Create(&t).Error; err != nil {
		return "", err
	}
	return secret, nil
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ErrTokenInvalid is the one answer for a token that is unknown, used,
// expired or for another purpose: a link either works or it does not.
var ErrTokenInvalid = &Refusal{Kind: NotFound, Code: "token_invalid",
	Message: "This link has expired or has already been used. Ask for a new one."}

// PeekToken returns a usable token's record without using it up, so a page
// can show whose password is being set.
func PeekToken(db *gorm.DB, secret string, purposes ...TokenPurpose) (*OneTimeToken, error) {
	var t OneTimeToken
	err := db.Where("hash = ? AND used_at IS NULL AND purpose IN ?", hashToken(secret), purposes).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !time.Now().Before(t.ExpiresAt)) {
		return nil, ErrTokenInvalid
	}
	return &t, err
}

// useToken marks a token used inside tx; a concurrent second use finds it
// already used and is refused.
func useToken(tx *gorm.DB, by Actor, secret string, purposes ...TokenPurpose) (*OneTimeToken, error) {
	var t OneTimeToken
	err := forUpdate(tx).Where("hash = ? AND purpose IN ?", hashToken(secret), purposes).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	now := by.now()
	if t.UsedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, ErrTokenInvalid
	}
	res := tx.Model(&OneTimeToken{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != 1 {
		return nil, ErrTokenInvalid
	}
	return &t, nil
}

// SetPasswordWithToken uses a set-password, reset or invitation link to set
// the password of the account it was issued for, and returns the account.
func SetPasswordWithToken(db *gorm.DB, secret, password string) (*User, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var u User
	err = db.Transaction(func(tx *gorm.DB) error {
		t, err := useToken(tx, SystemActor("one-time link"), secret, TokenSetPassword, TokenResetPassword, TokenInvitation)
		if err != nil {
			return err
		}
		if t.UserID == nil {
			return ErrTokenInvalid
		}
		if err := tx.Take(&u, *t.UserID).Error; err != nil {
			return err
		}
		if !u.Active {
			return ErrTokenInvalid
		}
		by := Actor{UserID: &u.ID, Name: fmt.Sprintf("%s <%s>", u.Name, u.Email), Role: u.Role}
		// A new password ends the account's sessions and its other links:
		// whoever knew the old password, or had an old link, is out.
		if err := tx.Model(&User{}).Where("id = ?", u.ID).UpdateColumn("session_epoch", gorm.Expr("session_epoch + 1")).Error; err != nil {
			return err
		}
		if err := tx.Model(&OneTimeToken{}).Where("user_id = ? AND used_at IS NULL", u.ID).Update("used_at", by.now()).Error; err != nil {
			return err
		}
		return setPasswordHash(tx, by, u.ID, hash)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// AddUserWithLink creates an account and a set-password link for it in one
// transaction, returning the link's secret.
func AddUserWithLink(db *gorm.DB, by Actor, in UserInput, ttl time.Duration) (string, error) {
	var secret string
	err := transact(db, by, func(tx *gorm.DB) error {
		u, err := CreateUser(tx, by, in)
		if err != nil {
			return err
		}
		secret, err = IssueToken(tx, by, TokenSetPassword, &u.ID, ttl)
		return err
	})
	return secret, err
}
