// End-to-end test of Mailroom's UI against the real Go backend.
//
// It starts the dev-tagged binary (MAILROOM_DEV_BINARY) serving frontend/dist with the real
// bound Go methods, on a free port, with a fresh data directory, drives it with Debian's
// Chromium through playwright-core, and always stops the binary at the end. Screenshots go
// to build/e2e/ at the repository root.
//
//   npm run build   # frontend/dist
//   go build -tags dev,webkit2_41,sqlite_fts5 -o build/bin/mailroom-dev .
//   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//     xvfb-run -a -s "-screen 0 1280x900x24" env MAILROOM_DEV_BINARY=$PWD/build/bin/mailroom-dev node frontend/e2e/run.mjs'
//
// It prints one line per step and, last, "e2e: N passed, M failed". It stops at the first
// failed step (later steps depend on earlier ones) and exits non-zero.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(frontendDir, '..');
const distDir = join(frontendDir, 'dist');
const outDir = join(repoDir, 'build', 'e2e');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const READY_TIMEOUT_MS = 60_000; // the binary's first start, WebKit included
const STEP_TIMEOUT_MS = 10_000; // any one wait inside a step
const STOP_TIMEOUT_MS = 5_000; // SIGTERM, then SIGKILL

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/en.json'), 'utf8'));

const SCREENS = ['inbox', 'tofile', 'records', 'templates', 'automations', 'outbox', 'settings'];
const OWNER = { name: 'Camille Martin', email: 'camille.martin@atelier-martin.fr' };
const COLLEAGUE = { name: 'Louis Bernard', email: 'louis.bernard@atelier-martin.fr' };

let passed = 0;
let failed = 0;
let child = null;
let browser = null;
const tempDirs = [];
const pageErrors = [];
const consoleLines = [];
const logTail = [];

function fail(message) {
  throw new Error(message);
}

/** fmt fills {placeholders} the way the catalogue's simple messages use them. */
function fmt(message, values = {}) {
  return message.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : `{${k}}`));
}

