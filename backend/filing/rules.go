package filing

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"mailroom/backend/records"
)

// Operators of a filed type's "open" condition.
const (
	OpChecked   = "checked"    // a checkbox is ticked
	OpUnchecked = "unchecked"  // a checkbox is not ticked (paid = false)
	OpEquals    = "equals"     // the value (a choice's id, a text) is the given one
	OpNotEquals = "not_equals" // … or is not
	OpEmpty     = "empty"      // the field holds no value
	OpNotEmpty  = "not_empty"  // the field holds a value
)

// Ops lists the operators of an open condition (for the generated contract).
var Ops = []string{OpChecked, OpUnchecked, OpEquals, OpNotEquals, OpEmpty, OpNotEmpty}

// States of a message's filing.
const (
	StateFiled   = "filed"   // linked to at least one record
	StateToFile  = "to_file" // an external correspondent and no record: waits in "To file"
	StateSkipped = "skipped" // nothing to file: internal only, bulk or no-reply, or its body not yet read
)

// party is one address of a message as the rules see it.
type party struct {
	kind     string // from, reply_to, to, cc, bcc
	position int
	name     string
	email    string // normalised
}

// kindRank is the order in which the rules read a message's parties.
var kindRank = map[string]int{"from": 0, "reply_to": 1, "to": 2, "cc": 3, "bcc": 4}

func (p party) domain() string {
	_, d, _ := strings.Cut(p.email, "@")
	return d
}

// input is what the rules read of one message.
type input struct {
	id       int64
	sent     bool // in a Sent folder: its Bcc counts
	bulk     bool
	withBody bool // the body was read (or could not be): bulk and evidence are known
	subject  string
	body     string // loaded only when some open record has a key to look for
	parties  []party
	removed  map[int64]bool // links the user removed
	manual   bool           // has a manual link

	accountID int64
	shared    sharedState
}

// outcome is what the rules decided for one message.
type outcome struct {
	links       []int64 // automatic links, sorted
	suggestions []suggestion
	state       string
	external    []party // the external parties, first the correspondent
}

type suggestion struct {
	id    int64
	score int
}

// Scores of a suggestion: evidence weighs most, then a contact, then a company.
const (
	scoreEvidence = 100
	scoreContact  = 2
	scoreCompany  = 1
)

// decide applies the filing rules to one message.
func (ix *index) decide(in input) outcome {
	var out outcome
	seen := map[string]bool{}
	for _, p := range in.parties {
		if p.kind == "bcc" && !in.sent {
			continue
		}
		if p.email == "" || seen[p.email] || ix.internal[p.email] || ix.internalDomains[p.domain()] {
			continue // our own addresses and colleagues' never file alone
		}
		seen[p.email] = true
		out.external = append(out.external, p)
	}
	links := map[int64]bool{}
	contacts := map[int64]bool{}
	companies := map[int64]bool{}
	for _, p := range out.external {
		for _, c := range ix.contacts[p.email] {
			contacts[c] = true
			for _, co := range ix.companyOf[c] {
				companies[co] = true
			}
		}
		if d := p.domain(); !ix.free[d] {
			for _, co := range ix.companies[d] {
				companies[co] = true
			}
		}
	}
	for id := range contacts {
		links[id] = true
	}
	for id := range companies {
		links[id] = true
	}
	ix.decideOpen(in, contacts, companies, links, &out)
	for id := range links {
		if !in.removed[id] {
			out.links = append(out.links, id)
		}
	}
	sort.Slice(out.links, func(i, j int) bool { return out.links[i] < out.links[j] })
	switch {
	case len(out.links) > 0 || in.manual:
		out.state = StateFiled
	case len(out.external) == 0 || in.bulk || !in.withBody || IsNoReply(out.external[0].email):
		out.state = StateSkipped
	default:
		out.state = StateToFile
	}
	return out
}

// decideOpen files the open records of filed types reached through the message's contacts
// and companies: those whose title or key is in the subject or body at once; otherwise the
// only open one of its type, or suggestions when there are several.
func (ix *index) decideOpen(in input, contacts, companies, links map[int64]bool, out *outcome) {
	if len(ix.open) == 0 {
		return
	}
	score := map[int64]int{}
	byType := map[int64][]*candidate{}
	add := func(party int64, w int) {
		for _, c := range ix.open[party] {
			if _, ok := score[c.id]; !ok {
				byType[c.typeID] = append(byType[c.typeID], c)
			}
			score[c.id] += w
		}
	}
	for id := range contacts {
		add(id, scoreContact)
	}
	for id := range companies {
		add(id, scoreCompany)
	}
	if len(byType) == 0 {
		return
	}
	text := ""
	if in.subject != "" || in.body != "" {
		text = records.Fold(in.subject + "\n" + in.body)
	}
	for _, cands := range byType {
		var evident []int64
		for _, c := range cands {
			for _, k := range c.keys {
				if containsWord(text, k) {
					evident = append(evident, c.id)
					break
				}
			}
		}
		switch {
		case len(evident) > 0:
			for _, id := range evident {
				links[id] = true
			}
		case len(cands) == 1:
			links[cands[0].id] = true
		default:
			for _, c := range cands {
				if !in.removed[c.id] {
					out.suggestions = append(out.suggestions, suggestion{id: c.id, score: score[c.id]})
				}
			}
		}
	}
	sort.Slice(out.suggestions, func(i, j int) bool {
		a, b := out.suggestions[i], out.suggestions[j]
		if a.score != b.score {
			return a.score > b.score
		}
		return a.id > b.id // the newest first
	})
}

// containsWord reports whether key appears in text between non-alphanumeric runes (so
// "F-2026-001" is not found in "F-2026-0012").
func containsWord(text, key string) bool {
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], key)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(key)
		if boundary(text, start, true) && boundary(text, end, false) {
			return true
		}
		from = start + 1
	}
	return false
}

func boundary(text string, at int, before bool) bool {
	var r rune
	switch {
	case before && at == 0, !before && at >= len(text):
		return true
	case before:
		r, _ = utf8.DecodeLastRuneInString(text[:at])
	default:
		r, _ = utf8.DecodeRuneInString(text[at:])
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
