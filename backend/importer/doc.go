// Package importer turns the files people really have into rows of cells, and says what it
// detected on the way. It knows nothing of records or of the store: the records package
// maps the columns to fields, types the cells with the parsers below, deduplicates and
// stores.
//
//	det, err := importer.Sniff(head)                      // encoding, separator, header row, layout
//	r, err := importer.NewReader(ctx, f, importer.Options{}) // or with the user's overrides
//	header := r.Header()
//	sugg := importer.SuggestMapping(header, nil)        // a field for each column, with a confidence
//	for {
//		row, err := r.Next()                            // io.EOF at the end; a *fault.Error for a malformed quote
//		…
//		v, err := importer.Parse(importer.KindDate, row.Cells[i], r.Detected().Conventions, time.Local)
//	}
//
//	contacts, err := importer.ReadVCards(ctx, f)         // .vcf, vCard 2.1, 3 and 4
//	header, rows := importer.ContactsTable(contacts)     // the same rows-of-cells shape
//	err = importer.WriteVCards(w, contacts, importer.VCard3)
//
// Every failure a user can meet is one of the reasons defined in reasons.go, worded in
// frontend/src/lib/i18n/reasons/importer.json.
package importer
