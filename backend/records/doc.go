// Package records keeps Mailroom's business records (F10, F20): contacts and companies,
// built in, and the record types admins define (Factures, Devis, Dossiers…), in one model of
// types, typed fields and values.
//
//	recs := records.New(db, records.Options{})
//	s, _ := recs.Schema(ctx)
//	factures, _ := recs.CreateType(ctx, adminID, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
//	due, _ := recs.AddField(ctx, factures.ID, records.FieldInput{Label: "Échéance", Kind: records.Date}) // key "echeance"
//	acme, _ := recs.Create(ctx, userID, s.TypeByKey(records.CompanyType).ID,
//		records.Values{"name": "ACME", "domains": []any{"acme.fr"}})
//	_, _ = recs.Create(ctx, userID, factures.ID, records.Values{"numero": "F-001", "echeance": "2026-01-31"})
//	page, _ := recs.List(ctx, records.Query{TypeID: factures.ID, Sort: records.Sort{Field: "echeance"}})
//	page, _ = recs.List(ctx, records.Query{TypeID: factures.ID, Cursor: page.Next, Search: "f-00"})
//	d, _ := recs.Get(ctx, acme.ID) // d.Backlinks: its contacts, its invoices
//
//	// An import: thousands of records in one transaction, marked with the import's id.
//	ch, err := recs.Write(ctx, adminID, func(w *records.Writer) error {
//		w.SetImport(importID)
//		for _, row := range rows {
//			if _, err := w.Create(typeID, row); err != nil { return err }
//		}
//		return nil
//	})
//
// # Keys stay, labels change
//
// Templates name values by key ({{facture.echeance}}), so keys are stable:
//   - A type's key comes from its singular name at creation, a field's from its label
//     (ASCII snake_case, accents dropped: "Échéance" → "echeance"; "_2", "_3"… when taken in
//     the type); neither ever changes. Renaming a type or a field changes its label only:
//     its key and every value stay. To change a key, add a field and delete the old one.
//   - A field's kind never changes (its values would no longer fit); a money field's
//     currency may change (amounts stay as they are).
//   - Choices are kept by id: renaming a choice relabels every record holding it; deleting
//     one removes it from those records (FieldUsage counts them first).
//   - Built-in fields (contacts' first_name… do_not_email, companies' name… notes) have
//     fixed keys and cannot be deleted; built-in types cannot be deleted.
//
// # Storage
//
// One row per value in record_values, indexed (field_id, seq, sort, record_id): a list
// sorted by any field walks that index (keyset pages: the next page starts after the last
// row's sort value and id), and a filter is an EXISTS on the same index. sort is the value's
// sortable form (folded text, numbers, minor units, ISO dates). Links are rows of
// record_links, indexed both ways. records_fts (FTS5, accents and case folded, prefix
// index) holds each record's title and the text of its values. Contacts' addresses and
// companies' domains are also kept normalised in record_emails and record_domains, for the
// lookups filing makes for every message (ContactsByEmail, CompaniesByDomain).
//
// record_values declares value and sort BLOB (no affinity, migration 0013): a text
// that looks like a number stays text ("0612345678").
//
// An import writes many records in one Write: their values are checked before anything is
// written, rows match and link through an index read once per import (typeIndex), and new
// records' values, links and lookups are queued and written sorted the way their indexes
// are (Writer.flush), through statements prepared once per transaction.
//
// Every change is one transaction (Write). Delete moves a record to the trash, restorable
// for TrashDays; PurgeTrash (at start) removes older ones. Every record keeps who created
// and last edited it, and when, and the import that created it (ImportID).
package records
