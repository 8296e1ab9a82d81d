package fault_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"mailroom/backend/fault"
)

var (
	errTestCount = fault.Define("test_count", fault.Conflict, "{account} has {count} users; {account} stays")
	errTestBusy  = fault.Define("test_busy", fault.Network, "{host} is busy").Temporary()
)

func TestAReasonCarriesItsCodeClassParamsAndEnglishForLogs(t *testing.T) {
	cause := errors.New("dial tcp: refused")
	err := fmt.Errorf("accounts: delete: %w", errTestCount.Wrap(cause, fault.P{"account": "a@b.fr", "count": 2}))
	fe, ok := fault.As(err)
	if !ok {
		t.Fatal("no *fault.Error in the chain")
	}
	if fe.Code != fault.Conflict || fe.Reason != "test_count" || fe.Class != fault.Permanent || fe.Params["count"] != 2 {
		t.Fatalf("got %+v", fe)
	}
	if fe.Message != "a@b.fr has 2 users; a@b.fr stays" {
		t.Fatalf("English = %q", fe.Message)
	}
	if !errors.Is(err, cause) || !errTestCount.Is(err) || errTestBusy.Is(err) {
		t.Fatal("the chain lost its cause or its reason")
	}
	if !reflect.DeepEqual(errTestCount.Params, []string{"account", "count"}) {
		t.Fatalf("params = %v, want each placeholder once, in order", errTestCount.Params)
	}
}

func TestClassesDefaultFromTheReasonAndCanBeOverridden(t *testing.T) {
	if got := fault.ClassOf(errTestBusy.New(fault.P{"host": "h"})); got != fault.Temporary {
		t.Fatalf("class = %s, want temporary", got)
	}
	if got := fault.ClassOf(errTestBusy.New(nil).WithClass(fault.PossiblySent)); got != fault.PossiblySent {
		t.Fatalf("class = %s, want possibly_sent", got)
	}
	if got := fault.ClassOf(errors.New("plain")); got != fault.Permanent {
		t.Fatalf("class of a plain error = %s", got)
	}
}

func TestErrorsWithoutAReasonReadAsInternal(t *testing.T) {
	plain := errors.New("boom")
	if fault.CodeOf(plain) != fault.Internal || fault.ReasonOf(plain) != "internal" {
		t.Fatalf("plain error: %s/%s", fault.CodeOf(plain), fault.ReasonOf(plain))
	}
}

func TestAMissingParameterStaysVisibleInTheLogText(t *testing.T) {
	if got := errTestBusy.New(nil).Message; got != "{host} is busy" {
		t.Fatalf("got %q", got)
	}
}

func TestDefineRefusesBadNamesUnknownCodesAndDuplicates(t *testing.T) {
	for _, tc := range []struct {
		name string
		code fault.Code
	}{{"Bad-Name", fault.Conflict}, {"ok_name_unknown_code", fault.Code("nope")}, {"test_count", fault.Conflict}} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("Define(%q, %q) did not panic", tc.name, tc.code)
				}
			}()
			fault.Define(tc.name, tc.code, "x")
		})
	}
}

func TestReasonsAreListedByName(t *testing.T) {
	rs := fault.Reasons()
	for i := 1; i < len(rs); i++ {
		if rs[i-1].Name >= rs[i].Name {
			t.Fatalf("not sorted: %s before %s", rs[i-1].Name, rs[i].Name)
		}
	}
	if fault.Lookup("test_busy") != errTestBusy {
		t.Fatal("Lookup did not find a defined reason")
	}
}
