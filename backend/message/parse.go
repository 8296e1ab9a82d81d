package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-message/textproto"
)

// readBufferBytes is the read buffer of the message; crProbeBytes of it are
// looked at to detect lines ending in a bare CR.
const (
	readBufferBytes = 64 << 10
	crProbeBytes    = 16 << 10
)

// Read buffers are reused from one message to the next: a fresh one per
// message would be allocated and zeroed each time, whatever the message's size.
var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufferBytes) }}
	partPool   = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, partBufferBytes) }}
)

// reader returns a pooled reader of size bytes (readBufferBytes or
// partBufferBytes) over r; release gives it back.
func (w *walker) reader(r io.Reader, size int) *bufio.Reader {
	pool := &readerPool
	if size == partBufferBytes {
		pool = &partPool
	}
	br := pool.Get().(*bufio.Reader)
	br.Reset(r)
	w.pooled = append(w.pooled, br)
	return br
}

// release gives the walker's read buffers back; nothing of the message
// refers to them.
func (w *walker) release() {
	for _, br := range w.pooled {
		br.Reset(nil)
		if br.Size() == partBufferBytes {
			partPool.Put(br)
		} else {
			readerPool.Put(br)
		}
	}
	w.pooled = nil
}

// Parse reads a whole RFC 5322 message from r. It reads at most lim.MaxSize
// bytes, repairs what it can and records each repair in Message.Problems. It
// returns an error only when the input yields nothing usable (ErrEmpty,
// ErrNotMessage) or when r fails; then the message is nil.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	w, err := newWalker(r, lim)
	if err != nil {
		return nil, fmt.Errorf("message: parse: %w", err)
	}
	defer w.release()
	if err := w.run(); err != nil {
		return nil, fmt.Errorf("message: parse: %w", err)
	}
	return w.msg, nil
}

// ParseHeader reads only the header block of a message: the fields of
// Message that come from it, and its problems. It suits a header fetched
// alone (BODY.PEEK[HEADER]), whose missing body is no defect.
func ParseHeader(r io.Reader, lim Limits) (*Message, error) {
	w, err := newWalker(r, lim)
	if err != nil {
		return nil, fmt.Errorf("message: parse header: %w", err)
	}
	defer w.release()
	fillHeader(w.msg, w.header, &w.probs)
	if w.src.err != nil {
		return nil, fmt.Errorf("message: parse header: %w", w.src.err)
	}
	w.msg.Size = w.src.n
	w.msg.Problems = w.probs.list
	return w.msg, nil
}

// ExtractPart writes the decoded content of the part numbered path (IMAP
// numbering, as in Attachment.PartPath) of the raw message r to out: transfer
// encoding removed, charset untouched. It returns the part's description.
func ExtractPart(r io.Reader, path string, lim Limits, out io.Writer) (Attachment, error) {
	want, err := parsePartPath(path)
	if err != nil {
		return Attachment{}, fmt.Errorf("message: extract part %q: %w", path, err)
	}
	w, err := newWalker(r, lim)
	if err != nil {
		return Attachment{}, fmt.Errorf("message: extract part %q: %w", path, err)
	}
	defer w.release()
	w.want, w.out = want, out
	if err := w.run(); err != nil {
		return Attachment{}, fmt.Errorf("message: extract part %q: %w", path, err)
	}
	if w.found == nil {
		return Attachment{}, fmt.Errorf("message: extract part %q: %w", path, ErrPartNotFound)
	}
	return *w.found, nil
}

func parsePartPath(path string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(path, ".") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, errors.New("invalid part number")
		}
		out = append(out, n)
	}
	return out, nil
}

