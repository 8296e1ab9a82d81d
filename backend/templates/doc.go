// Package templates keeps the mails written once and sent from records (F12): a name, a
// language, a subject, an HTML body, its plain-text part and attachments, with placeholders
// naming the fields of the record a mail is about and of the records linked to it.
//
//	tpls := templates.New(templates.Deps{DB: db, Records: recs}, templates.Options{})
//	t, err := tpls.Save(ctx, userID, templates.Draft{Name: "Relance 1", Language: "fr",
//		Subject: "Facture {{facture.numero}}",
//		HTML:    `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p>`})
//	// err: template_field_unknown {placeholder: "{{facture.numreo}}", suggestion: "{{facture.numero}}"}
//	out, err := tpls.Render(ctx, t.ID, templates.Target{RecordID: invoiceID,
//		Sender: templates.Sender{UserName: "Camille", AccountAddress: "factures@example.fr"}})
//	// out.Subject, out.HTML (escaped, sanitised), out.Text, out.Attachments, out.Missing
//
// # Placeholders
//
// {{type.field}} names a field by its key (records' keys never change: renaming a field or
// a type changes only its label, so no template needs rewriting; the picker shows the new
// label). The type is the record's own or one reached through links, two steps at most
// (an invoice's company, that company's contact); user.* and account.* are the sender's.
// {{path | default: "text"}} stands in for an empty value. Values are written in the
// template's language: "5 décembre 2026", "1 234,56 €"; "December 5, 2026", "€1,234.56".
//
// Saving checks every placeholder against the current fields: an unknown one is refused,
// naming it and the nearest known path. A field deleted later makes List report the
// template (Summary.Problem) until it is fixed.
//
// # Safety
//
// A template holds text and placeholders, nothing else: no tags, no loops, no filter but
// default, so it cannot call code. The HTML part is rendered through html/template, whose
// escaping fits each value to where it lands, then through message.Sanitize (see render.go
// for why not a Liquid engine). The subject and the text part take values as text; a value
// cannot break the subject into a header.
package templates
