package sendresult

import (
	"errors"
	"fmt"
	"testing"

	"mailroom/backend/fault"
)

func TestClassOf(t *testing.T) {
	refused := &Error{Class: Permanent, Reply: "HTTP 422, ErrorCode 406: inactive", Err: fault.New(fault.ProviderRejected, "Inactive recipient.")}
	for _, tc := range []struct {
		name string
		err  error
		want Class
	}{
		{"no error is OK", nil, OK},
		{"an error no sender classed is transient", errors.New("something odd"), Transient},
		{"a classed error keeps its class", refused, Permanent},
		{"the class survives wrapping", fmt.Errorf("outbox: send 42: %w", refused), Permanent},
		{"New classes a plain error", New(PossiblySent, errors.New("no answer")), PossiblySent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassOf(tc.err); got != tc.want {
				t.Errorf("ClassOf(%v) = %s, want %s", tc.err, got, tc.want)
			}
		})
	}
}

func TestTheFaultAndTheReplyShowThroughAClassedError(t *testing.T) {
	err := fmt.Errorf("outbox: %w", &Error{Class: Permanent, Reply: "HTTP 401, ErrorCode 10: bad token", Err: fault.New(fault.AuthFailed, "Postmark refused the server token.")})
	if fault.CodeOf(err) != fault.AuthFailed {
		t.Errorf("fault code %s, want auth_failed", fault.CodeOf(err))
	}
	if ReplyOf(err) != "HTTP 401, ErrorCode 10: bad token" {
		t.Errorf("reply %q", ReplyOf(err))
	}
	if ReplyOf(errors.New("plain")) != "" {
		t.Error("a plain error has a reply")
	}
	if err.Error() != "outbox: auth_failed: Postmark refused the server token." {
		t.Errorf("Error() = %q: the class should add nothing to the text", err.Error())
	}
}

func TestNewKeepsNilNil(t *testing.T) {
	if New(Permanent, nil) != nil {
		t.Error("New(Permanent, nil) is not nil")
	}
}