/** norm makes text comparable: any run of whitespace (no-break spaces included) is one space. */
function norm(s) {
  return String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tid = (id) => `[data-testid="${id}"]`;

async function step(name, fn) {
  if (failed > 0) return;
  try {
    await fn();
    passed++;
    console.log(`ok   ${passed + failed}. ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${passed + failed}. ${name}\n     ${String(err?.message ?? err).split('\n').join('\n     ')}`);
  }
}

function freePort() {
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

function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

function startBackend(bin, port) {
  const env = {
    ...process.env,
    MAILROOM_DATA_DIR: tempDir('mailroom-e2e-data-'),
    XDG_DATA_HOME: tempDir('mailroom-e2e-xdgdata-'),
    XDG_CACHE_HOME: tempDir('mailroom-e2e-xdgcache-'),
  };
  const log = createWriteStream(join(outDir, 'mailroom-dev.log'));
  const proc = spawn(bin, ['-devserver', `127.0.0.1:${port}`, '-assetdir', distDir, '-loglevel', 'warning'], {
    cwd: repoDir,
    env,
    detached: true, // its own process group, so WebKit's helpers stop with it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) logTail.push(line);
    }
    while (logTail.length > 40) logTail.shift();
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  proc.on('exit', () => log.end());
  return proc;
}

async function waitForHttp(url, proc) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      fail(`the binary exited (${proc.exitCode ?? proc.signalCode}) before answering; its last lines:\n${logTail.join('\n')}`);
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

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopBackend() {
  if (!child || child.pid === undefined) return;
  const pid = child.pid;
  child = null;
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

// Last resort if the script dies unexpectedly: never leave the binary running.
process.on('exit', () => {
  if (child?.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    console.log(`e2e: interrupted by ${sig}`);
    await cleanup();
    process.exit(130);
  });
}

async function cleanup() {
  if (browser) {
    await browser.close().catch(() => {});
    browser = null;
  }
  await stopBackend();
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

// --- page helpers -------------------------------------------------------------------

async function visible(page, selector, what = selector) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  } catch {
    fail(`${what} did not become visible`);
  }
}

async function absent(page, selector, what = selector) {
  try {
    await page.locator(selector).first().waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
  } catch {
    fail(`${what} is still shown`);
  }
}

async function expectText(page, selector, expected, what = selector) {
  const want = norm(expected);
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let got = '(not found)';
  while (Date.now() < deadline) {
    const loc = page.locator(selector).first();
    if ((await loc.count()) > 0 && (await loc.isVisible())) {
      got = norm(await loc.innerText());
      if (got === want) return;
    }
    await sleep(100);
  }
  fail(`${what} should read "${want}" but reads "${got}"`);
}

async function expectAttr(page, selector, attr, expected, what = selector) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
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

async function shot(page, name) {
  await page.screenshot({ path: join(outDir, `${name}.png`) });
}

/** backend calls a bound Go method from the page, as any script in the webview can. */
function backend(page, path, ...args) {
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

// --- the run ------------------------------------------------------------------------

async function main() {
  const bin = process.env.MAILROOM_DEV_BINARY;
  if (!bin) fail('set MAILROOM_DEV_BINARY to the dev-tagged binary (go build -tags dev,webkit2_41,sqlite_fts5 -o build/bin/mailroom-dev .)');
  if (!existsSync(bin)) fail(`MAILROOM_DEV_BINARY=${bin} does not exist`);
  if (!existsSync(join(distDir, 'index.html'))) fail(`${distDir}/index.html is missing: run npm run build first`);
  if (!existsSync(chromiumPath)) fail(`no Chromium at ${chromiumPath}`);
  mkdirSync(outDir, { recursive: true });
  rmSync(join(outDir, 'failure.png'), { force: true });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;

  await step(`the dev binary serves the app on ${url}`, async () => {
    child = startBackend(resolve(bin), port);
    await waitForHttp(url, child);
  });
  if (failed) return;

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });

  await step('a first run shows the onboarding, in the system language (English)', async () => {
    await page.goto(url);
    await visible(page, tid('screen-onboarding'), 'the onboarding screen');
    await expectText(page, tid('onboarding-title'), en.onboarding.title, 'the onboarding title');
    await expectAttr(page, tid('onboarding-language-en'), 'aria-pressed', 'true', 'the English choice');
    await shot(page, 'onboarding-en');
  });

  await step('the language switch turns the onboarding into French at once', async () => {
    await page.click(tid('onboarding-language-fr'));
    await expectText(page, tid('onboarding-title'), fr.onboarding.title, 'the onboarding title');
    await expectText(page, tid('onboarding-submit'), fr.onboarding.submit, 'the submit button');
    await expectAttr(page, 'html', 'lang', 'fr', 'the document');
    await shot(page, 'onboarding-fr');
  });

  await step('an empty name is refused next to the name field', async () => {
    await page.click(tid('onboarding-submit'));
    await expectText(page, tid('onboarding-name-error'), fr.errors.field.name.invalid_input, 'the name error');
    await expectAttr(page, tid('onboarding-name'), 'aria-invalid', 'true', 'the name field');
  });

  await step('an invalid email is refused next to the email field', async () => {
    await page.fill(tid('onboarding-name'), OWNER.name);
    await page.fill(tid('onboarding-email'), 'camille.martin@');
    await page.click(tid('onboarding-submit'));
    await expectText(page, tid('onboarding-email-error'), fr.errors.field.email.invalid_input, 'the email error');
    await expectAttr(page, tid('onboarding-email'), 'aria-invalid', 'true', 'the email field');
    await absent(page, tid('onboarding-name-error'), 'the name error');
    await visible(page, tid('screen-onboarding'), 'the onboarding screen');
    await shot(page, 'onboarding-error-fr');
  });

  await step('completing the onboarding in French opens the app', async () => {
    await page.fill(tid('onboarding-email'), OWNER.email);
    await page.click(tid('onboarding-submit'));
    await visible(page, tid('shell'), 'the app shell');
    await visible(page, tid('screen-inbox'), 'the inbox');
    const st = await backend(page, 'Session.State');
    if (!st.ok) fail(`Session.State failed: ${JSON.stringify(st.error)}`);
    if (st.value.language !== 'fr') fail(`the owner's language is ${JSON.stringify(st.value.language)}, want "fr"`);
  });

  await step('the sidebar shows the signed-in user and their role', async () => {
    await expectText(page, tid('sidebar-user-name'), OWNER.name, 'the user name');
    await expectText(page, tid('sidebar-user-role'), fr.roles.super_admin, 'the role');
  });

  for (const s of SCREENS) {
    await step(`${s}: the screen tells what to do next (fr)`, async () => {
      await page.click(tid(`nav-${s}`));
      await visible(page, tid(`screen-${s}`), `the ${s} screen`);
      await expectAttr(page, tid(`nav-${s}`), 'aria-current', 'page', `the ${s} nav item`);
      await expectText(page, tid('screen-title'), fr.screens[s].title, `the ${s} title`);
      if (s === 'settings') {
        await expectText(page, `${tid('settings-accounts')} ${tid('empty-state-title')}`, fr.settings.accounts.emptyTitle, 'the accounts empty state');
        await expectText(page, `${tid('settings-accounts')} ${tid('empty-state-body')}`, fr.settings.accounts.emptyBody, 'the accounts empty state');
        await visible(page, `${tid('user-row')}[data-email="${OWNER.email}"]`, 'the owner in the users list');
        await expectText(page, tid('vault-status'), fr.vault.available, 'the secure storage status');
      } else {
        const body = fmt(fr.screens[s].emptyBody, { example: '{{contact.first_name}}' });
        await expectText(page, tid('empty-state-title'), fr.screens[s].emptyTitle, `the ${s} empty state title`);
        await expectText(page, tid('empty-state-body'), body, `the ${s} empty state text`);
        await expectText(page, tid('empty-state-action'), fr.screens[s].action, `the ${s} empty state button`);
      }
      await shot(page, `${s}-fr`);
    });
  }

  await step('the inbox button leads to Settings', async () => {
    await page.click(tid('nav-inbox'));
    await page.click(tid('empty-state-action'));
    await visible(page, tid('screen-settings'), 'the settings screen');
  });

  await step('Ctrl+3 opens Records and arrow keys move along the sidebar', async () => {
    await page.keyboard.press('Control+3');
    await visible(page, tid('screen-records'), 'the records screen');
    await page.focus(tid('nav-records'));
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== 'nav-templates') fail(`ArrowDown from Records focused ${focused}, want nav-templates`);
    await page.keyboard.press('Enter');
    await visible(page, tid('screen-templates'), 'the templates screen');
  });

  await step('switching to English translates the app at once', async () => {
    await expectText(page, tid('nav-inbox'), fr.nav.inbox, 'the inbox nav item');
    await page.click(tid('lang-switch-en'));
    await expectText(page, tid('nav-inbox'), en.nav.inbox, 'the inbox nav item');
    await expectText(page, tid('nav-settings'), en.nav.settings, 'the settings nav item');
    await expectText(page, tid('sidebar-user-role'), en.roles.super_admin, 'the role');
  });

  await step('after a reload, English comes back from the backend', async () => {
    // Wait until the choice is saved, then reload.
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const st = await backend(page, 'Session.State');
      if (st.ok && st.value.language === 'en') break;
      if (Date.now() > deadline) fail(`the backend did not remember English: ${JSON.stringify(st)}`);
      await sleep(100);
    }
    await page.reload();
    await visible(page, tid('shell'), 'the app shell');
    await expectText(page, tid('nav-inbox'), en.nav.inbox, 'the inbox nav item');
    // A browser set to French, with no storage of its own, still gets the saved English.
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    try {
      const p2 = await other.newPage();
      await p2.goto(url);
      const nav = await p2.evaluate(() => navigator.language);
      if (!nav.startsWith('fr')) fail(`the second browser's language is ${nav}, want fr-*`);
      await visible(p2, tid('shell'), 'the app shell in the second browser');
      await expectText(p2, tid('nav-inbox'), en.nav.inbox, 'the inbox nav item in the second browser');
    } finally {
      await other.close();
    }
  });

  await step('a super-admin method answers from the page', async () => {
    const res = await backend(page, 'Users.List');
    if (!res.ok) fail(`Users.List was refused: ${JSON.stringify(res.error)}`);
    if (!Array.isArray(res.value) || res.value.length !== 1) fail(`Users.List returned ${JSON.stringify(res.value)}, want the owner alone`);
    if (res.value[0].role !== 'super_admin' || res.value[0].email !== OWNER.email) {
      fail(`Users.List returned ${JSON.stringify(res.value[0])}, want the owner as super_admin`);
    }
  });

  await step('with an unlocked keyring, no secure storage banner is shown', async () => {
    const st = await backend(page, 'System.Status');
    if (!st.ok || !st.value.vault.available) fail(`System.Status says the vault is unavailable: ${JSON.stringify(st)}`);
    await page.click(tid('nav-settings'));
    await visible(page, tid('screen-settings'), 'the settings screen');
    await expectAttr(page, tid('vault-status'), 'data-available', 'true', 'the secure storage status');
    if ((await page.locator(tid('vault-banner')).count()) !== 0) fail('the secure storage banner is shown');
  });

  await step('a super admin adds a collaborator in Settings', async () => {
    await page.click(tid('user-add-open'));
    await visible(page, tid('user-add-form'), 'the add user form');
    await page.fill(tid('user-new-name'), COLLEAGUE.name);
    await page.fill(tid('user-new-email'), COLLEAGUE.email);
    await page.selectOption(tid('user-new-role'), 'collaborator');
    await page.click(tid('user-new-submit'));
    const row = `${tid('user-row')}[data-email="${COLLEAGUE.email}"]`;
    await visible(page, row, 'the new user in the list');
    await expectAttr(page, row, 'data-role', 'collaborator', 'the new user');
    await expectText(page, tid('users-notice'), fmt(en.settings.users.added, { name: COLLEAGUE.name }), 'the confirmation');
    const res = await backend(page, 'Users.List');
    const added = res.ok && res.value.find((u) => u.email === COLLEAGUE.email);
    if (!added || added.role !== 'collaborator') fail(`the backend does not list the collaborator: ${JSON.stringify(res)}`);
    await shot(page, 'settings-en');
  });

  await step('adding the same email again is refused next to the email field', async () => {
    await page.click(tid('user-add-open'));
    await page.fill(tid('user-new-name'), 'Louis B.');
    await page.fill(tid('user-new-email'), COLLEAGUE.email);
    await page.click(tid('user-new-submit'));
    await expectText(page, tid('user-new-email-error'), en.errors.field.email.conflict, 'the email error');
    await page.locator(tid('user-add-form')).scrollIntoViewIfNeeded();
    await shot(page, 'user-add-error-en');
    await page.click(`${tid('user-add-form')} button:not([type=submit])`);
    await absent(page, tid('user-add-form'), 'the add user form');
  });

  await step('a super admin changes a role', async () => {
    const row = `${tid('user-row')}[data-email="${COLLEAGUE.email}"]`;
    await page.selectOption(`${row} ${tid('user-role')}`, 'admin');
    await expectAttr(page, row, 'data-role', 'admin', 'the user');
    const res = await backend(page, 'Users.List');
    const u = res.ok && res.value.find((x) => x.email === COLLEAGUE.email);
    if (!u || u.role !== 'admin') fail(`the backend did not save the role: ${JSON.stringify(res)}`);
  });

  await step('removing a user asks for confirmation first', async () => {
    const row = `${tid('user-row')}[data-email="${COLLEAGUE.email}"]`;
    await page.click(`${row} ${tid('user-remove')}`);
    await visible(page, tid('confirm-dialog'), 'the confirmation dialog');
    await expectText(page, tid('confirm-dialog-title'), fmt(en.settings.users.confirmTitle, { name: COLLEAGUE.name }), 'the dialog title');
    await shot(page, 'remove-confirm-en');
    await page.click(tid('confirm-dialog-cancel'));
    await visible(page, row, 'the user after cancelling');
    await page.click(`${row} ${tid('user-remove')}`);
    await page.click(tid('confirm-dialog-confirm'));
    await absent(page, row, 'the removed user');
    const res = await backend(page, 'Users.List');
    if (!res.ok || res.value.length !== 1) fail(`the backend still lists the removed user: ${JSON.stringify(res)}`);
  });

  await step('the page raised no script errors and logged no errors or warnings', async () => {
    if (pageErrors.length) fail(pageErrors.join('\n'));
    if (consoleLines.length) fail(consoleLines.join('\n'));
  });

  if (failed) {
    await page.screenshot({ path: join(outDir, 'failure.png') }).catch(() => {});
    console.log(`     screenshot of the failure: ${join(outDir, 'failure.png')}`);
    if (logTail.length) console.log(`     last lines of the binary:\n     ${logTail.slice(-15).join('\n     ')}`);
  }
}

let code = 0;
try {
  await main();
} catch (err) {
  failed++;
  console.log(`FAIL ${passed + failed}. ${err?.message ?? err}`);
} finally {
  await cleanup();
  if (failed) code = 1;
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(code);
}
