// The hostile-HTML browser test, whatever the browser: hostile-chromium.mjs and
// hostile-webkit.mjs each hand runHostile a way to open the app's URL in their browser.
//
// 1. A fresh Dovecot mailbox holds every vector of the corpus as a text/html message in
//    three transfer encodings (hostile.mjs); the dev binary starts with a fresh data
//    directory, the canary's record file, and the test certificate trusted.
// 2. The browser opens the app; the owner is onboarded and the mailbox connected through the
//    bound methods (connecting through the UI is run.mjs's job: here what must go through
//    the UI is the rendering); the inbox syncs.
// 3. Images blocked (the default): every message is opened in the message view, in list
//    order, until its sandboxed frame has loaded the sanitised document; for every message
//    of the encodings in COMPOSE_ENCODINGS, Reply and Forward are opened too, until the
//    quote's frame has loaded. After a grace period: zero canary calls, zero requests to the
//    canary server, and nothing the browser's watch reports.
// 4. Images allowed, for a sample (every raw message whose view shows the remote-images
//    bar: "Show images"): zero canary calls, and the canary server sees only image fetches of
//    each vector's own images (imagePaths in hostile.mjs); at least /img.png must arrive, or
//    the check could not see anything.
//
// It prints one line per check and per failed vector and, last, "NAME: N passed, M failed":
// one test per vector (every rendering of it in this browser), one per run-wide check.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DRIVER,
  Timeline,
  Verdicts,
  buildMessages,
  canaryCalls,
  imagePaths,
  label,
  loadCorpus,
  newMailbox,
  pathOf,
  setupApp,
  startCanaryServer,
  testTLS,
  waitSynced,
} from './hostile.mjs';
import { NO_DNS_SERVER, distDir, fail, freePort, guardProcesses, mailEnv, outDir, sleep, spawnApp, stopGroup, tempDirs, waitForHttp } from './lib.mjs';

/** The encodings whose messages are also replied to and forwarded. */
const COMPOSE_ENCODINGS = new Set(['raw']);
const STEP_TIMEOUT_MS = 10_000;
const GRACE_MS = 2_000;
const SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/** CALL runs a bound method from the page, as any script in the webview can. */
const CALL = `
  const [svc, method] = arg.path.split('.');
  try {
    return { ok: true, value: await window.go.api[svc][method](...arg.args) };
  } catch (e) {
    return { ok: false, error: e };
  }
`;

/** runHostile runs the test. open(url, watch) opens url in the browser and resolves to
 * { run(body, arg) (evaluates the body of an async function of arg in the page), reload(),
 * screenshot(path), close(), checkpoint?() (looks from outside), watching (what it reports
 * to watch, in words) }. */
