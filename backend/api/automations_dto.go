package api

import (
	"time"

	"mailroom/backend/automations"
	"mailroom/backend/fault"
)

// AutomationInputDTO is an automation as the editor saves it: id 0 creates one.
// trigger: AUTOMATION_TRIGGERS; fieldKey: the date field (date) or the field watched
// (changed); offsetDays: days after the date (negative: before); value: what the field
// changes to (changed); conditions: the list's filters, all must hold; recipientField: an
// email field or a link (to a contact, or to a company whose contact has recipientRole in
// their job title, else the first); accountId 0: the office sender; hour 0–23 in timezone
// (IANA); threshold: more due at once and it asks first (0: 20).
type AutomationInputDTO struct {
	ID             int64       `json:"id"`
	Name           string      `json:"name"`
	TypeID         int64       `json:"typeId"`
	Trigger        string      `json:"trigger"`
	FieldKey       string      `json:"fieldKey"`
	OffsetDays     int         `json:"offsetDays"`
	Value          any         `json:"value"`
	Conditions     []FilterDTO `json:"conditions"`
	TemplateID     int64       `json:"templateId"`
	RecipientField string      `json:"recipientField"`
	RecipientRole  string      `json:"recipientRole"`
	AccountID      int64       `json:"accountId"`
	Hour           int         `json:"hour"`
	Timezone       string      `json:"timezone"`
	Threshold      int         `json:"threshold"`
	Enabled        bool        `json:"enabled"`
}

