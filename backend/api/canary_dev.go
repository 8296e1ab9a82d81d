//go:build dev

package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Canary is bound only in the dev-tagged binary that the browser tests drive: the hostile-HTML
// test makes every script a mail could hide call window.go.api.Canary.Hit(n). A call means
// code from a message reached the app's bound methods, so the test expects none.
//
// Each call is appended to the file named by MAILROOM_CANARY_FILE (one line: the time and the
// argument as JSON) and logged as a warning. Appending is all a caller can do: nothing in
// the webview can shorten the file or take a line back, so a count of zero cannot be faked.
//
// It takes no permission check on purpose: it must record whoever reaches it, signed in or
// not. Its permission entry (everyone) exists only in this build, to keep the permission
// table's tests whole under the dev tag.
type Canary struct {
	mu sync.Mutex
}

// CanaryFileEnv names the file the canary appends its calls to.
const CanaryFileEnv = "MAILROOM_CANARY_FILE"

func init() {
	devBound = append(devBound, &Canary{})
	policy["Canary.Hit"] = everyone
}

// Hit records one call. arg is any JSON value, so that no call is lost to a decoding error.
func (c *Canary) Hit(arg any) error {
	raw, err := json.Marshal(arg)
	if err != nil {
		raw = []byte(fmt.Sprintf("%q", fmt.Sprint(arg)))
	}
	slog.Warn("canary called: a script reached a bound method", "arg", string(raw))
	path := os.Getenv(CanaryFileEnv)
	if path == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		slog.Error("canary: cannot record the call", "file", path, "err", err)
		return nil
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%d %s\n", time.Now().UnixMilli(), raw); err != nil {
		slog.Error("canary: cannot record the call", "file", path, "err", err)
	}
	return nil
}
