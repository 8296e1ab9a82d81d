package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// problems collects what Parse repaired, at most maxProblems of them.
type problems struct {
	list []Problem
	seen map[string]bool
}

func (p *problems) add(code, part, detail string) {
	key := code + "\x00" + part + "\x00" + detail
	if p.seen[key] || len(p.list) >= maxProblems {
		return
	}
	if p.seen == nil {
		p.seen = make(map[string]bool)
	}
	p.seen[key] = true
	p.list = append(p.list, Problem{Code: code, Part: part, Detail: detail})
}

// readLine reads one line from br, up to and including '\n'. It keeps at most
// max bytes of it (over reports a longer line) but always consumes the whole
// line, so a single huge line costs no memory. n counts the bytes consumed.
func readLine(br *bufio.Reader, max int) (line []byte, n int, over bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if !over {
			if len(line)+len(chunk) > max {
				over, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, n, over, err
	}
}

// trimEOL removes a trailing "\n" and any "\r" before it.
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimRight(b, "\r")
}

func validHeaderKey(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	for _, c := range k {
		if c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// Bounds of one header block beyond its size: a block of tiny fields would
// otherwise cost far more memory than its bytes, and a field listing
// thousands of addresses or references is of no use to anyone.
const (
	maxHeaderFields = 1000 // fields kept per header block
	maxAddresses    = 1000 // addresses kept per address field
	maxReferences   = 500  // message ids kept from References: the first and the latest
)

// readHeader reads one header block, up to its blank line, leniently: lines
// that are not fields are skipped with a problem, a block larger than
// maxBytes is cut, and the rest of it skipped. It returns the fields as a
// go-message header in which Get returns the first occurrence, and how many
// fields it kept.
func readHeader(br *bufio.Reader, maxBytes int, top bool, probs *problems, part string) (textproto.Header, int, error) {
	var fields [][]byte
	var cur []byte
	flush := func() {
		if cur != nil {
			fields = append(fields, cur)
			cur = nil
		}
	}
	used, skipping, first := 0, false, true
	for {
		// While skipping, lines are read only to find the blank one.
		line, n, over, err := readLine(br, max(maxBytes-used+1, len("\r\n")))
		if n == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				return textproto.Header{}, 0, err
			}
			break
		}
		body := trimEOL(line)
		if !over && len(body) == 0 {
			break // the blank line that ends the block
		}
		if skipping {
			if err != nil {
				break
			}
			continue
		}
		used += n
		if over || used > maxBytes {
			probs.add(ProblemHeaderTooLarge, part, fmt.Sprintf("header block larger than %d bytes; the rest of it was skipped", maxBytes))
			flush()
			skipping = true
			if err != nil {
				break
			}
			continue
		}
		if len(fields) >= maxHeaderFields {
			probs.add(ProblemHeaderTooLarge, part, fmt.Sprintf("more than %d header fields; the rest were skipped", maxHeaderFields))
			skipping = true
			if err != nil {
				break
			}
			continue
		}
		isFirst := first
		first = false
		switch {
		case body[0] == ' ' || body[0] == '\t':
			if cur == nil {
				probs.add(ProblemBadHeader, part, "continuation line without a field")
			} else {
				cur = append(append(cur, body...), '\r', '\n')
			}
		case top && isFirst && bytes.HasPrefix(body, []byte("From ")):
			// An mbox separator line: not part of the message.
		default:
			flush()
			colon := bytes.IndexByte(body, ':')
			if colon < 0 {
				probs.add(ProblemBadHeader, part, fmt.Sprintf("line without a colon: %q", clip(string(body), 40)))
				break
			}
			if !validHeaderKey(bytes.TrimRight(body[:colon], " \t")) {
				probs.add(ProblemBadHeader, part, fmt.Sprintf("invalid field name: %q", clip(string(body[:colon]), 40)))
				break
			}
			cur = append(append([]byte(nil), body...), '\r', '\n')
		}
		if err != nil {
			break
		}
	}
	flush()
	var h textproto.Header
	// AddRaw appends and Get returns the field added last: add in reverse so
	// that Get returns the first field of a name, as mail clients show.
	for i := len(fields) - 1; i >= 0; i-- {
		h.AddRaw(fields[i])
	}
	return h, len(fields), nil
}

// clip shortens s to at most n bytes on a rune boundary, for details.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// cp1252 maps the bytes 0x80–0x9F of Windows-1252; the other bytes map to
// the code point of the same value (ISO-8859-1). Undefined ones map to U+FFFD.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

func latin1Rune(b byte) rune {
	if b >= 0x80 && b < 0xA0 {
		return cp1252[b-0x80]
	}
	return rune(b)
}

