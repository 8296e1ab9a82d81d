package message

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files and generated corpus files")

// parseTimeout bounds one Parse in tests; -race makes it slower.
const parseTimeout = 20 * time.Second

// parseWithin parses raw and fails the test if Parse does not return within
// parseTimeout. A panic fails the test too.
func parseWithin(t *testing.T, raw []byte, lim Limits) (*Message, error) {
	t.Helper()
	type result struct {
		m     *Message
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p}
			}
		}()
		m, err := Parse(strings.NewReader(string(raw)), lim)
		done <- result{m: m, err: err}
	}()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("Parse panicked: %v", r.panic)
		}
		return r.m, r.err
	case <-time.After(parseTimeout):
		t.Fatalf("Parse did not return within %v", parseTimeout)
		return nil, nil
	}
}

// checkMessageInvariants holds for every message Parse returns.
func checkMessageInvariants(t *testing.T, m *Message, lim Limits) {
	t.Helper()
	lim = lim.withDefaults()
	for _, s := range messageStrings(m) {
		if !utf8.ValidString(s) {
			t.Errorf("string is not valid UTF-8: %q", clip(s, 80))
		}
	}
	if len(m.Text) > lim.MaxTextBytes || len(m.HTML) > lim.MaxTextBytes {
		t.Errorf("text %d / html %d bytes exceed MaxTextBytes %d", len(m.Text), len(m.HTML), lim.MaxTextBytes)
	}
	if m.Size > lim.MaxSize {
		t.Errorf("read %d bytes, more than MaxSize %d", m.Size, lim.MaxSize)
	}
	if len(m.Attachments) > lim.MaxParts {
		t.Errorf("%d attachments, more than MaxParts %d", len(m.Attachments), lim.MaxParts)
	}
	for _, a := range m.Attachments {
		if !partPathPattern.MatchString(a.PartPath) {
			t.Errorf("attachment %+v has no valid IMAP part path", a)
		}
		if strings.Count(a.PartPath, ".") >= lim.MaxDepth+1 {
			t.Errorf("attachment %q deeper than MaxDepth %d", a.PartPath, lim.MaxDepth)
		}
	}
	if len(m.Problems) > maxProblems {
		t.Errorf("%d problems, more than %d", len(m.Problems), maxProblems)
	}
	for _, p := range m.Problems {
		if !knownProblemCodes[p.Code] {
			t.Errorf("unknown problem code %q", p.Code)
		}
	}
}

var partPathPattern = regexp.MustCompile(`^[1-9][0-9]*(\.[1-9][0-9]*)*$`)

var knownProblemCodes = setOf(ProblemTooLarge, ProblemTruncated, ProblemHeaderTooLarge, ProblemBadHeader,
	ProblemDuplicateHeader, Problem8BitHeader, ProblemBadHeaderEncoding, ProblemBadAddress, ProblemBadDate,
	ProblemMissingDate, ProblemBadMessageID, ProblemBadContentType, ProblemBrokenBoundary, ProblemTooDeep,
	ProblemTooManyParts, ProblemBadEncoding, ProblemBadCharset, ProblemBodyTooLarge, ProblemBadLineEndings,
	ProblemNULByte)

func messageStrings(m *Message) []string {
	ss := []string{m.MessageID, m.InReplyTo, m.Subject, m.Text, m.HTML}
	ss = append(ss, m.References...)
	for _, l := range [][]Address{m.From, m.Sender, m.ReplyTo, m.To, m.Cc, m.Bcc} {
		for _, a := range l {
			ss = append(ss, a.Name, a.Email)
		}
	}
	for _, a := range m.Attachments {
		ss = append(ss, a.PartPath, a.Filename, a.ContentType, a.ContentID)
	}
	for _, p := range m.Problems {
		ss = append(ss, p.Code, p.Part, p.Detail)
	}
	return ss
}

func problemCodes(m *Message) []string {
	var codes []string
	for _, p := range m.Problems {
		codes = append(codes, p.Code)
	}
	return codes
}

