package syncer

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/message"
)

// Bodies without their attachments.
//
// Reading and search need a message's text, its HTML and its attachments' metadata, never
// the attachments' bytes (they are fetched when the user saves one). So a large message
// is not fetched whole: its structure (BODYSTRUCTURE, which the server keeps in its index)
// says which parts are text; the worker fetches the message's header, every part's MIME
// header and the text parts' bodies, and rebuilds the message with every other part
// empty. The rebuilt message has the original's tree, boundaries and part numbers, so the
// one parser (message.Parse) reads it exactly as it would read the whole message; only
// the attachments' sizes, which it could not count, come from the structure. On a
// mailbox with attachments this moves a fraction of the bytes; no IMAP library offers
// it, hence this file.

// partialMin is the smallest message fetched without its attachments: below it, one
// BODY[] costs less than the extra round trip for the structure.
const partialMin = 64 << 10

// partialMinSaving is the fewest bytes of attachments that make leaving them out worth it.
const partialMinSaving = 32 << 10

// partialTextMax bounds the bytes fetched of one text part (encoded): the parser keeps at
// most message.DefaultMaxTextBytes of it decoded.
const partialTextMax = 12 << 20

// partialPlan is how to fetch and rebuild one message without its attachments.
type partialPlan struct {
	root     imap.BodyStructure
	sections []*imap.FetchItemBodySection // HEADER, then each part's MIME and the kept bodies
	key      string                       // the sections, as text: messages with the same key share a FETCH
	elided   map[string]int64             // part number → decoded size estimated from the structure
}

// planPartial returns the plan for a message of this structure, or nil when the message
// is better fetched whole (nothing large to leave out, or a structure it cannot rebuild).
func planPartial(bs imap.BodyStructure) *partialPlan {
	if bs == nil {
		return nil
	}
	p := &partialPlan{root: bs, elided: map[string]int64{},
		sections: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader, Peek: true}}}
	var saving int64
	var walk func(node imap.BodyStructure, path []int, depth int) bool
	walk = func(node imap.BodyStructure, path []int, depth int) bool {
		if depth > 20 {
			return false
		}
		if path != nil {
			p.sections = append(p.sections, &imap.FetchItemBodySection{Specifier: imap.PartSpecifierMIME, Part: path, Peek: true})
		}
		switch n := node.(type) {
		case *imap.BodyStructureMultiPart:
			if n.Extended == nil || boundaryOf(n) == "" || len(n.Children) == 0 {
				return false // the boundary is needed to rebuild it
			}
			for i, child := range n.Children {
				if !walk(child, append(slices.Clone(path), i+1), depth+1) {
					return false
				}
			}
			return true
		case *imap.BodyStructureSinglePart:
			part := path
			if part == nil {
				part = []int{1} // a single-part message is part 1
			}
			if keptAsText(n) {
				p.sections = append(p.sections, &imap.FetchItemBodySection{Part: part, Peek: true,
					Partial: &imap.SectionPartial{Offset: 0, Size: partialTextMax}})
				return true
			}
			p.elided[partNumber(part)] = decodedSize(n)
			saving += int64(n.Size)
			return true
		default:
			return false
		}
	}
	if !walk(bs, nil, 0) || saving < partialMinSaving {
		return nil
	}
	var key strings.Builder
	for _, s := range p.sections {
		key.WriteString(sectionKey(s))
		key.WriteByte(' ')
	}
	p.key = key.String()
	return p
}

// keptAsText reports whether the parser would read this part as the message's text or
// HTML (message.Parse's rule), so its body must be fetched.
func keptAsText(n *imap.BodyStructureSinglePart) bool {
	mt := n.MediaType()
	if mt != "text/plain" && mt != "text/html" {
		return false
	}
	disp := ""
	if d := n.Disposition(); d != nil {
		disp = strings.ToLower(d.Value)
	}
	return disp != "attachment" && (n.Filename() == "" || disp == "inline")
}

func boundaryOf(n *imap.BodyStructureMultiPart) string {
	for k, v := range n.Extended.Params {
		if strings.EqualFold(k, "boundary") {
			return v
		}
	}
	return ""
}

// decodedSize estimates a part's decoded size from its encoded one: base64 carries 3
// bytes in 4, in lines of 76 characters plus CRLF.
func decodedSize(n *imap.BodyStructureSinglePart) int64 {
	size := int64(n.Size)
	switch strings.ToLower(n.Encoding) {
	case "base64":
		lines := (size + 77) / 78
		return max(0, (size-2*lines)*3/4)
	case "quoted-printable":
		return size * 9 / 10
	}
	return size
}

func partNumber(path []int) string { return message.PartNumber(path) }

// sectionKey names a body section as the FETCH response does: "HEADER", "1.2.MIME", "1.2".
func sectionKey(s *imap.FetchItemBodySection) string {
	num := partNumber(s.Part)
	switch {
	case s.Specifier == imap.PartSpecifierNone:
		return num
	case num == "":
		return string(s.Specifier)
	default:
		return num + "." + string(s.Specifier)
	}
}

