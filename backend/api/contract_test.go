package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailroom/backend/fault"
	// The importer is not used by the API yet (the records' import will call it); imported
	// here so its reasons are part of the generated contract.
	_ "mailroom/backend/importer"
)

// The contract between the backend and the UI that is not in Wails' generated models: the
// error codes, classes and reasons (with their parameters), the string enums
// (contract_enums_test.go) and the events (contract_events_test.go), written from the Go
// definitions into the frontend. This package imports every package that defines a
// reason, so fault.Reasons() is complete here. `go generate ./backend/api` (or
// MAILROOM_UPDATE_CONTRACT=1 go test -run TestGeneratedContract ./backend/api) rewrites the
// files; otherwise a stale file fails the test, and so `make test`.
const (
	contractTS      = "../../frontend/src/lib/api/generated/faults.ts"
	contractEnglish = "../../frontend/src/lib/api/generated/faults.english.json"
	updateEnv       = "MAILROOM_UPDATE_CONTRACT"
)

func TestGeneratedContractIsUpToDate(t *testing.T) {
	ts, english := renderContract()
	for _, f := range []struct {
		path string
		want []byte
	}{{contractTS, ts}, {contractEnglish, english}, {contractEnums, renderEnums()}, {contractEvents, renderEvents()}} {
		if os.Getenv(updateEnv) == "1" {
			if err := os.WriteFile(f.path, f.want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(f.path)
		if err != nil || !bytes.Equal(got, f.want) {
			t.Errorf("%s is out of date (err %v): run `go generate ./backend/api` and commit it", filepath.Base(f.path), err)
		}
	}
}

func renderContract() (ts, english []byte) {
	var b strings.Builder
	b.WriteString("// Code generated from backend/fault's definitions by `go generate ./backend/api`. DO NOT EDIT.\n")
	b.WriteString("// Every error the backend sends has one of these codes and reasons; the catalogues in\n")
	b.WriteString("// src/lib/i18n/reasons/ word each reason in French and English with these params.\n\n")
	b.WriteString("export const ERROR_CODES = [\n")
	for _, c := range fault.Codes {
		fmt.Fprintf(&b, "  '%s',\n", c)
	}
	b.WriteString("] as const;\n\nexport type ErrorCode = (typeof ERROR_CODES)[number];\n\n")
	b.WriteString("export const ERROR_CLASSES = [")
	for i, c := range fault.Classes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'%s'", c)
	}
	b.WriteString("] as const;\n\nexport type ErrorClass = (typeof ERROR_CLASSES)[number];\n\n")
	b.WriteString("export interface ReasonInfo {\n  code: ErrorCode;\n  class: ErrorClass;\n  params: readonly string[];\n}\n\n")
	b.WriteString("export const REASONS = {\n")
	en := map[string]string{}
	for _, r := range fault.Reasons() {
		params := make([]string, len(r.Params))
		for i, p := range r.Params {
			params[i] = "'" + p + "'"
		}
		fmt.Fprintf(&b, "  %s: { code: '%s', class: '%s', params: [%s] },\n", r.Name, r.Code, r.Class, strings.Join(params, ", "))
		en[r.Name] = r.English
	}
	b.WriteString("} as const satisfies Record<string, ReasonInfo>;\n\nexport type Reason = keyof typeof REASONS;\n")
	j, err := json.MarshalIndent(en, "", "  ")
	if err != nil {
		panic(err)
	}
	return []byte(b.String()), append(j, '\n')
}
