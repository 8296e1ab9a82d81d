package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type lockfile struct {
	Packages map[string]lockPackage `json:"packages"`
}

type lockPackage struct {
	Version      string            `json:"version"`
	License      any               `json:"license"`
	Dependencies map[string]string `json:"dependencies"`
}

// npmPackages lists the npm packages that can end up in the frontend's bundle: the
// production dependencies of frontend/package.json and the packages its source imports
// (svelte's runtime, which package.json lists among the build tools), each with the
// packages they depend on, as package-lock.json resolves them. It is a superset of the
// bundle's contents (a compiler's or a command-line tool's own dependencies are listed
// with it), never less. Optional dependencies are left out: in this tree they are only
// esbuild's per-platform executables, which run at build time and are never bundled.
func npmPackages(frontend string) ([]Dependency, error) {
	raw, err := os.ReadFile(filepath.Join(frontend, "package-lock.json"))
	if err != nil {
		return nil, err
	}
	var lock lockfile
	if err := json.Unmarshal(raw, &lock); err != nil {
		return nil, fmt.Errorf("package-lock.json: %w", err)
	}
	root, ok := lock.Packages[""]
	if !ok {
		return nil, fmt.Errorf("package-lock.json has no root package")
	}
	roots := map[string]bool{}
	for name := range root.Dependencies {
		roots[name] = true
	}
	imported, err := importedPackages(filepath.Join(frontend, "src"))
	if err != nil {
		return nil, err
	}
	for name := range imported {
		roots[name] = true
	}

	seen := map[string]bool{} // lockfile keys: node_modules/a/node_modules/b
	var visit func(from, name string) error
	visit = func(from, name string) error {
		key, ok := resolve(lock.Packages, from, name)
		if !ok {
			return fmt.Errorf("package-lock.json: %s (needed by %q) is not installed", name, from)
		}
		if seen[key] {
			return nil
		}
		seen[key] = true
		p := lock.Packages[key]
		for dep := range p.Dependencies {
			if err := visit(key, dep); err != nil {
				return err
			}
		}
		return nil
	}
	for name := range roots {
		if _, ok := resolve(lock.Packages, "", name); !ok {
			// An import of something that is not a package (a path alias such as $lib).
			continue
		}
		if err := visit("", name); err != nil {
			return nil, err
		}
	}

	byName := map[string]Dependency{}
	for key := range seen {
		p := lock.Packages[key]
		name := key[strings.LastIndex(key, "node_modules/")+len("node_modules/"):]
		lic := licenseField(p.License)
		if lic == "" {
			return nil, fmt.Errorf("package-lock.json: %s %s records no licence", name, p.Version)
		}
		d := Dependency{Name: name, Version: p.Version, License: lic}
		byName[name+"@"+p.Version] = d
	}
	deps := make([]Dependency, 0, len(byName))
	for _, d := range byName {
		deps = append(deps, d)
	}
	sort.Slice(deps, func(i, j int) bool {
		if deps[i].Name != deps[j].Name {
			return deps[i].Name < deps[j].Name
		}
		return deps[i].Version < deps[j].Version
	})
	return deps, nil
}

// resolve finds the lockfile entry Node would load for name required from the package at
// key from: its own node_modules, then each enclosing one up to the top.
func resolve(pkgs map[string]lockPackage, from, name string) (string, bool) {
	dir := from
	for {
		key := path.Join(dir, "node_modules", name)
		if dir == "" {
			key = "node_modules/" + name
		}
		if _, ok := pkgs[key]; ok {
			return key, true
		}
		if dir == "" {
			return "", false
		}
		i := strings.LastIndex(dir, "node_modules/")
		if i <= 0 {
			dir = ""
		} else {
			dir = strings.TrimSuffix(dir[:i], "/")
		}
	}
}

func licenseField(v any) string {
	switch l := v.(type) {
	case string:
		return l
	case map[string]any: // the old {"type": "MIT"} form
		if t, ok := l["type"].(string); ok {
			return t
		}
	}
	return ""
}

var importFrom = regexp.MustCompile(`(?m)(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"./$][^'"]*)['"]`)

// importedPackages returns the npm package names the frontend's application code imports
// (test files excluded: they are not bundled).
func importedPackages(src string) (map[string]bool, error) {
	names := map[string]bool{}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if (ext != ".ts" && ext != ".js" && ext != ".svelte") || strings.Contains(filepath.Base(p), ".test.") {
			return nil
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range importFrom.FindAllStringSubmatch(string(text), -1) {
			spec := m[1]
			parts := strings.SplitN(spec, "/", 3)
			name := parts[0]
			if strings.HasPrefix(spec, "@") && len(parts) > 1 {
				name = parts[0] + "/" + parts[1]
			}
			names[name] = true
		}
		return nil
	})
	return names, err
}
