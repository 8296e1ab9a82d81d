package message

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// SanitizeOptions says what Sanitize may let through.
type SanitizeOptions struct {
	// AllowRemoteImages keeps http(s) images (img src, table background).
	// Without it their URLs are removed, so nothing is fetched.
	AllowRemoteImages bool
	// Inline maps a Content-ID (as in Attachment.ContentID, without angle
	// brackets) to the data: URL of that inline image, which replaces
	// "cid:" sources. Only data:image/{png,gif,jpeg,webp};base64 URLs are
	// used; a cid: without one is removed.
	Inline map[string]string
}

// Sanitized is mail HTML made safe to show.
type Sanitized struct {
	HTML string // a body fragment; Sanitize(HTML) returns it unchanged
	// RemoteImages counts references to remote images: img sources,
	// background attributes and CSS url()s (always removed). With
	// AllowRemoteImages the first two are kept.
	RemoteImages int
	// Blocked is true when remote images were removed: the UI offers to
	// show them.
	Blocked bool
}

// Bounds of the sanitiser.
const (
	// maxSanitizePasses bounds the passes run to reach a fixed point; the
	// first is the work, the next ones confirm it. Inputs that do not settle
	// are shown as text.
	maxSanitizePasses = 4
	// maxHTMLDepth bounds element nesting; deeper content is kept as text.
	// Browsers cap their trees near 512.
	maxHTMLDepth = 256
	// maxURLBytes bounds an http(s) or mailto URL; data: images have
	// maxDataURLBytes.
	maxURLBytes     = 8 << 10
	maxDataURLBytes = 16 << 20
)

// Sanitize makes untrusted mail HTML safe to show in the message view and
// counts its remote images. See the package documentation for the policy;
// the lists are in sanitize.go and css.go.
func Sanitize(s string, opt SanitizeOptions) Sanitized {
	st := &sanitizeState{opt: opt}
	out := st.pass(s, true)
	res := Sanitized{RemoteImages: st.remote, Blocked: st.remote > 0 && !opt.AllowRemoteImages}
	verify := &sanitizeState{opt: opt}
	for i := 1; i < maxSanitizePasses; i++ {
		next := verify.pass(out, false)
		if next == out {
			res.HTML = out
			return res
		}
		out = next
	}
	// No fixed point: show the text of it, which is one.
	res.HTML = TextToHTML(HTMLToText(s))
	return res
}

type sanitizeState struct {
	opt    SanitizeOptions
	remote int
}

// pass is one run of both layers: the DOM filter over the browser's parse,
// rendered back to HTML, then the bluemonday policy.
func (st *sanitizeState) pass(s string, first bool) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// x/net/html refuses trees deeper than 512 open elements: show the
		// text, which is a fixed point of this pass.
		return TextToHTML(HTMLToText(s))
	}
	body := findBody(doc)
	if body == nil {
		return "" // a frameset document has nothing to show
	}
	holder := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	if first {
		if style := st.bodyStyle(body); style != "" {
			holder.Attr = []html.Attribute{{Key: "style", Val: style}}
		}
	}
	for c := body.FirstChild; c != nil; {
		next := c.NextSibling
		body.RemoveChild(c)
		holder.AppendChild(c)
		c = next
	}
	st.filterChildren(holder, 1)
	var b strings.Builder
	if holder.Attr != nil {
		err = html.Render(&b, holder)
	} else {
		for c := holder.FirstChild; c != nil && err == nil; c = c.NextSibling {
			err = html.Render(&b, c)
		}
	}
	if err != nil {
		// A tree x/net/html will not render (a void element with children): show the text.
		return TextToHTML(HTMLToText(s))
	}
	return mailPolicy().Sanitize(b.String())
}

func findBody(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Body && c.Namespace == "" {
			return c
		}
		if c.Type == html.ElementNode && c.DataAtom == atom.Html {
			return findBody(c)
		}
	}
	return nil
}

