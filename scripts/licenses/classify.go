package main

import (
	"regexp"
	"strings"
)

// A licence the classifier recognises: the SPDX identifier and phrases that, all present
// in a normalised licence text, identify it.
type known struct {
	id      string
	phrases []string
	// unless: a phrase whose presence means another licence of the same family.
	unless string
}

// The licences of the dependencies Mailroom has had; order matters only for display.
var licenses = []known{
	{id: "Apache-2.0", phrases: []string{"apache license", "version 2.0"}},
	{id: "MPL-2.0", phrases: []string{"mozilla public license", "version 2.0"}},
	{id: "MIT", phrases: []string{"permission is hereby granted, free of charge", "the above copyright notice and this permission notice shall be included"}},
	{id: "ISC", phrases: []string{"permission to use, copy, modify, and or distribute this software for any purpose with or without fee is hereby granted, provided that the above copyright notice and this permission notice appear in all copies"}},
	{id: "BSD-3-Clause", phrases: []string{"redistribution and use in source and binary forms", "neither the name"}},
	{id: "BSD-3-Clause", phrases: []string{"redistribution and use in source and binary forms", "the names of its contributors may not be used"}},
	{id: "BSD-2-Clause", phrases: []string{"redistribution and use in source and binary forms", "redistributions in binary form must reproduce"}, unless: "endorse or promote"},
	{id: "Unlicense", phrases: []string{"this is free and unencumbered software released into the public domain"}},
}

var space = regexp.MustCompile(`[\s*#>/]+`)

func normalise(text string) string {
	t := strings.ToLower(text)
	t = strings.NewReplacer("“", `"`, "”", `"`, "’", "'", "licence", "license").Replace(t)
	return strings.TrimSpace(space.ReplaceAllString(t, " "))
}

// Classify returns the SPDX identifiers of the licences whose texts are in text (one
// file may hold several: a project's own licence and the ones of code it vendors).
func Classify(text string) []string {
	t := normalise(text)
	var ids []string
	seen := map[string]bool{}
	for _, l := range licenses {
		if seen[l.id] || (l.unless != "" && strings.Contains(t, l.unless)) {
			continue
		}
		all := true
		for _, p := range l.phrases {
			if !strings.Contains(t, p) {
				all = false
				break
			}
		}
		if all {
			seen[l.id] = true
			ids = append(ids, l.id)
		}
	}
	return ids
}

var spdxNames = []struct{ id, name string }{
	{"Apache-2.0", "apache-2.0"}, {"Apache-2.0", "apache 2.0"}, {"MPL-2.0", "mpl-2.0"},
	{"MIT", "mit"}, {"ISC", "isc"}, {"BSD-3-Clause", "bsd-3-clause"}, {"BSD-2-Clause", "bsd-2-clause"},
	{"Unlicense", "unlicense"},
}

// ClassifyName returns the licences a short text (a README's License section) names, as
// whole words; a full licence text in it is classified as by Classify.
func ClassifyName(text string) []string {
	if ids := Classify(text); len(ids) > 0 {
		return ids
	}
	t := " " + strings.Trim(normalise(text), ".") + " "
	var ids []string
	for _, n := range spdxNames {
		if (strings.Contains(t, " "+n.name+" ") || strings.Contains(t, " "+n.name+".")) && (len(ids) == 0 || ids[len(ids)-1] != n.id) {
			ids = append(ids, n.id)
		}
	}
	return ids
}
