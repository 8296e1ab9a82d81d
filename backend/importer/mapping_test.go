package importer

import (
	"context"
	"os"
	"testing"
)

func TestSuggestMapping(t *testing.T) {
	cases := []struct {
		name    string
		header  []string
		targets []Target
		want    []string  // the field per column ("" = none)
		conf    []float64 // nil: not checked
	}{
		{"French Excel, accents and case ignored",
			[]string{"Prénom", "NOM", "Société", "E-mail", "Téléphone", "Courriel", "Fonction"}, nil,
			[]string{FieldFirstName, FieldLastName, FieldCompany, FieldEmails, FieldPhones, FieldEmails, FieldJobTitle},
			[]float64{1, 1, 1, 1, 1, 1, 1}},
		{"English",
			[]string{"First Name", "Last Name", "Given Name", "Family Name", "Company", "Mobile Phone", "E-mail Address"}, nil,
			[]string{FieldFirstName, FieldLastName, "", "", FieldCompany, FieldPhones, FieldEmails}, nil},
		{"near names",
			[]string{"Téléphone portable perso", "E-mail (pro)", "Adresse e-mail du contact", "Colonne inconnue"}, nil,
			[]string{FieldPhones, FieldEmails, FieldEmails, ""},
			[]float64{ConfidenceNear, ConfidenceNear, ConfidenceNear, 0}},
		{"invoices, an own type's fields first",
			[]string{"N° de facture", "Client", "Montant TTC", "Échéance", "Payée ?", "Projet"},
			[]Target{{Key: "projet_ref", Names: []string{"Projet", "Project"}}},
			[]string{FieldNumber, FieldClient, FieldAmount, FieldDueDate, FieldPaid, "projet_ref"}, nil},
		{"a single field keeps its most certain column",
			[]string{"Société", "Nom de la société (ancien)"}, nil,
			[]string{FieldCompany, ""}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := SuggestMapping(tc.header, tc.targets)
			for i, s := range got {
				if s.Column != i || s.Header != tc.header[i] {
					t.Errorf("column %d: %+v", i, s)
				}
				if s.Field != tc.want[i] {
					t.Errorf("%q → %q, want %q", tc.header[i], s.Field, tc.want[i])
				}
				if tc.conf != nil && s.Confidence != tc.conf[i] {
					t.Errorf("%q: confidence %v, want %v", tc.header[i], s.Confidence, tc.conf[i])
				}
			}
		})
	}
}

// The exports' own files map as their layout says.
func TestSuggestMappingOfExports(t *testing.T) {
	cases := []struct {
		file   string
		layout Layout
		want   map[string]string // header → field
	}{
		{"testdata/csv/google_contacts.csv", LayoutGoogleContacts, map[string]string{
			"Given Name": FieldFirstName, "Family Name": FieldLastName, "Name": FieldFullName,
			"E-mail 1 - Value": FieldEmails, "E-mail 2 - Value": FieldEmails, "E-mail 1 - Type": "",
			"Phone 1 - Value": FieldPhones, "Phone 2 - Value": FieldPhones, "Organization 1 - Name": FieldCompany,
			"Organization 1 - Title": FieldJobTitle, "Notes": FieldNotes, "Group Membership": "",
		}},
		{"testdata/csv/outlook.csv", LayoutOutlook, map[string]string{
			"First Name": FieldFirstName, "Last Name": FieldLastName, "E-mail Address": FieldEmails,
			"E-mail 2 Address": FieldEmails, "E-mail Display Name": "", "Title": "", // Outlook's Title is Mr./Ms.
			"Job Title": FieldJobTitle, "Company": FieldCompany, "Mobile Phone": FieldPhones,
			"Business Phone": FieldPhones, "Notes": FieldNotes, "Web Page": FieldWebsite,
		}},
		{"testdata/csv/excel_fr_utf8_bom.csv", LayoutNone, map[string]string{
			"Nom": FieldLastName, "Prénom": FieldFirstName, "Société": FieldCompany, "E-mail": FieldEmails, "Téléphone": FieldPhones,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			det, header, _, err := ReadAll(context.Background(), data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if det.Layout != tc.layout {
				t.Errorf("layout %q, want %q", det.Layout, tc.layout)
			}
			found := 0
			for _, s := range SuggestMapping(header, nil) {
				want, ok := tc.want[s.Header]
				if !ok {
					continue
				}
				found++
				if s.Field != want {
					t.Errorf("%q → %q, want %q", s.Header, s.Field, want)
				}
			}
			if found != len(tc.want) {
				t.Errorf("%d of %d expected headers in the file", found, len(tc.want))
			}
		})
	}
}

func TestLayoutConventions(t *testing.T) {
	if LayoutOutlook.Conventions() != US || LayoutGoogleContacts.Conventions() != FR || LayoutNone.Conventions() != FR {
		t.Fatal("Outlook's English export is read with US dates; everything else the French way")
	}
	if DetectLayout([]string{"Prénom", "Nom", "Adresse de messagerie", "Nom complet de l’adresse de messagerie"}) != LayoutOutlookFR {
		t.Error("Outlook's French export not recognised")
	}
	if DetectLayout([]string{"Nom", "Prénom"}) != LayoutNone {
		t.Error("a plain header taken for an export")
	}
}