// bodyStyle carries the <body> colours of a mail layout to a wrapping div.
func (st *sanitizeState) bodyStyle(body *html.Node) string {
	var decls []string
	for _, a := range body.Attr {
		switch a.Key {
		case "bgcolor":
			decls = append(decls, "background-color: "+a.Val)
		case "text":
			decls = append(decls, "color: "+a.Val)
		case "style":
			decls = append(decls, a.Val)
		case "background":
			if isRemoteURL(a.Val) {
				st.remote++ // not carried: a div has no background attribute
			}
		}
	}
	clean, remote := cleanStyle(strings.Join(decls, ";"))
	st.remote += remote
	return clean
}

// Element lists. Every element not named here is unwrapped: its tags go, its
// content stays and is filtered in turn.
var (
	// allowedElements are kept, with the attributes allowed for them.
	allowedElements = setOf("a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo",
		"big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del",
		"details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2",
		"h3", "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "main", "mark",
		"nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span",
		"strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
		"time", "tr", "tt", "u", "ul", "var", "wbr")

	// droppedElements go with everything inside them: active content,
	// frames, plugins, forms' controls, document metadata, media that
	// loads, foreign content (SVG, MathML) and containers whose content
	// a browser parses differently from us (noscript, template, noembed,
	// noframes).
	droppedElements = setOf("script", "style", "iframe", "frame", "frameset", "noframes", "object",
		"embed", "applet", "param", "svg", "math", "template", "noscript", "noembed", "textarea",
		"select", "option", "optgroup", "datalist", "button", "input", "keygen", "output", "progress",
		"meter", "audio", "video", "source", "track", "canvas", "map", "area", "head", "title", "base",
		"meta", "link", "portal", "fencedframe", "bgsound", "slot", "selectedcontent", "xml", "image")

	// emptyUnwrapped elements are unwrapped when no attribute is left, as
	// they mean nothing without one.
	emptyUnwrapped = setOf("a", "font", "bdo")
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Attribute kinds and where they are allowed.
type attrKind int

const (
	attrText  attrKind = iota // free text: escaped when written
	attrPres                  // presentational value: widths, colours, alignments
	attrIdent                 // id, name
	attrDir                   // ltr, rtl, auto
	attrBool                  // present or not
)

var (
	presPattern  = regexp.MustCompile(`^[\p{L}\p{Nd} #%.,_+-]{0,100}$`)
	identPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,100}$`)
	dirPattern   = regexp.MustCompile(`^(?:ltr|rtl|auto)$`)
	boolPattern  = regexp.MustCompile(`^$`)
	// hrefPattern and srcPattern are the URL shapes the filter writes.
	hrefPattern = regexp.MustCompile(`^(?:https?://[^\s]+|mailto:[^\s]+|#[A-Za-z0-9_.:-]{1,100})$`)
	srcPattern  = regexp.MustCompile(`^(?:https?://[^\s]+|data:image/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/]+=*)$`)
)

var kindPattern = map[attrKind]*regexp.Regexp{
	attrPres: presPattern, attrIdent: identPattern, attrDir: dirPattern, attrBool: boolPattern,
}

// globalAttrs are allowed on every allowed element.
var globalAttrs = map[string]attrKind{
	"title": attrText, "lang": attrIdent, "dir": attrDir, "id": attrIdent, "align": attrPres,
}

// elementAttrs are allowed on some elements. style, href, src, background,
// target and rel are handled apart.
var elementAttrs = map[string]map[string]attrKind{
	"a":          {"name": attrIdent},
	"img":        {"alt": attrText, "width": attrPres, "height": attrPres, "border": attrPres, "hspace": attrPres, "vspace": attrPres, "valign": attrPres},
	"font":       {"color": attrPres, "face": attrPres, "size": attrPres},
	"table":      {"width": attrPres, "height": attrPres, "border": attrPres, "cellpadding": attrPres, "cellspacing": attrPres, "bgcolor": attrPres, "summary": attrText, "frame": attrPres, "rules": attrPres, "valign": attrPres},
	"tbody":      {"valign": attrPres, "bgcolor": attrPres},
	"thead":      {"valign": attrPres, "bgcolor": attrPres},
	"tfoot":      {"valign": attrPres, "bgcolor": attrPres},
	"tr":         {"valign": attrPres, "bgcolor": attrPres, "height": attrPres},
	"td":         {"width": attrPres, "height": attrPres, "colspan": attrPres, "rowspan": attrPres, "valign": attrPres, "bgcolor": attrPres, "nowrap": attrBool, "abbr": attrText, "scope": attrPres},
	"th":         {"width": attrPres, "height": attrPres, "colspan": attrPres, "rowspan": attrPres, "valign": attrPres, "bgcolor": attrPres, "nowrap": attrBool, "abbr": attrText, "scope": attrPres},
	"col":        {"width": attrPres, "span": attrPres, "valign": attrPres},
	"colgroup":   {"width": attrPres, "span": attrPres, "valign": attrPres},
	"hr":         {"width": attrPres, "size": attrPres, "color": attrPres, "noshade": attrBool},
	"ol":         {"start": attrPres, "type": attrPres, "reversed": attrBool},
	"ul":         {"type": attrPres},
	"li":         {"value": attrPres, "type": attrPres},
	"br":         {"clear": attrPres},
	"div":        {"bgcolor": attrPres},
	"p":          {"bgcolor": attrPres},
	"time":       {"datetime": attrText},
	"del":        {"datetime": attrText},
	"ins":        {"datetime": attrText},
	"details":    {"open": attrBool},
	"blockquote": {"type": attrPres},
}

// backgroundElements may keep a remote background image when remote images
// are allowed.
var backgroundElements = setOf("table", "tbody", "thead", "tfoot", "tr", "td", "th")

// filterChildren filters the children of n, at nesting depth.
func (st *sanitizeState) filterChildren(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.TextNode:
		case html.ElementNode:
			st.filterElement(c, depth)
		default: // comments, doctypes, raw nodes
			n.RemoveChild(c)
		}
		c = next
	}
}