export async function runHostile({ name, open }) {
  const temp = tempDirs();
  const tempDir = temp.make;
  const logTail = [];
  let app = null;
  let canary = null;
  let page = null;
  const cleanup = async () => {
    if (page) await page.close().catch(() => {});
    page = null;
    if (app?.pid !== undefined) await stopGroup(app.pid);
    app = null;
    if (canary) await canary.close();
    canary = null;
    temp.removeAll();
  };
  guardProcesses(name, () => [app?.pid], cleanup);

  /** shot saves what the browser shows, after a failure. */
  const shot = async () => {
    if (!page) return;
    const path = join(outDir, `${name}-failure.png`);
    try {
      await page.screenshot(path);
      console.log(`     screenshot: ${path}`);
    } catch {
      /* the browser is gone */
    }
  };
  const t0 = Date.now();
  const secs = (from = t0) => ((Date.now() - from) / 1000).toFixed(1);
  const timeline = new Timeline();
  const watched = []; // { phase, at, text, kind, type, url }
  let phase = 'setup';
  const watch = {
    problem: (text) => watched.push({ phase, at: Date.now(), kind: 'problem', text }),
    console: (text) => watched.push({ phase, at: Date.now(), kind: 'console', text }),
    frameRequest: (text, type, url) => watched.push({ phase, at: Date.now(), kind: 'frame', text, type, url }),
  };

  let verdicts = null;
  let code = 0;
  try {
    const bin = process.env.MAILROOM_DEV_BINARY;
    if (!bin || !existsSync(bin)) fail('set MAILROOM_DEV_BINARY to the dev-tagged binary (make dev-binary)');
    if (!existsSync(join(distDir, 'index.html'))) fail(`${distDir}/index.html is missing: run npm run build first`);
    const mail = mailEnv();
    if (mail.missing.length) fail(`no mail test environment (${mail.missing.join(', ')} not set): run under scripts/testenv/with-env.sh`);
    mkdirSync(outDir, { recursive: true });
    rmSync(join(outDir, `${name}-failure.png`), { force: true });

    const vectors = loadCorpus();
    const v = (verdicts = new Verdicts(name, vectors));
    canary = await startCanaryServer(testTLS());
    const msgs = buildMessages(vectors, { to: 'victim@hostile-test.example', origin: canary.origin, host: canary.host });
    const byN = new Map(msgs.map((m) => [m.n, m]));
    const bySubject = new Map(msgs.map((m) => [m.subject, m]));
    const user = await newMailbox(mail, msgs);
    console.log(`     ${vectors.length} vectors, ${msgs.length} messages in the inbox of ${user.address} (${secs()} s)`);

    const canaryFile = join(tempDir('mailroom-hostile-canary-'), 'calls');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const env = {
      ...process.env,
      MAILROOM_DATA_DIR: tempDir('mailroom-hostile-data-'),
      XDG_DATA_HOME: tempDir('mailroom-hostile-xdgdata-'),
      XDG_CACHE_HOME: tempDir('mailroom-hostile-xdgcache-'),
      MAILROOM_DNS_SERVER: NO_DNS_SERVER,
      MAILROOM_CA_FILE: mail.caFile,
      MAILROOM_CANARY_FILE: canaryFile,
    };
    delete env.MAILROOM_AUTOCONFIG_URLS;
    delete env.MAILROOM_PROTOCOL_LOG;
    app = spawnApp(resolve(bin), port, env, join(outDir, `${name}-app.log`), logTail);
    await waitForHttp(url, app, logTail);

    page = await open(url, watch);
    const call = (path, ...args) => page.run(CALL, { path, args });
    const waitGo = () =>
      page.run(`for (let i = 0; i < 400; i++) {
        if (typeof window.go?.api?.Session?.Onboard === 'function') return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;`);
    if (!(await waitGo())) fail('the page has no bound methods (window.go.api) after 20 s');

    // The canaries answer the test itself, once each: the checks below can see a call.
    const self = await call('Canary.Hit', 'self-check');
    if (!self.ok) fail(`the canary bound method is missing from the dev binary: ${JSON.stringify(self.error)}`);
    const selfCalls = canaryCalls(canaryFile);
    if (selfCalls.length !== 1 || selfCalls[0].arg !== 'self-check') fail(`the canary's record holds ${JSON.stringify(selfCalls)} after one self-check call`);
    await fetch(`${canary.origin}/self-check`);
    if (canary.hits.length !== 1) fail(`the canary server counted ${canary.hits.length} requests for one`);
    canary.hits.length = 0;

    await setupApp(call, mail, user);
    await waitSynced(call, msgs.length + 1);
    console.log(`     the inbox synced (${secs()} s)`);

    // The real UI from a fresh load: the inbox, as a person opens it.
    await page.reload();
    if (!(await waitGo())) fail('the page has no bound methods after a reload');
    await page.run(DRIVER);
    const inbox = await page.run(`
      const wait = async (sel) => {
        for (let i = 0; i < 400; i++) {
          const el = document.querySelector(sel);
          if (el) return el;
          await new Promise((r) => setTimeout(r, 50));
        }
        return null;
      };
      const nav = await wait('[data-testid=nav-inbox]');
      if (!nav) return false;
      nav.click();
      return !!(await wait('[data-testid=mail-row]'));`);
    if (!inbox) fail('the inbox shows no message');

    /** walk opens every message from the first, until want of the corpus's were seen or the
     * list ends; each(result, message) gets every step's result (opts: DRIVER's step). */
    const prof = [];
    const profile = (what) => {
      if (!prof.length) return;
      const avg = (k) => (prof.reduce((a, x) => a + (x[k] ?? 0), 0) / prof.length).toFixed(1);
      console.log(`     ${what}: ${prof.length} steps, mean ms in the page: select ${avg('select')}, view ${avg('view')}, reply/forward/images ${avg('rest')}`);
      prof.length = 0;
    };
    const walk = async (want, each, opts, first) => {
      let prev = null;
      let seen = 0;
      for (let i = 0; seen < want && i < msgs.length + 20; i++) {
        const mark = { t: Date.now(), what: '(opening a message)' };
        timeline.marks.push(mark);
        const o = typeof opts === 'function' ? opts(seen) : opts;
        const r = await page.run('return window.__hostile.step(arg)', { move: i === 0 ? first : 'next', prev, timeoutMs: STEP_TIMEOUT_MS, ...o });
        if (!r.ok && (!r.id || r.why?.startsWith('j did not'))) {
          return `after ${seen} messages, the next did not open: ${r.why} ${JSON.stringify(r.state)}`;
        }
        prev = r.id;
        const m = bySubject.get(r.subject);
        if (m) {
          mark.what = label(m);
          mark.m = m;
          seen++;
        } else if (r.subject !== 'hostile corpus: start') {
          return `an unknown message opened: ${r.subject}`;
        }
        if (page.checkpoint && i % 100 === 99) await page.checkpoint();
        if (r.ms) prof.push(r.ms);
        each(r, m);
      }
      return null;
    };

    // Pass 1: images blocked.
    phase = 'blocked';
    const t1 = Date.now();
    const viewed = new Set();
    const order = []; // the corpus's messages in list order
    const withBar = new Set(); // the messages whose view showed the remote-images bar
    let composers = 0;
    const composeWanted = msgs.filter((m) => COMPOSE_ENCODINGS.has(m.enc)).length * 2;
    const composePattern = ` (${[...COMPOSE_ENCODINGS].join('|')}) #\\d+$`;
    const walked1 = await walk(
      msgs.length,
      (r, m) => {
        if (!m) return;
        viewed.add(m.n);
        order.push(m);
        if (r.bar) withBar.add(m.n);
        if (!r.ok) v.vectorFailed(m, `${r.why} ${JSON.stringify(r.state)}`);
        if (r.sandbox !== SANDBOX) v.vectorFailed(m, `the message frame's sandbox is "${r.sandbox}"`);
        for (const c of r.composers ?? []) {
          if (!c.ok) {
            v.vectorFailed(m, `${c.what}: ${c.why} ${JSON.stringify(c.state ?? '')}`);
            continue;
          }
          composers++;
          if (c.sandbox !== SANDBOX) v.vectorFailed(m, `${c.what}: the quote frame's sandbox is "${c.sandbox}"`);
        }
      },
      { compose: composePattern },
      'first',
    );
    const pass1 = secs(t1);
    profile('images blocked');
    timeline.mark('(grace period, images blocked)');
    await sleep(GRACE_MS);
    if (page.checkpoint) await page.checkpoint();
    console.log(`     images blocked: ${viewed.size} messages viewed, ${composers} replies and forwards (${pass1} s)`);

    const missing = msgs.filter((m) => !viewed.has(m.n));
    v.check(`every one of the ${msgs.length} messages rendered in the message view, images blocked`, [
      ...(walked1 ? [walked1] : []),
      ...missing.slice(0, 5).map((m) => `${label(m)} was never shown`),
      ...(missing.length > 5 ? [`${missing.length} messages in all were never shown`] : []),
    ]);
    v.check(`Reply and Forward rendered the quote of every ${[...COMPOSE_ENCODINGS].join(', ')} message (${composers} of ${composeWanted})`, composers === composeWanted ? [] : [`${composeWanted - composers} did not render`]);
    const calls1 = canaryCalls(canaryFile).slice(1);
    const callProblems = (calls) =>
      calls.map((c) => {
        const m = byN.get(c.arg);
        if (m) v.vectorFailed(m, `called the canary bound method (while rendering ${timeline.at(c.at)})`);
        return `Canary.Hit(${JSON.stringify(c.arg)})${m ? ` by ${label(m)}` : ''}, while rendering ${timeline.at(c.at)}`;
      });
    v.check('zero canary calls (images blocked: views, replies, forwards)', callProblems(calls1));
    const hitProblems = (hits) =>
      hits.map((h) => {
        const mark = timeline.marks.findLast((x) => x.t <= h.at);
        if (mark?.m) v.vectorFailed(mark.m, `the canary server got ${h.method} ${h.path} (${h.scheme})`);
        return `${h.method} ${h.path} (${h.scheme}) while rendering ${timeline.at(h.at)}`;
      });
    v.check('zero requests to the canary server while images are blocked', hitProblems(canary.hits));
    const seenBy = (phaseName, keep = () => true) =>
      watched
        .filter((w) => w.phase === phaseName && keep(w))
        .map((w) => {
          const mark = timeline.marks.findLast((x) => x.t <= w.at);
          if (mark?.m) v.vectorFailed(mark.m, w.text);
          return `${w.kind === 'frame' ? 'a mail frame requested ' : ''}${w.text} (while rendering ${timeline.at(w.at)})`;
        });
    v.check(`images blocked: the browser saw none of: ${page.watching}`, seenBy('blocked'));

    // Pass 2: images allowed, for every raw message whose view showed the remote-images bar:
    // from the top of the list, j as many times as needed to reach each, a click, "Show
    // images".
    phase = 'allowed';
    const t2 = Date.now();
    const hitsBefore = canary.hits.length;
    const sample = order.map((m, i) => ({ m, i })).filter(({ m }) => m.enc === 'raw' && withBar.has(m.n));
    const shownFor = [];
    let at = -1; // the list position open (-1: none; the welcome message sorts last)
    let prev = null;
    let walked2 = null;
    for (const [k, { m, i }] of sample.entries()) {
      const mark = { t: Date.now(), what: `${label(m)}, images shown`, m };
      timeline.marks.push(mark);
      const r = await page.run('return window.__hostile.step(arg)', {
        move: k === 0 ? 'home' : 'next',
        skip: k === 0 ? i : i - at - 1,
        prev,
        images: true,
        timeoutMs: STEP_TIMEOUT_MS,
      });
      if (!r.ok || r.subject !== m.subject) {
        walked2 = `opening ${label(m)} (list position ${i + 1}) showed ${r.subject ?? 'nothing'}: ${r.why ?? ''} ${JSON.stringify(r.state ?? '')}`;
        break;
      }
      at = i;
      prev = r.id;
      if (!r.images) v.vectorFailed(m, 'the remote-images bar did not show again');
      else if (r.images.ok) shownFor.push(m);
      else v.vectorFailed(m, `Show images: ${r.images.why} ${JSON.stringify(r.images.state)}`);
    }
    // Late fetches (a lazy image) count for the message that was open.
    timeline.mark('(grace period, images allowed)');
    await sleep(GRACE_MS);
    if (page.checkpoint) await page.checkpoint();
    const pass2 = secs(t2);
    profile('images allowed');
    const imageHits = new Set();
    const badHits = [];
    for (const h of canary.hits.slice(hitsBefore)) {
      const mark = timeline.marks.findLast((x) => x.t <= h.at);
      const m = mark?.m;
      const allowed = m ? imagePaths(m.html, canary.host) : new Set();
      const p = pathOf(h.path);
      if (m && h.method === 'GET' && allowed.has(p) && (h.dest === null || h.dest === 'image')) {
        imageHits.add(p);
        continue;
      }
      if (m) v.vectorFailed(m, `images allowed: the canary server got ${h.method} ${h.path} (${h.scheme}), not one of its images`);
      badHits.push(`${h.method} ${h.path} (${h.scheme}, Sec-Fetch-Dest ${h.dest}) while rendering ${timeline.at(h.at)}, which may fetch only ${[...allowed].join(' ') || 'nothing'}`);
    }
    console.log(`     images allowed: shown for ${shownFor.length} of ${sample.length} raw messages with remote images, ${canary.hits.length - hitsBefore} requests to the canary (${pass2} s)`);
    console.log(`     images fetched: ${[...imageHits].sort().join(' ')}`);
    v.check(`images allowed (${shownFor.length} messages): the canary server saw only the vectors' own images`, [...(walked2 ? [walked2] : []), ...badHits]);
    v.check('images allowed: the sample is every raw message that showed the remote-images bar', shownFor.length === sample.length && sample.length > 0 ? [] : [`images shown for ${shownFor.length} of ${sample.length}`]);
    v.check('images allowed: the image fetches did reach the canary server (so the checks above can see a request)', imageHits.has('/img.png') ? [] : [`no request for /img.png (seen: ${[...imageHits].join(' ')})`]);
    v.check('images allowed: zero canary calls', callProblems(canaryCalls(canaryFile).slice(1 + calls1.length)));
    v.check(`images allowed: the browser saw none of: ${page.watching} (but canary images)`, seenBy('allowed', (w) => !(w.kind === 'frame' && w.type === 'image' && new URL(w.url).host === canary.host)));
    console.log(`     ${name} took ${secs()} s: setup ${((t1 - t0) / 1000).toFixed(1)} s, images blocked ${pass1} s, images allowed ${pass2} s`);
    if (verdicts.checks.some((c) => c.problems.length)) await shot();
  } catch (err) {
    console.log(`FAIL ${err?.message ?? err}`);
    await shot();
    if (logTail.length) console.log(`     last lines of the binary:\n     ${logTail.slice(-15).join('\n     ')}`);
    code = 1;
  } finally {
    await cleanup();
    if (verdicts && code === 0) {
      if (verdicts.summary() > 0) code = 1;
    } else {
      console.log(`${name}: 0 passed, 1 failed`);
    }
    process.exit(code);
  }
}
