package records

import "mailroom/backend/fault"

// The reasons of the records' failures, worded in frontend/src/lib/i18n/reasons/records.json.
// A value's reason names the field (fieldParams: {field}, its label or, for a built-in field,
// its key, which the UI words; {fieldKey}) and sets the error's Field to the field's key, so
// a form shows it beside the right input and an import beside the column.
var (
	ErrTypeNotFound   = fault.Define("records_type_not_found", fault.NotFound, "this record type no longer exists")
	ErrFieldNotFound  = fault.Define("records_field_not_found", fault.NotFound, "this field no longer exists")
	ErrRecordNotFound = fault.Define("records_record_not_found", fault.NotFound, "this record no longer exists")
	ErrViewNotFound   = fault.Define("records_view_not_found", fault.NotFound, "this saved view no longer exists")

	ErrTypeNameMissing = fault.Define("records_type_name_missing", fault.InvalidInput, "enter the type's name, singular and plural")
	ErrNameTooLong     = fault.Define("records_name_too_long", fault.InvalidInput, "the name is too long: {max} characters at most")
	ErrTypeBuiltin     = fault.Define("records_type_builtin", fault.Conflict, "contacts and companies are built in and cannot be deleted")
	ErrTypeHasRecords  = fault.Define("records_type_has_records", fault.Conflict, "{type} still holds {count} records: delete them first")
	ErrTypeIsLinked    = fault.Define("records_type_is_linked", fault.Conflict, "the field {field} of {type} links to this type: delete that field first")

	ErrFieldLabelMissing = fault.Define("records_field_label_missing", fault.InvalidInput, "enter the field's name")
	ErrFieldKindInvalid  = fault.Define("records_field_kind_invalid", fault.InvalidInput, "{kind} is not a kind of field")
	ErrFieldBuiltin      = fault.Define("records_field_builtin", fault.Conflict, "{field} is built in and cannot be deleted")
	ErrFieldIsTitle      = fault.Define("records_field_is_title", fault.Conflict, "{field} titles the records: choose another title field first")
	ErrFieldTitleKind    = fault.Define("records_field_title_kind", fault.InvalidInput, "{field} cannot title the records: choose a text, email, phone, URL or date field")
	ErrCurrencyInvalid   = fault.Define("records_currency_invalid", fault.InvalidInput, "{currency} is not a currency code such as EUR")
	ErrLinkTargetMissing = fault.Define("records_link_target_missing", fault.InvalidInput, "choose the kind of record the field links to")
	ErrChoiceMissing     = fault.Define("records_choice_label_missing", fault.InvalidInput, "enter a name for every choice of {field}")
	ErrChoiceDuplicate   = fault.Define("records_choice_duplicate", fault.InvalidInput, "{field} offers the choice {choice} twice")
	ErrFieldUnknown      = fault.Define("records_field_unknown", fault.InvalidInput, "this kind of record has no field {key}")

	ErrValueTooLong    = fault.Define("records_value_too_long", fault.InvalidInput, "{field} is too long: {max} characters at most")
	ErrValueNumber     = fault.Define("records_value_not_number", fault.InvalidInput, "{field} must be a number")
	ErrValueMoney      = fault.Define("records_value_not_money", fault.InvalidInput, "{field} must be an amount")
	ErrValueDate       = fault.Define("records_value_not_date", fault.InvalidInput, "{field} must be a date")
	ErrValueDateTime   = fault.Define("records_value_not_date_time", fault.InvalidInput, "{field} must be a date and a time")
	ErrValueCheckbox   = fault.Define("records_value_not_checkbox", fault.InvalidInput, "{field} is checked or not")
	ErrValueChoice     = fault.Define("records_value_unknown_choice", fault.InvalidInput, "{value} is not one of the choices of {field}")
	ErrValueEmail      = fault.Define("records_value_email_invalid", fault.InvalidInput, "{value} is not an email address ({field})")
	ErrValuePhone      = fault.Define("records_value_phone_invalid", fault.InvalidInput, "{value} is not a phone number ({field})")
	ErrValueURL        = fault.Define("records_value_url_invalid", fault.InvalidInput, "{value} is not a web address ({field})")
	ErrValueDomain     = fault.Define("records_value_domain_invalid", fault.InvalidInput, "{value} is not a domain name ({field})")
	ErrValueLink       = fault.Define("records_value_link_invalid", fault.InvalidInput, "{field} links to a record that does not exist or is of another kind")
	ErrValueSingle     = fault.Define("records_value_single", fault.InvalidInput, "{field} holds one value only")
	ErrValueShape      = fault.Define("records_value_invalid", fault.InvalidInput, "{field} cannot hold this value")
	ErrTitleMissing    = fault.Define("records_title_missing", fault.InvalidInput, "enter {field}: it titles the record")
	ErrContactEmpty    = fault.Define("records_contact_empty", fault.InvalidInput, "enter a name or an email address")
	ErrFilterInvalid   = fault.Define("records_filter_invalid", fault.InvalidInput, "the filter {op} does not apply to {field}")
	ErrSortInvalid     = fault.Define("records_sort_invalid", fault.InvalidInput, "the list cannot be sorted by {field}")
	ErrCursorInvalid   = fault.Define("records_cursor_invalid", fault.InvalidInput, "the list changed: reload it")
	ErrViewNameMissing = fault.Define("records_view_name_missing", fault.InvalidInput, "enter a name for the view")
	ErrViewNameTaken   = fault.Define("records_view_name_taken", fault.Conflict, "you already have a view named {name}")
)

// fieldParams are the params of an error about field f, p's included: {fieldKey} is its key;
// {field} names it by its label if an admin made it, by its key if it is built in (the UI
// words a built-in field in the user's language from its key: its label here is English).
func fieldParams(f *Field, p fault.P) fault.P {
	if p == nil {
		p = fault.P{}
	}
	p["field"], p["fieldKey"] = f.Label, f.Key
	if f.Builtin {
		p["field"] = f.Key
	}
	return p
}

// typeParams names a type in an error's params as {type}: a built-in type by its key (also
// {typeKey}), which the interface words in the user's language; a type of your own by its
// plural.
func typeParams(t *Type, p fault.P) fault.P {
	if p == nil {
		p = fault.P{}
	}
	p["type"] = t.Plural
	if t.Builtin != "" {
		p["type"], p["typeKey"] = t.Builtin, t.Builtin
	}
	return p
}