func (st *sanitizeState) filterElement(c *html.Node, depth int) {
	parent := c.Parent
	name := c.Data
	switch {
	case c.Namespace != "" || droppedElements[name]:
		parent.RemoveChild(c)
		return
	case depth > maxHTMLDepth:
		parent.InsertBefore(&html.Node{Type: html.TextNode, Data: textContent(c)}, c)
		parent.RemoveChild(c)
		return
	}
	st.filterChildren(c, depth+1)
	if !allowedElements[name] {
		unwrap(c)
		return
	}
	c.Attr = st.filterAttrs(c)
	switch {
	case name == "img" && len(c.Attr) == 0:
		parent.RemoveChild(c)
	case emptyUnwrapped[name] && len(c.Attr) == 0:
		unwrap(c)
	}
}

func unwrap(c *html.Node) {
	parent := c.Parent
	for g := c.FirstChild; g != nil; {
		next := g.NextSibling
		c.RemoveChild(g)
		parent.InsertBefore(g, c)
		g = next
	}
	parent.RemoveChild(c)
}

// textContent gathers the text under n without recursion, for content
// nested too deep to keep as elements.
func textContent(n *html.Node) string {
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
			continue
		}
		if x.Type != html.ElementNode || x.Namespace != "" || droppedElements[x.Data] {
			continue
		}
		for c := x.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	return b.String()
}

