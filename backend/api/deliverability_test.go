package api

import (
	"testing"

	"mailroom/backend/deliverability"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testdns"
)

// An admin runs the check and reads it back; a collaborator reads it only for an account
// granted to them; the DTO carries the findings with their records to copy.
func TestDeliverabilityIsRunByAdminsAndReadByWhoeverUsesTheAccount(t *testing.T) {
	h := newHarness(t)
	z := testdns.New(t)
	z.Add(t, `example.test. 300 IN TXT "v=spf1 mx -all"`,
		`smtp.example.test. 300 IN A 203.0.113.7`,
		`_dmarc.example.test. 300 IN TXT "v=DMARC1; p=none"`)
	h.b.Deliverability = deliverability.New(deliverability.Deps{DB: h.b.DB, Accounts: h.b.Accounts,
		Resolver: deliverability.ResolverFor(discovery.NewDNSServerResolver(z.Addr))}, deliverability.Options{})
	h.as(t, admin)
	in := input(993, 587)
	in.SMTP.Host = "smtp.example.test"
	a, err := h.svcs.Accounts.Create(in, "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := h.svcs.Accounts.Deliverability(a.ID); err != nil || got != nil {
		t.Fatalf("before any check: %+v, %v", got, err)
	}
	d, err := h.svcs.Accounts.CheckDeliverability(a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Domain != "example.test" || d.Path != "smtp" || d.Worst != "failure" || d.Stale || len(d.Findings) == 0 {
		t.Fatalf("check: %+v", d)
	}
	spf := d.Findings[0]
	if spf.Code != "spf_not_authorised" || spf.Fix == nil || spf.Fix.Value != "v=spf1 mx a:smtp.example.test -all" ||
		len(spf.Fix.Replaces) != 1 || spf.Params["address"] != "203.0.113.7" {
		t.Fatalf("SPF finding: %+v (fix %+v)", spf, spf.Fix)
	}

	h.as(t, collab)
	if _, err := h.svcs.Accounts.Deliverability(a.ID); fault.ReasonOf(err) != "account_not_granted" {
		t.Fatalf("a collaborator without the account read its check: %v", err)
	}
	if _, err := h.svcs.Accounts.CheckDeliverability(a.ID, nil); fault.CodeOf(err) != fault.Forbidden {
		t.Fatalf("a collaborator ran the check: %v", err)
	}
	h.as(t, admin)
	if err := h.svcs.Accounts.Grant(a.ID, h.users[collab]); err != nil {
		t.Fatal(err)
	}
	h.as(t, collab)
	got, err := h.svcs.Accounts.Deliverability(a.ID)
	if err != nil || got == nil || got.CheckedAt != d.CheckedAt || len(got.Findings) != len(d.Findings) ||
		got.Findings[0].Fix.Value != spf.Fix.Value {
		t.Fatalf("collaborator's read: %+v, %v", got, err)
	}
}
