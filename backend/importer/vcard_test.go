package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mailroom/backend/fault"
)

func TestVCardCorpus(t *testing.T) {
	cases := map[string]struct {
		want   []Contact
		reason *fault.Reason
		params fault.P
	}{
		"google_v3.vcf": {want: []Contact{
			{FirstName: "Marie", LastName: "Curie", FullName: "Marie Curie", Company: "Institut du Radium", JobTitle: "Directrice",
				Emails: []Labeled{{Value: "marie.curie@exemple.fr", Label: "work"}, {Value: "marie@maison.fr", Label: "home"}},
				Phones: []Labeled{{Value: "+33 6 11 22 33 44", Label: "cell"}, {Value: "01 44 55 66 77", Label: "work"}},
				Notes:  "Prix Nobel, deux fois.\nNe pas appeler le lundi.", Birthday: "1867-11-07"},
			{FirstName: "Ada", LastName: "Lovelace", FullName: "Ada Lovelace", Emails: []Labeled{{Value: "ada@exemple.org", Label: "home"}}},
		}},
		"apple_v3.vcf": {want: []Contact{
			{FirstName: "Hélène", LastName: "Lefèvre", FullName: "Hélène Lefèvre", Company: "Café de l'Étoile", Department: "Cuisine", JobTitle: "Cheffe",
				Emails: []Labeled{{Value: "helene@cafe-etoile.fr", Preferred: true}, {Value: "contact@cafe-etoile.fr", Label: "work"}},
				Phones: []Labeled{{Value: "06 98 76 54 32", Label: "cell", Preferred: true}, {Value: "01 23 45 67 89", Label: "work"}},
				URLs:   []string{"https://cafe-etoile.fr"},
				Notes:  "Une très longue note qui dépasse largement soixante-quinze octets et qui a donc été repliée sur plusieurs lignes par Contacts, comme il se doit."},
			{FirstName: "Théo", LastName: "François", FullName: "Théo François", Phones: []Labeled{{Value: "04 78 00 00 00", Label: "home"}},
				Notes: "Première ligne\r\nDeuxième ligne, très longue pour forcer une coupure douce."},
		}},
		"thunderbird_v4.vcf": {want: []Contact{
			{FirstName: "Paul", LastName: "Martin", FullName: "Paul Martin", Company: "Martin; Fils et Associés", JobTitle: "Gérant",
				Emails: []Labeled{{Value: "paul@martin.example", Preferred: true}, {Value: "paul.martin@exemple.fr", Label: "work"}},
				Phones: []Labeled{{Value: "07 00 00 00 01", Label: "cell"}}, Notes: "Client depuis 2019"},
		}},
		"android_v21.vcf": {want: []Contact{
			{FirstName: "Renée", LastName: "Châtelain", FullName: "Renée Châtelain",
				Emails: []Labeled{{Value: "renee@exemple.fr", Label: "work"}},
				Phones: []Labeled{{Value: "+33600000002", Label: "cell", Preferred: true}, {Value: "0400000003", Label: "home"}},
				Notes:  "Café crème le matin"},
		}},
		"not_a_vcard.vcf":  {reason: ErrVCardEmpty},
		"unterminated.vcf": {reason: ErrVCardMalformed, params: fault.P{"card": 2}},
	}
	files, err := filepath.Glob("testdata/vcard/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d files in testdata/vcard, %d cases", len(files), len(cases))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			tc, ok := cases[name]
			if !ok {
				t.Fatalf("no case for %s", name)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := ReadVCards(context.Background(), f)
			if tc.reason != nil {
				fe, ok := fault.As(err)
				if !ok || fe.Reason != tc.reason.Name {
					t.Fatalf("err = %v, want %s", err, tc.reason.Name)
				}
				for k, v := range tc.params {
					if fe.Params[k] != v {
						t.Errorf("param %s = %v, want %v", k, fe.Params[k], v)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// Written cards read back as they were, in both versions, with folding and escapes.
func TestVCardWriteReadsBack(t *testing.T) {
	contacts := []Contact{
		{FirstName: "Françoise", LastName: "Dupont", FullName: "Françoise Dupont", Company: "Dupont; Fils, et Cie", Department: "Ventes",
			JobTitle: "Gérante", Notes: "Une note\nsur deux lignes, avec \\ une barre et des accents : éàç — et une ligne assez longue pour être repliée plusieurs fois, 日本語 compris.",
			Emails: []Labeled{{Value: "f.dupont@exemple.fr", Label: "work", Preferred: true}, {Value: "francoise@maison.fr", Label: "home"}},
			Phones: []Labeled{{Value: "+33 6 12 34 56 78", Label: "cell"}}, URLs: []string{"https://dupont.example"}, Birthday: "1970-01-02"},
		{LastName: "Sans Prénom", FullName: "Sans Prénom"},
	}
	for _, v := range []VCardVersion{VCard3, VCard4} {
		t.Run(string(v), func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteVCards(&b, contacts, v); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(b.String(), "\r\n") {
				if len(line) > maxLineOctets {
					t.Errorf("line of %d octets: %q", len(line), line)
				}
			}
			if !strings.Contains(b.String(), "VERSION:"+string(v)) {
				t.Errorf("no VERSION:%s", v)
			}
			got, err := ReadVCards(context.Background(), &b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, contacts) {
				t.Errorf("read back\n%+v\nwant\n%+v", got, contacts)
			}
		})
	}
}

// vCards come out in the rows-of-cells shape, and their columns map with certainty.
func TestContactsTable(t *testing.T) {
	f, err := os.Open("testdata/vcard/google_v3.vcf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	contacts, err := ReadVCards(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	header, rows := ContactsTable(contacts)
	if DetectLayout(header) != LayoutVCard {
		t.Errorf("layout %q", DetectLayout(header))
	}
	for _, s := range SuggestMapping(header, nil) {
		if s.Field != header[s.Column] || s.Confidence != ConfidenceExact {
			t.Errorf("column %q suggested as %q (%v)", header[s.Column], s.Field, s.Confidence)
		}
	}
	want := []string{"Marie", "Curie", "Marie Curie", "marie.curie@exemple.fr", "marie@maison.fr", "+33 6 11 22 33 44", "01 44 55 66 77",
		"Institut du Radium", "Directrice", "Prix Nobel, deux fois.\nNe pas appeler le lundi.", "", "1867-11-07"}
	if !reflect.DeepEqual(rows[0].Cells, want) {
		t.Errorf("row 0 = %q\nwant %q", rows[0].Cells, want)
	}
	if len(rows[1].Cells) != len(header) || rows[1].Cells[4] != "" {
		t.Errorf("row 1 = %q", rows[1].Cells)
	}
}
