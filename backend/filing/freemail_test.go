package filing

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// frenchISPs are the French ISPs' and webmails' domains the filing issue names.
var frenchISPs = []string{"orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr",
	"numericable.fr", "club-internet.fr", "aliceadsl.fr"}

func TestTheShippedListNamesTheFrenchISPs(t *testing.T) {
	for _, d := range append(frenchISPs, "gmail.com", "hotmail.fr", "yahoo.fr") {
		if !IsFreemail(d) {
			t.Errorf("freemail.txt lacks %s", d)
		}
	}
	if IsFreemail("notre-cabinet.fr") {
		t.Error("a company's domain is listed")
	}
}

// TestTheUpdateScriptWorksOffline runs scripts/update-freemail.sh against a copy of the
// public list on disk (file://: nothing is fetched from the internet): the list it writes
// holds the source's domains, normalised, and the French ISPs; a source it cannot read,
// or an implausibly short one, leaves the list as it was.
func TestTheUpdateScriptWorksOffline(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	script, err := filepath.Abs("../../scripts/update-freemail.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "freemail.txt")
	shipped, err := os.ReadFile("freemail.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	source := func(domains []string) string {
		p := filepath.Join(dir, fmt.Sprintf("domains-%d.json", len(domains)))
		b, _ := json.Marshal(domains)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	run := func(url string) (string, error) {
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), "FREEMAIL_SOURCE_URL="+url, "FREEMAIL_OUT="+out,
			"http_proxy=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9") // were anything fetched, it would fail
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	var domains []string
	for i := range 1200 {
		domains = append(domains, fmt.Sprintf("webmail-%d.example", i))
	}
	domains = append(domains, " GMail.com ", "mail.ru.", "not a domain")
	if msg, err := run(source(domains)); err != nil {
		t.Fatalf("the script failed: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	list := parseDomainList(string(b))
	for _, d := range append(frenchISPs, "gmail.com", "mail.ru", "webmail-0.example", "webmail-1199.example") {
		if !list[d] {
			t.Errorf("the regenerated list lacks %s", d)
		}
	}
	if list["not a domain"] || len(list) != 1200+2+29 {
		t.Errorf("the regenerated list holds %d domains", len(list))
	}
	if !strings.HasPrefix(string(b), "# Free-mail and ISP domains") {
		t.Error("the list lost its header")
	}

	before := string(b)
	for name, url := range map[string]string{
		"unreadable": "file://" + filepath.Join(dir, "missing.json"),
		"too short":  source([]string{"gmail.com"}),
	} {
		if msg, err := run(url); err == nil {
			t.Errorf("%s source: the script succeeded:\n%s", name, msg)
		}
		if after, _ := os.ReadFile(out); string(after) != before {
			t.Errorf("%s source: the list changed", name)
		}
	}
	if left, _ := filepath.Glob(out + ".*"); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
