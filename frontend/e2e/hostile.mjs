// The hostile-HTML browser test's common part, used by hostile-chromium.mjs and
// hostile-webkit.mjs: the corpus (backend/message/testdata/hostile) as messages in three
// transfer encodings, a fresh Dovecot mailbox holding them, the canary HTTP server, the
// canary bound method's record, the app's setup through its bound methods, and the script
// the runners put in the app's page to see each mail frame load.
//
// The canaries:
// - {{JS}} becomes `top.go.api.Canary.Hit(N)`, N the message's number: the dev binary's
//   canary bound method (backend/api/canary_dev.go) appends every call to a file only the
//   test reads. Any line there means a script from a mail reached the app.
// - {{CANARY}} and {{CANARY_HOST}} name a node HTTP server on 127.0.0.1 that records every
//   request. While remote images are blocked it must see none.
//
// Images allowed (a sample): the only requests allowed are image fetches of the vector's own
// <img src> (and the table or cell background attributes the sanitiser keeps): the path
// convention is that the corpus names every such image with an image extension, and the
// allowed paths of a vector are read from those attributes in its source (imagePaths).
import { appendFileSync, chownSync, existsSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { fail, lmtpDeliver, repoDir, sleep } from './lib.mjs';

export const CORPUS_DIR = join(repoDir, 'backend', 'message', 'testdata', 'hostile');

/** The transfer encodings each vector is sent in; label is what subjects say. */
export const ENCODINGS = [
  { cte: '8bit', label: 'raw' },
  { cte: 'quoted-printable', label: 'qp' },
  { cte: 'base64', label: 'b64' },
];

const SENDER = 'Hostile Sender <hostile@hostile.example>';

/** loadCorpus reads every vector: { file, line, src } with its placeholders still in. */
export function loadCorpus() {
  const out = [];
  for (const file of readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.txt')).sort()) {
    const lines = readFileSync(join(CORPUS_DIR, file), 'utf8').split('\n');
    lines.forEach((src, i) => {
      if (src === '' || src.startsWith('#')) return;
      out.push({ file, line: i + 1, src });
    });
  }
  return out;
}

/** fill replaces the placeholders of the corpus README. */
export function fill(src, { js, origin, host }) {
  const out = src
    .replaceAll('{{JS}}', js)
    .replaceAll('{{CANARY}}', origin)
    .replaceAll('{{CANARY_HOST}}', host)
    .replaceAll('{{NUL}}', '\0')
    .replaceAll('{{TAB}}', '\t')
    .replaceAll('{{LF}}', '\n')
    .replaceAll('{{CR}}', '\r')
    .replaceAll('{{FF}}', '\f');
  if (out.includes('{{')) fail(`unknown placeholder in ${src}`);
  return out;
}

/** canaryJS is the {{JS}} of message n: no spaces, no quotes. */
export const canaryJS = (n) => `top.go.api.Canary.Hit(${n})`;

/** qpEncode is quoted-printable (RFC 2045) of bytes: line ends become CRLF hard breaks,
 * lines are at most 76 characters, and anything not printable ASCII is =XX. */
export function qpEncode(bytes) {
  const text = Buffer.from(bytes).toString('latin1').replace(/\r\n/g, '\n');
  const out = [];
  for (const line of text.split('\n')) {
    let cur = '';
    const chars = [...line];
    chars.forEach((ch, i) => {
      const c = ch.charCodeAt(0);
      const last = i === chars.length - 1;
      let enc;
      if ((c === 0x20 || c === 0x09) && !last) enc = ch;
      else if (c >= 33 && c <= 126 && c !== 61) enc = ch;
      else enc = `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
      if (cur.length + enc.length > 75) {
        out.push(`${cur}=`);
        cur = '';
      }
      cur += enc;
    });
    out.push(cur);
  }
  return out.join('\r\n');
}

/** buildMessages makes the mailbox: every vector in every encoding, numbered n from 0.
 * Dates fall one minute apart, newest first in the order raw, qp, b64 and corpus order, so
 * the inbox lists them in that order. */
export function buildMessages(vectors, { to, origin, host, now = Date.now() }) {
  const msgs = [];
  ENCODINGS.forEach((enc, e) => {
    vectors.forEach((v, i) => {
      const n = e * vectors.length + i;
      const html = fill(v.src, { js: canaryJS(n), origin, host });
      const subject = `hostile ${v.file}:${v.line} ${enc.label} #${n}`;
      const date = new Date(Math.floor(now / 60_000) * 60_000 - (n + 1) * 60_000);
      const bytes = Buffer.from(html, 'utf8');
      let body;
      if (enc.cte === 'base64') body = Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n'));
      else if (enc.cte === 'quoted-printable') body = Buffer.from(qpEncode(bytes), 'latin1');
      else body = bytes;
      const head = [
        `From: ${SENDER}`,
        `To: ${to}`,
        `Subject: ${subject}`,
        `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
        `Message-ID: <hostile-${n}@hostile.example>`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        `Content-Transfer-Encoding: ${enc.cte}`,
        '',
        '',
      ].join('\r\n');
      msgs.push({ n, vector: v, enc: enc.label, subject, html, date, raw: Buffer.concat([Buffer.from(head), body, Buffer.from('\r\n')]) });
    });
  });
  return msgs;
}

/** label names a message in reports: the vector's file and line, and the encoding. */
export const label = (m) => `${m.vector.file}:${m.vector.line} (${m.enc}, #${m.n})`;

// --- the mailbox ---------------------------------------------------------------------

/** newMailbox adds a Dovecot account for this run (as backend/internal/testkit/testenv's AddUser does:
 * tmp-<hex>@domain in the passwd-file), waits until LMTP knows it by delivering a first,
 * harmless message (which also makes its Maildir), then writes msgs straight into its
 * INBOX's Maildir, the fast way (Dovecot gives UIDs in file-name order). */
export async function newMailbox(mail, msgs) {
  if (!mail.passwdFile || !mail.mailDir || mail.mailUid < 0) {
    fail('the mail test environment gives no MAILROOM_TEST_PASSWD_FILE, MAIL_DIR or MAIL_UID');
  }
  const hex = randomBytes(8).toString('hex');
  const user = { address: `tmp-${hex}@${mail.domain}`, password: `secret-${randomBytes(8).toString('hex')}` };
  appendFileSync(mail.passwdFile, `${user.address}:{PLAIN}${user.password}::::::\n`);
  const oldest = new Date(Math.min(...msgs.map((m) => m.date.getTime())) - 3600_000);
  const first = [
    `From: ${SENDER}`,
    `To: ${user.address}`,
    'Subject: hostile corpus: start',
    `Date: ${oldest.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <hostile-start-${hex}@hostile.example>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The messages after this one each hold one vector of the hostile-HTML corpus.',
    '',
  ].join('\r\n');
  // Dovecot rereads its passwd-file at most once a second.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await lmtpDeliver(mail.lmtp, 'hostile@hostile.example', user.address, first);
      break;
    } catch (e) {
      if (Date.now() > deadline) fail(`Dovecot does not take mail for ${user.address}: ${e.message}`);
      await sleep(200);
    }
  }
  const box = join(mail.mailDir, user.address, 'Maildir');
  if (!existsSync(join(box, 'cur'))) fail(`${box} has no cur/ after the first delivery`);
  for (const m of msgs) {
    const data = Buffer.from(m.raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const name = `${Math.floor(m.date.getTime() / 1000)}.M${String(m.n).padStart(6, '0')}P${process.pid}.hostile,S=${data.length}:2,`;
    const tmp = join(box, 'tmp', name);
    writeFileSync(tmp, data, { mode: 0o600 });
    chownSync(tmp, mail.mailUid, mail.mailGid);
    utimesSync(tmp, m.date, m.date);
    renameSync(tmp, join(box, 'cur', name));
  }
  return user;
}

// --- the canaries ----------------------------------------------------------------------

const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** startCanaryServer records every request on one port of 127.0.0.1, in plain HTTP and,
 * given tls ({ key, cert }, the test environment's certificate for 127.0.0.1), in HTTPS:
 * { method, path, scheme, dest (Sec-Fetch-Dest), at }. Without tls, a TLS handshake is
 * recorded as { method: 'TLS', path: '(handshake)' }. It answers each request with a 1×1 PNG. */
export function startCanaryServer(tls = null) {
  return new Promise((res, rej) => {
    const c = { hits: [], port: 0, origin: '', host: '', server: null };
    const answer = (scheme) => (req, resp) => {
      c.hits.push({ method: req.method, path: req.url, scheme, dest: req.headers['sec-fetch-dest'] ?? null, at: Date.now() });
      resp.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
      resp.end(PIXEL);
    };
    const plain = createServer(answer('http'));
    // TLS reads the socket's handle itself, past anything put back: its server listens on a
    // port of its own, and a TLS connection to the canary's port is piped there.
    const secure = tls ? createHttpsServer(tls, answer('https')) : null;
    const sockets = new Set();
    // One port for both: a TLS connection starts with a handshake record (0x16).
    c.server = createNetServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      sock.once('data', (first) => {
        if (first[0] !== 0x16) {
          sock.pause();
          sock.unshift(first);
          plain.emit('connection', sock);
          sock.resume();
        } else if (secure) {
          const up = netConnect(secure.address().port, '127.0.0.1');
          sockets.add(up);
          up.on('close', () => sockets.delete(up));
          up.on('error', () => sock.destroy());
          up.write(first);
          sock.pipe(up).pipe(sock);
        } else {
          c.hits.push({ method: 'TLS', path: '(handshake)', scheme: 'https', dest: null, at: Date.now() });
          sock.destroy();
        }
      });
    });
    c.server.on('error', rej);
    secure?.on('error', rej);
    const listen = (srv) => new Promise((r) => (srv ? srv.listen(0, '127.0.0.1', r) : r()));
    listen(secure).then(() => c.server.listen(0, '127.0.0.1', () => {
      c.port = c.server.address().port;
      c.host = `127.0.0.1:${c.port}`;
      c.origin = `http://${c.host}`;
      c.close = () =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          secure?.close();
          c.server.close(() => r());
        });
      res(c);
    }));
  });
}

/** testTLS is the test environment's certificate and key (valid for 127.0.0.1), or null. */
export function testTLS() {
  const dir = process.env.MAILROOM_TEST_DIR;
  if (!dir || !existsSync(join(dir, 'tls', 'key.pem'))) return null;
  return { key: readFileSync(join(dir, 'tls', 'key.pem')), cert: readFileSync(join(dir, 'tls', 'cert.pem')) };
}

/** Timeline attributes an event to the rendering under way at its time: mark(what) when a
 * rendering starts; at(t) names the last one started before t. */
export class Timeline {
  constructor() {
    this.marks = [{ t: 0, what: '(setup)' }];
  }
  mark(what, t = Date.now()) {
    this.marks.push({ t, what });
  }
  at(t) {
    let what = this.marks[0].what;
    for (const m of this.marks) {
      if (m.t > t) break;
      what = m.what;
    }
    return what;
  }
}

/** canaryCalls reads the canary bound method's record: one { at, arg } per call. */
export function canaryCalls(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const i = line.indexOf(' ');
      let arg = line.slice(i + 1);
      try {
        arg = JSON.parse(arg);
      } catch {
        /* kept as text */
      }
      return { at: Number(line.slice(0, i)), arg };
    });
}

