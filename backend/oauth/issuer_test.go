package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/oauth"
)

// A provider named by its issuer alone gets every endpoint from its discovery document,
// the same as when each is set by hand; the client ID and scopes stay the settings'.
func TestFromIssuerReadsEveryEndpointFromTheDiscoveryDocument(t *testing.T) {
	p := testoidc.Start(t, testoidc.Options{})
	base := oauth.DefaultConfig().Google
	base.ClientID = p.ClientID()
	got, err := oauth.FromIssuer(context.Background(), nil, base, p.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if want := providerFor(p).Google; !reflect.DeepEqual(got, want) {
		t.Fatalf("from the issuer:\n%+v\nby hand:\n%+v", got, want)
	}
}

func TestFromIssuerRefusesADocumentWithoutEndpoints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"issuer":"http://x"}`))
	}))
	defer srv.Close()
	base := oauth.DefaultConfig().Google
	got, err := oauth.FromIssuer(context.Background(), nil, base, srv.URL)
	if err == nil || got.AuthURL != base.AuthURL {
		t.Fatalf("err = %v, auth URL %q: the settings must stay as they were", err, got.AuthURL)
	}
}
