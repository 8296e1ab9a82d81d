package api

import (
	"fmt"
	"reflect"
	"strings"
)

// The events the backend emits, written into frontend/src/lib/api/generated/events.ts
// (beside faults.ts and enums.ts, by the same test): their names, and the payloads that
// are not in Wails' models (which hold only the bound methods' types). The UI listens to
// these names and reads these payloads (src/lib/api/accounts.ts, mail.ts, outbox.ts).
const contractEvents = "../../frontend/src/lib/api/generated/events.ts"

func renderEvents() []byte {
	var b strings.Builder
	b.WriteString("// Code generated from backend/api's events by `go generate ./backend/api`. DO NOT EDIT.\n")
	b.WriteString("// The events the backend emits (Wails' EventsEmit), and the payloads Wails' models do\n")
	b.WriteString("// not hold; the others are models' DTOs (StepDTO, SyncStatusDTO) or say so below.\n")
	b.WriteString("import type { api } from '../../../../wailsjs/go/models';\n\n")
	for _, e := range []struct{ ts, name, payload string }{
		{"PROBE_STEP_EVENT", ProbeStepEvent, "a StepDTO, each step of every connection test under way"},
		{"ACCOUNT_CHANGED_EVENT", AccountChangedEvent, "the id of an account whose settings or status changed"},
		{"SYNC_PROGRESS_EVENT", SyncProgressEvent, "a SyncStatusDTO, an account's sync state"},
		{"MAIL_CHANGED_EVENT", MailChangedEvent, "{accountId}: an account whose messages were added, removed or changed"},
		{"OUTBOX_CHANGED_EVENT", OutboxChangedEvent, "an OutboxEventDTO"},
		{"SIGN_IN_EVENT", SignInEvent, "a SignInWaitingDTO: the browser was asked to open the provider's page"},
		{"RECORDS_CHANGED_EVENT", RecordsChangedEvent, "a RecordsChangedDTO: records, types or fields changed"},
		{"FILING_CHANGED_EVENT", FilingChangedEvent, "a FilingEventDTO: the To file count or a re-file's progress (of all mail, or of changed records' mail) changed"},
		{"TEMPLATES_CHANGED_EVENT", TemplatesChangedEvent, "the id of a template saved, deleted or whose attachments changed"},
		{"AUTOMATIONS_CHANGED_EVENT", AutomationsChangedEvent, "an AutomationEventDTO: an automation changed, a run progressed, or records wait for approval"},
		{"BUTTONS_CHANGED_EVENT", ButtonsChangedEvent, "the id of a record type whose send buttons changed"},
		{"IMPORT_PROGRESS_EVENT", ImportProgressEvent, "an ImportProgressDTO: rows read and the fraction of the file, of a validation or an import"},
		{"BACKUP_PROGRESS_EVENT", BackupProgressEvent, "a BackupProgressDTO: the step a backup or a restore reached"},
		{"BACKUPS_CHANGED_EVENT", BackupsChangedEvent, "null: an automatic backup was written or failed"},
	} {
		fmt.Fprintf(&b, "/** Payload: %s. */\nexport const %s = '%s';\n", e.payload, e.ts, e.name)
	}
	for _, v := range []any{OutboxEventDTO{}, SignInWaitingDTO{}, RecordsChangedDTO{}, FilingEventDTO{}, RefileProgressDTO{}, ImportProgressDTO{}, BackupProgressDTO{}, AutomationEventDTO{}} {
		t := reflect.TypeOf(v)
		fmt.Fprintf(&b, "\nexport interface %s {\n", t.Name())
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				panic(fmt.Sprintf("%s.%s: an event payload's field needs a json name", t.Name(), f.Name))
			}
			fmt.Fprintf(&b, "  %s: %s;\n", tag, tsType(f.Type))
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// tsType is the TypeScript type of a payload field: a scalar, a list, or a pointer to a DTO
// of Wails' models (null when Go sends nil).
func tsType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Struct && t.Elem().PkgPath() == reflect.TypeOf(ErrorDTO{}).PkgPath() {
			return "api." + t.Elem().Name() + " | null"
		}
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return tsType(t.Elem()) + "[]"
	}
	panic("an event payload field of kind " + t.Kind().String() + ": teach tsType")
}
