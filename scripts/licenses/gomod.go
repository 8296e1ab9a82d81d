package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type goPackage struct {
	Standard bool
	Module   *goModule
}

type goModule struct {
	Path    string
	Version string
	Dir     string
	Main    bool
	Replace *goModule
}

// goModules lists the modules whose packages are linked into the app on each platform,
// and the Go standard library, each with its licence.
func goModules(root string) ([]Dependency, error) {
	mods := map[string]goModule{}
	for _, goos := range platforms {
		cmd := exec.Command("go", "list", "-deps", "-json=Standard,Module", "-tags", buildTags, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go list -deps (GOOS=%s): %w: %s", goos, err, stderr.String())
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var p goPackage
			if err := dec.Decode(&p); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, err
			}
			if p.Module == nil || p.Module.Main {
				continue
			}
			m := *p.Module
			if m.Replace != nil {
				if m.Replace.Version != "" {
					m.Version = m.Replace.Version
				} else {
					m.Version += " (patched)" // a copy in the project, e.g. third_party/go-imap
				}
				m.Dir = m.Replace.Dir
			}
			mods[m.Path] = m
		}
	}
	var deps []Dependency
	for _, m := range mods {
		lic, err := moduleLicense(m.Dir)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", m.Path, m.Version, err)
		}
		deps = append(deps, Dependency{Name: m.Path, Version: m.Version, License: lic})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })

	std, err := goStandardLibrary(root)
	if err != nil {
		return nil, err
	}
	return append([]Dependency{std}, deps...), nil
}

// goStandardLibrary is Go's runtime and standard library, compiled into every Go program,
// listed as "Go" at the go.mod's Go version (the oldest toolchain that builds Mailroom).
func goStandardLibrary(root string) (Dependency, error) {
	cmd := exec.Command("go", "env", "GOROOT")
	cmd.Dir = root
	goroot, err := cmd.Output()
	if err != nil {
		return Dependency{}, fmt.Errorf("go env GOROOT: %w", err)
	}
	lic, err := moduleLicense(strings.TrimSpace(string(goroot)))
	if err != nil {
		return Dependency{}, fmt.Errorf("the Go standard library: %w", err)
	}
	cmd = exec.Command("go", "list", "-m", "-f", "{{.GoVersion}}")
	cmd.Dir = root
	v, err := cmd.Output()
	if err != nil {
		return Dependency{}, fmt.Errorf("go list -m: %w", err)
	}
	return Dependency{Name: "Go", Version: strings.TrimSpace(string(v)), License: lic}, nil
}

var licenseFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|unlicense)([-._].*)?$`)

// moduleLicense identifies the licence of the module in dir from its licence files, or
// from its README's License section when it has none.
func moduleLicense(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !licenseFile.MatchString(e.Name()) {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return "", err
		}
		ids := Classify(string(text))
		if len(ids) == 0 {
			return "", fmt.Errorf("%s: a licence the classifier does not know", e.Name())
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				found = append(found, id)
			}
		}
	}
	if len(found) == 0 {
		id, err := readmeLicense(dir)
		if err != nil {
			return "", err
		}
		found = []string{id}
	}
	sort.Strings(found)
	return strings.Join(found, " AND "), nil
}

// readmeLicense reads the licence a README names under a "License" heading.
func readmeLicense(dir string) (string, error) {
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		return "", errors.New("no licence file and no README.md")
	}
	defer f.Close()
	var section strings.Builder
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
			in = h == "license" || h == "licence"
			continue
		}
		if in {
			section.WriteString(line + "\n")
		}
	}
	if ids := ClassifyName(section.String()); len(ids) == 1 {
		return ids[0], nil
	}
	return "", errors.New("no licence file, and the README's License section names no licence the classifier knows")
}
