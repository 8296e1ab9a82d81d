// Package automations sends templates from records by rule (F13): "when the date field
// échéance of a Facture has passed by 3 days and payée is not checked, send Relance 1 to
// its company's billing contact", "when a record is created", "when a field changes to a
// value".
//
//	auto := automations.New(automations.Deps{DB: db, Records: recs, Templates: tpls,
//		Outbox: box, Accounts: reg, Filing: fil}, automations.Options{})
//	a, err := auto.Save(ctx, adminID, automations.Automation{Name: "Relance J+3", TypeID: factures.ID,
//		Trigger: automations.OnDate, FieldKey: "echeance", OffsetDays: 3,
//		Conditions: []records.Filter{{Field: "payee", Op: records.IsEmpty}},
//		TemplateID: relance.ID, RecipientField: "client", RecipientRole: "comptab", Hour: 9, Timezone: "Europe/Paris"})
//	outs, total, _ := auto.DryRun(ctx, a.ID, 100) // who would get it today, and why not the others
//	auto.Start(ctx)                               // the scheduler: catch-up now, then each day at 9:00
//
// # Once per record and trigger value
//
// The ledger (automation_ledger) holds one row per automation, record and trigger value:
// the date for a date trigger (a moved due date is a new value: armed again), "created",
// or the value a field changed to. A mail's ledger row and its outbox row are written in
// one transaction (outbox.EnqueueWith) whose ON CONFLICT refuses a second row, so a crash
// leaves both or neither, and running again never sends twice. Records that cannot get the
// mail (no address, "do not email", a placeholder with no value and no default) are noted
// as blocked, with why, and tried again at each run.
//
// # Scheduling and catch-up
//
// Each automation runs once a day at its hour in its time zone. The scheduler looks at
// start and every minute: an automation whose latest hour has passed since its last run
// runs once; a date trigger being "the date is on or before today minus the offset", the
// run after days closed sends everything that became due meanwhile. When more records
// are due at once than the automation's threshold (20 by default), nothing is sent: they
// wait for approval (Approve all or some, Skip).
package automations
