package api

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Wails writes frontend/wailsjs/go/models.ts (a class per DTO) on `make build`, and the
// UI's types are built on it (src/lib/api/model.ts). This test catches a DTO changed in Go
// without rebuilding, before the UI is checked against stale models: every struct a bound
// method takes or returns must be a class of models.ts with exactly its JSON fields.
const wailsModels = "../../frontend/wailsjs/go/models.ts"

func TestWailsModelsMatchTheDTOs(t *testing.T) {
	src, err := os.ReadFile(wailsModels)
	if err != nil {
		t.Fatal(err)
	}
	classes := modelClasses(string(src))
	dtos := map[string][]string{}
	for _, svc := range New(nil).Bound() {
		typ := reflect.TypeOf(svc)
		for i := range typ.NumMethod() {
			m := typ.Method(i).Type
			for j := 1; j < m.NumIn(); j++ { // 0 is the receiver
				collectDTOs(m.In(j), dtos)
			}
			for j := range m.NumOut() {
				collectDTOs(m.Out(j), dtos)
			}
		}
	}
	if len(dtos) < 10 {
		t.Fatalf("found only %d DTOs through the bound methods", len(dtos))
	}
	for name, fields := range dtos {
		got, ok := classes[name]
		if !ok {
			t.Errorf("models.ts has no class %s: run `make build` and commit frontend/wailsjs", name)
			continue
		}
		if !slices.Equal(got, fields) {
			t.Errorf("models.ts's %s has fields %q, the Go struct %q: run `make build` and commit frontend/wailsjs", name, got, fields)
		}
	}
	for name := range classes {
		if _, ok := dtos[name]; !ok {
			t.Errorf("models.ts's class %s is no bound method's type any more: run `make build` and commit frontend/wailsjs", name)
		}
	}
}

// collectDTOs records the sorted JSON field names of every struct of this package that t
// is or holds (through pointers, slices, maps and fields).
func collectDTOs(t reflect.Type, into map[string][]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeOf(Services{}).PkgPath() {
		return
	}
	if _, done := into[t.Name()]; done {
		return
	}
	into[t.Name()] = nil // before the fields: a struct may hold itself
	var fields []string
	var walk func(reflect.Type)
	walk = func(st reflect.Type) {
		for i := range st.NumField() {
			f := st.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case tag == "-" || !f.IsExported():
			case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
				walk(f.Type) // embedded: its fields are the outer struct's
			default:
				if tag == "" {
					tag = f.Name
				}
				fields = append(fields, tag)
				collectDTOs(f.Type, into)
			}
		}
	}
	walk(t)
	slices.Sort(fields)
	into[t.Name()] = fields
}

var (
	classRe = regexp.MustCompile(`(?m)^\s*export class (\w+) \{`)
	fieldRe = regexp.MustCompile(`(?m)^\s*(\w+)\??: [^;]+;$`)
)

// modelClasses reads models.ts: each class's sorted field names (the declarations before
// its constructor).
func modelClasses(src string) map[string][]string {
	out := map[string][]string{}
	locs := classRe.FindAllStringSubmatchIndex(src, -1)
	for i, loc := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := src[loc[1]:end]
		if k := strings.Index(body, "static createFrom"); k >= 0 {
			body = body[:k]
		}
		var fields []string
		for _, m := range fieldRe.FindAllStringSubmatch(body, -1) {
			fields = append(fields, m[1])
		}
		slices.Sort(fields)
		out[src[loc[2]:loc[3]]] = fields
	}
	return out
}
