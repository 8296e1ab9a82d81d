package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mailroom/backend/fault"
)

// Who is signed in (F21). The session lives in memory: a start has nobody signed in, except
// on a workstation with one user without a password, which opens straight away as before.
// The session ends when the user locks it (or switches user), when they are removed, and
// when no activity was reported (Touch) for longer than the idle limit: the first call
// after the limit finds the session over, so a frozen window cannot keep it open.
//
// Wrong passwords slow down: after n wrong passwords in a row, no attempt for that user is
// checked for 1 s · 2^(n−1), at most 5 minutes. The counter and the time are kept in the
// database, so a restart does not reset them; a right password (or a super admin's reset)
// does. Nobody is ever locked out for longer than that delay, so a colleague typing wrong
// passwords on purpose costs the owner at most five minutes.

// The slowdown's delays.
const (
	firstSignInDelay = time.Second
	maxSignInDelay   = 5 * time.Minute
)

// The idle limit's setting and bounds; 0 means never lock.
const (
	idleKey = "session.idle_lock_seconds"
	// MaxIdleLock is the longest idle limit that can be chosen.
	MaxIdleLock = 24 * time.Hour
)

var (
	// ErrWrongPassword: a wrong password; the next attempt is checked after {seconds}.
	ErrWrongPassword = fault.Define("sign_in_wrong_password", fault.AuthFailed,
		"wrong password: try again in {seconds} s")
	// ErrSignInTooSoon: an attempt during the slowdown, not checked.
	ErrSignInTooSoon = fault.Define("sign_in_too_soon", fault.AuthFailed,
		"too many wrong passwords: try again in {seconds} s").Temporary()
	// ErrCurrentPasswordWrong: changing one's password with a wrong current password.
	ErrCurrentPasswordWrong = fault.Define("current_password_wrong", fault.AuthFailed,
		"the current password is wrong: try again in {seconds} s")
	// ErrIdleLockInvalid: an idle limit out of bounds.
	ErrIdleLockInvalid = fault.Define("idle_lock_invalid", fault.InvalidInput,
		"choose an idle time between 1 second and {hours} hours, or never")
)

// session is who is signed in. last is who was signed in before the session ended
// (so the sign-in screen can offer them first); idleEnded says it ended by inactivity.
type session struct {
	user       int64 // 0: nobody
	lastActive time.Time
	last       int64
	idleEnded  bool
}

// begin signs id in (the caller checked the password).
func (s *Service) begin(id int64) {
	s.mu.Lock()
	s.session = session{user: id, lastActive: s.now(), last: id}
	s.mu.Unlock()
}

// Current returns the signed-in user. ok is false when nobody is: before onboarding, after
// a lock, after the idle limit, after the user was removed. A workstation whose only user
// has no password signs them in.
func (s *Service) Current(ctx context.Context) (User, bool, error) {
	limit, err := s.IdleLimit(ctx)
	if err != nil {
		return User{}, false, err
	}
	s.mu.Lock()
	ses := s.session
	if ses.user != 0 && limit > 0 && s.now().Sub(ses.lastActive) > limit {
		s.session = session{last: ses.user, idleEnded: true}
		ses = s.session
	}
	s.mu.Unlock()
	if ses.user == 0 {
		return s.openSingle(ctx)
	}
	u, err := s.Get(ctx, ses.user)
	if ErrUserGone.Is(err) {
		s.end(ses.user, false)
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	return u, true, nil
}

// openSingle signs in the only user of a workstation when they have no password.
func (s *Service) openSingle(ctx context.Context) (User, bool, error) {
	us, err := s.List(ctx)
	if err != nil || len(us) != 1 || us[0].HasPassword {
		return User{}, false, err
	}
	s.begin(us[0].ID)
	return us[0], true, nil
}

// end ends id's session (if it is still theirs).
func (s *Service) end(id int64, idle bool) {
	s.mu.Lock()
	if s.session.user == id {
		s.session = session{last: id, idleEnded: idle}
	}
	s.mu.Unlock()
}

// Lock ends the signed-in user's session (to lock the screen or switch user): every call
// but signing in is refused until someone signs in.
func (s *Service) Lock() {
	s.mu.Lock()
	if s.session.user != 0 {
		s.session = session{last: s.session.user}
	}
	s.mu.Unlock()
}

// Touch records activity of the signed-in user (the UI reports keyboard and mouse use);
// it does nothing once the session is over.
func (s *Service) Touch() {
	s.mu.Lock()
	if s.session.user != 0 {
		s.session.lastActive = s.now()
	}
	s.mu.Unlock()
}

// LastSignedIn returns who was signed in before the session ended (0: nobody since the
// start), and whether it ended by inactivity.
func (s *Service) LastSignedIn() (id int64, idle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.session.last, s.session.idleEnded
}

// IdleLimit returns the idle time after which the session ends (0: never).
func (s *Service) IdleLimit(ctx context.Context) (time.Duration, error) {
	s.mu.Lock()
	if s.idleKnown {
		d := s.idle
		s.mu.Unlock()
		return d, nil
	}
	s.mu.Unlock()
	v, ok, err := s.db.Setting(ctx, idleKey)
	if err != nil {
		return 0, err
	}
	var d time.Duration
	if ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil && n > 0 && time.Duration(n)*time.Second <= MaxIdleLock {
			d = time.Duration(n) * time.Second
		}
	}
	s.mu.Lock()
	s.idle, s.idleKnown = d, true
	s.mu.Unlock()
	return d, nil
}

