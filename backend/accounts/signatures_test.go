package accounts_test

import (
	"strings"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
)

func TestAnAccountHasAtMostThreeSignatures(t *testing.T) {
	f := newFixture(t)
	acc, err := f.reg.CreateWith(ctx, f.owner.ID, sample("contact@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.reg.CreateWith(ctx, f.owner.ID, sample("factures@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Courte", "Longue", "Vacances"} {
		s, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc.ID, Name: " " + name + " ", HTML: "<p>" + name + "</p>"})
		if err != nil {
			t.Fatalf("signature %d: %v", i+1, err)
		}
		if s.ID == 0 || s.Name != name {
			t.Errorf("saved %+v", s)
		}
	}
	_, err = f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc.ID, Name: "Quatrième", HTML: "<p>4</p>"})
	if fe, ok := fault.As(err); !ok || fe.Reason != "signature_limit" || fe.Params["max"] != 3 {
		t.Fatalf("a fourth signature: %v, want signature_limit with max 3", err)
	}
	list, err := f.reg.Signatures(ctx, acc.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("signatures after the refusal: %d, %v", len(list), err)
	}
	// The limit is per account; editing one of the three is not adding one.
	if _, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: other.ID, Name: "Autre", HTML: "x"}); err != nil {
		t.Errorf("another account's first signature: %v", err)
	}
	list[0].HTML = "<p>Changée</p>"
	if s, err := f.reg.SaveSignature(ctx, list[0]); err != nil || s.HTML != "<p>Changée</p>" {
		t.Errorf("editing the first: %+v, %v", s, err)
	}
	// Deleting one makes room again.
	if err := f.reg.DeleteSignature(ctx, acc.ID, list[2].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc.ID, Name: "Nouvelle", HTML: "<p>n</p>"}); err != nil {
		t.Errorf("after a delete: %v", err)
	}
	// A name is required; a signature of another account cannot be edited through this one.
	if _, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc.ID, Name: "  ", HTML: "x"}); !isReason(err, "signature_name_missing") {
		t.Errorf("no name: %v", err)
	}
	list[0].AccountID = other.ID
	if _, err := f.reg.SaveSignature(ctx, list[0]); !isReason(err, "signature_gone") {
		t.Errorf("edit through another account: %v", err)
	}
	if _, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc.ID, ID: list[0].ID, Name: "x", HTML: strings.Repeat("a", 70<<10)}); !isReason(err, "signature_too_large") {
		t.Errorf("70 KB: %v", err)
	}
}

func isReason(err error, reason string) bool {
	fe, ok := fault.As(err)
	return ok && fe.Reason == reason
}

func TestMergeTagsAreTheSignersEscapedValues(t *testing.T) {
	html := `<p><b>{{user.name}}</b><br>{{user.title}} · <a href="tel:x">{{user.phone}}</a></p><p>{{user.other}}</p>`
	got := accounts.RenderSignature(html, accounts.Signer{Name: `Sophie <b>"Martin"</b> & fils`, Title: "Comptable", Phone: "+33 1 23 45 67 89"})
	for _, want := range []string{
		"<b>Sophie &lt;b&gt;&#34;Martin&#34;&lt;/b&gt; &amp; fils</b>",
		"Comptable · ",
		"+33 1 23 45 67 89",
		"{{user.other}}", // an unknown tag stays as typed
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %q\nwant it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "<b>\"Martin\"</b>") || strings.Count(got, "<b>") != 1 {
		t.Errorf("a value's markup was not escaped: %q", got)
	}
	// A value cannot open an element or an attribute.
	got = accounts.RenderSignature(`<a href="https://shop.test/">{{user.name}}</a>`, accounts.Signer{Name: `"><img src=x onerror=alert(1)>`})
	if strings.Contains(got, "<img") || strings.Contains(got, "onerror=alert") && !strings.Contains(got, "&lt;img") {
		t.Errorf("a value became markup: %q", got)
	}
}

