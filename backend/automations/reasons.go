package automations

import "mailroom/backend/fault"

// The reasons of the automations' refusals and of the records they cannot send to, worded
// in frontend/src/lib/i18n/reasons/automations.json.
var (
	ErrNotFound        = fault.Define("automation_not_found", fault.NotFound, "this automation no longer exists")
	ErrNameMissing     = fault.Define("automation_name_missing", fault.InvalidInput, "enter the automation's name")
	ErrNameTaken       = fault.Define("automation_name_taken", fault.Conflict, "an automation is already named {name}")
	ErrTypeMissing     = fault.Define("automation_type_missing", fault.InvalidInput, "choose the kind of record the automation is about")
	ErrTriggerInvalid  = fault.Define("automation_trigger_invalid", fault.InvalidInput, "choose when the automation sends")
	ErrFieldInvalid    = fault.Define("automation_field_invalid", fault.InvalidInput, "{field} is not a field of this kind that the trigger can watch")
	ErrTemplateMissing = fault.Define("automation_template_missing", fault.InvalidInput, "choose the template to send")
	ErrRecipientField  = fault.Define("automation_recipient_invalid", fault.InvalidInput, "{field} is neither an email field nor a link of this kind")
	ErrHourInvalid     = fault.Define("automation_hour_invalid", fault.InvalidInput, "the hour is from 0 to 23")
	ErrTimezoneInvalid = fault.Define("automation_timezone_invalid", fault.InvalidInput, "{timezone} is not a known time zone")
	ErrNoSender        = fault.Define("automation_no_sender", fault.InvalidInput, "choose the account the automation sends from: no office sender is set")
	ErrNotPending      = fault.Define("automation_not_pending", fault.Conflict, "nothing of this automation waits for approval")

	// Why a record does not get the mail (a dry run, the run log).
	ErrNoAddress       = fault.Define("automation_no_address", fault.InvalidInput, "no email address")
	ErrDoNotEmail      = fault.Define("automation_do_not_email", fault.InvalidInput, "{name} asked not to be emailed")
	ErrNoContact       = fault.Define("automation_no_contact", fault.InvalidInput, "no linked contact")
	ErrNoContactRole   = fault.Define("automation_no_contact_role", fault.InvalidInput, "no linked contact whose role is {role}")
	ErrMissingValue    = fault.Define("automation_missing_value", fault.InvalidInput, "{placeholders} have no value and no default")
	ErrTemplateDeleted = fault.Define("automation_template_deleted", fault.NotFound, "the automation's template was deleted")
)
