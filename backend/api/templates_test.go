package api

import (
	"encoding/base64"
	"strings"
	"testing"

	"mailroom/backend/fault"
)

func TestAdminsWriteTemplatesEveryoneReadsAndPreviews(t *testing.T) {
	h := newHarness(t)
	ev := &recorder{}
	h.b.Emit = ev.emit
	h.as(t, admin)
	typ, err := h.svcs.Records.CreateType(TypeInputDTO{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Records.AddField(typ.ID, FieldInputDTO{Label: "Montant", Kind: "money", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	inv, err := h.svcs.Records.Create(RecordInputDTO{TypeID: typ.ID, Values: map[string]any{"numero": "F-7", "montant": 1234.56}})
	if err != nil {
		t.Fatal(err)
	}
	in := TemplateInputDTO{Name: "Relance", Language: "fr", TypeID: typ.ID, Subject: "Facture {{facture.numero}}",
		HTML: "<p>Montant : {{facture.montnat}}</p>"}
	_, err = h.svcs.Templates.Save(in)
	d, _ := FormatError(err).(ErrorDTO)
	if d.Reason != "template_field_unknown" || d.Field != "html" || d.Params["placeholder"] != "{{facture.montnat}}" ||
		d.Params["suggestion"] != "{{facture.montant}}" {
		t.Fatalf("the typo reached the UI as %+v", d)
	}
	in.HTML = "<p>Montant : {{facture.montant}}</p>"
	saved, err := h.svcs.Templates.Save(in)
	if err != nil || saved.Text != "Montant : {{facture.montant}}" {
		t.Fatalf("Save = %+v, %v", saved, err)
	}
	if _, err := h.svcs.Templates.AddAttachment(saved.ID, "cgv.txt", base64.StdEncoding.EncodeToString([]byte("CGV"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(ev.names, " "), TemplatesChangedEvent) {
		t.Fatalf("events %v", ev.names)
	}

	h.as(t, collab)
	if _, err := h.svcs.Templates.Save(TemplateInputDTO{Name: "x", Language: "fr"}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a collaborator wrote a template: %v", err)
	}
	if err := h.svcs.Templates.Delete(saved.ID); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a collaborator deleted a template: %v", err)
	}
	list, err := h.svcs.Templates.List()
	if err != nil || len(list) != 1 || list[0].Attachments != 1 || list[0].Problem != nil {
		t.Fatalf("List = %+v, %v", list, err)
	}
	p, err := h.svcs.Templates.Preview(saved.TemplateInputDTO, inv.ID)
	if err != nil || p.Subject != "Facture F-7" || !strings.Contains(p.HTML, "1\u00a0234,56\u00a0€") || len(p.Attachments) != 1 {
		t.Fatalf("Preview = %+v, %v", p, err)
	}
	groups, err := h.svcs.Templates.Fields()
	if err != nil || groups[len(groups)-1].Key != "account" || groups[len(groups)-2].Key != "user" {
		t.Fatalf("Fields = %+v, %v", groups, err)
	}
}
