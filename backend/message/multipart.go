package message

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxBoundaryBytes bounds a multipart boundary. RFC 2046 allows 70 bytes;
// longer ones are accepted up to this, beyond it the multipart is unreadable.
const maxBoundaryBytes = 200

// partBufferBytes is the read buffer of one multipart level. It must hold a
// delimiter line ("\r\n--" + boundary + 2) with room to spare.
const partBufferBytes = 16 << 10

// multipartReader splits a multipart body into parts (RFC 2046 section 5.1),
// leniently: LF or CRLF line breaks, stray lines between parts, a missing
// closing delimiter, and a part header read by readHeader with its limits.
// It streams: memory is one buffer per nesting level, whatever the size.
type multipartReader struct {
	br     *bufio.Reader
	dash   []byte // "--" + boundary
	nlDash []byte // "\n--" + boundary

	parts  int  // delimiters seen
	closed bool // the closing delimiter was seen
	eof    bool // the input ended before the closing delimiter
	stray  bool // lines that are not delimiters between parts
	cur    *partReader

	preamble    []byte // the text before the first delimiter, up to maxPreamble
	maxPreamble int
}

// newMultipartReader reads the parts of a multipart body from br, a reader of
// partBufferBytes.
func newMultipartReader(br *bufio.Reader, boundary string, maxPreamble int) *multipartReader {
	return &multipartReader{
		br:          br,
		dash:        []byte("--" + boundary),
		nlDash:      []byte("\n--" + boundary),
		maxPreamble: maxPreamble,
	}
}

// next moves to the next part, leaving the reader at the start of its
// header. It returns false after the last part.
func (mr *multipartReader) next() (bool, error) {
	if mr.cur != nil {
		if _, err := io.Copy(io.Discard, mr.cur); err != nil {
			return false, err
		}
		mr.cur = nil
	}
	for !mr.closed && !mr.eof {
		line, n, over, err := readLine(mr.br, len(mr.dash)+maxBoundaryBytes)
		if n == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				return false, err
			}
			mr.eof = true
			break
		}
		if !over && bytes.HasPrefix(line, mr.dash) {
			rest := trimEOL(line[len(mr.dash):])
			switch {
			case bytes.HasPrefix(rest, []byte("--")):
				mr.closed = true
				return false, nil
			case len(bytes.TrimLeft(rest, " \t")) == 0 || rest[0] == ' ' || rest[0] == '\t':
				mr.parts++
				return true, nil
			}
		}
		if mr.parts == 0 {
			if room := mr.maxPreamble - len(mr.preamble); room > 0 {
				mr.preamble = append(mr.preamble, line[:min(len(line), room)]...)
			}
		} else if len(bytes.TrimSpace(line)) > 0 {
			mr.stray = true
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return false, err
			}
			mr.eof = true
		}
	}
	return false, nil
}

// body returns the reader of the current part's body, after its header.
func (mr *multipartReader) body() io.Reader {
	mr.cur = &partReader{mr: mr, atStart: true}
	return mr.cur
}

// partReader reads one part's body, up to the line break before the next
// delimiter line.
type partReader struct {
	mr      *multipartReader
	atStart bool // nothing returned yet: a delimiter may start right here
	avail   int  // bytes at the head of the buffer that are part data
	skip    int  // then this many bytes of line break to discard ...
	ending  bool // ... after which the part ends
	eof     bool // the input ended
	done    bool
}

func (pr *partReader) Read(d []byte) (int, error) {
	mr := pr.mr
	for pr.avail == 0 && !pr.done {
		if pr.ending {
			if _, err := mr.br.Discard(pr.skip); err != nil {
				return 0, err
			}
			pr.done = true
			break
		}
		buf, _ := mr.br.Peek(mr.br.Buffered())
		n, skip, delim := scanPart(buf, mr.dash, mr.nlDash, pr.atStart, pr.eof)
		switch {
		case n > 0:
			pr.avail, pr.skip, pr.ending = n, skip, delim
		case delim:
			pr.skip, pr.ending = skip, true
		case pr.eof:
			pr.done, mr.eof = true, true
		default:
			if _, err := mr.br.Peek(len(buf) + 1); err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
					return 0, err
				}
				pr.eof = true
			}
		}
	}
	if pr.avail == 0 {
		return 0, io.EOF
	}
	if len(d) > pr.avail {
		d = d[:pr.avail]
	}
	n, err := mr.br.Read(d)
	pr.avail -= n
	pr.atStart = false
	return n, err
}

// scanPart reports how much of buf is part data: n bytes can be returned.
// If delim, the part ends after them, once skip bytes of line break are
// discarded. n == 0 and !delim means more input is needed.
func scanPart(buf, dash, nlDash []byte, atStart, eof bool) (n, skip int, delim bool) {
	if atStart {
		if bytes.HasPrefix(buf, dash) {
			switch delimiterFollows(buf[len(dash):], eof) {
			case 1:
				return 0, 0, true
			case 0:
				return 0, 0, false
			}
		} else if !eof && bytes.HasPrefix(dash, buf) {
			return 0, 0, false
		}
	}
	for from := 0; ; {
		i := bytes.Index(buf[from:], nlDash)
		if i < 0 {
			break
		}
		i += from
		end := i
		if end > 0 && buf[end-1] == '\r' {
			end--
		}
		switch delimiterFollows(buf[i+len(nlDash):], eof) {
		case 1:
			return end, i + 1 - end, true
		case 0:
			return end, 0, false
		}
		from = i + 1
	}
	if eof {
		return len(buf), 0, false
	}
	// Hold back a tail that may be the start of a delimiter.
	end := len(buf)
	if j := bytes.LastIndexByte(buf, '\n'); j >= 0 && bytes.HasPrefix(nlDash, buf[j:]) {
		end = j
	}
	if end > 0 && buf[end-1] == '\r' {
		end--
	}
	return end, 0, false
}

// delimiterFollows tells whether the bytes after "--boundary" make it a
// delimiter: 1 yes, -1 no ("--boundary2" is another boundary), 0 unknown yet.
func delimiterFollows(rest []byte, eof bool) int {
	if len(rest) == 0 {
		if eof {
			return 1
		}
		return 0
	}
	switch rest[0] {
	case '-', ' ', '\t', '\r', '\n':
		return 1
	}
	return -1
}