// rebuild writes the message from its fetched sections: the original tree and
// boundaries, with the parts that were left out empty.
func (p *partialPlan) rebuild(got map[string][]byte) ([]byte, error) {
	var b bytes.Buffer
	header, ok := got["HEADER"]
	if !ok {
		return nil, fmt.Errorf("the header was not returned")
	}
	b.Write(header)
	var body func(node imap.BodyStructure, path []int) error
	body = func(node imap.BodyStructure, path []int) error {
		switch n := node.(type) {
		case *imap.BodyStructureMultiPart:
			boundary := boundaryOf(n)
			for i, child := range n.Children {
				cp := append(slices.Clone(path), i+1)
				mimeHeader, ok := got[partNumber(cp)+".MIME"]
				if !ok {
					return fmt.Errorf("the MIME header of part %s was not returned", partNumber(cp))
				}
				b.WriteString("\r\n--" + boundary + "\r\n")
				b.Write(mimeHeader)
				if err := body(child, cp); err != nil {
					return err
				}
			}
			b.WriteString("\r\n--" + boundary + "--\r\n")
		case *imap.BodyStructureSinglePart:
			part := path
			if part == nil {
				part = []int{1}
			}
			b.Write(got[partNumber(part)]) // empty for a part left out
		}
		return nil
	}
	if err := body(p.root, nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// withElidedSizes gives the attachments that were left out their size from the structure.
func (p *partialPlan) withElidedSizes(out *parsed) {
	for i, a := range out.attachments {
		if size, ok := p.elided[a.PartPath]; ok && a.Size == 0 {
			out.attachments[i].Size = size
		}
	}
}

// fetchStructures fetches the BODYSTRUCTURE of uids (from the server's index: cheap).
func (s *session) fetchStructures(uids []imap.UID) (map[uint32]imap.BodyStructure, error) {
	s.begin()
	defer s.end()
	cmd := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true}})
	out := make(map[uint32]imap.BodyStructure, len(uids))
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			_ = cmd.Close()
			return nil, fmt.Errorf("syncer: fetch structures in %q: %w", s.selected, err)
		}
		if buf.UID != 0 && buf.BodyStructure != nil {
			out[uint32(buf.UID)] = buf.BodyStructure
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("syncer: fetch structures in %q: %w", s.selected, err)
	}
	return out, nil
}

// fetchPartial fetches sections for uids (messages whose plans share them) and returns
// each message rebuilt by its own plan, and the uids whose sections did not all come back
// (to be fetched whole).
func (s *session) fetchPartial(uids []imap.UID, sections []*imap.FetchItemBodySection, plans map[uint32]*partialPlan) (out []fetchedBody, missing []imap.UID, err error) {
	s.begin()
	defer s.end()
	cmd := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: sections})
	done := make(map[uint32]bool, len(uids))
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var uid uint32
		got := make(map[string][]byte, len(sections))
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = uint32(it.UID)
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil || it.Section == nil {
					continue
				}
				lit := s.literal(it.Literal)
				data, rerr := io.ReadAll(lit)
				if lit.failed() {
					return nil, nil, fmt.Errorf("syncer: fetch bodies in %q: %w", s.selected, lit.err)
				}
				if rerr == nil {
					got[sectionKey(it.Section)] = data
				}
			}
		}
		plan := plans[uid]
		if plan == nil {
			continue
		}
		raw, rerr := plan.rebuild(got)
		if rerr != nil {
			continue
		}
		done[uid] = true
		out = append(out, fetchedBody{uid: uid, raw: raw, plan: plan})
	}
	if err := cmd.Close(); err != nil {
		return nil, nil, fmt.Errorf("syncer: fetch bodies in %q: %w", s.selected, err)
	}
	for _, u := range uids {
		if !done[uint32(u)] {
			missing = append(missing, u)
		}
	}
	return out, missing, nil
}

// fetchBatch fetches the bodies of a batch: small messages whole, large ones without
// their attachments (see planPartial).
func (s *session) fetchBatch(batch []pendingBody) ([]fetchedBody, error) {
	var whole, large []imap.UID
	for _, b := range batch {
		if b.size >= partialMin && !b.bare {
			large = append(large, imap.UID(b.uid))
		} else {
			whole = append(whole, imap.UID(b.uid))
		}
	}
	var out []fetchedBody
	if len(large) > 0 {
		structures, err := s.fetchStructures(large)
		if err != nil {
			return nil, err
		}
		plans := make(map[uint32]*partialPlan, len(large))
		groups := map[string][]imap.UID{}
		sections := map[string][]*imap.FetchItemBodySection{}
		var keys []string
		for _, u := range large {
			plan := planPartial(structures[uint32(u)])
			if plan == nil {
				whole = append(whole, u)
				continue
			}
			plans[uint32(u)] = plan
			if _, ok := groups[plan.key]; !ok {
				keys = append(keys, plan.key)
				sections[plan.key] = plan.sections
			}
			groups[plan.key] = append(groups[plan.key], u)
		}
		for _, k := range keys {
			got, missing, err := s.fetchPartial(groups[k], sections[k], plans)
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
			whole = append(whole, missing...)
		}
	}
	if len(whole) > 0 {
		got, err := s.fetchBodies(whole)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}