// filterAttrs returns the attributes of element c that are kept, in their
// order, with link attributes appended.
func (st *sanitizeState) filterAttrs(c *html.Node) []html.Attribute {
	name := c.Data
	var out []html.Attribute
	seen := map[string]bool{}
	isLink := false
	for _, a := range c.Attr {
		if a.Namespace != "" || seen[a.Key] {
			continue // the browser keeps the first of duplicates
		}
		seen[a.Key] = true
		switch {
		case a.Key == "style":
			clean, remote := cleanStyle(a.Val)
			st.remote += remote
			if clean != "" {
				out = append(out, html.Attribute{Key: "style", Val: clean})
			}
		case a.Key == "href" && name == "a":
			if u, ok := cleanLink(a.Val); ok {
				out = append(out, html.Attribute{Key: "href", Val: u})
				isLink = !strings.HasPrefix(u, "#")
			}
		case a.Key == "src" && name == "img":
			if u, ok := st.imageSource(a.Val); ok {
				out = append(out, html.Attribute{Key: "src", Val: u})
			}
		case a.Key == "background":
			if u, ok := remoteImageURL(a.Val); ok {
				st.remote++
				if st.opt.AllowRemoteImages && backgroundElements[name] {
					out = append(out, html.Attribute{Key: "background", Val: u})
				}
			}
		default:
			kind, ok := elementAttrs[name][a.Key]
			if !ok {
				kind, ok = globalAttrs[a.Key]
			}
			if !ok {
				continue
			}
			if p := kindPattern[kind]; p != nil {
				v := strings.TrimSpace(a.Val)
				if kind == attrBool {
					v = ""
				}
				if !p.MatchString(v) {
					continue
				}
				a.Val = v
			}
			out = append(out, html.Attribute{Key: a.Key, Val: a.Val})
		}
	}
	if isLink {
		out = append(out,
			html.Attribute{Key: "target", Val: "_blank"},
			html.Attribute{Key: "rel", Val: "noopener noreferrer"})
	}
	return out
}

// cleanURLText removes what browsers ignore in a URL attribute: leading and
// trailing C0 controls and spaces, and tabs and newlines anywhere.
func cleanURLText(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
}

// normalURL parses an absolute URL and writes it back, so the filter, the
// bluemonday layer and the browser all read the same thing. It refuses
// controls, spaces and anything but http, https and mailto.
func normalURL(v string) (string, bool) {
	v = cleanURLText(v)
	if strings.HasPrefix(v, "//") {
		v = "https:" + v
	}
	if len(v) > maxURLBytes || strings.ContainsFunc(v, func(r rune) bool { return r <= 0x20 || r == 0x7f || r == '\\' }) {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" || u.Opaque != "" {
			return "", false
		}
	case "mailto":
	default:
		return "", false
	}
	out := u.String()
	if u2, err := url.Parse(out); err != nil || u2.String() != out || strings.ContainsFunc(out, func(r rune) bool { return r <= 0x20 || r == 0x7f }) {
		return "", false
	}
	return out, true
}

// cleanLink returns the href kept on a link: http, https, mailto, or a
// fragment of this message.
func cleanLink(v string) (string, bool) {
	v = cleanURLText(v)
	if strings.HasPrefix(v, "#") {
		return v, identPattern.MatchString(v[1:])
	}
	u, ok := normalURL(v)
	return u, ok && hrefPattern.MatchString(u)
}

func isRemoteURL(v string) bool {
	v = strings.ToLower(cleanURLText(v))
	return strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//")
}

// remoteImageURL reads an http(s) image URL.
func remoteImageURL(v string) (string, bool) {
	if !isRemoteURL(v) {
		return "", false
	}
	u, ok := normalURL(v)
	if !ok || strings.HasPrefix(u, "mailto:") || !srcPattern.MatchString(u) {
		return "", false
	}
	return u, true
}

// imageSource returns the src kept on an img.
func (st *sanitizeState) imageSource(v string) (string, bool) {
	v = cleanURLText(v)
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "cid:"):
		id := v[len("cid:"):]
		if dec, err := url.PathUnescape(id); err == nil {
			id = dec
		}
		id = strings.Trim(id, "<>")
		u, ok := st.opt.Inline[id]
		if !ok {
			for k, v := range st.opt.Inline { // senders disagree on case
				if strings.EqualFold(k, id) {
					u, ok = v, true
					break
				}
			}
		}
		if !ok {
			return "", false
		}
		return dataImageURL(u)
	case strings.HasPrefix(lower, "data:"):
		return dataImageURL(v)
	case isRemoteURL(v):
		u, ok := remoteImageURL(v)
		if !ok {
			return "", false
		}
		st.remote++
		if !st.opt.AllowRemoteImages {
			return "", false
		}
		return u, true
	}
	return "", false
}

