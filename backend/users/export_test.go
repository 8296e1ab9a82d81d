package users

import "time"

// Test seams: the clock, and the password hashing on its own.

// SetClock makes s read the time from now (the idle limit and the slowdown).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

var (
	HashPassword   = hashPassword
	VerifyPassword = verifyPassword
)
