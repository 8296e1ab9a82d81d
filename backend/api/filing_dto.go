package api

// FilingEventDTO is the payload of filing:changed.
type FilingEventDTO struct {
	ToFile   int                `json:"toFile"` // all accounts; the UI re-reads its own with Filing.Count
	Progress *RefileProgressDTO `json:"progress,omitempty"`
}

// RefileProgressDTO is a re-file: of all mail (kind all: Settings → Email filing, with
// Stop) or of the mail of changed records (kind records: the app's progress line).
type RefileProgressDTO struct {
	Kind      string `json:"kind"` // one of FILING_PROGRESS_KINDS
	Running   bool   `json:"running"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`   // 0 until the messages to file are known
	Records   int    `json:"records"` // kind records: how many records changed
	Cancelled bool   `json:"cancelled"`
}

// ToFilePageDTO is a page of "To file".
type ToFilePageDTO struct {
	Groups []CorrespondentDTO `json:"groups"`
	Total  int                `json:"total"` // correspondents
}

// CorrespondentDTO is an external address whose mail matches no record.
type CorrespondentDTO struct {
	Email    string       `json:"email"`
	Name     string       `json:"name"` // prefills "create a contact"
	Domain   string       `json:"domain"`
	Freemail bool         `json:"freemail"` // no "create a company from the domain"
	Count    int          `json:"count"`
	Latest   string       `json:"latest"` // RFC 3339
	Messages []MailRowDTO `json:"messages"`
}

// MessageRecordsDTO is what a message is filed to, and what it may be.
type MessageRecordsDTO struct {
	Links       []FiledLinkDTO  `json:"links"`
	Suggestions []SuggestionDTO `json:"suggestions"`
}

// FiledLinkDTO is a record a message is filed to; origin is auto, manual or sent.
type FiledLinkDTO struct {
	RecordID int64  `json:"recordId"`
	TypeID   int64  `json:"typeId"`
	Title    string `json:"title"`
	Origin   string `json:"origin"`
}

// SuggestionDTO is an open record to confirm (Filing.FileTo), best first.
type SuggestionDTO struct {
	RecordID int64  `json:"recordId"`
	TypeID   int64  `json:"typeId"`
	Title    string `json:"title"`
	Score    int    `json:"score"`
}

// TimelinePageDTO is a page of a record's timeline.
type TimelinePageDTO struct {
	Threads []ThreadDTO `json:"threads"`
	Total   int         `json:"total"` // threads
}

// ThreadDTO is one conversation filed to a record, newest message first.
type ThreadDTO struct {
	Latest   string               `json:"latest"` // RFC 3339
	Messages []TimelineMessageDTO `json:"messages"`
}

// TimelineMessageDTO is a message of a timeline with how it was filed.
type TimelineMessageDTO struct {
	Row    MailRowDTO `json:"row"`
	Origin string     `json:"origin"` // auto, manual or sent
}

// IgnoredDTO is an address or a domain set aside in "To file".
type IgnoredDTO struct {
	Value string `json:"value"`
	Kind  string `json:"kind"` // address or domain
	At    string `json:"at"`   // RFC 3339
}

// FilingSettingsDTO is the admins' filing settings.
type FilingSettingsDTO struct {
	Types    []FiledTypeDTO       `json:"types"`
	Domains  []DomainExceptionDTO `json:"domains"`
	Progress RefileProgressDTO    `json:"progress"`
}

// FiledTypeDTO is a type filed through its contacts and companies: the open condition
// (openFieldId 0: every record is open; openOp one of FILING_OPS) and the key field looked
// for in messages (0: the title only).
type FiledTypeDTO struct {
	TypeID      int64  `json:"typeId"`
	OpenFieldID int64  `json:"openFieldId"`
	OpenOp      string `json:"openOp"`
	OpenValue   string `json:"openValue"`
	KeyFieldID  int64  `json:"keyFieldId"`
}

// DomainExceptionDTO is an exception to the free-mail list: free true treats the domain as
// free-mail; listed says whether the shipped list names it.
type DomainExceptionDTO struct {
	Domain string `json:"domain"`
	Free   bool   `json:"free"`
	Listed bool   `json:"listed"`
}
