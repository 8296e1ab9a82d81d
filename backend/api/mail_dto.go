package api

import (
	"math"
	"time"

	"mailroom/backend/mailbox"
	"mailroom/backend/syncer"
)

// MailQueryDTO selects messages for the inbox list.
type MailQueryDTO struct {
	AccountID  int64  `json:"accountId"`  // 0: every account the user may see
	FolderRole string `json:"folderRole"` // inbox | sent | … ; "" with FolderID 0: every synced folder
	FolderID   int64  `json:"folderId"`
	Unread     bool   `json:"unread"`
	Flagged    bool   `json:"flagged"`
	Search     string `json:"search"`
	Cursor     string `json:"cursor"` // "" for the first page; else the previous page's Next
	Limit      int    `json:"limit"`
}

// MailRowDTO is one line of the list.
type MailRowDTO struct {
	ID             int64  `json:"id"`
	AccountID      int64  `json:"accountId"`
	FolderID       int64  `json:"folderId"`
	FolderRole     string `json:"folderRole"`
	FromName       string `json:"fromName"`
	FromEmail      string `json:"fromEmail"`
	ToName         string `json:"toName"` // the first To address (the Sent list shows it)
	ToEmail        string `json:"toEmail"`
	Recipients     int    `json:"recipients"` // To and Cc addresses
	Subject        string `json:"subject"`
	Snippet        string `json:"snippet"`
	Date           string `json:"date"` // RFC 3339
	Seen           bool   `json:"seen"`
	Flagged        bool   `json:"flagged"`
	Answered       bool   `json:"answered"`
	HasAttachments bool   `json:"hasAttachments"`
	Handled        bool   `json:"handled"`     // marked handled, here or on another workstation
	SharedFiled    bool   `json:"sharedFiled"` // the shared mailbox says filed (here or on another workstation)
}

func mailRowDTO(r mailbox.Row) MailRowDTO {
	return MailRowDTO{ID: r.ID, AccountID: r.AccountID, FolderID: r.FolderID, FolderRole: r.FolderRole,
		FromName: r.FromName, FromEmail: r.FromEmail, ToName: r.ToName, ToEmail: r.ToEmail, Recipients: r.Recipients,
		Subject: r.Subject, Snippet: r.Snippet,
		Date: r.Date.Format(time.RFC3339), Seen: r.Seen, Flagged: r.Flagged, Answered: r.Answered, HasAttachments: r.HasAttachments,
		Handled: r.Handled, SharedFiled: r.SharedFiled}
}

// MailPageDTO is a page of the list; Next is "" on the last page.
type MailPageDTO struct {
	Rows []MailRowDTO `json:"rows"`
	Next string       `json:"next"`
}

// FolderDTO is a synced (or syncable) folder with its counts.
type FolderDTO struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"accountId"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Enabled   bool   `json:"enabled"`
	Total     int    `json:"total"`
	Unread    int    `json:"unread"`
	LastSync  string `json:"lastSync"`
}

func folderDTO(f mailbox.Folder) FolderDTO {
	d := FolderDTO{ID: f.ID, AccountID: f.AccountID, Name: f.Name, Role: f.Role, Enabled: f.Enabled, Total: f.Total, Unread: f.Unread}
	if !f.LastSync.IsZero() {
		d.LastSync = f.LastSync.Format(time.RFC3339)
	}
	return d
}

// AddressDTO is a name and an address.
type AddressDTO struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func addressDTOs(as []mailbox.Address) []AddressDTO {
	out := make([]AddressDTO, 0, len(as))
	for _, a := range as {
		out = append(out, AddressDTO{Name: a.Name, Email: a.Email})
	}
	return out
}

// AttachmentDTO describes an attachment; its content is fetched when saved.
type AttachmentDTO struct {
	PartPath    string `json:"partPath"`
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline"`
}

