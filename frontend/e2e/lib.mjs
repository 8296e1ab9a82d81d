// Helpers shared by the browser tests (run.mjs, oauth.mjs, hostile-chromium.mjs,
// hostile-webkit.mjs): paths, the dev binary's process, the step runner, the page's
// expectations, the mail test environment, LMTP delivery.
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { chromium } from 'playwright-core';

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(frontendDir, '..');
export const distDir = join(frontendDir, 'dist');
export const outDir = join(repoDir, 'build', 'e2e');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** How Debian's Chromium runs in the tests: headless, nothing fetched on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const READY_TIMEOUT_MS = 60_000; // the binary's first start, WebKit included
export const STOP_TIMEOUT_MS = 5_000; // SIGTERM, then SIGKILL
export const LMTP_TIMEOUT_MS = 10_000;
export const STEP_TIMEOUT_MS = 10_000; // any one wait inside a step
export const DELIVERY_TIMEOUT_MS = 15_000; // a test email reaching the recipient's mailbox
// Nothing listens there: any DNS query the app makes fails at once, on this machine.
export const NO_DNS_SERVER = '127.0.0.1:9';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const tid = (id) => `[data-testid="${id}"]`;

export function fail(message) {
  throw new Error(message);
}

/** fmt fills {placeholders} the way the catalogue's simple messages use them. */
export function fmt(message, values = {}) {
  return message.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : `{${k}}`));
}