/** imagePaths are the canary paths a vector may fetch with images allowed: those named by
 * the src of an <img> (or <image>, which the HTML parser reads as <img>) and the background
 * attribute of a table or cell. */
export function imagePaths(html, host) {
  const paths = new Set();
  for (const tag of html.matchAll(/<(img|image|table|td|th)\b[^>]*>/gi)) {
    const attr = tag[1].toLowerCase().startsWith('t') ? 'background' : 'src';
    const re = new RegExp(`[\\s/]${attr}\\s*=\\s*("[^"]*"|'[^']*'|[^\\s>]+)`, 'gi');
    for (const a of tag[0].matchAll(re)) {
      const v = a[1].replace(/^["']|["']$/g, '').trim();
      const i = v.indexOf(host);
      if (i < 0) continue;
      const path = v.slice(i + host.length).replaceAll('\\', '/').replace(/[?#].*$/, '');
      paths.add(path.startsWith('/') ? path : `/${path}`);
    }
  }
  return paths;
}

/** pathOf is a request's path without its query. */
export const pathOf = (url) => url.replace(/[?#].*$/, '');

// --- the app --------------------------------------------------------------------------

/** setupApp onboards an owner and connects the mailbox through the bound methods (call
 * runs window.go.api[Service][Method](...args) in the page: { ok, value, error }). */
export async function setupApp(call, mail, user) {
  const onboard = await call('Session.Onboard', { name: 'Hostile Test', email: 'owner@hostile-test.example', language: 'en' });
  if (!onboard.ok) fail(`Session.Onboard: ${JSON.stringify(onboard.error)}`);
  const acc = await call(
    'Accounts.Create',
    {
      name: 'Hostile corpus',
      email: user.address,
      fromName: 'Hostile Test',
      provider: 'other',
      settingsSource: 'manual',
      imap: { host: mail.imaps.host, port: mail.imaps.port, security: 'tls', username: user.address },
      smtp: { host: mail.smtp.host, port: mail.smtp.port, security: 'starttls', username: user.address },
    },
    user.password,
    '', // no API sender's secret: the account sends through its SMTP server
  );
  if (!acc.ok) fail(`Accounts.Create: ${JSON.stringify(acc.error)}`);
  return acc.value;
}

/** waitSynced waits until the account's sync is idle with total messages in its inbox. */
export async function waitSynced(call, total, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    const st = await call('Sync.Status');
    const folders = await call('Mail.Folders');
    const inbox = folders.ok ? folders.value.find((f) => f.role === 'inbox') : null;
    last = { status: st.value ?? st.error, inbox: inbox && { total: inbox.total, unread: inbox.unread } };
    const idle = st.ok && st.value.length > 0 && st.value.every((s) => s.phase === 'idle');
    if (idle && inbox && inbox.total === total) return;
    if (st.ok && st.value.some((s) => s.phase === 'error')) fail(`the sync failed: ${JSON.stringify(st.value)}`);
    await sleep(500);
  }
  fail(`the inbox did not sync ${total} messages (last: ${JSON.stringify(last)})`);
}

/** DRIVER runs in the app's page (never in a mail frame) and defines window.__hostile:
 * - it marks each iframe with the srcdoc it has finished loading (a capturing listener on
 *   the document sees the load of every frame) and records the page's script errors;
 * - step(opts) moves through the inbox with the app's own controls and resolves once the
 *   result is on screen, its mail frame loaded with its current document. opts:
 *   move 'first' (click the first row of the list as it is) | 'home' or 'next' (the Home
 *   or j shortcut, then a click on the row it selected: a shortcut alone opens after a
 *   pause) | 'none'; skip, how many more times to press j first; prev, the id shown before; images:
 *   click "Show images" when the bar shows; compose: a pattern of subjects whose message
 *   is also opened in Reply, then Forward (the r and f shortcuts), each until its quote's
 *   frame has loaded, then Cancel.
 * The controls are used from inside the page, one round trip per message: driving them with
 * CDP or WebDriver input events costs several round trips each, which made a pass three
 * times longer. run.mjs drives the same shortcuts with real input events. */
export const DRIVER = String.raw`
  if (!window.__hostile) {
    const h = (window.__hostile = { loads: 0, errors: [] });
    document.addEventListener('load', (e) => {
      const t = e.target;
      if (t instanceof HTMLIFrameElement) { t.__loaded = t.getAttribute('srcdoc'); h.loads++; }
    }, true);
    window.addEventListener('error', (e) => h.errors.push(String(e.message)));
    const q = (s, root = document) => root.querySelector(s);
    const tick = () => new Promise((r) => setTimeout(r, 2));
    const until = async (fn, ms) => {
      const t0 = performance.now();
      for (;;) {
        const r = fn();
        if (r) return r;
        if (performance.now() - t0 > ms) return null;
        await tick();
      }
    };
    const loaded = (f) => !!f && f.__loaded !== undefined && f.__loaded === f.getAttribute('srcdoc');
    const key = (k) => (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    const state = () => {
      const v = q('[data-testid=message-view]');
      const a = document.activeElement;
      return {
        href: location.href,
        view: v?.dataset.id ?? null,
        body: v?.dataset.body ?? null,
        subject: q('[data-testid=message-subject]')?.textContent.trim() ?? null,
        selected: q('[data-testid=mail-row][aria-selected=true]')?.dataset.id ?? null,
        composer: !!q('[data-testid=composer][open]'),
        active: a ? a.tagName + '[' + (a.getAttribute('data-testid') ?? '') + ']' : null,
        errors: h.errors,
      };
    };
    // view: the message view of a message other than prev, its frame loaded; { failed } if
    // its body failed to load.
    const view = (prev) => {
      if (q('[data-testid=composer][open]')) return null;
      const v = q('[data-testid=message-view]');
      if (!v || v.dataset.id === undefined || v.dataset.id === String(prev)) return null;
      if (v.dataset.body === 'failed') return { failed: true };
      const f = v.querySelector('[data-testid=message-frame]');
      if (v.dataset.body !== 'done' || !loaded(f)) return null;
      return { id: v.dataset.id, subject: q('[data-testid=message-subject]').textContent.trim(), bar: !!q('[data-testid=remote-images-bar]'), sandbox: f.getAttribute('sandbox') };
    };
    // shown: the message view of id with its remote images allowed (the bar gone, another
    // document than before), its frame loaded.
    const shown = (id, before) => {
      const v = q('[data-testid=message-view]');
      if (!v || v.dataset.id !== String(id) || q('[data-testid=remote-images-bar]')) return null;
      const f = v.querySelector('[data-testid=message-frame]');
      return loaded(f) && f.getAttribute('srcdoc') !== before ? { ok: true } : null;
    };
    // composer: the composer of what ('reply' or 'forward') with its quote loaded.
    const composer = (what) => {
      const d = q('[data-testid=composer][open]');
      const subject = d && q('[data-testid=compose-subject]', d);
      if (!subject || !subject.value.startsWith(what === 'reply' ? 'Re: ' : 'Fwd: ')) return null;
      const f = q('[data-testid=compose-quote-frame]', d);
      if (!f) return { ok: false, what, why: 'the composer shows no quote' };
      return loaded(f) ? { ok: true, what, sandbox: f.getAttribute('sandbox') } : null;
    };
    h.step = async ({ move, skip = 0, prev = null, images = false, compose = false, timeoutMs = 10000 }) => {
      const failed = (why) => ({ ok: false, why, state: state() });
      const t0 = performance.now();
      // What shows now must not pass for what the move opens.
      if (move !== 'none') prev = prev ?? q('[data-testid=message-view]')?.dataset.id ?? null;
      if (move === 'first') {
        const row = q('[data-testid=mail-row]');
        if (!row) return failed('the list has no row');
        row.click();
      } else if (move === 'next' || move === 'home') {
        const before = q('[data-testid=mail-row][aria-selected=true]')?.dataset.id ?? String(prev);
        if (move === 'home') key('Home');
        for (let i = 0; i < (move === 'next' ? skip + 1 : skip); i++) key('j');
        const row = await until(() => {
          const r = q('[data-testid=mail-row][aria-selected=true]');
          return r && r.dataset.id !== before ? r : null;
        }, timeoutMs);
        if (!row) return failed('j did not select another message');
        row.click();
      }
      const t1 = performance.now();
      const v = await until(() => view(prev), timeoutMs);
      if (!v) return failed('the message did not render');
      if (v.failed) return failed('its body failed to load');
      const out = { ok: true, ...v, images: null, composers: [], ms: { select: t1 - t0, view: performance.now() - t1 } };
      const t2 = performance.now();
      if (images && v.bar) {
        const before = q('[data-testid=message-frame]').getAttribute('srcdoc');
        q('[data-testid=remote-images-show]').click();
        out.images = (await until(() => shown(v.id, before), timeoutMs)) ?? { ok: false, why: 'Show images did not show them', state: state() };
      }
      if (compose && new RegExp(compose).test(v.subject)) {
        for (const [k, what] of [['r', 'reply'], ['f', 'forward']]) {
          key(k);
          const c = await until(() => composer(what), timeoutMs);
          out.composers.push(c ?? { ok: false, what, why: 'the composer did not render its quote', state: state() });
          q('[data-testid=composer-cancel]')?.click();
          if (!(await until(() => !q('[data-testid=composer][open]'), timeoutMs))) return { ...out, ok: false, why: 'Cancel did not close the ' + what + ' composer', state: state() };
        }
      }
      out.ms.rest = performance.now() - t2;
      return out;
    };
  }
  return true;
`;

/** Verdicts collects what went wrong per message and overall, and prints the summary:
 * one test per vector (all its renderings in this browser), plus one per run-wide check. */
export class Verdicts {
  constructor(name, vectors) {
    this.name = name;
    this.vectors = vectors;
    this.byVector = new Map(vectors.map((v) => [`${v.file}:${v.line}`, []]));
    this.checks = [];
  }
  /** vectorFailed records a failure of one message's vector. */
  vectorFailed(m, why) {
    this.byVector.get(`${m.vector.file}:${m.vector.line}`).push(`${label(m)}: ${why}`);
  }
  /** check records a run-wide check; problems: the list of what is wrong (empty: passed). */
  check(name, problems) {
    this.checks.push({ name, problems });
    const ok = problems.length === 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `\n     ${problems.slice(0, 40).join('\n     ')}${problems.length > 40 ? `\n     … and ${problems.length - 40} more` : ''}`}`);
    return ok;
  }
  summary() {
    let passed = 0;
    let failed = 0;
    for (const [key, problems] of this.byVector) {
      if (problems.length === 0) passed++;
      else {
        failed++;
        console.log(`FAIL vector ${key}\n     ${problems.slice(0, 6).join('\n     ')}`);
      }
    }
    for (const c of this.checks) c.problems.length ? failed++ : passed++;
    console.log(`${this.name}: ${passed} passed, ${failed} failed`);
    return failed;
  }
}
