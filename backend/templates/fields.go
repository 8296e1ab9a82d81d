package templates

import (
	"context"
	"sort"
	"strings"

	"mailroom/backend/fault"
	"mailroom/backend/records"
)

// The namespaces that are not record types: the user who sends and the account it goes from.
const (
	UserNS    = "user"
	AccountNS = "account"
)

// The fields of user and account (their labels are the UI's words).
var (
	UserFields    = []string{"name", "email", "title", "phone"}
	AccountFields = []string{"address", "name"}
)

// Namespace is what one placeholder's first part names: a record type, the user or the
// account, with the fields the placeholder picker offers.
type Namespace struct {
	Key    string // contact, company, facture, user, account
	Label  string // the type's singular name; "" for user and account (the UI words them)
	TypeID int64  // 0 for user and account
	Fields []FieldInfo
}

// FieldInfo is one field a placeholder may name.
type FieldInfo struct {
	Path  string // facture.echeance
	Key   string // echeance
	Label string // Échéance; "" for user and account fields
	Kind  string // the record field's kind; "text" for user and account
}

// known is every path a placeholder may name, from one read of the schema.
type known struct {
	schema *records.Schema
	paths  map[string]*records.Field // nil value: a user or account field
	order  []string
}

func newKnown(s *records.Schema) *known {
	k := &known{schema: s, paths: map[string]*records.Field{}}
	for _, t := range s.Types {
		if t.Key == UserNS || t.Key == AccountNS {
			continue // the user and the account come first (see Namespaces)
		}
		for i := range t.Fields {
			p := t.Key + "." + t.Fields[i].Key
			k.paths[p] = &t.Fields[i]
			k.order = append(k.order, p)
		}
	}
	for _, f := range UserFields {
		k.paths[UserNS+"."+f] = nil
		k.order = append(k.order, UserNS+"."+f)
	}
	for _, f := range AccountFields {
		k.paths[AccountNS+"."+f] = nil
		k.order = append(k.order, AccountNS+"."+f)
	}
	return k
}

// namespaces lists the picker's groups: every record type, then the user and the account.
// A type whose key is "user" or "account" is not offered: those names are the sender's.
func (k *known) namespaces() []Namespace {
	var out []Namespace
	for _, t := range k.schema.Types {
		if t.Key == UserNS || t.Key == AccountNS {
			continue
		}
		ns := Namespace{Key: t.Key, Label: t.Singular, TypeID: t.ID}
		for _, f := range t.Fields {
			ns.Fields = append(ns.Fields, FieldInfo{Path: t.Key + "." + f.Key, Key: f.Key, Label: f.Label, Kind: string(f.Kind)})
		}
		out = append(out, ns)
	}
	for _, g := range []struct {
		ns     string
		fields []string
	}{{UserNS, UserFields}, {AccountNS, AccountFields}} {
		ns := Namespace{Key: g.ns}
		for _, f := range g.fields {
			ns.Fields = append(ns.Fields, FieldInfo{Path: g.ns + "." + f, Key: f, Kind: string(records.Text)})
		}
		out = append(out, ns)
	}
	return out
}

// check refuses a placeholder naming no known field, suggesting the nearest known one.
func (k *known) check(ph *placeholder) error {
	if _, ok := k.paths[ph.path]; ok {
		return nil
	}
	if s := k.suggest(ph.path); s != "" {
		return ErrFieldUnknown.New(fault.P{"placeholder": ph.raw, "suggestion": "{{" + s + "}}"})
	}
	return ErrFieldUnknownBare.New(fault.P{"placeholder": ph.raw})
}

// suggest returns the known path nearest to p (Levenshtein distance over the whole path,
// ties broken by the schema's order), or "" when none is close: at most a third of the
// path's length, and at least 2 edits allowed.
func (k *known) suggest(p string) string {
	limit := max(2, len(p)/3)
	best, bestD := "", limit+1
	for _, q := range k.order {
		if d := distance(p, q); d < bestD {
			best, bestD = q, d
		}
	}
	if best != "" {
		return best
	}
	// The field alone, in any namespace: "facture.montant" where the field is the
	// company's, or the namespace misspelt far from the rest.
	_, key, _ := strings.Cut(p, ".")
	var same []string
	for _, q := range k.order {
		if strings.HasSuffix(q, "."+key) {
			same = append(same, q)
		}
	}
	sort.Strings(same)
	if len(same) > 0 {
		return same[0]
	}
	return ""
}

// distance is the Levenshtein distance between a and b, by runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Fields returns what placeholders may name, for the placeholder picker.
func (t *Templates) Fields(ctx context.Context) ([]Namespace, error) {
	s, err := t.deps.Records.Schema(ctx)
	if err != nil {
		return nil, err
	}
	return newKnown(s).namespaces(), nil
}
