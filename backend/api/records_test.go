package api

import (
	"testing"

	"mailroom/backend/fault"
)

// recorder keeps the events a harness emitted.
type recorder struct{ names []string }

func (r *recorder) emit(name string, _ any) { r.names = append(r.names, name) }

func TestACollaboratorEditsRecordsButCannotDefineATypeOrEmptyTheTrash(t *testing.T) {
	h := newHarness(t)
	ev := &recorder{}
	h.b.Emit = ev.emit
	h.as(t, admin)
	typ, err := h.svcs.Records.CreateType(TypeInputDTO{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	due, err := h.svcs.Records.AddField(typ.ID, FieldInputDTO{Label: "Échéance", Kind: "date"})
	if err != nil || due.Key != "echeance" {
		t.Fatalf("AddField = %+v, %v", due, err)
	}
	h.as(t, collab)
	if _, err := h.svcs.Records.CreateType(TypeInputDTO{Singular: "Devis", Plural: "Devis"}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a collaborator defined a type: %v", err)
	}
	if _, err := h.svcs.Records.AddField(typ.ID, FieldInputDTO{Label: "Montant", Kind: "money"}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a collaborator added a field: %v", err)
	}
	types, err := h.svcs.Records.Types()
	if err != nil || len(types) != 3 || types[0].Key != "contact" || types[1].Key != "company" {
		t.Fatalf("Types = %+v, %v", types, err)
	}
	co, err := h.svcs.Records.Create(RecordInputDTO{TypeID: types[1].ID, Values: map[string]any{"name": "ACME", "domains": []any{"acme.fr"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.svcs.Records.Create(RecordInputDTO{TypeID: types[0].ID, Values: map[string]any{"first_name": "Élise", "company": float64(co.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if refs, ok := c.Values["company"].([]LinkRefDTO); !ok || len(refs) != 1 || refs[0].Title != "ACME" {
		t.Fatalf("the contact's company = %#v", c.Values["company"])
	}
	if c.CreatedByName != "collaborator" {
		t.Fatalf("created by %q", c.CreatedByName)
	}
	inv, err := h.svcs.Records.Create(RecordInputDTO{TypeID: typ.ID, Values: map[string]any{"numero": "F-1", "echeance": "31/01/2026"}})
	if fe, _ := fault.As(err); fe == nil || fe.Reason != "records_value_not_date" || fe.Field != "echeance" || fe.Params["field"] != "Échéance" {
		t.Fatalf("a French date was accepted or refused without its reason: %+v, %v", inv, err)
	}
	if _, err := h.svcs.Records.Update(c.ID, RecordInputDTO{Values: map[string]any{"job_title": "Gérante"}}); err != nil {
		t.Fatal(err)
	}
	d, err := h.svcs.Records.Get(co.ID)
	if err != nil || len(d.Backlinks) != 1 || d.Backlinks[0].Records[0].ID != c.ID {
		t.Fatalf("ACME's page = %+v, %v", d, err)
	}
	page, err := h.svcs.Records.List(RecordQueryDTO{TypeID: types[0].ID, Search: "elise"})
	if err != nil || page.Total != 1 || page.Records[0].Values["job_title"] != "Gérante" {
		t.Fatalf("search = %+v, %v", page, err)
	}
	if err := h.svcs.Records.Delete([]int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Records.EmptyTrash(); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a collaborator emptied the trash: %v", err)
	}
	if err := h.svcs.Records.Restore([]int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	v, err := h.svcs.Records.SaveView(ViewDTO{TypeID: types[0].ID, Name: "Gérantes", Columns: []string{"first_name"},
		Filters: []FilterDTO{{Field: "job_title", Op: "contains", Value: "gérante"}}})
	if err != nil {
		t.Fatal(err)
	}
	if vs, err := h.svcs.Records.Views(types[0].ID); err != nil || len(vs) != 1 || vs[0].ID != v.ID || vs[0].Filters[0].Op != "contains" {
		t.Fatalf("views = %+v, %v", vs, err)
	}
	changed := 0
	for _, n := range ev.names {
		if n == RecordsChangedEvent {
			changed++
		}
	}
	if changed < 6 { // type, field, 2 creations, update, delete, restore
		t.Fatalf("%d records:changed events, want one per change: %v", changed, ev.names)
	}
}