// SetIdleLimit chooses the idle time after which the session ends, in whole seconds (0: never).
func (s *Service) SetIdleLimit(ctx context.Context, d time.Duration) error {
	if d < 0 || d > MaxIdleLock || d%time.Second != 0 {
		return ErrIdleLockInvalid.Field("idleLock", fault.P{"hours": int(MaxIdleLock / time.Hour)})
	}
	if err := s.db.SetSetting(ctx, idleKey, strconv.FormatInt(int64(d/time.Second), 10)); err != nil {
		return err
	}
	s.mu.Lock()
	s.idle, s.idleKnown = d, true
	// The new limit counts from now, not from the last activity.
	if s.session.user != 0 {
		s.session.lastActive = s.now()
	}
	s.mu.Unlock()
	return nil
}

// SignIn signs id in with their password (ignored for a user without one). A wrong password
// is ErrWrongPassword with the wait before the next attempt; an attempt during that wait is
// ErrSignInTooSoon and is not checked.
func (s *Service) SignIn(ctx context.Context, id int64, password string) (User, error) {
	u, err := s.checkPassword(ctx, id, password, ErrWrongPassword, "password")
	if err != nil {
		return User{}, err
	}
	s.begin(u.ID)
	return u, nil
}

// checkPassword checks id's password under the slowdown: wrong is the reason of a wrong
// password (sign-in or current password), field the form field to blame.
func (s *Service) checkPassword(ctx context.Context, id int64, password string, wrong *fault.Reason, field string) (User, error) {
	s.attempts.Lock()
	defer s.attempts.Unlock()
	u, err := s.Get(ctx, id)
	if err != nil {
		return User{}, err
	}
	var hash string
	var failures int
	var nextAt int64
	err = s.db.R.QueryRowContext(ctx, `SELECT password_hash, sign_in_failures, sign_in_next_at FROM users WHERE id = ?`, id).
		Scan(&hash, &failures, &nextAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrUserGone.New(nil)
	}
	if err != nil {
		return User{}, fmt.Errorf("users: read sign-in state: %w", err)
	}
	if hash == "" {
		return u, nil
	}
	now := s.now()
	if wait := time.UnixMilli(nextAt).Sub(now); wait > 0 {
		return User{}, ErrSignInTooSoon.Field(field, fault.P{"seconds": seconds(wait)})
	}
	if verifyPassword(hash, password) {
		if failures > 0 {
			if err := s.setFailures(ctx, id, 0, time.Time{}); err != nil {
				return User{}, err
			}
		}
		return u, nil
	}
	failures++
	delay := SignInDelay(failures)
	if err := s.setFailures(ctx, id, failures, now.Add(delay)); err != nil {
		return User{}, err
	}
	return User{}, wrong.Field(field, fault.P{"seconds": seconds(delay)})
}

func (s *Service) setFailures(ctx context.Context, id int64, failures int, next time.Time) error {
	var at int64
	if !next.IsZero() {
		at = next.UnixMilli()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET sign_in_failures = ?, sign_in_next_at = ? WHERE id = ?`, failures, at, id)
		if err != nil {
			return fmt.Errorf("users: record sign-in attempt: %w", err)
		}
		return nil
	})
}

// SignInDelay is the wait after n wrong passwords in a row: 1 s, 2 s, 4 s… at most 5 minutes.
func SignInDelay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := firstSignInDelay
	for i := 1; i < n; i++ {
		d *= 2
		if d >= maxSignInDelay {
			return maxSignInDelay
		}
	}
	return d
}

// seconds rounds a wait up to whole seconds, as people read it.
func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// ChangePassword changes id's own password: current must be right (it is slowed down as a
// sign-in is); a user without a password sets their first one.
func (s *Service) ChangePassword(ctx context.Context, id int64, current, next string) error {
	if err := checkPassword(next, "newPassword"); err != nil {
		return err
	}
	if _, err := s.checkPassword(ctx, id, current, ErrCurrentPasswordWrong, "currentPassword"); err != nil {
		return err
	}
	return s.storePassword(ctx, id, next)
}

// ResetPassword sets id's password without the current one (a super admin's act; the API
// checks who calls) and clears the slowdown.
func (s *Service) ResetPassword(ctx context.Context, id int64, next string) error {
	if err := checkPassword(next, "password"); err != nil {
		return err
	}
	return s.storePassword(ctx, id, next)
}

func (s *Service) storePassword(ctx context.Context, id int64, pw string) error {
	hash, err := hashPassword(pw)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, sign_in_failures = 0, sign_in_next_at = 0 WHERE id = ?`, hash, id)
		if err != nil {
			return fmt.Errorf("users: store password: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrUserGone.New(nil)
		}
		return nil
	})
}
