// Command licenses writes frontend/src/lib/generated/licenses.json: the Go modules linked
// into Mailroom (the app's package graph for Linux and for Windows, with the build tags of
// the Makefile) and the npm packages bundled into its frontend, each with its licence, for
// Settings → About. It is generated, never edited: `make build` runs it, and
// TestGeneratedLicensesAreUpToDate fails `make test` when the committed file is stale.
//
//	go run ./scripts/licenses          # rewrite the file
//	go run ./scripts/licenses -check   # exit 1 if it is out of date
//
// A Go module's licence is read from its LICENSE/LICENCE/COPYING file in the module cache
// (or, for a module that ships none, from its README's "License" section) and identified
// by the classifier in classify.go; an npm package's is the `license` field that
// package-lock.json records. A licence the classifier does not know stops the generator:
// teach it the licence rather than ship "unknown".
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Output is the generated file's path, relative to the repository root.
const Output = "frontend/src/lib/generated/licenses.json"

// buildTags are the Makefile's TAGS: the same package graph as the shipped binary.
const buildTags = "webkit2_41,sqlite_fts5"

// Platforms whose package graphs are listed (the .deb and the Windows installer).
var platforms = []string{"linux", "windows"}

// Dependency is one entry of the list shown in Settings → About.
type Dependency struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license"`
}

// List is the generated file's content.
type List struct {
	Go  []Dependency `json:"go"`
	Npm []Dependency `json:"npm"`
}

func main() {
	check := flag.Bool("check", false, "exit 1 if "+Output+" is out of date instead of writing it")
	flag.Parse()
	root, err := repoRoot()
	if err != nil {
		fail(err)
	}
	want, err := Render(root)
	if err != nil {
		fail(err)
	}
	path := filepath.Join(root, Output)
	if *check {
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			fail(fmt.Errorf("%s is out of date: run `go run ./scripts/licenses` and commit it", Output))
		}
		return
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "licenses:", err)
	os.Exit(1)
}

// Render generates the file's bytes for the repository at root.
func Render(root string) ([]byte, error) {
	g, err := goModules(root)
	if err != nil {
		return nil, err
	}
	n, err := npmPackages(filepath.Join(root, "frontend"))
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(List{Go: g, Npm: n}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
