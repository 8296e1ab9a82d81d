package message

import (
	"regexp"
	"strings"
	"unicode"
)

// Inline styles. Mail layouts are built with style attributes, so they are
// kept, but only as declarations this file can vouch for:
//
//   - the property is in cssProperties: boxes, colours, fonts, text and
//     table layout. Nothing that loads a resource (background-image,
//     list-style-image, border-image, cursor, content, mask, filter), nothing
//     that escapes the message's box (position, z-index, top/left, transform)
//     and nothing that runs code (behavior, -moz-binding).
//   - the value uses only letters, digits, spaces and # % . , + - / ( ) ' ",
//     so it can hold no escape (\), comment (/*), at-rule (@), url( or block;
//   - a "(" only opens rgb(), rgba(), hsl() or hsla(): no url(), no
//     expression(), no image-set() or gradients, no var();
//   - the words expression, javascript, vbscript, behavior, binding, import
//     and url do not appear at all.
//
// Kept declarations are written back as "name: value" joined by "; ", so the
// browser parses exactly what was checked, whatever tricks the input held.

// maxCSSValueBytes bounds one declaration's value.
const maxCSSValueBytes = 512

// maxStyleDeclarations bounds the declarations kept from one attribute.
const maxStyleDeclarations = 64

var cssProperties = map[string]bool{
	"background": true, "background-color": true,
	"border": true, "border-color": true, "border-style": true, "border-width": true,
	"border-top": true, "border-top-color": true, "border-top-style": true, "border-top-width": true,
	"border-right": true, "border-right-color": true, "border-right-style": true, "border-right-width": true,
	"border-bottom": true, "border-bottom-color": true, "border-bottom-style": true, "border-bottom-width": true,
	"border-left": true, "border-left-color": true, "border-left-style": true, "border-left-width": true,
	"border-radius": true, "border-top-left-radius": true, "border-top-right-radius": true,
	"border-bottom-left-radius": true, "border-bottom-right-radius": true,
	"border-collapse": true, "border-spacing": true,
	"box-sizing": true, "caption-side": true, "clear": true, "color": true, "direction": true,
	"display": true, "empty-cells": true, "float": true,
	"font": true, "font-family": true, "font-size": true, "font-style": true, "font-variant": true,
	"font-weight": true, "font-stretch": true,
	"height": true, "min-height": true, "max-height": true, "width": true, "min-width": true, "max-width": true,
	"letter-spacing": true, "line-height": true,
	"list-style-position": true, "list-style-type": true,
	"margin": true, "margin-top": true, "margin-right": true, "margin-bottom": true, "margin-left": true,
	"padding": true, "padding-top": true, "padding-right": true, "padding-bottom": true, "padding-left": true,
	"opacity": true, "overflow": true, "overflow-x": true, "overflow-y": true, "overflow-wrap": true,
	"table-layout": true, "text-align": true, "text-decoration": true, "text-decoration-color": true,
	"text-decoration-line": true, "text-decoration-style": true, "text-indent": true,
	"text-overflow": true, "text-transform": true, "vertical-align": true, "visibility": true,
	"white-space": true, "word-break": true, "word-spacing": true, "word-wrap": true,
}

// cssDisplay are the display values kept; others (e.g. contents, flex with
// order tricks) are not needed by mail and are dropped.
var cssDisplay = map[string]bool{
	"block": true, "inline": true, "inline-block": true, "none": true, "list-item": true,
	"table": true, "inline-table": true, "table-row": true, "table-cell": true,
	"table-row-group": true, "table-header-group": true, "table-footer-group": true,
	"table-column": true, "table-column-group": true, "table-caption": true,
}

var cssForbiddenWords = []string{"expression", "javascript", "vbscript", "behavior", "binding", "import", "url"}

var cssFunctions = map[string]bool{"rgb": true, "rgba": true, "hsl": true, "hsla": true}

// styleAttrPattern is the shape of every style attribute cleanStyle writes.
// The bluemonday layer refuses any other.
var styleAttrPattern = regexp.MustCompile(`^[a-z-]+: [\p{L}\p{Nd} #%.,+()'"/-]+(?: !important)?(?:; [a-z-]+: [\p{L}\p{Nd} #%.,+()'"/-]+(?: !important)?)*$`)

// cleanStyle keeps the safe declarations of a style attribute. remote counts
// declarations that referred to a remote resource (all dropped).
func cleanStyle(v string) (clean string, remote int) {
	var kept []string
	for _, decl := range splitDeclarations(v) {
		name, value, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.Join(strings.Fields(value), " ")
		if refersToRemote(value) {
			remote++
			continue
		}
		if v, ok := cleanDeclaration(name, value); ok && len(kept) < maxStyleDeclarations {
			kept = append(kept, name+": "+v)
		}
	}
	return strings.Join(kept, "; "), remote
}

// refersToRemote reports a CSS value that would fetch something from the
// network: a url() or image-set() that is not a data: URL.
func refersToRemote(value string) bool {
	l := strings.ToLower(strings.ReplaceAll(value, `\`, ""))
	for _, f := range []string{"url(", "image-set(", "image("} {
		for i := strings.Index(l, f); i >= 0; {
			arg := strings.TrimLeft(l[i+len(f):], ` '"`)
			if !strings.HasPrefix(arg, "data:") {
				return true
			}
			next := strings.Index(l[i+1:], f)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}

// splitDeclarations splits on ";" outside quotes and parentheses.
func splitDeclarations(v string) []string {
	var out []string
	start, depth := 0, 0
	var quote byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == ';' && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

func cleanDeclaration(name, value string) (string, bool) {
	if !cssProperties[name] || value == "" || len(value) > maxCSSValueBytes {
		return "", false
	}
	important := false
	if i := strings.LastIndexByte(value, '!'); i >= 0 {
		if strings.TrimSpace(strings.ToLower(value[i+1:])) != "important" {
			return "", false
		}
		important = true
		value = strings.TrimSpace(value[:i])
		if value == "" {
			return "", false
		}
	}
	lower := strings.ToLower(value)
	for _, w := range cssForbiddenWords {
		if strings.Contains(lower, w) {
			return "", false
		}
	}
	depth := 0
	for i, r := range value {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case strings.ContainsRune(" #%.,+-/'\"", r):
			if r == '/' && i+1 < len(value) && value[i+1] == '*' {
				return "", false
			}
		case r == '(':
			j := i
			for j > 0 && isASCIILetter(value[j-1]) {
				j--
			}
			if depth > 0 || !cssFunctions[lower[j:i]] {
				return "", false
			}
			depth++
		case r == ')':
			if depth == 0 {
				return "", false
			}
			depth--
		default:
			return "", false
		}
	}
	if depth != 0 || strings.Count(value, `"`)%2 != 0 || strings.Count(value, `'`)%2 != 0 {
		return "", false
	}
	if name == "display" && !cssDisplay[lower] {
		return "", false
	}
	if important {
		value += " !important"
	}
	return value, true
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