// inlineImageTypes are the image types shown from data: URLs.
var inlineImageTypes = map[string]string{"image/png": "png", "image/gif": "gif", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg", "image/webp": "webp"}

// ImageDataURL makes the data: URL of an inline image for
// SanitizeOptions.Inline, from the part's content type and decoded bytes
// (see ExtractPart). ok is false for types Sanitize would not show, SVG
// among them, and for images larger than 16 MiB.
func ImageDataURL(contentType string, data []byte) (url string, ok bool) {
	kind, ok := inlineImageTypes[strings.ToLower(strings.TrimSpace(contentType))]
	if !ok || base64.StdEncoding.EncodedLen(len(data)) > maxDataURLBytes-64 || len(data) == 0 {
		return "", false
	}
	return "data:image/" + kind + ";base64," + base64.StdEncoding.EncodeToString(data), true
}

var dataImagePattern = regexp.MustCompile(`^data:image/(png|gif|jpeg|jpg|webp);base64,([A-Za-z0-9+/]+=*)$`)

// dataImageURL accepts a base64 data: URL of a PNG, GIF, JPEG or WebP image,
// and writes it back in one canonical form.
func dataImageURL(v string) (string, bool) {
	if len(v) > maxDataURLBytes {
		return "", false
	}
	v = strings.Map(func(r rune) rune {
		if r <= 0x20 {
			return -1
		}
		return r
	}, v)
	comma := strings.IndexByte(v, ',')
	if comma < 0 {
		return "", false
	}
	m := dataImagePattern.FindStringSubmatch(strings.ToLower(v[:comma]) + v[comma:])
	if m == nil {
		return "", false
	}
	kind := m[1]
	if kind == "jpg" {
		kind = "jpeg"
	}
	return "data:image/" + kind + ";base64," + m[2], true
}

var (
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// mailPolicy is the second layer: a bluemonday policy that lets through
// exactly what the DOM filter writes, so any slip of the filter is caught by
// an independent implementation. It is safe for concurrent use.
func mailPolicy() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.NewPolicy()
		var names []string
		for n := range allowedElements {
			names = append(names, n)
		}
		p.AllowElements(names...)
		var withoutAttrs []string
		for _, n := range names {
			if !emptyUnwrapped[n] && n != "img" {
				withoutAttrs = append(withoutAttrs, n)
			}
		}
		p.AllowNoAttrs().OnElements(withoutAttrs...)
		for k, kind := range globalAttrs {
			allowAttr(p, k, kind).Globally()
		}
		for el, attrs := range elementAttrs {
			for k, kind := range attrs {
				allowAttr(p, k, kind).OnElements(el)
			}
		}
		p.AllowAttrs("style").Matching(styleAttrPattern).Globally()
		p.AllowAttrs("href").Matching(hrefPattern).OnElements("a")
		p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
		p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener noreferrer$`)).OnElements("a")
		p.AllowAttrs("src").Matching(srcPattern).OnElements("img")
		p.AllowAttrs("background").Matching(regexp.MustCompile(`^https?://[^\s]+$`)).OnElements("table", "tbody", "thead", "tfoot", "tr", "td", "th")
		p.AllowURLSchemes("http", "https", "mailto")
		p.AllowURLSchemeWithCustomPolicy("data", func(u *url.URL) bool {
			_, ok := dataImageURL(u.String())
			return ok
		})
		p.AllowRelativeURLs(true) // "#fragment" only, by hrefPattern
		p.RequireParseableURLs(true)
		policy = p
	})
	return policy
}

func allowAttr(p *bluemonday.Policy, name string, kind attrKind) interface {
	OnElements(...string) *bluemonday.Policy
	Globally() *bluemonday.Policy
} {
	if pat := kindPattern[kind]; pat != nil {
		return p.AllowAttrs(name).Matching(pat)
	}
	return p.AllowAttrs(name)
}
