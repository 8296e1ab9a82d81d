package templates

import "mailroom/backend/fault"

// The reasons of the templates' failures, worded in frontend/src/lib/i18n/reasons/templates.json.
// A placeholder's reason names it as written ({placeholder}) and sets the error's Field to the
// part it is in ("subject", "html" or "text"), so the editor shows it beside that part.
var (
	ErrNotFound           = fault.Define("template_not_found", fault.NotFound, "this template no longer exists")
	ErrAttachmentNotFound = fault.Define("template_attachment_not_found", fault.NotFound, "this attachment is no longer in the template")

	ErrNameMissing     = fault.Define("template_name_missing", fault.InvalidInput, "enter the template's name")
	ErrNameTooLong     = fault.Define("template_name_too_long", fault.InvalidInput, "the name is too long: {max} characters at most")
	ErrNameTaken       = fault.Define("template_name_taken", fault.Conflict, "a template is already named {name}")
	ErrLanguageInvalid = fault.Define("template_language_invalid", fault.InvalidInput, "{language} is not a language templates are written in (fr or en)")
	ErrTooLarge        = fault.Define("template_too_large", fault.InvalidInput, "the template is too long: {max} KB at most")

	ErrFieldUnknown = fault.Define("template_field_unknown", fault.InvalidInput,
		"{placeholder} names no known field: did you mean {suggestion}?")
	ErrFieldUnknownBare = fault.Define("template_field_unknown_bare", fault.InvalidInput,
		"{placeholder} names no known field")
	ErrPlaceholderSyntax = fault.Define("template_placeholder_syntax", fault.InvalidInput,
		"{placeholder} is not a placeholder: write a type and a field between double braces, with an optional default")
	ErrPlaceholderUnclosed = fault.Define("template_placeholder_unclosed", fault.InvalidInput,
		"a placeholder is opened and never closed: {placeholder}")
	ErrFilterUnknown = fault.Define("template_filter_unknown", fault.InvalidInput,
		"{placeholder} uses {filter}: only default is known")
	ErrPlaceholderPosition = fault.Define("template_placeholder_position", fault.InvalidInput,
		"{placeholder} stands where HTML cannot hold a value (in a tag or attribute left open, or in a script)")

	ErrAttachmentTooLarge = fault.Define("template_attachment_too_large", fault.InvalidInput,
		"{name} is too large: {max} MB at most per file")
	ErrAttachmentsTooLarge = fault.Define("template_attachments_too_large", fault.InvalidInput,
		"the template's attachments would weigh more than {max} MB")
	ErrAttachmentName = fault.Define("template_attachment_name_missing", fault.InvalidInput, "the file has no name")
)
