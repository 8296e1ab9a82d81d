package api

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/automations"
	"mailroom/backend/connect"
	"mailroom/backend/deliverability"
	"mailroom/backend/discovery"
	"mailroom/backend/message"
	"mailroom/backend/outbox"
	"mailroom/backend/probe"
	"mailroom/backend/syncer"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// The string enums the UI relies on, written from the backend's exported lists into
// frontend/src/lib/api/generated/enums.ts (by renderEnums, beside faults.ts). The UI's
// types (src/lib/api/types.ts) take their unions from there, and its catalogue tests check
// every value is worded in French and English.
const contractEnums = "../../frontend/src/lib/api/generated/enums.ts"

// enum is one list: its TypeScript constant and type, what it is, and where it comes from.
// consts says which constants of pkg the list must hold exactly (checked on the source by
// TestEnumListsAreComplete): those of the Go type typ, or, for untyped constants, those
// whose name starts with prefix. Empty for lists that are not made of constants (their
// package's own tests check them where there is something to check against).
type enum struct {
	name, typ, doc string
	values         []string
	pkg            string
	consts         constSet
}

type constSet struct {
	typ, prefix string
	except      []string // values of the set the list leaves out on purpose
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func enums() []enum {
	return []enum{
		{"ROLES", "Role", "What a user may do, from most to least powerful", strs(users.Roles), "users", constSet{typ: "Role"}},
		{"LANGUAGES", "Language", "The languages the UI ships in", users.Languages, "users", constSet{}},
		{"VAULT_REASONS", "VaultReason", "Why secure storage is unavailable", strs(vault.Reasons), "vault", constSet{typ: "Reason", except: []string{""}}},
		{"SECURITIES", "Security", "How a connection is protected: implicit TLS or STARTTLS; there is no plaintext", strs(accounts.Securities), "accounts", constSet{typ: "Security"}},
		{"SENDER_KINDS", "SenderKind", "How an account sends: its SMTP server, or an API sender", strs(accounts.SenderKinds), "accounts", constSet{typ: "SenderKind"}},
		{"MAILGUN_REGIONS", "MailgunRegion", "Mailgun's regions: a domain exists in one only", accounts.Regions, "accounts", constSet{prefix: "Region"}},
		{"AUTH_KINDS", "AuthKind", "How an account signs in: a password, or Sign in with Google/Microsoft", strs(accounts.AuthKinds), "accounts", constSet{typ: "AuthKind"}},
		{"ACCOUNT_STATUSES", "AccountStatus", "An account's status as the list shows it: the last check's, needs_sign_in (an OAuth sign-in revoked or expired) and disabled", strs(AccountStatuses), "api", constSet{}},
		{"USERNAME_FORMS", "UsernameForm", "How a domain preset builds the username: the whole address or the part before @", accounts.UsernameForms, "accounts", constSet{}},
		{"STEP_NAMES", "StepName", "The steps of a connection test, in order; an API sender's checks replace smtp_login", strs(probe.Names), "probe", constSet{typ: "Name"}},
		{"STEP_STATUSES", "StepStatus", "The statuses of a connection test's step", strs(probe.Statuses), "probe", constSet{typ: "Status"}},
		{"CERT_REASONS", "CertReason", "Why a server's certificate was not trusted", connect.UntrustedReasons, "connect", constSet{prefix: "Untrusted"}},
		{"SOURCES", "Source", "Where discovered settings came from, in priority order", strs(discovery.Sources), "discovery", constSet{typ: "Source"}},
		{"SIGN_INS", "SignIn", "Sign-in services that replace a password (OAuth 2.0 in the system browser, then XOAUTH2)", discovery.SignIns, "discovery", constSet{prefix: "SignIn"}},
		{"SYNC_PHASES", "SyncPhase", "Where an account's sync worker is, in the order a sync goes", strs(syncer.Phases), "syncer", constSet{typ: "Phase"}},
		{"FOLDER_ROLES", "FolderRole", "The special-use roles of folders; \"\" is any other folder", syncer.FolderRoles, "syncer", constSet{}},
		{"BODY_STATES", "BodyState", "Whether a message's body is in the store: none (not fetched yet), done, or failed", syncer.BodyStates, "syncer", constSet{prefix: "body"}},
		{"MAIL_FLAGS", "MailFlag", "The flags the list and the view change", syncer.Flags, "syncer", constSet{}},
		{"PROBLEM_CODES", "ProblemCode", "Defects the MIME parser found and worked around", message.Problems, "message", constSet{prefix: "Problem"}},
		{"DRAFT_MODES", "DraftMode", "How the composer starts from a message", DraftModes, "api", constSet{}},
		{"OUTBOX_STATES", "OutboxState", "The states of an outbox message, in the order the Outbox screen shows them", strs(outbox.States), "outbox", constSet{typ: "State"}},
		{"FIELD_KINDS", "FieldKind", "The kinds of a record field (domain: the companies' built-in domains only)", strs(FieldKinds), "records", constSet{typ: "Kind"}},
		{"FILTER_OPS", "FilterOp", "The conditions of a records list's filters", strs(FilterOps), "records", constSet{typ: "Op"}},
		{"DEDUPES", "Dedupe", "What an import does with a row matching a record already there", strs(Dedupes), "records", constSet{typ: "Dedupe"}},
		{"EXPORT_FORMATS", "ExportFormat", "The formats a list exports to (vcard: contacts only)", ExportFormats, "api", constSet{}},
		{"COPY_STATES", "CopyState", "Where a sent message's copy in the IMAP Sent folder is", strs(outbox.CopyStates), "outbox", constSet{typ: "CopyState"}},
		{"SEVERITIES", "Severity", "How much a deliverability finding matters, best first", strs(deliverability.Severities), "deliverability", constSet{typ: "Severity"}},
		{"DELIVERABILITY_CHECKS", "DeliverabilityCheck", "What a deliverability finding is about, in the order they come", strs(deliverability.Checks), "deliverability", constSet{typ: "Check"}},
		{"FILING_OPS", "FilingOp", "The operators of a filed type's open condition (paid unchecked…)", FilingOps, "filing", constSet{prefix: "Op"}},
		{"LINK_ORIGINS", "LinkOrigin", "How a message was filed to a record: by the rules (auto), by hand (manual) or by a send from the record (sent)", FilingOrigins, "filing", constSet{prefix: "Origin"}},
		{"FILING_PROGRESS_KINDS", "FilingProgressKind", "What a re-file's progress is for: all mail (Settings, with Stop) or the past mail of changed records", FilingProgressKinds, "filing", constSet{prefix: "Progress"}},
		{"SHARING_STATES", "SharingState", "Whether a folder shares filed and handled with the mailbox's other workstations (IMAP keywords), keeps them here only, or is not synced yet", FilingSharingStates, "filing", constSet{prefix: "Sharing"}},
		{"AUTOMATION_TRIGGERS", "AutomationTrigger", "When an automation sends: a date passed (or ahead), a record created, a field changed to a value", strs(automations.Triggers), "automations", constSet{typ: "Trigger"}},
		{"AUTOMATION_ENTRY_STATES", "AutomationEntryState", "The states of an automation's ledger rows: queued in the outbox, waiting for approval, skipped, blocked (with why)", strs(automations.EntryStates), "automations", constSet{typ: "EntryState"}},
		{"AUTOMATION_CONCERNS", "AutomationConcern", "Whether an automation concerns a record now, as its page says: it applies (and when it sends), sent, waiting for approval, blocked, skipped, or not (conditions unmet, created before it, unchanged since it)", strs(automations.Concerns), "automations", constSet{typ: "Concern"}},
		{"SENDING_PATHS", "SendingPath", "The paths an account's mail leaves through, as the deliverability check knows them", strs(deliverability.PathIDs), "deliverability", constSet{typ: "PathID"}},
	}
}

func renderEnums() []byte {
	var b strings.Builder
	b.WriteString("// Code generated from the backend's lists by `go generate ./backend/api`. DO NOT EDIT.\n")
	b.WriteString("// The string enums the backend sends and accepts; src/lib/api/types.ts builds the UI's\n")
	b.WriteString("// types on them, and the catalogue tests check each value is worded in both languages.\n")
	for _, e := range enums() {
		fmt.Fprintf(&b, "\n/** %s (backend/%s). */\nexport const %s = [", e.doc, e.pkg, e.name)
		for i, v := range e.values {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "'%s'", v)
		}
		fmt.Fprintf(&b, "] as const;\nexport type %s = (typeof %s)[number];\n", e.typ, e.name)
	}
	return []byte(b.String())
}

// TestEnumListsAreComplete reads each package's source: a list must hold exactly the
// constants of its type (or prefix), so a constant added without its list fails here.
func TestEnumListsAreComplete(t *testing.T) {
	for _, e := range enums() {
		if e.consts.typ == "" && e.consts.prefix == "" {
			continue
		}
		want := stringConsts(t, filepath.Join("..", e.pkg), e.consts)
		got := slices.Clone(e.values)
		slices.Sort(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: the list holds %q, the constants of backend/%s are %q", e.name, got, e.pkg, want)
		}
		if len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s: a value is listed twice: %q", e.name, got)
		}
	}
}

// stringConsts returns the sorted string values of the constants of the package in dir
// that are of type set.typ or, when untyped, named with set.prefix.
func stringConsts(t *testing.T, dir string, set constSet) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				typ := ""
				if id, ok := vs.Type.(*ast.Ident); ok {
					typ = id.Name
				}
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					if set.typ != "" && typ != set.typ || set.typ == "" && (typ != "" || !strings.HasPrefix(n.Name, set.prefix)) {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Contains(set.except, v) {
						out = append(out, v)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
