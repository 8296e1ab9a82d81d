package sendresult

import (
	"errors"
	"fmt"
	"testing"

	"mailroom/backend/fault"
)

var (
	errTestRefused = fault.Define("sendresult_test_refused", fault.AuthFailed, "{provider} refused the token")
	errTestLost    = PossiblySent(fault.Define("sendresult_test_lost", fault.Network, "no answer"))
)

func TestARefusalIsAFaultWithTheProvidersAnswerAsItsDetail(t *testing.T) {
	cause := errors.New("postmark: HTTP 401")
	err := fmt.Errorf("outbox: %w", Refusal{Reply: "HTTP 401, ErrorCode 10: bad token", Cause: cause}.
		Err(errTestRefused, "token", fault.P{"provider": "Postmark"}))
	fe, ok := fault.As(err)
	if !ok || fe.Reason != "sendresult_test_refused" || fe.Code != fault.AuthFailed || fe.Class != fault.Permanent ||
		fe.Field != "token" || fe.Detail != "HTTP 401, ErrorCode 10: bad token" || fe.Params["provider"] != "Postmark" {
		t.Fatalf("got %+v", fe)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is lost")
	}
}

func TestPossiblySentIsTheReasonsDefaultClass(t *testing.T) {
	if got := fault.ClassOf(errTestLost.New(nil)); got != fault.PossiblySent {
		t.Fatalf("class = %s", got)
	}
}