// fixUTF8 returns s as valid UTF-8: valid sequences are kept and every byte
// that is not part of one is read as Windows-1252, which is what 8-bit mail
// without a charset nearly always is. changed reports a repair.
func fixUTF8(s string) (fixed string, changed bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(latin1Rune(s[i]))
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String(), true
}

// FixHeaderText returns a header value as valid UTF-8 the way the parser reads one: valid
// UTF-8 is kept, and every other byte is read as Windows-1252. An IMAP server's ENVELOPE
// passes raw 8-bit headers through undecoded, so the sync repairs them with this.
func FixHeaderText(s string) string {
	fixed, _ := fixUTF8(s)
	return fixed
}

// cleanLine makes a decoded header value fit one line: control characters
// become spaces, NULs go, and the ends are trimmed.
func cleanLine(s string) (string, bool) {
	hadNUL := false
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 0:
			hadNUL = true
			return -1
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029':
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s), hadNUL
}

// headerDecoder decodes header values and records what it had to repair.
type headerDecoder struct {
	probs *problems
	part  string
}

// lenientCharsetReader never fails: an unknown charset leaves the bytes as
// they are (fixUTF8 repairs them later) and sets *unknown.
func lenientCharsetReader(unknown *string) func(string, io.Reader) (io.Reader, error) {
	return func(cs string, in io.Reader) (io.Reader, error) {
		r, err := charset.Reader(cs, in)
		if err != nil || r == nil {
			*unknown = cs
			return in, nil //nolint:nilerr // by design: an unknown charset keeps the bytes, fixUTF8 repairs them
		}
		return r, nil
	}
}

// text decodes the value of field name: raw 8-bit bytes, RFC 2047 encoded
// words, control characters.
func (d headerDecoder) text(name, raw string) string {
	s, changed := fixUTF8(raw)
	if changed {
		d.probs.add(Problem8BitHeader, d.part, name+": bytes that are not UTF-8 read as Windows-1252")
	}
	s = d.words(name, s)
	s, nul := cleanLine(s)
	if nul {
		d.probs.add(ProblemNULByte, d.part, name+": NUL bytes removed")
	}
	return s
}

// words decodes RFC 2047 encoded words in s, which is valid UTF-8.
func (d headerDecoder) words(name, s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var unknown string
	dec := mime.WordDecoder{CharsetReader: lenientCharsetReader(&unknown)}
	out, err := dec.DecodeHeader(s)
	if err != nil {
		d.probs.add(ProblemBadHeaderEncoding, d.part, name+": "+err.Error())
		return s
	}
	fixed, changed := fixUTF8(out)
	switch {
	case unknown != "":
		d.probs.add(ProblemBadHeaderEncoding, d.part, fmt.Sprintf("%s: unknown charset %q; read as UTF-8 or Windows-1252", name, clip(unknown, 40)))
	case changed:
		d.probs.add(ProblemBadHeaderEncoding, d.part, name+": encoded word with bytes invalid in its charset; read as Windows-1252")
	}
	out = fixed
	return out
}

// singleFields may appear once in a message (RFC 5322 section 3.6).
var singleFields = []string{"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-Id", "In-Reply-To", "References", "Subject"}

// fillHeader sets the header fields of m from h.
func fillHeader(m *Message, h textproto.Header, probs *problems) {
	d := headerDecoder{probs: probs}
	mh := mail.Header{}
	mh.Header.Header = h

	for _, k := range singleFields {
		if len(h.Values(k)) > 1 {
			probs.add(ProblemDuplicateHeader, "", k+" appears more than once; the first is used")
		}
	}

	m.Subject = d.text("Subject", h.Get("Subject"))

	m.From = d.addresses("From", h.Get("From"))
	m.Sender = d.addresses("Sender", h.Get("Sender"))
	m.ReplyTo = d.addresses("Reply-To", h.Get("Reply-To"))
	m.To = d.addresses("To", h.Get("To"))
	m.Cc = d.addresses("Cc", h.Get("Cc"))
	m.Bcc = d.addresses("Bcc", h.Get("Bcc"))
	m.Bulk = IsBulk(h.Get)

	m.MessageID = d.messageID(mh)
	if ids := d.idList(mh, "In-Reply-To"); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = d.idList(mh, "References")
	if n := len(m.References); n > maxReferences {
		m.References = append(m.References[:1], m.References[n-(maxReferences-1):]...)
	}

	raw := h.Get("Date")
	switch {
	case strings.TrimSpace(raw) == "":
		probs.add(ProblemMissingDate, "", "no Date header")
	default:
		t, err := parseDate(raw)
		if err != nil {
			probs.add(ProblemBadDate, "", fmt.Sprintf("cannot read Date %q", clip(raw, 60)))
		} else {
			m.Date = t
		}
	}
}