// PartNumber writes an IMAP part number from its path: [1 2] → "1.2".
func PartNumber(path []int) string {
	var b strings.Builder
	for i, n := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// walker walks the MIME tree of one message.
type walker struct {
	lim   Limits
	src   *sizeLimiter
	br    *bufio.Reader
	msg   *Message
	probs problems

	header textproto.Header
	parts  int
	stop   bool // too many parts: read no further

	text, html textBody

	want  []int     // ExtractPart: the part to copy
	out   io.Writer // ExtractPart: where
	found *Attachment

	pooled []*bufio.Reader // read buffers to give back (release)
}

// textBody accumulates the text or HTML bodies, bounded.
type textBody struct {
	parts []string
	size  int // bytes of the joined parts
	cut   bool
}

func newWalker(r io.Reader, lim Limits) (*walker, error) {
	lim = lim.withDefaults()
	w := &walker{lim: lim, msg: &Message{}}
	w.src = &sizeLimiter{r: r, left: lim.MaxSize}
	w.br = w.reader(w.src, readBufferBytes)

	probe, err := w.br.Peek(crProbeBytes)
	if len(probe) == 0 {
		if w.src.err != nil {
			return nil, w.src.err
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, ErrEmpty
	}
	if bytes.IndexByte(probe, '\n') < 0 && bytes.IndexByte(probe, '\r') >= 0 {
		w.probs.add(ProblemBadLineEndings, "", "lines end with a bare CR")
		w.br = w.reader(crToLF{w.br}, readBufferBytes)
	}

	h, n, err := readHeader(w.br, lim.MaxHeaderBytes, true, &w.probs, "")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if w.src.err != nil {
			return nil, w.src.err
		}
		return nil, ErrNotMessage
	}
	w.header = h
	return w, nil
}

func (w *walker) run() error {
	if w.want == nil {
		fillHeader(w.msg, w.header, &w.probs)
	}
	if err := w.entity(w.header, w.br, nil, 0, nil, false, false); err != nil {
		return err
	}
	if w.src.err != nil {
		return w.src.err
	}
	if w.src.hit {
		w.probs.add(ProblemTooLarge, "", fmt.Sprintf("message larger than %d bytes; the rest was not read", w.lim.MaxSize))
	}
	m := w.msg
	m.Size = w.src.n
	m.Text = w.text.String()
	m.HTML = w.html.String()
	if m.Text == "" && m.HTML != "" {
		m.Text = clipNoEllipsis(HTMLToText(m.HTML), w.lim.MaxTextBytes)
	}
	m.Problems = w.probs.list
	return nil
}

// altGroup tracks the bodies found among the alternatives of one
// multipart/alternative: the first text and the first HTML win.
type altGroup struct{ text, html bool }

// entity handles one entity: path is its IMAP part number (nil for a
// multipart message itself), depth its multipart nesting.
func (w *walker) entity(h textproto.Header, body io.Reader, path []int, depth int, alt *altGroup, related, digest bool) error {
	part := PartNumber(path)
	mt, params, bad := parseMediaType(h.Get("Content-Type"))
	if bad {
		w.probs.add(ProblemBadContentType, part, fmt.Sprintf("cannot parse Content-Type %q; read leniently", clip(h.Get("Content-Type"), 60)))
	}
	if mt == "" || !strings.Contains(mt, "/") {
		mt = "text/plain"
		if digest {
			mt = "message/rfc822"
		}
	}
	if strings.HasPrefix(mt, "multipart/") {
		boundary := params["boundary"]
		switch {
		case boundary == "" || len(boundary) > maxBoundaryBytes || strings.ContainsAny(boundary, "\r\n"):
			w.probs.add(ProblemBrokenBoundary, part, "multipart without a usable boundary; read as text")
			mt, params = "text/plain", nil
		case depth >= w.lim.MaxDepth:
			w.probs.add(ProblemTooDeep, part, fmt.Sprintf("multiparts nested deeper than %d; skipped", w.lim.MaxDepth))
			return nil
		default:
			return w.multipart(body, boundary, mt, path, depth, alt)
		}
	}
	if path == nil {
		path = []int{1} // a single-part message is part 1 in IMAP
		part = "1"
	}
	return w.leaf(h, body, path, part, mt, params, alt, related)
}

func (w *walker) multipart(body io.Reader, boundary, mt string, path []int, depth int, alt *altGroup) error {
	part := PartNumber(path)
	mr := newMultipartReader(w.reader(body, partBufferBytes), boundary, w.lim.MaxTextBytes)
	group := alt
	if mt == "multipart/alternative" {
		group = &altGroup{}
	}
	related := mt == "multipart/related"
	digest := mt == "multipart/digest"
	i := 0
	for !w.stop {
		ok, err := mr.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		i++
		w.parts++
		if w.parts > w.lim.MaxParts {
			w.probs.add(ProblemTooManyParts, "", fmt.Sprintf("more than %d parts; the rest were skipped", w.lim.MaxParts))
			w.stop = true
			break
		}
		child := append(path[:len(path):len(path)], i)
		h, _, err := readHeader(mr.br, w.lim.MaxHeaderBytes, false, &w.probs, PartNumber(child))
		if err != nil {
			return err
		}
		if err := w.entity(h, mr.body(), child, depth+1, group, related, digest); err != nil {
			return err
		}
	}
	if w.stop {
		return nil
	}
	if mr.stray {
		w.probs.add(ProblemBrokenBoundary, part, "lines that are not delimiters between parts were skipped")
	}
	if mr.parts == 0 {
		w.probs.add(ProblemBrokenBoundary, part, "no delimiter found for the boundary; the body is read as text")
		if w.want == nil && len(bytes.TrimSpace(mr.preamble)) > 0 {
			s, _ := fixUTF8(string(mr.preamble))
			w.appendText(&w.text, s, part)
		}
		return nil
	}
	if !mr.closed {
		w.probs.add(ProblemTruncated, part, "the multipart never closes: the message may be cut short")
	}
	return nil
}

func (w *walker) leaf(h textproto.Header, body io.Reader, path []int, part, mt string, params map[string]string, alt *altGroup, related bool) error {
	d := headerDecoder{probs: &w.probs, part: part}
	disp, dparams, bad := parseMediaType(h.Get("Content-Disposition"))
	if bad {
		w.probs.add(ProblemBadContentType, part, fmt.Sprintf("cannot parse Content-Disposition %q; read leniently", clip(h.Get("Content-Disposition"), 60)))
	}
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = d.cleanFilename(filename)
	cid := strings.TrimSpace(h.Get("Content-Id"))
	cid, _ = fixUTF8(cid)
	cid, _ = cleanLine(strings.Trim(cid, "<> \t"))

	var flags decodeFlags
	dec, known := transferDecoder(h.Get("Content-Transfer-Encoding"), body, &flags)
	if !known {
		w.probs.add(ProblemBadEncoding, part, fmt.Sprintf("unknown Content-Transfer-Encoding %q; read as is", clip(h.Get("Content-Transfer-Encoding"), 40)))
	}
	defer func() {
		if flags.bad {
			w.probs.add(ProblemBadEncoding, part, fmt.Sprintf("malformed %s body; read leniently", clip(strings.ToLower(h.Get("Content-Transfer-Encoding")), 40)))
		}
		if flags.truncated {
			w.probs.add(ProblemTruncated, part, "the encoded body ends inside a unit")
		}
	}()

	att := Attachment{
		PartPath:    part,
		Filename:    filename,
		ContentType: mt,
		ContentID:   cid,
		Inline:      disp == "inline" || (disp == "" && cid != "" && related),
	}

	if w.want != nil {
		if !equalPath(path, w.want) {
			return nil
		}
		n, err := io.Copy(w.out, dec)
		att.Size = n
		w.found = &att
		w.stop = true
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}

	isText := mt == "text/plain" || mt == "text/html"
	asBody := isText && disp != "attachment" && (filename == "" || disp == "inline")
	if asBody && alt != nil {
		if (mt == "text/plain" && alt.text) || (mt == "text/html" && alt.html) {
			_, err := io.Copy(io.Discard, dec) // a further alternative of the same kind
			return err
		}
	}
	if !asBody {
		n, err := io.Copy(io.Discard, dec)
		if err != nil {
			return err
		}
		att.Size = n
		w.msg.Attachments = append(w.msg.Attachments, att)
		return nil
	}

	data, cut, err := readText(dec, w.lim.MaxTextBytes)
	if err != nil {
		return err
	}
	if cut {
		w.probs.add(ProblemBodyTooLarge, part, fmt.Sprintf("text longer than %d bytes; cut", w.lim.MaxTextBytes))
	}
	s, problem := decodeCharset(data, params["charset"], mt)
	if problem != "" {
		w.probs.add(ProblemBadCharset, part, problem)
	}
	if strings.IndexByte(s, 0) >= 0 {
		w.probs.add(ProblemNULByte, part, "NUL bytes removed")
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if mt == "text/html" {
		if alt != nil {
			alt.html = true
		}
		w.appendText(&w.html, s, part)
	} else {
		if alt != nil {
			alt.text = true
		}
		w.appendText(&w.text, s, part)
	}
	return nil
}

// textChunkBytes is the unit in which text bodies are read: a large body
// costs its size plus its chunks, not the doubling of a growing buffer.
// The chunks come from chunkPool and go back to it, so a small body costs
// only its string, not a fresh (zeroed) chunk.
const textChunkBytes = 256 << 10

var chunkPool = sync.Pool{New: func() any { return new([textChunkBytes]byte) }}

// readText reads at most max bytes of a text body, and drains the rest.
// The chunks are copied once, into the string.
func readText(r io.Reader, max int) (data string, cut bool, err error) {
	var chunks []*[textChunkBytes]byte
	defer func() {
		for _, c := range chunks {
			chunkPool.Put(c)
		}
	}()
	total, last := 0, 0 // last: bytes in the last chunk
	for total <= max {
		chunk := chunkPool.Get().(*[textChunkBytes]byte)
		chunks = append(chunks, chunk)
		n, err := io.ReadFull(r, chunk[:min(textChunkBytes, max+1-total)])
		total, last = total+n, n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return "", false, err
		}
	}
	if total > max {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return "", false, err
		}
		total, cut = max, true
	}
	var b strings.Builder
	b.Grow(total)
	for i, c := range chunks {
		n := textChunkBytes
		if i == len(chunks)-1 {
			n = last
		}
		b.Write(c[:min(n, total-b.Len())])
	}
	return b.String(), cut, nil
}

// appendText adds one body to the text or HTML, within MaxTextBytes.
func (w *walker) appendText(t *textBody, s, part string) {
	s = normalizeNewlines(s)
	if t.cut || s == "" {
		return
	}
	sep := 0
	if len(t.parts) > 0 {
		sep = len("\n\n")
	}
	room := w.lim.MaxTextBytes - t.size - sep
	if len(s) > room {
		s = clipNoEllipsis(s, max(room, 0))
		t.cut = true
		w.probs.add(ProblemBodyTooLarge, part, fmt.Sprintf("text longer than %d bytes; cut", w.lim.MaxTextBytes))
		if s == "" {
			return
		}
	}
	t.parts = append(t.parts, s)
	t.size += sep + len(s)
}

func (t *textBody) String() string {
	return strings.Join(t.parts, "\n\n")
}

// normalizeNewlines ends every line with "\n" and drops trailing blank lines.
func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimRight(s, "\n")
}

func equalPath(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