func hasProblem(m *Message, code string) bool {
	for _, p := range m.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// canaryHost stands for {{CANARY_HOST}} in the hostile corpus: any attribute
// that still names it (but a link's href) would make the browser fetch.
const canaryHost = "canary.invalid"

// forbiddenElements must never be in sanitised output.
var forbiddenElements = setOf("script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
	"param", "form", "input", "button", "select", "option", "textarea", "base", "meta", "link", "svg", "math",
	"template", "noscript", "noembed", "noframes", "audio", "video", "source", "track", "picture", "portal",
	"fencedframe", "bgsound", "map", "area", "canvas", "xmp", "plaintext", "title", "head", "keygen",
	"isindex", "image")

// forbiddenAttrs must never be in sanitised output, whatever their value.
var forbiddenAttrs = setOf("srcdoc", "srcset", "formaction", "action", "xlink:href", "poster", "dynsrc",
	"lowsrc", "ping", "data", "codebase", "code", "classid", "http-equiv", "content", "sandbox", "allow",
	"is", "contenteditable", "autofocus", "form", "usemap", "longdesc", "cite", "manifest")

// textAttrs hold text no browser fetches, whatever it says.
var textAttrs = setOf("title", "alt", "abbr", "summary", "datetime", "lang", "id", "name")

var styleForbidden = []string{"url(", "expression", "@import", "behavior", "binding", "javascript", `\`, "/*", "image-set"}

var dataImageSrc = regexp.MustCompile(`^data:image/(png|gif|jpeg|webp);base64,[A-Za-z0-9+/]+=*$`)

// urlScheme reads a URL's scheme as a browser would: tabs, newlines and
// surrounding controls and spaces ignored, case folded. "" means relative.
func urlScheme(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.ToLower(v)
	if strings.HasPrefix(v, "//") || strings.HasPrefix(v, `\\`) || strings.HasPrefix(v, `/\`) || strings.HasPrefix(v, `\/`) {
		return "network-path"
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ':':
			return v[:i]
		case '/', '?', '#':
			return ""
		}
	}
	return ""
}

// unsafeReasons parses sanitised HTML as a browser does (with scripting on
// and off, since a sandboxed frame parses <noscript> as markup) and lists
// everything in it that could run code, leave the page, or, with images
// blocked, fetch anything.
func unsafeReasons(out string, imagesBlocked bool) []string {
	var reasons []string
	add := func(format string, args ...any) {
		if len(reasons) < 20 {
			reasons = append(reasons, fmt.Sprintf(format, args...))
		}
	}
	for _, scripting := range []bool{true, false} {
		doc, err := html.ParseWithOptions(strings.NewReader("<!doctype html><html><head></head><body>"+out+"</body></html>"),
			html.ParseOptionEnableScripting(scripting))
		if err != nil {
			add("does not parse: %v", err)
			continue
		}
		var walk func(n *html.Node, inBody bool)
		walk = func(n *html.Node, inBody bool) {
			if n.Type == html.CommentNode && inBody {
				add("comment %q", clip(n.Data, 40))
			}
			if n.Type == html.ElementNode {
				if n.Data == "body" {
					inBody = true
				}
				if inBody && n.Data != "body" {
					checkElement(n, imagesBlocked, add)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, inBody)
			}
		}
		walk(doc, false)
	}
	return reasons
}

func checkElement(n *html.Node, imagesBlocked bool, add func(string, ...any)) {
	if n.Namespace != "" {
		add("foreign element %s:%s", n.Namespace, n.Data)
	}
	if forbiddenElements[n.Data] {
		add("element <%s>", n.Data)
	}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		val := a.Val
		switch {
		case a.Namespace != "":
			add("namespaced attribute %s:%s on <%s>", a.Namespace, key, n.Data)
		case strings.HasPrefix(key, "on"):
			add("event handler %s on <%s>", key, n.Data)
		case forbiddenAttrs[key]:
			add("attribute %s on <%s>", key, n.Data)
		case key == "href":
			s := urlScheme(val)
			if n.Data != "a" {
				add("href on <%s>", n.Data)
			}
			if !(s == "http" || s == "https" || s == "mailto" || (s == "" && strings.HasPrefix(val, "#"))) {
				add("href %q on <%s>", clip(val, 60), n.Data)
			}
		case key == "src":
			s := urlScheme(val)
			switch {
			case n.Data != "img":
				add("src on <%s>", n.Data)
			case s == "data" && dataImageSrc.MatchString(val):
			case (s == "http" || s == "https") && !imagesBlocked:
			default:
				add("img src %q", clip(val, 60))
			}
		case key == "background":
			s := urlScheme(val)
			if imagesBlocked || !(s == "http" || s == "https") {
				add("background %q on <%s>", clip(val, 60), n.Data)
			}
		case key == "style":
			l := strings.ToLower(val)
			for _, f := range styleForbidden {
				if strings.Contains(l, f) {
					add("style %q holds %q", clip(val, 60), f)
				}
			}
		}
		if imagesBlocked && strings.Contains(strings.ToLower(val), canaryHost) && !textAttrs[key] && !(n.Data == "a" && key == "href") {
			add("attribute %s=%q on <%s> names the remote host while images are blocked", key, clip(val, 60), n.Data)
		}
	}
}