// dateLayouts are formats seen in the wild that net/mail does not read.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 MST",
	"Mon, 2-Jan-2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	time.RFC3339,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
}

// commonDate is RFC 5322's date with a day of the week, a numeric zone and seconds.
const commonDate = "Mon, 2 Jan 2006 15:04:05 -0700"

var dateComment = regexp.MustCompile(`\s*\([^()]*\)\s*$`)

func parseDate(raw string) (time.Time, error) {
	s, _ := fixUTF8(raw)
	s, _ = cleanLine(s)
	// The form nearly every mailer writes first: net/mail tries its 48 layouts in turn, those
	// with a day of the week last, and each miss allocates an error — 3% of a sync's CPU on
	// ordinary mail. What this layout reads, net/mail reads the same.
	if t, err := time.Parse(commonDate, s); err == nil {
		return t, nil
	}
	mh := mail.Header{}
	mh.Set("Date", s)
	if t, err := mh.Date(); err == nil {
		return t, nil
	}
	s = strings.Join(strings.Fields(dateComment.ReplaceAllString(s, "")), " ")
	s = strings.TrimSuffix(s, " GMT+0000")
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown date format")
}

var angleID = regexp.MustCompile(`<([^<>\s]+)>`)

func (d headerDecoder) messageID(mh mail.Header) string {
	raw := mh.Get("Message-Id")
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	if id, err := mh.MessageID(); err == nil && utf8.ValidString(id) {
		return id
	}
	d.probs.add(ProblemBadMessageID, "", fmt.Sprintf("Message-ID %q is not <left@right>", clip(raw, 60)))
	s, _ := fixUTF8(raw)
	s, _ = cleanLine(s)
	if m := angleID.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if f := strings.Fields(s); len(f) > 0 {
		return strings.Trim(f[0], "<>")
	}
	return ""
}

// idList reads In-Reply-To or References; unreadable ones are read leniently
// without a problem, as clients mangle them often and threading copes.
func (d headerDecoder) idList(mh mail.Header, key string) []string {
	raw := mh.Get(key)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	if ids, err := mh.MsgIDList(key); err == nil && len(ids) > 0 {
		valid := true
		for _, id := range ids {
			valid = valid && utf8.ValidString(id)
		}
		if valid {
			return ids
		}
	}
	s, _ := fixUTF8(raw)
	s, _ = cleanLine(s)
	var ids []string
	for _, m := range angleID.FindAllStringSubmatch(s, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		for _, f := range strings.Fields(s) {
			if strings.Contains(f, "@") {
				ids = append(ids, strings.Trim(f, "<>,"))
			}
		}
	}
	return ids
}

// addresses reads an address list: with go-message's RFC 5322 parser (which
// decodes encoded words), else leniently, with a problem.
func (d headerDecoder) addresses(name, raw string) []Address {
	l := d.addressList(name, raw)
	if len(l) > maxAddresses {
		d.probs.add(ProblemBadAddress, "", fmt.Sprintf("%s: more than %d addresses; the rest were dropped", name, maxAddresses))
		l = l[:maxAddresses]
	}
	return l
}

func (d headerDecoder) addressList(name, raw string) []Address {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	s, changed := fixUTF8(raw)
	if changed {
		d.probs.add(Problem8BitHeader, "", name+": bytes that are not UTF-8 read as Windows-1252")
	}
	if strings.IndexByte(s, 0) >= 0 {
		d.probs.add(ProblemNULByte, "", name+": NUL bytes removed")
		s = strings.ReplaceAll(s, "\x00", "")
	}
	// net/mail's RFC 5322 parser, as go-message's mail.ParseAddressList
	// uses, with a charset reader that does not fail on unknown charsets.
	var unknown string
	parser := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: lenientCharsetReader(&unknown)}}
	list, err := parser.ParseList(s)
	if unknown != "" {
		d.probs.add(ProblemBadHeaderEncoding, "", fmt.Sprintf("%s: unknown charset %q", name, clip(unknown, 40)))
	}
	if err == nil {
		var out []Address
		for _, a := range list {
			out = append(out, d.address(name, a.Name, a.Address))
		}
		return out
	}
	d.probs.add(ProblemBadAddress, "", fmt.Sprintf("%s: %v; read leniently", name, err))
	return d.lenientAddresses(name, s)
}

func (d headerDecoder) address(field, name, email string) Address {
	if strings.Contains(name, "=?") {
		name = d.words(field, name)
	}
	name, _ = fixUTF8(name)
	name, _ = cleanLine(name)
	email, _ = fixUTF8(email)
	email, _ = cleanLine(email)
	email = strings.Trim(email, "<> ")
	if strings.EqualFold(strings.Trim(name, `"' `), email) {
		name = ""
	}
	return Address{Name: strings.Trim(name, `"`), Email: email}
}