// AutomationDTO is a stored automation: pending counts the records waiting for approval;
// lastRunAt is null before its first run.
type AutomationDTO struct {
	AutomationInputDTO
	Pending   int        `json:"pending"`
	LastRunAt *time.Time `json:"lastRunAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// AutomationDryRunDTO says who would get the mail today (problem null) and why the others
// would not; total counts every due record, items the first of them.
type AutomationDryRunDTO struct {
	Total int                    `json:"total"`
	Items []AutomationOutcomeDTO `json:"items"`
}

// AutomationOutcomeDTO is one due record of a dry run.
type AutomationOutcomeDTO struct {
	RecordID int64     `json:"recordId"`
	Title    string    `json:"title"`
	Value    string    `json:"value"` // the trigger's value: the date
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Subject  string    `json:"subject"`
	Pending  bool      `json:"pending"` // waits for approval
	Problem  *ErrorDTO `json:"problem"`
}

// AutomationEntryDTO is a row of an automation's run log or of its pending approvals:
// state AUTOMATION_ENTRY_STATES; a queued mail with its outbox id and state ("" once the
// outbox no longer has it); a blocked record with its problem.
type AutomationEntryDTO struct {
	AutomationID   int64     `json:"automationId"`
	AutomationName string    `json:"automationName"`
	RecordID       int64     `json:"recordId"`
	Title          string    `json:"title"`
	Value          string    `json:"value"`
	State          string    `json:"state"`
	Recipient      string    `json:"recipient"`
	OutboxID       int64     `json:"outboxId"`
	OutboxState    string    `json:"outboxState"`
	Subject        string    `json:"subject"`
	Problem        *ErrorDTO `json:"problem"`
	At             time.Time `json:"at"`
}

// AutomationRunDTO counts what a run or an approval did.
type AutomationRunDTO struct {
	Due     int `json:"due"`
	Queued  int `json:"queued"`
	Blocked int `json:"blocked"`
	Pending int `json:"pending"`
}

// RecordAutomationsDTO is what a record's page shows: the automations of its kind, each
// with whether it concerns the record now, and the mails they sent it (or why not).
type RecordAutomationsDTO struct {
	Automations []RecordAutomationDTO `json:"automations"`
	Entries     []AutomationEntryDTO  `json:"entries"`
}

// RecordAutomationDTO is an automation of a record's kind and whether it concerns the
// record now: concern AUTOMATION_CONCERNS. applies: sendAt is when the next run sends it
// (null while paused); sent, skipped, pending, blocked: at is when the ledger noted it,
// problem why a blocked one was not sent; unmet: the conditions the record does not meet,
// the trigger's own first (the date not empty, the field watched holding its value).
// triggerValue: the trigger's value for the record (the date; "" when it has none).
type RecordAutomationDTO struct {
	AutomationDTO
	Concern      string      `json:"concern"`
	TriggerValue string      `json:"triggerValue"`
	SendAt       *time.Time  `json:"sendAt"`
	At           *time.Time  `json:"at"`
	Unmet        []FilterDTO `json:"unmet"`
	Problem      *ErrorDTO   `json:"problem"`
}

// AutomationEventDTO is the payload of automations:changed: kind "changed" (saved,
// deleted, paused), "run" (a run's progress: done of total, queued so far) or "pending"
// (records wait for approval, or an approval was given).
type AutomationEventDTO struct {
	Kind         string `json:"kind"`
	AutomationID int64  `json:"automationId"`
	Done         int    `json:"done"`
	Total        int    `json:"total"`
	Queued       int    `json:"queued"`
	Pending      int    `json:"pending"`
}

func automationIn(in AutomationInputDTO) automations.Automation {
	conds := filtersIn(in.Conditions)
	return automations.Automation{ID: in.ID, Name: in.Name, TypeID: in.TypeID, Trigger: automations.Trigger(in.Trigger),
		FieldKey: in.FieldKey, OffsetDays: in.OffsetDays, Value: in.Value, Conditions: conds, TemplateID: in.TemplateID,
		RecipientField: in.RecipientField, RecipientRole: in.RecipientRole, AccountID: in.AccountID, Hour: in.Hour,
		Timezone: in.Timezone, Threshold: in.Threshold, Enabled: in.Enabled}
}

func automationDTO(a automations.Automation) AutomationDTO {
	d := AutomationDTO{AutomationInputDTO: AutomationInputDTO{ID: a.ID, Name: a.Name, TypeID: a.TypeID, Trigger: string(a.Trigger),
		FieldKey: a.FieldKey, OffsetDays: a.OffsetDays, Value: a.Value, Conditions: filtersOut(a.Conditions), TemplateID: a.TemplateID,
		RecipientField: a.RecipientField, RecipientRole: a.RecipientRole, AccountID: a.AccountID, Hour: a.Hour,
		Timezone: a.Timezone, Threshold: a.Threshold, Enabled: a.Enabled}, Pending: a.Pending, UpdatedAt: a.UpdatedAt}
	if !a.LastRunAt.IsZero() {
		t := a.LastRunAt
		d.LastRunAt = &t
	}
	return d
}

func automationEntryDTOs(es []automations.Entry) []AutomationEntryDTO {
	out := make([]AutomationEntryDTO, 0, len(es))
	for _, e := range es {
		out = append(out, AutomationEntryDTO{AutomationID: e.AutomationID, AutomationName: e.AutomationName, RecordID: e.RecordID,
			Title: e.Title, Value: e.Value, State: e.State, Recipient: e.Recipient, OutboxID: e.OutboxID,
			OutboxState: e.OutboxState, Subject: e.Subject, At: e.At, Problem: ledgerProblem(e.Reason, e.ReasonParams)})
	}
	return out
}

// ledgerProblem is why the ledger says a record did not get its mail; nil when it does not.
func ledgerProblem(reason string, params map[string]any) *ErrorDTO {
	if reason == "" {
		return nil
	}
	if r := fault.Lookup(reason); r != nil {
		return errorDTOOf(r.New(fault.P(params)))
	}
	return errorDTOOf(fault.ErrInternal.New(nil))
}

func recordAutomationDTO(c automations.RecordConcern) RecordAutomationDTO {
	d := RecordAutomationDTO{AutomationDTO: automationDTO(c.Automation), Concern: string(c.Concern), TriggerValue: c.Value,
		Unmet: filtersOut(c.Unmet), Problem: ledgerProblem(c.Reason, c.ReasonParams)}
	if !c.SendAt.IsZero() {
		t := c.SendAt
		d.SendAt = &t
	}
	if !c.At.IsZero() {
		t := c.At
		d.At = &t
	}
	return d
}

func automationRunDTO(r automations.RunResult) AutomationRunDTO {
	return AutomationRunDTO{Due: r.Due, Queued: r.Queued, Blocked: r.Blocked, Pending: r.Pending}
}
