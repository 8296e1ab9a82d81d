// What the mail frame (components/mail/MailFrame.svelte, the only place mail is rendered)
// is allowed. The frame runs no script and has no origin of its own: what it shows cannot
// reach the app (window.go), its storage or its cookies. Links may open in the browser
// (popups), outside the sandbox. Nothing else.
export const MAIL_FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/** The quote's policy, stricter than a message's: nothing remote ever loads in the
 * composer (images only inline, as data:). */
export const QUOTE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const QUOTE_CSS =
  'html{color-scheme:light}body{margin:0;padding:12px 14px;font:14px/1.5 system-ui,sans-serif;color:#1c2330;' +
  'overflow-wrap:anywhere}img{max-width:100%;height:auto}blockquote{margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex}';

/** quoteDocument wraps the composer's quote (sanitised in Go: Draft's quotedHtml) into a
 * complete document for the mail frame, under QUOTE_CSP. It does not sanitise. */
export function quoteDocument(sanitisedHtml: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${QUOTE_CSP}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${QUOTE_CSS}</style></head><body>${sanitisedHtml}</body></html>`
  );
}