// lenientAddresses splits s on commas outside quotes, comments and angle
// brackets, and reads each piece as "name <email>" or a bare address.
func (d headerDecoder) lenientAddresses(field, s string) []Address {
	var pieces []string
	var cur strings.Builder
	inQuote, comment := false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			i++
			c = s[i]
		case c == '"' && comment == 0:
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			comment++
		case c == ')' && comment > 0:
			comment--
		case (c == ',' || c == ';') && comment == 0:
			// Also inside an unclosed "<": commas there are a broken list,
			// not the obsolete route syntax.
			pieces = append(pieces, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	pieces = append(pieces, cur.String())

	var out []Address
	for _, p := range pieces {
		p = strings.TrimSpace(p)
		// A group "name: a, b;" — drop the group name.
		if i := strings.IndexByte(p, ':'); i >= 0 && !strings.ContainsAny(p[:i], `"<@`) {
			p = strings.TrimSpace(p[i+1:])
		}
		if p == "" {
			continue
		}
		var name, email string
		if lt := strings.LastIndexByte(p, '<'); lt >= 0 {
			email = p[lt+1:]
			if gt := strings.IndexByte(email, '>'); gt >= 0 {
				email = email[:gt]
			}
			name = strings.TrimSpace(p[:lt])
		} else {
			var emails []string
			for _, f := range strings.Fields(p) {
				if strings.Contains(f, "@") {
					emails = append(emails, f)
				}
			}
			switch len(emails) {
			case 0:
				continue
			case 1:
				email = emails[0]
				name = strings.TrimSpace(strings.Replace(p, email, "", 1))
				name = strings.TrimSpace(strings.Trim(name, "()"))
			default: // "a@example.com b@example.com": a missing comma
				for _, e := range emails {
					if a := d.address(field, "", e); a.Email != "" {
						out = append(out, a)
					}
				}
				continue
			}
		}
		name = strings.ReplaceAll(strings.Trim(name, `"`), `\"`, `"`)
		a := d.address(field, name, email)
		if a.Email == "" && a.Name == "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// mediaType parses a Content-Type or Content-Disposition value. When
// mime.ParseMediaType refuses it, the value is read leniently and bad is true.
func parseMediaType(v string) (mt string, params map[string]string, bad bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}, false
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return strings.ToLower(mt), params, false
	}
	// Lenient: "type/subtype; a=b; c="d;e"" with duplicates, stray
	// characters, missing quotes.
	params = map[string]string{}
	fields := splitParams(v)
	mt, _ = fixUTF8(fields[0])
	mt, _ = cleanLine(mt)
	mt = strings.ToLower(mt)
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		k = strings.TrimSuffix(k, "*")
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = strings.ReplaceAll(val[1:len(val)-1], `\"`, `"`)
		} else if strings.Contains(val, "''") && strings.Count(val, "'") >= 2 {
			// RFC 2231 extended value: charset'lang'percent-encoded
			parts := strings.SplitN(val, "'", 3)
			if dec, err := percentDecode(parts[2]); err == nil {
				val = dec
			}
		}
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	return mt, params, true
}

func splitParams(v string) []string {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '"' {
			inQuote = !inQuote
		}
		if c == ';' && !inQuote {
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, cur.String())
}

func percentDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// maxFilenameBytes bounds an attachment's file name.
const maxFilenameBytes = 255

// cleanFilename keeps the base name of a file name from a header: encoded
// words decoded, no directories, no control characters.
func (d headerDecoder) cleanFilename(name string) string {
	name, _ = fixUTF8(name)
	if strings.Contains(name, "=?") {
		name = d.words("filename", name)
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return clipNoEllipsis(name, maxFilenameBytes)
}

func clipNoEllipsis(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// IsBulk reports whether the header fields get returns mark a list or automated message:
// List-Id or List-Unsubscribe present (RFC 2919, 2369), Precedence bulk, list or junk, or
// Auto-Submitted other than "no" (RFC 3834).
func IsBulk(get func(key string) string) bool {
	if strings.TrimSpace(get("List-Id")) != "" || strings.TrimSpace(get("List-Unsubscribe")) != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(get("Precedence"))) {
	case "bulk", "list", "junk":
		return true
	}
	as := strings.ToLower(strings.TrimSpace(get("Auto-Submitted")))
	if i := strings.IndexByte(as, ';'); i >= 0 { // parameters: auto-replied; owner-email=…
		as = strings.TrimSpace(as[:i])
	}
	return as != "" && as != "no"
}
