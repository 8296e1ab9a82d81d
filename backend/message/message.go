package message

import (
	"errors"
	"time"
)

// Default limits of Parse. Each bounds the memory or time one hostile message
// can cost.
const (
	DefaultMaxSize        = 50 << 20 // bytes of raw message read, at most
	DefaultMaxHeaderBytes = 1 << 20  // bytes of one header block (message or part)
	DefaultMaxDepth       = 20       // levels of nested multiparts
	DefaultMaxParts       = 500      // MIME parts in one message
	DefaultMaxTextBytes   = 8 << 20  // bytes of Text, and of HTML, kept
)

// Limits bounds what Parse reads and keeps. A zero field takes its default.
type Limits struct {
	MaxSize        int64 // bytes of raw message read from the reader, at most
	MaxHeaderBytes int   // bytes of one header block; the rest of that block is skipped
	MaxDepth       int   // levels of nested multiparts; deeper ones are skipped
	MaxParts       int   // MIME parts read; later ones are skipped
	MaxTextBytes   int   // bytes of decoded Text, and of HTML, kept; the rest is cut
}

// DefaultLimits suits a desktop mail client: 50 MiB messages, 20 levels of
// nesting, 500 parts, 1 MiB of header per block, 8 MiB of text and of HTML.
var DefaultLimits = Limits{
	MaxSize:        DefaultMaxSize,
	MaxHeaderBytes: DefaultMaxHeaderBytes,
	MaxDepth:       DefaultMaxDepth,
	MaxParts:       DefaultMaxParts,
	MaxTextBytes:   DefaultMaxTextBytes,
}

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = DefaultMaxTextBytes
	}
	return l
}

// Message is what Parse read from a raw message. Every string is valid UTF-8.
type Message struct {
	MessageID  string    `json:"messageId"`  // without angle brackets
	InReplyTo  string    `json:"inReplyTo"`  // first id of In-Reply-To, without angle brackets
	References []string  `json:"references"` // oldest first, without angle brackets
	Subject    string    `json:"subject"`
	Date       time.Time `json:"date"` // zero when absent or unreadable (with a Problem)

	From    []Address `json:"from"`
	Sender  []Address `json:"sender"`
	ReplyTo []Address `json:"replyTo"`
	To      []Address `json:"to"`
	Cc      []Address `json:"cc"`
	Bcc     []Address `json:"bcc"`

	// Bulk: a list or automated message (List-Id, List-Unsubscribe, Precedence bulk, list
	// or junk, Auto-Submitted other than "no"). Filing never offers it in "To file".
	Bulk bool `json:"bulk"`

	// Text is the text/plain body decoded to UTF-8; when the message has only
	// HTML, a plain-text rendering of it. For search and previews.
	Text string `json:"text"`
	// HTML is the text/html body decoded to UTF-8. It is NOT safe to show:
	// pass it through Sanitize.
	HTML string `json:"html"`

	Attachments []Attachment `json:"attachments"`
	Problems    []Problem    `json:"problems"`

	Size int64 `json:"size"` // bytes read from the reader
}

// Address is one mailbox of an address header.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// String formats the address for display: "Name <email>" or "email".
func (a Address) String() string {
	if a.Name == "" {
		return a.Email
	}
	if a.Email == "" {
		return a.Name
	}
	return a.Name + " <" + a.Email + ">"
}

// Attachment describes a part that is not shown as the body: a file, an
// inline image, a forwarded message.
type Attachment struct {
	PartPath    string `json:"partPath"`    // IMAP part number: "2", "1.2"
	Filename    string `json:"filename"`    // base name only; may be empty
	ContentType string `json:"contentType"` // lower-case media type, no parameters
	Size        int64  `json:"size"`        // decoded bytes
	ContentID   string `json:"contentId"`   // without angle brackets; "cid:" URLs refer to it
	Inline      bool   `json:"inline"`      // meant to be shown within the body
}

// Problem is one defect Parse found and worked around.
type Problem struct {
	Code   string `json:"code"`   // one of the Problem* constants
	Part   string `json:"part"`   // IMAP part number; "" for the message header
	Detail string `json:"detail"` // for logs and support, in English
}

// Problem codes. They are stable: the store and the UI may key on them.
const (
	ProblemTooLarge          = "too_large"           // the message is larger than MaxSize; the rest was not read
	ProblemTruncated         = "truncated"           // the input ended inside a multipart or an encoded body
	ProblemHeaderTooLarge    = "header_too_large"    // a header block is larger than MaxHeaderBytes; the rest was skipped
	ProblemBadHeader         = "bad_header"          // a header line is not "Name: value"; it was skipped
	ProblemDuplicateHeader   = "duplicate_header"    // a header that must appear once appears again; the first wins
	Problem8BitHeader        = "8bit_header"         // a header holds bytes that are not UTF-8; read as Windows-1252
	ProblemBadHeaderEncoding = "bad_header_encoding" // an RFC 2047 encoded word has an unknown charset or bad bytes
	ProblemBadAddress        = "bad_address"         // an address list is not RFC 5322; read leniently
	ProblemBadDate           = "bad_date"            // the Date header cannot be read
	ProblemMissingDate       = "missing_date"        // there is no Date header
	ProblemBadMessageID      = "bad_message_id"      // the Message-ID is not <left@right>; kept as written
	ProblemBadContentType    = "bad_content_type"    // a Content-Type or Content-Disposition cannot be parsed
	ProblemBrokenBoundary    = "broken_boundary"     // a multipart has no usable boundary or stray lines between parts
	ProblemTooDeep           = "too_deep"            // multiparts nest deeper than MaxDepth; the deeper ones were skipped
	ProblemTooManyParts      = "too_many_parts"      // more than MaxParts parts; the rest were skipped
	ProblemBadEncoding       = "bad_encoding"        // a base64 or quoted-printable body is malformed, or the encoding is unknown
	ProblemBadCharset        = "bad_charset"         // a body's charset is unknown, absent with 8-bit text, or wrong
	ProblemBodyTooLarge      = "body_too_large"      // Text or HTML is longer than MaxTextBytes; it was cut
	ProblemBadLineEndings    = "bad_line_endings"    // lines end with a bare CR
	ProblemNULByte           = "nul_byte"            // NUL bytes were removed from a header or body
)

// Problems lists every problem code.
var Problems = []string{ProblemTooLarge, ProblemTruncated, ProblemHeaderTooLarge, ProblemBadHeader,
	ProblemDuplicateHeader, Problem8BitHeader, ProblemBadHeaderEncoding, ProblemBadAddress, ProblemBadDate,
	ProblemMissingDate, ProblemBadMessageID, ProblemBadContentType, ProblemBrokenBoundary, ProblemTooDeep,
	ProblemTooManyParts, ProblemBadEncoding, ProblemBadCharset, ProblemBodyTooLarge, ProblemBadLineEndings,
	ProblemNULByte}

// maxProblems bounds the list of problems of one message: a message with
// thousands of broken parts still costs a bounded record.
const maxProblems = 100

// Errors of Parse. They are wrapped with the operation.
var (
	// ErrEmpty means the input holds no bytes at all.
	ErrEmpty = errors.New("empty input")
	// ErrNotMessage means the input does not start with a single header field.
	ErrNotMessage = errors.New("not an email message: no header field found")
	// ErrPartNotFound means ExtractPart found no part with that number.
	ErrPartNotFound = errors.New("part not found")
)
