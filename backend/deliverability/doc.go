// Package deliverability checks that an account's From domain lets the path it sends
// through deliver (feature F16): SPF, DKIM and DMARC, read from the domain's DNS and
// compared with what that path needs — its own SMTP server, Google, Microsoft 365,
// Postmark, Mailgun (US or EU), OVHcloud, Infomaniak (paths.go holds the table: each
// path's SPF include, DKIM selectors, and how it is recognised from the account: its API
// sender, its SMTP host, its sign-in provider, its catalogue provider).
//
//	resolver := deliverability.ResolverFor(discoveryResolver) // the configured DNS server
//	checker := deliverability.New(deliverability.Deps{DB: db, Accounts: reg, Resolver: resolver}, deliverability.Options{})
//	report, err := checker.Check(ctx, accountID, deliverability.Input{})   // runs and keeps it
//	last, ok, err := checker.Last(ctx, accountID)                         // the kept result
//	last, ok, stale, err := checker.BeforeSend(ctx, accountID)            // before a bulk send
//
// New does no I/O. Every finding has a code (a reason of reasons.go, worded in the UI's
// reasons/deliverability.json), a severity (ok, warning, failure) and, when something
// must change, the exact DNS record to add or to put in place of the current ones (the SPF
// record with the path's include merged into the existing one, the CNAME of Postmark's
// return path…). A finding never blocks a send: the UI shows it, the user decides.
//
// SPF is evaluated with blitiri.com.ar/go/spf for one of the path's sending addresses
// (the first its provider's SPF record publishes, or the SMTP host's); the lookups are
// counted here against the limits of 10 and 2 void ones. DKIM keys are parsed here (see
// parseDKIMKey for why not with go-msgauth); DMARC records with go-msgauth's dmarc. Every
// DNS question goes through the Resolver given in Deps.
package deliverability
