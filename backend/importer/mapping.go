package importer

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The field keys the importer suggests (the records' built-in fields of contacts and
// companies; an own type's fields are matched through Target).
const (
	FieldFirstName  = "first_name"
	FieldLastName   = "last_name"
	FieldFullName   = "full_name" // one column with the whole name, to split or keep
	FieldEmails     = "emails"    // several columns may map here
	FieldPhones     = "phones"    // several columns may map here
	FieldCompany    = "company"
	FieldJobTitle   = "job_title"
	FieldNotes      = "notes"
	FieldWebsite    = "website"
	FieldAddress    = "address"
	FieldPostalCode = "postal_code"
	FieldCity       = "city"
	FieldCountry    = "country"
	FieldBirthday   = "birthday"
	FieldLanguage   = "language"
	FieldDomain     = "domain"
	FieldNumber     = "number" // an invoice's or quote's number
	FieldAmount     = "amount"
	FieldDueDate    = "due_date"
	FieldDate       = "date"
	FieldPaid       = "paid"
	FieldClient     = "client" // a link to a company or a contact, by name or email
)

// MultiFields are the keys several columns may map to at once.
var MultiFields = map[string]bool{FieldEmails: true, FieldPhones: true}

// Layout is a known export format, recognised by its header.
type Layout string

// The layouts.
const (
	LayoutNone           Layout = ""
	LayoutGoogleContacts Layout = "google_contacts"
	LayoutOutlook        Layout = "outlook"    // Outlook's English export: US dates
	LayoutOutlookFR      Layout = "outlook_fr" // Outlook's French export
	LayoutVCard          Layout = "vcard"      // ContactsTable's columns
)

// Conventions returns the conventions of a layout's files: Outlook in English writes US
// dates (M/D/YYYY) and numbers; every other file is read the French way unless the user
// says otherwise (Google Contacts writes ISO dates, which read the same either way).
func (l Layout) Conventions() Conventions {
	if l == LayoutOutlook {
		return US
	}
	return FR
}

// DetectLayout recognises Google Contacts' CSV (both its current and its older header) and
// Outlook's (in English or French) by headers only they have.
func DetectLayout(header []string) Layout {
	has := map[string]bool{}
	for _, h := range header {
		has[normalizeHeader(h)] = true
	}
	switch {
	case has["e mail 1 value"] && (has["given name"] || has["first name"] || has["group membership"] || has["labels"]):
		return LayoutGoogleContacts
	case has["e mail address"] && has["e mail display name"], has["business street"] && has["first name"]:
		return LayoutOutlook
	case has["adresse de messagerie"] && has["prenom"], has["rue bureau"] && has["prenom"]:
		return LayoutOutlookFR
	case has["first name"] && has["last name"] && has["emails"] && has["phones"]:
		return LayoutVCard
	}
	return LayoutNone
}

// synonyms maps each field to the header names that mean it, normalised (lower case, no
// accents, punctuation as spaces): French, English, and the exports' own.
var synonyms = map[string][]string{
	FieldFirstName: {"prenom", "first name", "firstname", "given name", "forename", "prenom usuel"},
	FieldLastName:  {"nom", "nom de famille", "last name", "lastname", "family name", "surname"},
	FieldFullName:  {"nom complet", "name", "full name", "display name", "nom et prenom", "prenom et nom", "contact", "file as"},
	FieldEmails: {"e mail", "email", "courriel", "mail", "adresse e mail", "adresse email", "adresse mail",
		"adresse de messagerie", "e mail address", "email address", "e mail 1 value", "e mail 2 value",
		"e mail 3 value", "e mail 2 address", "e mail 3 address", "adresse de messagerie 2",
		"adresse de messagerie 3", "emails", "e mail professionnel", "email pro"},
	FieldPhones: {"telephone", "tel", "phone", "phone number", "numero de telephone", "portable", "mobile",
		"mobile phone", "cell", "cell phone", "telephone mobile", "telephone portable", "business phone",
		"home phone", "primary phone", "phone 1 value", "phone 2 value", "phone 3 value",
		"telephone bureau", "telephone domicile", "telephone professionnel", "phones", "gsm", "fixe"},
	FieldCompany: {"societe", "entreprise", "company", "organization", "organisation", "organization 1 name",
		"organization name", "raison sociale", "compagnie", "employeur", "company name", "nom de l entreprise", //nolint:misspell // French
		"nom de la societe"},
	FieldJobTitle:   {"fonction", "poste", "job title", "title", "titre", "organization 1 title", "organization title", "role"},
	FieldNotes:      {"notes", "note", "remarques", "commentaire", "commentaires", "comments", "observations"},
	FieldWebsite:    {"site web", "site", "site internet", "website", "web page", "web site", "url", "page web", "website 1 value"},
	FieldAddress:    {"adresse", "address", "rue", "street", "adresse postale", "business street", "home street", "address 1 formatted", "address 1 street", "rue bureau"},
	FieldPostalCode: {"code postal", "cp", "postal code", "zip", "zip code", "postcode", "business postal code", "address 1 postal code", "code postal bureau"},
	FieldCity:       {"ville", "city", "localite", "commune", "business city", "address 1 city", "ville bureau"},
	FieldCountry:    {"pays", "country", "country region", "business country region", "address 1 country", "pays region bureau"},
	FieldBirthday:   {"date de naissance", "anniversaire", "birthday", "birth date", "date of birth", "naissance"},
	FieldLanguage:   {"langue", "language", "langue preferee"},
	FieldDomain:     {"domaine", "domain", "domaines", "domains", "nom de domaine"},
	FieldNumber:     {"numero", "n", "no", "num", "number", "invoice number", "numero de facture", "n de facture", "reference", "ref", "n facture"},
	FieldAmount:     {"montant", "amount", "total", "montant ttc", "montant ht", "total ttc", "total ht", "prix", "price", "somme"},
	FieldDueDate:    {"echeance", "date d echeance", "due date", "due", "date limite", "date limite de paiement", "payment due"},
	FieldDate:       {"date", "date de facture", "date d emission", "invoice date", "issue date", "date facture"},
	FieldPaid:       {"paye", "payee", "paid", "regle", "reglee", "acquitte", "statut paiement"},
	FieldClient:     {"client", "customer", "nom du client", "client name", "customer name", "destinataire"},
}

// layoutFields are the exports' columns, certain once the layout is known; "" marks columns
// to leave out (a label, an e-mail's display name, Outlook's honorific "Title").
var layoutFields = map[Layout]map[string]string{
	LayoutGoogleContacts: {
		"name": FieldFullName, "given name": FieldFirstName, "family name": FieldLastName,
		"first name": FieldFirstName, "last name": FieldLastName,
		"organization 1 name": FieldCompany, "organization 1 title": FieldJobTitle,
		"organization name": FieldCompany, "organization title": FieldJobTitle,
		"notes": FieldNotes, "birthday": FieldBirthday,
		"e mail 1 type": "", "e mail 2 type": "", "e mail 1 label": "", "e mail 2 label": "",
		"phone 1 type": "", "phone 2 type": "", "phone 1 label": "", "phone 2 label": "",
		"group membership": "", "labels": "",
	},
	LayoutOutlook: {
		"title": "", "e mail display name": "", "e mail 2 display name": "", "e mail 3 display name": "",
		"company": FieldCompany, "job title": FieldJobTitle, "web page": FieldWebsite,
	},
	LayoutOutlookFR: {
		"titre": "", "nom complet de l adresse de messagerie": "", "societe": FieldCompany,
		"fonction": FieldJobTitle, "page web": FieldWebsite,
	},
}

// Target is a field to match columns to besides the built-in ones: an own type's field,
// by its key and its names (any language; compared without case or accents).
type Target struct {
	Key   string
	Names []string
}

// Suggestion is the field suggested for one column. Field "" with a confidence means a
// column to leave out (an export's label column); Confidence 0, nothing recognised.
type Suggestion struct {
	Column     int
	Header     string
	Field      string
	Confidence float64 // 1: the exact name or a known export's column; 0.6: a near name
}

// Confidence levels.
const (
	ConfidenceExact = 1.0
	ConfidenceNear  = 0.6
)

// SuggestMapping suggests a field for each column from its header, in French and English,
// ignoring accents, case and punctuation; a known export's layout is certain. targets (an
// own type's fields) are matched first. A single-valued field suggested for two columns
// keeps the more confident (the first on a tie); the other is left unmapped.
func SuggestMapping(header []string, targets []Target) []Suggestion {
	layout := DetectLayout(header)
	out := make([]Suggestion, len(header))
	taken := map[string]int{}
	for i, h := range header {
		s := suggest(normalizeHeader(h), layout, targets)
		s.Column, s.Header = i, h
		if s.Field != "" && !MultiFields[s.Field] {
			if j, ok := taken[s.Field]; ok {
				if out[j].Confidence >= s.Confidence {
					s.Field, s.Confidence = "", 0
				} else {
					out[j].Field, out[j].Confidence = "", 0
					taken[s.Field] = i
				}
			} else {
				taken[s.Field] = i
			}
		}
		out[i] = s
	}
	return out
}

func suggest(h string, layout Layout, targets []Target) Suggestion {
	if h == "" {
		return Suggestion{}
	}
	for _, t := range targets {
		for _, n := range append([]string{t.Key}, t.Names...) {
			if normalizeHeader(n) == h {
				return Suggestion{Field: t.Key, Confidence: ConfidenceExact}
			}
		}
	}
	if f, ok := layoutFields[layout][h]; ok {
		return Suggestion{Field: f, Confidence: ConfidenceExact}
	}
	for f, names := range synonyms {
		for _, n := range names {
			if n == h {
				return Suggestion{Field: f, Confidence: ConfidenceExact}
			}
		}
	}
	// Google's numbered columns: "E-mail 4 - Value", "Phone 5 - Value".
	if strings.HasPrefix(h, "e mail ") && strings.HasSuffix(h, " value") {
		return Suggestion{Field: FieldEmails, Confidence: ConfidenceExact}
	}
	if strings.HasPrefix(h, "phone ") && strings.HasSuffix(h, " value") {
		return Suggestion{Field: FieldPhones, Confidence: ConfidenceExact}
	}
	if strings.HasSuffix(h, " type") || strings.HasSuffix(h, " label") {
		return Suggestion{}
	}
	// A near name: a header holding a synonym as whole words ("Téléphone portable perso",
	// "E-mail (pro)"), the longest synonym winning.
	for _, t := range targets {
		for _, n := range append([]string{t.Key}, t.Names...) {
			if n := normalizeHeader(n); n != "" && containsWords(h, n) {
				return Suggestion{Field: t.Key, Confidence: ConfidenceNear}
			}
		}
	}
	best, bestLen := "", 0
	for f, names := range synonyms {
		for _, n := range names {
			if len(n) > bestLen && len(n) >= 3 && containsWords(h, n) {
				best, bestLen = f, len(n)
			}
		}
	}
	if best != "" {
		return Suggestion{Field: best, Confidence: ConfidenceNear}
	}
	return Suggestion{}
}

func containsWords(h, n string) bool {
	return h == n || strings.HasPrefix(h, n+" ") || strings.HasSuffix(h, " "+n) || strings.Contains(h, " "+n+" ")
}

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// normalizeHeader lower-cases, removes accents, turns punctuation into spaces and collapses
// them: "E-mail 1 - Value" → "e mail 1 value", "Société" → "societe", "N° de facture" →
// "n de facture".
func normalizeHeader(h string) string {
	s, _, err := transform.String(stripMarks, strings.ToLower(h))
	if err != nil {
		s = strings.ToLower(h)
	}
	var b strings.Builder
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
