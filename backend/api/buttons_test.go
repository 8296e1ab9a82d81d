package api

import (
	"context"
	"testing"

	"mailroom/backend/fault"
)

// TestACollaboratorWithoutAnAccountSendsThroughTheOfficeSender: a collaborator granted no
// account is refused until a super admin chooses the office sender; then the composer is
// offered it (ForMe) and Mail.Send queues from it. Someone with an account of their own is
// not offered it, and only a super admin chooses it.
func TestACollaboratorWithoutAnAccountSendsThroughTheOfficeSender(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	office, _ := officeAccount(t, h, "")
	mail := SendInput{AccountID: office.ID, To: []AddressDTO{{Email: "client@example.org"}}, Subject: "Bonjour", Text: "Bonjour."}

	h.as(t, collab)
	if _, err := h.svcs.Mail.Send(mail); fault.ReasonOf(err) != "account_not_granted" {
		t.Fatalf("before an office sender: %v", err)
	}
	o, err := h.svcs.Accounts.OfficeSender()
	if err != nil || o.AccountID != 0 || o.ForMe {
		t.Fatalf("OfficeSender = %+v, %v", o, err)
	}
	if err := h.svcs.Accounts.SetOfficeSender(OfficeSenderDTO{AccountID: office.ID}); fault.CodeOf(err) != fault.Forbidden {
		t.Fatalf("a collaborator chose the office sender: %v", err)
	}

	h.as(t, super)
	if err := h.svcs.Accounts.SetOfficeSender(OfficeSenderDTO{AccountID: office.ID, UserID: h.users[super]}); err != nil {
		t.Fatal(err)
	}
	o, err = h.svcs.Accounts.OfficeSender()
	if err != nil || o.AccountID != office.ID || o.UserID != h.users[super] || o.Address != "contact@cabinet.test" || o.FromName != "Cabinet Martin" || o.ForMe {
		t.Fatalf("the super admin, who has the account, reads %+v, %v", o, err)
	}

	h.as(t, collab)
	o, err = h.svcs.Accounts.OfficeSender()
	if err != nil || !o.ForMe || o.AccountID != office.ID {
		t.Fatalf("the collaborator reads %+v, %v", o, err)
	}
	sent, err := h.svcs.Mail.Send(mail)
	if err != nil || sent.OutboxID == 0 {
		t.Fatalf("the collaborator's send: %+v, %v", sent, err)
	}
	if it, err := h.b.Outbox.Get(ctx, sent.OutboxID); err != nil || it.AccountID != office.ID || it.QueuedBy != h.users[collab] {
		t.Fatalf("outbox item %+v, %v", it, err)
	}
}
