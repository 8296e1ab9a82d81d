// Package message reads raw email messages and makes their HTML safe to show.
//
//	m, err := message.Parse(raw, message.DefaultLimits)
//	if err != nil {
//		return err // nothing usable: empty input, not a message, or a read error
//	}
//	for _, p := range m.Problems {
//		log.Printf("part %q: %s: %s", p.Part, p.Code, p.Detail) // what was repaired
//	}
//	preview := message.Snippet(m.Text, 140)
//
//	// Inline images become data: URLs; the sanitiser swaps them for cid: sources.
//	inline := map[string]string{}
//	for _, a := range m.Attachments {
//		if a.ContentID != "" {
//			var img bytes.Buffer
//			message.ExtractPart(bytes.NewReader(rawBytes), a.PartPath, message.DefaultLimits, &img)
//			if u, ok := message.ImageDataURL(a.ContentType, img.Bytes()); ok {
//				inline[a.ContentID] = u
//			}
//		}
//	}
//
//	var body string
//	if m.HTML != "" {
//		s := message.Sanitize(m.HTML, message.SanitizeOptions{Inline: inline})
//		body = s.HTML // s.Blocked: show the "remote images" bar
//	} else {
//		body = message.TextToHTML(m.Text)
//	}
//	srcdoc := message.Document(body, message.DocumentOptions{}) // for a sandboxed iframe
//
// ParseHeader reads a header fetched alone; QuoteText, QuoteHTML, ForwardText
// and ForwardHTML build reply and forward bodies.
//
// Parse is lenient like a mail client: it reads what it can and records every
// repair it made as a [Problem]; it returns an error only when the input
// yields nothing usable. It never reads more than [Limits.MaxSize] bytes and
// bounds nesting, part count, header and text sizes, so a hostile message
// costs bounded memory and time: attachments are counted as they stream by,
// never held. Part numbers are IMAP's, so the syncer can fetch a part alone.
//
// Sanitize runs untrusted mail HTML through two layers: a DOM filter over the
// tree golang.org/x/net/html builds (the tree a browser builds), then a
// bluemonday policy that allows only what the filter can emit. Its output is a
// fixed point: sanitising it again returns it unchanged. No script, event
// handler, form, frame, plugin, SVG, MathML, stylesheet or URL scheme other
// than http, https and mailto survives, and while remote images are blocked
// no attribute of the output makes the browser fetch anything.
//
// The UI shows the result with [Document] inside an iframe sandboxed without
// allow-scripts and allow-same-origin; its Content-Security-Policy is a
// second wall, not the first.
package message