func TestAHostileSignatureIsSanitisedWhenSavedAndWhenRendered(t *testing.T) {
	f := newFixture(t)
	acc, err := f.reg.CreateWith(ctx, f.owner.ID, sample("contact@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	hostile := `<p onclick="steal()">Bonjour <script>alert(1)</script><a href="javascript:alert(2)">site</a>` +
		`<img src="https://cdn.shop.test/logo.png" onerror="alert(3)" alt="Logo"><iframe src="https://evil.test"></iframe>` +
		`<a href="https://shop.test/" style="color:red">shop</a></p>`
	s, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc.ID, Name: "Piégée", HTML: hostile})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.reg.Signature(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	rendered := accounts.RenderSignature(hostile, accounts.Signer{Name: "Sophie"})
	for name, got := range map[string]string{"stored": stored.HTML, "rendered unsaved": rendered} {
		low := strings.ToLower(got)
		for _, bad := range []string{"<script", "alert(1)", "onclick", "onerror", "javascript:", "<iframe", "evil.test"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s signature keeps %q: %s", name, bad, got)
			}
		}
		// What a signature is for stays: text, links, the logo by URL.
		for _, keep := range []string{"Bonjour", `src="https://cdn.shop.test/logo.png"`, `href="https://shop.test/"`, `alt="Logo"`} {
			if !strings.Contains(got, keep) {
				t.Errorf("%s signature lost %q: %s", name, keep, got)
			}
		}
	}
}

func TestDefaultsPerUserAndAccount(t *testing.T) {
	f := newFixture(t)
	contact, err := f.reg.CreateWith(ctx, f.owner.ID, sample("contact@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	factures, err := f.reg.CreateWith(ctx, f.owner.ID, sample("factures@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	sig := func(acc int64, name string) accounts.Signature {
		s, err := f.reg.SaveSignature(ctx, accounts.Signature{AccountID: acc, Name: name, HTML: "<p>" + name + "</p>"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sophie, owner := sig(contact.ID, "Sophie"), sig(contact.ID, "Direction")
	compta := sig(factures.ID, "Compta")

	// No access, no defaults.
	if err := f.reg.SetDefaults(ctx, contact.ID, f.other.ID, true, sophie.ID); !isReason(err, "account_access_missing") {
		t.Fatalf("defaults without access: %v", err)
	}
	for _, acc := range []int64{contact.ID, factures.ID} {
		if err := f.reg.Grant(ctx, acc, f.other.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.reg.SetDefaults(ctx, contact.ID, f.other.ID, true, sophie.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.SetDefaults(ctx, contact.ID, f.owner.ID, false, owner.ID); err != nil {
		t.Fatal(err)
	}
	// A signature of another account is refused.
	if err := f.reg.SetDefaults(ctx, factures.ID, f.other.ID, false, sophie.ID); !isReason(err, "signature_gone") {
		t.Errorf("another account's signature: %v", err)
	}
	grants, err := f.reg.Grants(ctx, contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []accounts.Grant{
		{AccountID: contact.ID, UserID: f.owner.ID, SignatureID: owner.ID},
		{AccountID: contact.ID, UserID: f.other.ID, Default: true, SignatureID: sophie.ID},
	}
	if len(grants) != 2 || grants[0] != want[0] || grants[1] != want[1] {
		t.Fatalf("grants of contact@: %+v, want %+v", grants, want)
	}
	// One default account per user: making factures@ hers takes it from contact@, and
	// keeps her default signature there.
	if err := f.reg.SetDefaults(ctx, factures.ID, f.other.ID, true, compta.ID); err != nil {
		t.Fatal(err)
	}
	mine, err := f.reg.UserGrants(ctx, f.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantMine := []accounts.Grant{
		{AccountID: contact.ID, UserID: f.other.ID, SignatureID: sophie.ID},
		{AccountID: factures.ID, UserID: f.other.ID, Default: true, SignatureID: compta.ID},
	}
	if len(mine) != 2 || mine[0] != wantMine[0] || mine[1] != wantMine[1] {
		t.Fatalf("her grants: %+v, want %+v", mine, wantMine)
	}
	// Deleting a signature clears it as a default; revoking access drops the defaults.
	if err := f.reg.DeleteSignature(ctx, contact.ID, sophie.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.Revoke(ctx, factures.ID, f.other.ID); err != nil {
		t.Fatal(err)
	}
	mine, err = f.reg.UserGrants(ctx, f.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0] != (accounts.Grant{AccountID: contact.ID, UserID: f.other.ID}) {
		t.Fatalf("after the delete and the revoke: %+v", mine)
	}
	// Granted again: no defaults come back with it.
	if err := f.reg.Grant(ctx, factures.ID, f.other.ID); err != nil {
		t.Fatal(err)
	}
	if g, _ := f.reg.Grants(ctx, factures.ID); len(g) != 2 || g[1] != (accounts.Grant{AccountID: factures.ID, UserID: f.other.ID}) {
		t.Errorf("granted again: %+v", g)
	}
}
