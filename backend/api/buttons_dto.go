package api

import "time"

// ButtonDTO is a send button of a record type.
type ButtonDTO struct {
	ID         int64  `json:"id"`
	TypeID     int64  `json:"typeId"`
	Label      string `json:"label"`
	SentLabel  string `json:"sentLabel"`
	TemplateID int64  `json:"templateId"`
	AccountID  int64  `json:"accountId"`  // 0: the office sender
	Recipients string `json:"recipients"` // field:<key>, contacts, company_contacts
	Position   int    `json:"position"`
}

// RecordButtonDTO is a button on a record's page: Problem says why it cannot send.
type RecordButtonDTO struct {
	ID      int64     `json:"id"`
	Label   string    `json:"label"`
	Problem *ErrorDTO `json:"problem"`
}

// RecordSendDTO is one line of a record's sends log.
type RecordSendDTO struct {
	ID         int64     `json:"id"`
	ButtonID   int64     `json:"buttonId"`
	Label      string    `json:"label"`
	Subject    string    `json:"subject"`
	Recipients string    `json:"recipients"`
	SentAt     time.Time `json:"sentAt"`
	SentBy     string    `json:"sentBy"`
	OutboxID   int64     `json:"outboxId"`
	State      string    `json:"state"` // the outbox state; "" when it left the outbox
	Filed      bool      `json:"filed"`
}

// RecordButtonsDTO is a record's buttons and its sends log.
type RecordButtonsDTO struct {
	Buttons []RecordButtonDTO `json:"buttons"`
	Sends   []RecordSendDTO   `json:"sends"`
}

// ButtonMailDTO is a button's mail rendered for a record, for the composer.
type ButtonMailDTO struct {
	ButtonID    int64        `json:"buttonId"`
	RecordID    int64        `json:"recordId"`
	AccountID   int64        `json:"accountId"`
	Office      bool         `json:"office"`
	To          []AddressDTO `json:"to"`
	Subject     string       `json:"subject"`
	HTML        string       `json:"html"`
	Text        string       `json:"text"`
	Attachments []string     `json:"attachments"`
}

// ButtonSendDTO is a button's mail as sent from the composer. HTML is the template's HTML
// part when the text was left as rendered; "" sends the text as written.
type ButtonSendDTO struct {
	ButtonID int64     `json:"buttonId"`
	RecordID int64     `json:"recordId"`
	Mail     SendInput `json:"mail"`
	HTML     string    `json:"html"`
}

// OfficeSenderDTO is the office sender (F22): 0s when none is chosen. Address and FromName
// are its account's; ForMe says the caller has no account of their own and sends through
// it (the composer offers it). SetOfficeSender reads AccountID and UserID only.
type OfficeSenderDTO struct {
	AccountID int64  `json:"accountId"`
	UserID    int64  `json:"userId"`
	Address   string `json:"address"`
	FromName  string `json:"fromName"`
	ForMe     bool   `json:"forMe"`
}