/** norm makes text comparable: any run of whitespace (no-break spaces included) is one space. */
export function norm(s) {
  return String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// --- the dev binary -------------------------------------------------------------------

/** spawnApp starts the dev-tagged binary serving the real frontend on 127.0.0.1:port, in
 * its own process group (so WebKit's helpers stop with it). Its output goes to logPath;
 * its last lines are kept in tail (an array). */
export function spawnApp(bin, port, env, logPath, tail) {
  const log = createWriteStream(logPath);
  const proc = spawn(bin, ['-devserver', `127.0.0.1:${port}`, '-assetdir', distDir, '-loglevel', 'warning'], {
    cwd: repoDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) tail.push(line);
    }
    while (tail.length > 40) tail.shift();
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  proc.on('exit', () => log.end());
  return proc;
}

/** waitForHttp waits until url answers 200, failing early if proc exits. */
export async function waitForHttp(url, proc, tail = []) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      fail(`the binary exited (${proc.exitCode ?? proc.signalCode}) before answering; its last lines:\n${tail.join('\n')}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await sleep(250);
  }
  fail(`${url} did not answer within ${READY_TIMEOUT_MS / 1000}s (last: ${last})`);
}

export function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** stopGroup ends a process group started detached: SIGTERM, then SIGKILL. */
export async function stopGroup(pid) {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && groupAlive(pid)) await sleep(100);
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

/** tempDirs makes temporary directories (make(prefix)) and removes them all (removeAll()). */
export function tempDirs() {
  const dirs = [];
  return {
    make(prefix) {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    removeAll() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** appEnv is the environment a test starts the app with: a fresh data directory and XDG
 * directories from temp (mailroom-PREFIX-data-…, …), protocol logging on, a DNS server
 * nobody answers on, and the file that answers the dev binary's file dialogs
 * (MAILROOM_TEST_DIALOG_FILE: a test writes into it the path "chosen"; see
 * backend/api/dialogs_dev.go). It returns { dataDir, env }. */
export function appEnv(temp, prefix) {
  const dataDir = temp.make(`mailroom-${prefix}-data-`);
  const env = {
    ...process.env,
    MAILROOM_DATA_DIR: dataDir,
    XDG_DATA_HOME: temp.make(`mailroom-${prefix}-xdgdata-`),
    XDG_CACHE_HOME: temp.make(`mailroom-${prefix}-xdgcache-`),
    MAILROOM_PROTOCOL_LOG: '1',
    MAILROOM_DNS_SERVER: NO_DNS_SERVER,
    MAILROOM_ISPDB_URL: 'off',
    MAILROOM_TEST_DIALOG_FILE: join(temp.make(`mailroom-${prefix}-dialog-`), 'chosen-path'),
  };
  return { dataDir, env };
}

/** guardProcesses makes sure a test leaves nothing running: on exit, the process groups of
 * pids() are killed; on SIGINT or SIGTERM, "NAME: interrupted by SIG", cleanup(), exit 130. */
export function guardProcesses(name, pids, cleanup) {
  process.on('exit', () => {
    for (const pid of pids()) {
      if (pid === undefined) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      console.log(`${name}: interrupted by ${sig}`);
      await cleanup();
      process.exit(130);
    });
  }
}

// --- the step runner -----------------------------------------------------------------

/** createRunner counts the steps of a test called name. step(title, fn) runs fn and prints
 * "ok   N. title" or "FAIL N. title" with the error; once a step failed, the others do not
 * run. run(main, cleanup) runs main, counts what it throws as a failed step, then cleans up,
 * prints "NAME: N passed, M failed" and exits, non-zero after a failure. */
export function createRunner(name) {
  const r = {
    passed: 0,
    failed: 0,
    async step(title, fn) {
      if (r.failed > 0) return;
      try {
        await fn();
        r.passed++;
        console.log(`ok   ${r.passed + r.failed}. ${title}`);
      } catch (err) {
        r.failed++;
        console.log(`FAIL ${r.passed + r.failed}. ${title}\n     ${String(err?.message ?? err).split('\n').join('\n     ')}`);
      }
    },
    /** failureReport, after a failed step: a screenshot of page as outDir/file and the
     * binary's last lines. */
    async failureReport(page, file, logTail) {
      if (!r.failed) return;
      await page.screenshot({ path: join(outDir, file) }).catch(() => {});
      console.log(`     screenshot of the failure: ${join(outDir, file)}`);
      if (logTail.length) console.log(`     last lines of the binary:\n     ${logTail.slice(-15).join('\n     ')}`);
    },
    async run(main, cleanup) {
      let code = 0;
      try {
        await main();
      } catch (err) {
        r.failed++;
        console.log(`FAIL ${r.passed + r.failed}. ${err?.message ?? err}`);
      } finally {
        await cleanup();
        if (r.failed) code = 1;
        console.log(`${name}: ${r.passed} passed, ${r.failed} failed`);
        process.exit(code);
      }
    },
  };
  return r;
}

/** checkSetup checks what a browser test needs before it starts (the dev binary, built
 * with buildHint; frontend/dist; Chromium), makes outDir and removes the last run's
 * failure screenshot. It returns the binary's path. */
export function checkSetup(buildHint, failureFile) {
  const bin = process.env.MAILROOM_DEV_BINARY;
  if (!bin) fail(`set MAILROOM_DEV_BINARY to the dev-tagged binary (${buildHint})`);
  if (!existsSync(bin)) fail(`MAILROOM_DEV_BINARY=${bin} does not exist`);
  if (!existsSync(join(distDir, 'index.html'))) fail(`${distDir}/index.html is missing: run npm run build first`);
  if (!existsSync(chromiumPath)) fail(`no Chromium at ${chromiumPath}`);
  mkdirSync(outDir, { recursive: true });
  rmSync(join(outDir, failureFile), { force: true });
  return bin;
}

// --- the page -------------------------------------------------------------------------

/** openPage launches Chromium and opens a 1280×800 page in locale. problems.pageErrors and
 * problems.consoleLines collect the page's script errors and its console errors and
 * warnings; noPageProblems(problems) fails on any. */
export async function openPage(locale) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  const page = await context.newPage();
  const problems = { pageErrors: [], consoleLines: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.consoleLines.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  return { browser, page, problems };
}

export function noPageProblems({ pageErrors, consoleLines }) {
  if (pageErrors.length) fail(pageErrors.join('\n'));
  if (consoleLines.length) fail(consoleLines.join('\n'));
}

export async function visible(page, selector, what = selector, timeout = STEP_TIMEOUT_MS) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
  } catch {
    fail(`${what} did not become visible`);
  }
}

export async function absent(page, selector, what = selector, timeout = STEP_TIMEOUT_MS) {
  try {
    await page.locator(selector).first().waitFor({ state: 'detached', timeout });
  } catch {
    fail(`${what} is still shown`);
  }
}

export async function expectText(page, selector, expected, what = selector, timeout = STEP_TIMEOUT_MS) {
  const want = norm(expected);
  const deadline = Date.now() + timeout;
  let got = '(not found)';
  while (Date.now() < deadline) {
    const loc = page.locator(selector).first();
    const n = await loc.count();
    if (n > 0 && (await loc.isVisible())) {
      got = norm(await loc.innerText());
      if (got === want) return;
    } else if (n > 0) {
      got = `(hidden: ${norm(await loc.textContent())})`;
    }
    await sleep(100);
  }
  fail(`${what} should read "${want}" but reads "${got}"`);
}

export async function expectAttr(page, selector, attr, expected, what = selector, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let got = null;
  while (Date.now() < deadline) {
    const loc = page.locator(selector).first();
    if ((await loc.count()) > 0) {
      got = await loc.getAttribute(attr);
      if (got === expected) return;
    }
    await sleep(100);
  }
  fail(`${what} should have ${attr}="${expected}" but has ${JSON.stringify(got)}`);
}

/** waitFor polls fn until it returns a truthy value. */
export async function waitFor(fn, what, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(150);
  }
  fail(`${what} (last: ${JSON.stringify(last)})`);
}

/** shot saves a screenshot of page as outDir/NAME.png. */
export async function shot(page, name) {
  await page.screenshot({ path: join(outDir, `${name}.png`) });
}

/** backend calls a bound Go method from the page, as any script in the webview can. */
export function backend(page, path, ...args) {
  return page.evaluate(
    async ({ path, args }) => {
      const [svc, method] = path.split('.');
      try {
        return { ok: true, value: await window.go.api[svc][method](...args) };
      } catch (e) {
        return { ok: false, error: e };
      }
    },
    { path, args },
  );
}

// --- the fake Postmark API ------------------------------------------------------------

/** goBinary builds a command of the repository into .cache/e2e/NAME-<hash of its sources,
 * go.mod, go.sum and the Go toolchain>, unless it is there already, and returns its path.
 * dirs are the package directories it is built from (searched for .go files). */
export function goBinary(name, pkg, dirs) {
  const hash = createHash('sha256');
  const goPath = execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim();
  const st = statSync(goPath);
  hash.update(`${goPath} ${st.size} ${st.mtimeMs}\n`);
  for (const f of ['go.mod', 'go.sum']) hash.update(readFileSync(join(repoDir, f)));
  for (const d of dirs) {
    for (const f of filesUnder(join(repoDir, d)).filter((f) => f.endsWith('.go')).sort()) {
      hash.update(f.slice(repoDir.length));
      hash.update(readFileSync(f));
    }
  }
  const cache = join(repoDir, '.cache', 'e2e');
  const bin = join(cache, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const tmp = `${bin}.${process.pid}`;
  try {
    execFileSync('go', ['build', '-o', tmp, pkg], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    rmSync(tmp, { force: true });
    fail(`go build ${pkg} failed:\n${e.stderr?.toString() ?? e.message}`);
  }
  renameSync(tmp, bin);
  // Older builds of the same command go.
  for (const f of readdirSync(cache)) {
    if (f.startsWith(`${name}-`) && join(cache, f) !== bin && !f.includes('.')) rmSync(join(cache, f), { force: true });
  }
  return bin;
}

/** startPostmark builds and starts the fake Postmark API (backend/internal/testkit/testpostmark/cmd/testpostmark)
 * on a free 127.0.0.1 port, in its own process group, accepting token; signatures are sender
 * signatures waiting for their confirmation. It returns { url, pid, messages(),
 * signature(address, confirmed), setToken(token) }: the control endpoints stand for what a
 * person does in Postmark's web interface. */
export async function startPostmark({ token, signatures = [], logPath, dir }) {
  const bin = goBinary('testpostmark', './backend/internal/testkit/testpostmark/cmd/testpostmark', ['backend/internal/testkit/testpostmark']);
  const urlFile = join(dir, 'url');
  const log = createWriteStream(logPath);
  const args = ['-addr', '127.0.0.1:0', '-token', token, '-url-file', urlFile, ...signatures.flatMap((s) => ['-signature', s])];
  const proc = spawn(bin, args, { cwd: repoDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(urlFile)) {
    if (proc.exitCode !== null || proc.signalCode !== null) fail(`the fake Postmark exited (${proc.exitCode ?? proc.signalCode}): see ${logPath}`);
    if (Date.now() > deadline) fail('the fake Postmark did not start');
    await sleep(50);
  }
  const url = readFileSync(urlFile, 'utf8').trim();
  const control = async (path, form) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: new URLSearchParams(form), signal: AbortSignal.timeout(5000) });
    if (!res.ok) fail(`the fake Postmark answered ${res.status} to ${path}`);
  };
  return {
    url,
    pid: proc.pid,
    /** The messages Postmark accepted, oldest first ({ MessageID, Token, From, To, Subject, Headers, … }). */
    async messages() {
      const res = await fetch(`${url}/testing/messages`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) fail(`the fake Postmark answered ${res.status} to /testing/messages`);
      return res.json();
    },
    signature: (address, confirmed) => control('/testing/signatures', { address, confirmed: String(confirmed) }),
    setToken: (t) => control('/testing/token', { token: t }),
  };
}

// --- the test DNS server --------------------------------------------------------------

/** startDNS builds and starts the test DNS server (backend/internal/testkit/testdns/cmd/testdns)
 * on a free 127.0.0.1 port (UDP and TCP), in its own process group, serving the zone file
 * dir/zone.txt, first written with zone (zone-file syntax); every other name answers
 * NXDOMAIN, so no question of the app leaves the machine. It returns { addr, pid,
 * setZone(text) }: setZone writes the file whole (a rename), as a person changes records at
 * their DNS host; the server reads it again before its next answer. */
export async function startDNS({ zone, logPath, dir }) {
  const bin = goBinary('testdns', './backend/internal/testkit/testdns/cmd/testdns', ['backend/internal/testkit/testdns']);
  const file = join(dir, 'zone.txt');
  const setZone = (text) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  setZone(zone);
  const log = createWriteStream(logPath);
  const proc = spawn(bin, ['-addr', '127.0.0.1:0', '-zone', file], { cwd: repoDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stderr.pipe(log);
  // Its first line on stdout is its address, printed once it answers.
  const addr = await new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error('the test DNS server did not start')), READY_TIMEOUT_MS);
    proc.stdout.on('data', (b) => {
      out += b;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        res(out.slice(0, nl).trim());
      }
    });
    proc.on('exit', (code, sig) => {
      clearTimeout(timer);
      rej(new Error(`the test DNS server exited (${code ?? sig}): see ${logPath}`));
    });
  });
  proc.stdout.pipe(log);
  return { addr, pid: proc.pid, setZone };
}

// --- the mail test environment -------------------------------------------------------

export function hostPort(v) {
  const i = v.lastIndexOf(':');
  return { host: v.slice(0, i), port: Number(v.slice(i + 1)) };
}

/** mailEnv reads the mail test environment (scripts/testenv/with-env.sh); { missing } lists
 * the variables that are not set. */
export function mailEnv() {
  const e = process.env;
  const need = [
    'MAILROOM_TEST_IMAPS_ADDR',
    'MAILROOM_TEST_IMAP_ADDR',
    'MAILROOM_TEST_SMTP_ADDR',
    'MAILROOM_TEST_USER',
    'MAILROOM_TEST_PASSWORD',
    'MAILROOM_TEST_USERS',
    'MAILROOM_TEST_CA',
    'MAILROOM_TEST_LMTP_ADDR',
  ];
  const missing = need.filter((k) => !e[k]);
  if (missing.length) return { missing };
  // "address:password" pairs, separated by spaces or commas.
  const users = e.MAILROOM_TEST_USERS.split(/[\s,]+/)
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf(':');
      return { address: pair.slice(0, i), password: pair.slice(i + 1) };
    });
  const user = { address: e.MAILROOM_TEST_USER, password: e.MAILROOM_TEST_PASSWORD };
  return {
    missing: [],
    // Read now: the certificate the servers present, to compare with what the UI shows.
    caFile: e.MAILROOM_TEST_CA,
    caFingerprint: new X509Certificate(readFileSync(e.MAILROOM_TEST_CA)).fingerprint256.toUpperCase(),
    imaps: hostPort(e.MAILROOM_TEST_IMAPS_ADDR),
    imap: hostPort(e.MAILROOM_TEST_IMAP_ADDR),
    smtp: hostPort(e.MAILROOM_TEST_SMTP_ADDR),
    lmtp: hostPort(e.MAILROOM_TEST_LMTP_ADDR),
    user,
    other: users.find((u) => u.address !== user.address) ?? null,
    users,
    mailDir: e.MAILROOM_TEST_MAIL_DIR ?? '',
    mailUid: Number(e.MAILROOM_TEST_MAIL_UID ?? -1),
    mailGid: Number(e.MAILROOM_TEST_MAIL_GID ?? -1),
    passwdFile: e.MAILROOM_TEST_PASSWD_FILE ?? '',
    domain: user.address.slice(user.address.indexOf('@') + 1),
  };
}

/** delivered waits until a message holding marker is in address's Maildir. */
export async function delivered(mailDir, address, marker) {
  const box = join(mailDir, address, 'Maildir');
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const sub of ['new', 'cur']) {
      for (const f of filesUnder(join(box, sub))) {
        if (readFileSync(f, 'utf8').includes(marker)) return true;
      }
    }
    await sleep(200);
  }
  return false;
}

/** connectMailbox connects a mailbox of the mail test environment through the account
 * wizard in Settings (the domain's preset; the test certificate trusted again if it went
 * with a deleted account) and closes the wizard once the account is saved. */
export async function connectMailbox(page, { address, password, fromName }, timeout = 60_000) {
  await page.click(tid('nav-settings'));
  await page.click(tid('account-add'));
  await page.click(tid('provider-tile-other'));
  await page.fill(tid('wizard-email'), address);
  await page.fill(tid('wizard-password'), password);
  await page.fill(tid('wizard-fromname'), fromName);
  await page.click(tid('wizard-continue'));
  await visible(page, tid('wizard-stage-settings'), 'the settings found', timeout);
  await page.click(tid('wizard-test-run'));
  // The certificates trusted for the first connection may have gone with the account.
  for (let i = 0; i < 3; i++) {
    const phase = await waitFor(async () => {
      const p = await page.getAttribute(tid('wizard-test'), 'data-phase');
      return p === 'passed' || p === 'failed' ? p : null;
    }, 'the connection test', timeout);
    if (phase === 'passed') break;
    if ((await page.locator(tid('wizard-test-trust')).count()) === 0) fail('the connection test failed');
    await page.click(tid('wizard-test-trust'));
    await page.click(tid('cert-trust-dialog-confirm'));
    // Trusting runs the test again.
    await waitFor(async () => (await page.getAttribute(tid('wizard-test'), 'data-phase')) !== 'failed', 'the test again', 3000).catch(() => {});
  }
  await page.click(tid('wizard-connect'));
  await visible(page, tid('wizard-stage-done'), 'the last step', timeout);
  await page.click(tid('wizard-finish'));
  await absent(page, tid('wizard'), 'the wizard');
}

export function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = statSync(path);
    return st.isDirectory() ? filesUnder(path) : st.isFile() ? [path] : [];
  });
}

/** lmtpDeliver delivers one message into a mailbox of the test Dovecot over LMTP (no TLS,
 * no AUTH): LHLO, MAIL FROM, RCPT TO, DATA, the message dot-stuffed, ".", QUIT. */
export function lmtpDeliver(addr, from, rcpt, message) {
  return new Promise((res, rej) => {
    const sock = netConnect(addr.port, addr.host);
    const timer = setTimeout(() => {
      sock.destroy();
      rej(new Error(`LMTP ${addr.host}:${addr.port} did not answer within ${LMTP_TIMEOUT_MS / 1000}s`));
    }, LMTP_TIMEOUT_MS);
    let buf = '';
    let waiting = null;
    // A reply is complete when a line reads "NNN text" (not "NNN-text").
    const pump = () => {
      if (!waiting) return;
      const lines = buf.split('\r\n');
      for (let i = 0; i < lines.length - 1; i++) {
        if (/^\d{3} /.test(lines[i])) {
          const reply = lines.slice(0, i + 1).join('\n');
          buf = lines.slice(i + 1).join('\r\n');
          const w = waiting;
          waiting = null;
          w(reply);
          return;
        }
      }
    };
    const reply = () => new Promise((r) => ((waiting = r), pump()));
    const expect = async (code, what) => {
      const r = await reply();
      if (!r.startsWith(String(code))) throw new Error(`LMTP ${what}: ${r}`);
    };
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      pump();
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    (async () => {
      await expect(220, 'greeting');
      sock.write('LHLO e2e.example.test\r\n');
      await expect(250, 'LHLO');
      sock.write(`MAIL FROM:<${from}>\r\n`);
      await expect(250, 'MAIL FROM');
      sock.write(`RCPT TO:<${rcpt}>\r\n`);
      await expect(250, 'RCPT TO');
      sock.write('DATA\r\n');
      await expect(354, 'DATA');
      const body = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
      sock.write(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
      await expect(250, 'the message');
      sock.write('QUIT\r\n');
      await expect(221, 'QUIT');
      sock.end();
    })().then(
      () => {
        clearTimeout(timer);
        res();
      },
      (e) => {
        clearTimeout(timer);
        sock.destroy();
        rej(e);
      },
    );
  });
}

// --- failure reasons ------------------------------------------------------------------

/** reasonTexts holds the UI's words for the backend's failure reasons (src/lib/i18n/reasons/),
 * by language then reason name. */
export const reasonTexts = (() => {
  const dir = join(frontendDir, 'src/lib/i18n/reasons');
  const out = { fr: {}, en: {} };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const area = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    Object.assign(out.fr, area.fr);
    Object.assign(out.en, area.en);
  }
  return out;
})();

/** reasonText is what the UI says for a reason in lang, its ICU message formatted with
 * params (plurals included). */
export function reasonText(lang, reason, params = {}) {
  const text = reasonTexts[lang][reason];
  if (!text) fail(`no ${lang} words for the reason ${reason}`);
  return String(new IntlMessageFormat(text, lang).format(params));
}

// --- no English from the backend ------------------------------------------------------

/** backendEnglishFragments are the literal parts (three words or more) of every English text
 * the backend has for its failure reasons (the generated list), lower-cased: none of them
 * may ever be read on a screen, whatever the language. */
export function backendEnglishFragments() {
  const english = JSON.parse(readFileSync(join(frontendDir, 'src/lib/api/generated/faults.english.json'), 'utf8'));
  const out = new Set();
  for (const text of Object.values(english)) {
    for (const part of String(text).split(/\{\w+\}/)) {
      const p = norm(part).replace(/^[\s:;,.()'"-]+|[\s:;,.()'"-]+$/g, '').toLowerCase();
      if (p.split(' ').length >= 3) out.add(p);
    }
  }
  return [...out];
}

/** noBackendEnglish fails when the page shows any of the backend's English failure texts
 * (outside a server's own words, which are shown verbatim in elements marked
 * data-server-words or inside <details>). what names the screen for the message. */
export async function noBackendEnglish(page, what, fragments = backendEnglishFragments()) {
  const text = await page.evaluate(() => {
    const clone = document.body.cloneNode(true);
    clone.querySelectorAll('details, [data-server-words], iframe, script, style').forEach((el) => el.remove());
    return clone.innerText || clone.textContent || '';
  });
  const shown = norm(text).toLowerCase();
  const found = fragments.filter((f) => shown.includes(f));
  if (found.length) fail(`${what}: the backend's English is on the screen: ${found.map((f) => `“${f}”`).join(', ')}`);
}
