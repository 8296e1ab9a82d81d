package backup

import (
	"time"
)

// SetClock sets the service's clock (tests).
func SetClock(s *Service, now func() time.Time) { s.now = now }