// MessageViewDTO is a message ready to show. Document is a complete HTML document for a
// sandboxed iframe's srcdoc (no scripts, no same-origin): sanitised in Go, under a strict
// Content-Security-Policy, remote images blocked unless allowed.
type MessageViewDTO struct {
	MailRowDTO
	FolderName    string          `json:"folderName"`
	MessageID     string          `json:"messageId"`
	From          []AddressDTO    `json:"from"`
	ReplyTo       []AddressDTO    `json:"replyTo"`
	To            []AddressDTO    `json:"to"`
	Cc            []AddressDTO    `json:"cc"`
	Attachments   []AttachmentDTO `json:"attachments"`
	Problems      []string        `json:"problems"`
	BodyState     string          `json:"bodyState"` // none (not fetched yet) | done | failed
	IsHTML        bool            `json:"isHtml"`
	Document      string          `json:"document"`
	RemoteImages  int             `json:"remoteImages"`  // remote images in the message
	RemoteBlocked bool            `json:"remoteBlocked"` // they are blocked in Document
	RemoteAlways  bool            `json:"remoteAlways"`  // the sender is always allowed
}

// SyncStatusDTO is an account's sync state (also the "sync:progress" event).
type SyncStatusDTO struct {
	AccountID int64  `json:"accountId"`
	Folder    string `json:"folder"`
	Phase     string `json:"phase"` // connecting | headers | bodies | idle | error | stopped
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	// Error is the failure with phase error (its reason, params and the server's words);
	// RetryIn the seconds until the next try (0: none until the user syncs again).
	Error   *FailureDTO `json:"error"`
	RetryIn int         `json:"retryIn"`
	// Cancelled (phase idle): the user cancelled the sync.
	Cancelled bool `json:"cancelled"`
	// Seq grows with each state the engine records: of two states of an account, the UI
	// keeps the one with the higher Seq, whatever order they arrive in.
	Seq uint64 `json:"seq"`
}

func syncStatusDTO(e syncer.Event) SyncStatusDTO {
	d := SyncStatusDTO{AccountID: e.AccountID, Folder: e.Folder, Phase: string(e.Phase), Done: e.Done, Total: e.Total,
		RetryIn: int(math.Ceil(e.RetryIn.Seconds())), Cancelled: e.Cancelled, Seq: e.Seq}
	if e.Err != nil {
		d.Error = faultFailureDTO(e.Err)
	}
	return d
}

// DraftDTO is a reply or forward prepared from a message, for the composer.
type DraftDTO struct {
	AccountID  int64        `json:"accountId"`
	To         []AddressDTO `json:"to"`
	Cc         []AddressDTO `json:"cc"`
	Subject    string       `json:"subject"`
	Text       string       `json:"text"`       // the quoted original, as text
	QuotedHTML string       `json:"quotedHtml"` // the quoted original, sanitised HTML (shown only in the sandboxed frame)
	InReplyTo  string       `json:"inReplyTo"`
	References []string     `json:"references"`
}

// SendInput is a message written in the composer.
type SendInput struct {
	AccountID  int64        `json:"accountId"`
	To         []AddressDTO `json:"to"`
	Cc         []AddressDTO `json:"cc"`
	Bcc        []AddressDTO `json:"bcc"`
	Subject    string       `json:"subject"`
	Text       string       `json:"text"`
	QuotedHTML string       `json:"quotedHtml"` // re-sanitised before sending
	QuotedText string       `json:"quotedText"` // the quote's text version, for the text part (with QuotedHTML)
	InReplyTo  string       `json:"inReplyTo"`
	References []string     `json:"references"`
	// SignatureID is the signature of the account chosen in the composer (0: none),
	// rendered with the sending user's profile when the message is written.
	SignatureID int64 `json:"signatureId"`
}

// SentDTO says a message is queued: committed to the outbox, to be sent by the account's
// worker (follow it with Outbox.Get and the outbox:changed event).
type SentDTO struct {
	OutboxID  int64  `json:"outboxId"`
	MessageID string `json:"messageId"` // without <>
	State     string `json:"state"`     // "queued"
}
