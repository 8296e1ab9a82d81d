package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The committed list must be what the generator makes from today's go.mod and
// package-lock.json: a dependency added, removed or upgraded without regenerating fails
// here, and so `make test`.
func TestGeneratedLicensesAreUpToDate(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Render(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, Output))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date (err %v): run `go run ./scripts/licenses` and commit it", Output, err)
	}
	// The list names what the app links, not the build tools: the Wails CLI, nfpm and the
	// test servers are Go tools or test dependencies and must not appear.
	for _, absent := range []string{"github.com/goreleaser/nfpm", "github.com/emersion/go-smtp", `"vite"`, `"vitest"`} {
		if bytes.Contains(got, []byte(absent)) {
			t.Errorf("%s lists %s, which is not shipped", Output, absent)
		}
	}
	for _, present := range []string{"github.com/wailsapp/wails/v2", "github.com/mattn/go-sqlite3", "github.com/danieljoos/wincred", `"svelte"`, `"svelte-i18n"`} {
		if !bytes.Contains(got, []byte(present)) {
			t.Errorf("%s does not list %s, which is shipped", Output, present)
		}
	}
}

func TestClassify(t *testing.T) {
	mit := `Copyright (c) 2020 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software ... The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.`
	bsd2 := `Redistribution and use in source and binary forms, with or without modification, are
permitted provided that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice.
2. Redistributions in binary form must reproduce the above copyright notice.`
	bsd3 := bsd2 + "\n3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote products."
	isc := `Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.`
	for name, c := range map[string]struct {
		text string
		want []string
	}{
		"MIT":          {mit, []string{"MIT"}},
		"BSD-2":        {bsd2, []string{"BSD-2-Clause"}},
		"BSD-3":        {bsd3, []string{"BSD-3-Clause"}},
		"ISC":          {isc, []string{"ISC"}},
		"Apache":       {"Apache License\n  Version 2.0, January 2004", []string{"Apache-2.0"}},
		"MPL":          {"Mozilla Public License Version 2.0\n==================", []string{"MPL-2.0"}},
		"MIT and BSD":  {mit + "\n\n" + bsd3, []string{"MIT", "BSD-3-Clause"}},
		"unknown":      {"All rights reserved. You may not copy this.", nil},
		"GPL is not …": {"GNU GENERAL PUBLIC LICENSE Version 3", nil},
	} {
		if got := Classify(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Classify = %v, want %v", name, got, c.want)
		}
	}
	if got := ClassifyName("\nMIT\n"); !reflect.DeepEqual(got, []string{"MIT"}) {
		t.Errorf("ClassifyName(MIT) = %v", got)
	}
	if got := ClassifyName("See the file for terms.\n"); got != nil {
		t.Errorf("ClassifyName of no name = %v, want none", got)
	}
}

// A module whose licence the classifier does not know stops the generator rather than
// shipping "unknown".
func TestUnknownLicenceFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "LICENSE"), []byte("Proprietary. All rights reserved."), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := moduleLicense(dir); err == nil || !strings.Contains(err.Error(), "does not know") {
		t.Fatalf("moduleLicense of an unknown licence: err = %v", err)
	}
	readmeOnly := t.TempDir()
	if err := os.WriteFile(filepath.Join(readmeOnly, "README.md"), []byte("# u\n\nthings\n\n## License\n\nMIT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := moduleLicense(readmeOnly); err != nil || got != "MIT" {
		t.Fatalf("moduleLicense from a README: %q, %v", got, err)
	}
}
