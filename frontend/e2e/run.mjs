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
// The email accounts steps need the project's mail test environment (Dovecot and Postfix on
// 127.0.0.1, see scripts/testenv): run the whole command under scripts/testenv/with-env.sh,
// which exports MAILROOM_TEST_*. Without it those steps are skipped with a note, or fail
// when MAILROOM_REQUIRE_INTEGRATION=1. The app then runs with protocol logging on, the test
// DNS server as its only DNS server (backend/internal/testkit/testdns/cmd/testdns, built into
// .cache/e2e like the fake Postmark: it serves the test domain's zone and answers NXDOMAIN for
// every other name, so no query leaves the machine; deliverability.mjs changes the zone) and
// no extra CA file, so the test
// certificate must be trusted through the UI; at the end, no file of the app's data
// directory may hold a password used. Postmark's API is a local fake
// (backend/internal/testkit/testpostmark/cmd/testpostmark, built into .cache/e2e when its sources changed,
// started on a free 127.0.0.1 port, given to the app as MAILROOM_POSTMARK_URL); the test
// reads what it accepted and acts in it as a person would in Postmark's web interface
// (confirms a sender signature, regenerates the server token).
//
// It prints one line per step and, last, "e2e: N passed, M failed". It stops at the first
// failed step (later steps depend on earlier ones) and exits non-zero.
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join, resolve } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import {
  DELIVERY_TIMEOUT_MS,
  STEP_TIMEOUT_MS,
  absent,
  appEnv,
  backend,
  checkSetup,
  createRunner,
  delivered,
  expectAttr,
  expectText,
  fail,
  filesUnder,
  fmt,
  freePort,
  frontendDir,
  guardProcesses,
  lmtpDeliver,
  mailEnv,
  noPageProblems,
  norm,
  noBackendEnglish,
  openPage,
  reasonText,
  outDir,
  shot,
  sleep,
  spawnApp,
  startDNS,
  startPostmark,
  stopGroup,
  tempDirs,
  tid,
  visible,
  waitFor,
  waitForHttp,
} from './lib.mjs';
import { filingSteps } from './filing.mjs';
import { sendButtonSteps } from './send-button.mjs';
import { recordsImportSteps } from './records-import.mjs';
import { templatesSteps } from './templates.mjs';
import { deliverabilitySteps, deliverabilityZone } from './deliverability.mjs';
import { backupSteps } from './backup.mjs';
import { signaturesSteps } from './signatures.mjs';
import { automationsSteps } from './automations.mjs';
import { bulkSendSteps } from './bulk-send.mjs';

const NET_TIMEOUT_MS = 60_000; // discovery (it signs in to confirm) and a connection test

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/en.json'), 'utf8'));
// The words of the connection's failure reasons (backend/connect), as the UI shows them.
const connectReasons = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/reasons/connect.json'), 'utf8'));
const licenses = JSON.parse(readFileSync(join(frontendDir, 'src/lib/generated/licenses.json'), 'utf8'));

const SCREENS = ['inbox', 'tofile', 'records', 'templates', 'automations', 'outbox', 'settings'];
// A screen that never was: an old link to it shows the inbox.
const HIDDEN_SCREENS = ['calendar'];
const OWNER = { name: 'Camille Martin', email: 'camille.martin@atelier-martin.fr' };
const COLLEAGUE = { name: 'Louis Bernard', email: 'louis.bernard@atelier-martin.fr' };
// The people steps: the owner's own password, and Sophie, a colleague with a password.
const OWNER_PASSWORD = 'atelier-camille-2026';
const SOPHIE = { name: 'Sophie Leroy', email: 'sophie.leroy@atelier-martin.fr', password: 'bonjour-sophie-42' };
// A short idle time for the test (the UI offers minutes; the backend takes seconds).
const IDLE_SECONDS = 5;
// The Postmark account (send only): its From is a sender signature in the fake, waiting for
// its confirmation at first. The server token is regenerated once (the outbox steps).
const PM = {
  email: 'factures@atelier-martin.fr',
  domain: 'atelier-martin.fr',
  fromName: 'Atelier Martin',
  token: 'pm-e2e-5a7c1f0e-2b9d-4c3e-8f61-server-token',
  newToken: 'pm-e2e-9d3b7a21-6e4f-4d0c-a1b8-regenerated',
};

const runner = createRunner('e2e');
const { step } = runner;
let child = null;
let dataDir = null;
let appEnvKept = null; // the first start's environment, for a restart on the same data
let browser = null;
let canary = null;
let postmark = null;
let dns = null; // the test DNS server, the app's only one
const temp = tempDirs();
const tempDir = temp.make;
const logTail = [];

/** plural picks the form of a catalogue's "{count, plural, one {…} other {…}}" message. */
function plural(message, count) {
  const m = /^\{(\w+), plural, one \{(.*)\} other \{(.*)\}\}$/.exec(message);
  if (!m) return fmt(message, { count });
  return (count === 1 ? m[2] : m[3]).replace('#', String(count));
}

/** restartBackend stops the app and starts it again on the same data and port: a new start. */
async function restartBackend(bin, port) {
  await stopBackend();
  child = spawnApp(bin, port, appEnvKept, join(outDir, 'mailroom-dev-restart.log'), logTail);
  await waitForHttp(`http://127.0.0.1:${port}/`, child, logTail);
}

function startBackend(bin, port) {
  const app = appEnv(temp, 'e2e');
  dataDir = app.dataDir;
  const env = app.env;
  appEnvKept = env;
  // Postmark's API is the fake of backend/internal/testkit/testpostmark (started first, in main).
  if (postmark) env.MAILROOM_POSTMARK_URL = postmark.url;
  else delete env.MAILROOM_POSTMARK_URL;
  if (dns) env.MAILROOM_DNS_SERVER = dns.addr;
  // The test certificate must be trusted through the UI, and servers come from the preset.
  delete env.MAILROOM_CA_FILE;
  delete env.MAILROOM_AUTOCONFIG_URLS;
  // Sign in with Google and Microsoft start unconfigured: a super admin sets Google up.
  for (const k of ['MAILROOM_GOOGLE_CLIENT_ID', 'MAILROOM_GOOGLE_CLIENT_SECRET', 'MAILROOM_MICROSOFT_CLIENT_ID', 'MAILROOM_GOOGLE_ISSUER', 'MAILROOM_MICROSOFT_ISSUER']) {
    delete env[k];
  }
  return spawnApp(bin, port, env, join(outDir, 'mailroom-dev.log'), logTail);
}

async function stopBackend() {
  if (!child || child.pid === undefined) return;
  const pid = child.pid;
  child = null;
  await stopGroup(pid);
}

// Last resort if the script dies unexpectedly: never leave the binary running.
guardProcesses('e2e', () => [child?.pid, postmark?.pid, dns?.pid], cleanup);

async function cleanup() {
  if (canary) {
    canary.server.closeAllConnections?.();
    await new Promise((r) => canary.server.close(r));
    canary = null;
  }
  if (browser) {
    await browser.close().catch(() => {});
    browser = null;
  }
  await stopBackend();
  if (postmark) {
    await stopGroup(postmark.pid);
    postmark = null;
  }
  if (dns) {
    await stopGroup(dns.pid);
    dns = null;
  }
  temp.removeAll();
}

// --- page helpers -------------------------------------------------------------------

/** serverSaid checks that a failed step keeps the server's own words, verbatim and closed,
 * under "What the server said" (never an English sentence of Mailroom's backend). */
async function serverSaid(page, testid, words) {
  const details = page.locator(tid(`${testid}-technical`)).first();
  if ((await details.count()) === 0) fail('the failed step does not show what the server said');
  if ((await details.getAttribute('open')) !== null) fail('what the server said is open from the start');
  const said = norm(await page.locator(tid(`${testid}-server-said`)).first().textContent());
  if (!said.toLowerCase().includes(words.toLowerCase())) fail(`the server's words read "${said}", want "${words}"`);
}

/** scrollToTop scrolls a scrolling pane (the main pane, a dialog's body) back to its top. */
async function scrollToTop(page, selector) {
  await page.locator(selector).first().evaluate((el) => el.scrollTo(0, 0));
}

// --- the mail test environment -------------------------------------------------------

/** secretForms are the ways a password can be written down: as typed, and base64 as in
 * SASL PLAIN (authzid\0user\0password) and LOGIN exchanges. */
function secretForms(user, password) {
  const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
  return [
    { label: `the password of ${user}`, bytes: Buffer.from(password, 'utf8') },
    { label: `the password of ${user} (base64)`, bytes: Buffer.from(b64(password)) },
    { label: `the PLAIN credentials of ${user}`, bytes: Buffer.from(b64(`\0${user}\0${password}`)) },
    { label: `the PLAIN credentials of ${user} (with authzid)`, bytes: Buffer.from(b64(`${user}\0${user}\0${password}`)) },
  ];
}

/** leaks lists "file: what" for every secret form found in a file under dir. */
function leaks(dir, forms) {
  const found = [];
  for (const file of filesUnder(dir)) {
    const data = readFileSync(file);
    for (const f of forms) if (data.includes(f.bytes)) found.push(`${file.slice(dir.length + 1)}: ${f.label}`);
  }
  return found;
}

/** fingerprintShown reads the fingerprint as the page shows it, as "AB:CD:…". */
async function fingerprintShown(page, selector) {
  const text = await page.locator(selector).first().innerText();
  return text.replace(/\s+/g, ':').replace(/:+/g, ':').replace(/^:|:$/g, '').toUpperCase();
}

// --- mail delivery and the canary (the inbox steps) ----------------------------------

/** header writes a header value, RFC 2047-encoded when it is not ASCII. */
function header(v) {
  return /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

/** mimeMessage builds a message: plain text, HTML with a text alternative, or text with
 * an attachment. date: a Date, or null for none (a damaged message). inReplyTo: the id of
 * the message it answers (In-Reply-To and References), if any. */
function mimeMessage({ from, to, subject, date, text, html, attachment, id, inReplyTo }) {
  const head = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${header(subject)}`,
    ...(date ? [`Date: ${date.toUTCString().replace('GMT', '+0000')}`] : []),
    `Message-ID: <${id}@e2e.example.test>`,
    ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}@e2e.example.test>`, `References: <${inReplyTo}@e2e.example.test>`] : []),
    'MIME-Version: 1.0',
  ];
  const textPart = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text];
  if (html) {
    const b = `alt-${id}`;
    return [
      ...head,
      `Content-Type: multipart/alternative; boundary="${b}"`,
      '',
      `--${b}`,
      ...textPart,
      `--${b}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      html,
      `--${b}--`,
      '',
    ].join('\r\n');
  }
  if (attachment) {
    const b = `mixed-${id}`;
    const data = Buffer.from(attachment.content).toString('base64').replace(/.{76}/g, '$&\r\n');
    return [
      ...head,
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      ...textPart,
      `--${b}`,
      `Content-Type: ${attachment.type}; name="${attachment.name}"`,
      `Content-Disposition: attachment; filename="${attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      data,
      `--${b}--`,
      '',
    ].join('\r\n');
  }
  return [...head, ...textPart.slice(0, 2), '', text, ''].join('\r\n');
}

const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** startCanary runs the HTTP server the HTML message's remote image points at; hits counts
 * the requests for it. */
function startCanary() {
  return new Promise((res, rej) => {
    const c = { hits: 0, port: 0, server: null, times: [] };
    c.server = createHttpServer((req, resp) => {
      if (req.url?.startsWith('/pixel.png')) {
        c.hits++;
        c.times.push(new Date().toISOString().slice(11, 23));
      }
      resp.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
      resp.end(PIXEL);
    });
    c.server.on('error', rej);
    c.server.listen(0, '127.0.0.1', () => {
      c.port = c.server.address().port;
      res(c);
    });
  });
}

/** The messages the inbox steps deliver into the test user's mailbox. */
const INBOX = {
  html: { subject: 'Newsletter de novembre', from: 'Bob Durand', text: 'Bonjour Alice, voici les nouvelles de l’atelier.' },
  link: { subject: 'Lien vers la facture', url: 'https://factures.example.org/2026/11/F-1042' },
  attachment: { subject: 'Devis signé', name: 'devis-2026-118.pdf' },
  word: { subject: 'Réunion de jeudi', word: 'zéphyrine42' },
  damaged: { subject: 'Relevé sans horodatage', word: 'horodatage' },
  late: { subject: 'Arrivé pendant la lecture' },
  fillers: 25,
};

function inboxMessages(user, other, canaryPort) {
  const now = Date.now();
  const at = (minutesAgo) => new Date(now - minutesAgo * 60_000);
  const to = `Alice Martin <${user}>`;
  const msgs = [];
  const senders = ['Claire Dubois <claire@fournisseur.example>', 'Hugo Petit <hugo@client.example>', 'Comptabilité <compta@atelier.example>'];
  for (let i = 0; i < INBOX.fillers; i++) {
    msgs.push({
      from: senders[i % senders.length],
      to,
      subject: `Commande n°${2040 + i} : suivi`,
      date: at(60 * 3 + i * 97),
      text: `Bonjour,\n\nLa commande n°${2040 + i} est en préparation.\n\nCordialement`,
      id: `filler-${i}`,
    });
  }
  msgs.push({
    from: senders[2],
    to,
    subject: INBOX.damaged.subject,
    date: null,
    text: `Ce relevé n’a pas d’${INBOX.damaged.word} : il lui manque sa date.`,
    id: 'damaged',
  });
  msgs.push({
    from: senders[0],
    to,
    subject: INBOX.attachment.subject,
    date: at(40),
    text: 'Voici le devis signé, en pièce jointe.',
    attachment: { name: INBOX.attachment.name, type: 'application/pdf', content: `%PDF-1.4\n${'% devis\n'.repeat(300)}%%EOF\n` },
    id: 'attachment',
  });
  msgs.push({
    from: senders[1],
    to,
    subject: INBOX.word.subject,
    date: at(30),
    text: `Bonjour Alice,\n\nLe code de la salle est ${INBOX.word.word}.\n\nÀ jeudi !`,
    id: 'word',
  });
  msgs.push({
    from: senders[2],
    to,
    subject: INBOX.link.subject,
    date: at(20),
    text: `Bonjour,\n\nVotre facture est disponible ici : ${INBOX.link.url}\n\nMerci.`,
    id: 'link',
  });
  msgs.push({
    from: `${INBOX.html.from} <${other}>`,
    to,
    subject: INBOX.html.subject,
    date: at(5),
    text: INBOX.html.text,
    html:
      '<!doctype html><html><body style="font-family:Georgia,serif">' +
      '<h1 style="color:#2f5bd3">Les nouvelles de l’atelier</h1>' +
      `<p>${INBOX.html.text}</p>` +
      `<p><img src="http://127.0.0.1:${canaryPort}/pixel.png" width="120" height="40" alt="Logo de l’atelier"></p>` +
      '<p>À bientôt,<br>Bob</p></body></html>',
    id: 'html',
  });
  return msgs;
}

// --- the run ------------------------------------------------------------------------

// --- email accounts (needs the mail test environment) --------------------------------

const mail = mailEnv();
const requireIntegration = process.env.MAILROOM_REQUIRE_INTEGRATION === '1';
const WRONG_PASSWORD = 'not-the-password-7Qx!';
const secretsUsed = [];

/** skipped tells whether the accounts steps run; without the mail environment they fail
 * (MAILROOM_REQUIRE_INTEGRATION=1) or are skipped with a note. */
async function mailEnvironmentMissing() {
  if (mail.missing.length === 0) return false;
  const why = `no mail test environment (${mail.missing.join(', ')} not set): run under scripts/testenv/with-env.sh`;
  if (requireIntegration) {
    await step('the mail test environment is there (MAILROOM_REQUIRE_INTEGRATION=1)', () => fail(why));
  } else if (runner.failed === 0) {
    console.log(`skip the email accounts steps: ${why}`);
  }
  return true;
}

// --- people on a shared workstation: sign-in, switching, idle lock, profile ---------------

async function openUserMenu(page) {
  await page.click(tid('sidebar-user'));
  await visible(page, tid('user-menu'), 'the user menu');
}

async function signInAs(page, name, password) {
  await page.click(`${tid('signin-user')}[data-name="${name}"]`);
  if (password !== null) await page.fill(tid('signin-password'), password);
  await page.click(tid('signin-submit'));
}

async function peopleSteps(page, bin, port, url) {
  let sophieId = 0;

  await step('in French, the owner fills in her profile and chooses a password (My profile, from the user menu)', async () => {
    await page.click(tid('lang-switch-fr'));
    await openUserMenu(page);
    // One user without a password: nothing to switch to, nothing to lock.
    await absent(page, tid('user-menu-switch'), 'Switch user with one user');
    await page.click(tid('user-menu-profile'));
    await visible(page, tid('settings-profile'), 'the profile section');
    await page.fill(tid('profile-title'), 'Gérante');
    await page.fill(tid('profile-phone'), '+33 1 23 45 67 89');
    await page.click(tid('profile-save'));
    await expectText(page, tid('profile-notice'), fr.settings.profile.saved, 'the profile confirmation');
    await page.fill(tid('profile-new-password'), 'court');
    await page.click(tid('profile-password-save'));
    await expectText(page, tid('profile-new-password-error'), reasonText('fr', 'password_too_short', { min: 8 }), 'the short password error');
    await page.fill(tid('profile-new-password'), OWNER_PASSWORD);
    await page.click(tid('profile-password-save'));
    await expectText(page, tid('profile-password-notice'), fr.settings.profile.passwordChanged, 'the password confirmation');
    const me = await backend(page, 'Session.Me');
    if (!me.ok || me.value.title !== 'Gérante' || me.value.phone !== '+33 1 23 45 67 89' || !me.value.protected) {
      fail(`Session.Me after the profile: ${JSON.stringify(me)}`);
    }
    await page.locator(tid('settings-profile')).scrollIntoViewIfNeeded();
    await shot(page, 'profile-fr');
  });

  await step('the owner adds Sophie, a colleague, with a password', async () => {
    await page.click(tid('nav-settings'));
    await page.click(tid('user-add-open'));
    await page.fill(tid('user-new-name'), SOPHIE.name);
    await page.fill(tid('user-new-email'), SOPHIE.email);
    await page.selectOption(tid('user-new-role'), 'collaborator');
    await page.fill(tid('user-new-password'), SOPHIE.password);
    await page.click(tid('user-new-submit'));
    const row = `${tid('user-row')}[data-email="${SOPHIE.email}"]`;
    await visible(page, row, 'Sophie in the list');
    await visible(page, `${row} ${tid('user-protected')}`, 'Sophie’s password mark');
    const res = await backend(page, 'Users.List');
    const sophie = res.ok && res.value.find((u) => u.email === SOPHIE.email);
    if (!sophie || !sophie.protected) fail(`Users.List: ${JSON.stringify(res)}`);
    sophieId = sophie.id;
    await openUserMenu(page);
    await visible(page, tid('user-menu-switch'), 'Switch user, with two users');
    await page.keyboard.press('Escape');
    // A short idle time for what follows (the Locking section offers minutes).
    const set = await backend(page, 'Session.SetIdleLock', IDLE_SECONDS);
    if (!set.ok) fail(`Session.SetIdleLock: ${JSON.stringify(set.error)}`);
  });

  await step('at the next start, Mailroom asks who you are; nothing else answers', async () => {
    // Leave the page first, so the stopped app's connection does not fail under it.
    await page.goto('about:blank');
    await restartBackend(bin, port);
    await page.goto(url);
    await visible(page, tid('signin'), 'the sign-in screen');
    await expectText(page, tid('signin-title'), fr.signIn.title, 'the sign-in title');
    const names = await page.locator(tid('signin-user')).evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    if (JSON.stringify(names.sort()) !== JSON.stringify([OWNER.name, SOPHIE.name].sort())) fail(`the sign-in screen lists ${JSON.stringify(names)}`);
    const res = await backend(page, 'Accounts.List');
    if (res.ok || res.error?.code !== 'forbidden' || res.error?.reason !== 'session_signed_out') {
      fail(`Accounts.List before anyone signs in: ${JSON.stringify(res)}; want forbidden (session_signed_out)`);
    }
    await shot(page, 'signin-fr');
  });

  await step('switching to Sophie: a wrong password is slowed down, said in French with the wait', async () => {
    await signInAs(page, SOPHIE.name, 'pas-le-bon-mot');
    await expectText(page, tid('signin-password-error'), reasonText('fr', 'sign_in_wrong_password', { seconds: 1 }), 'the first wrong password');
    await waitFor(async () => !(await page.locator(tid('signin-submit')).isDisabled()), 'the button after 1 s', 3_000);
    await page.fill(tid('signin-password'), 'toujours-pas');
    await page.click(tid('signin-submit'));
    await expectText(page, tid('signin-password-error'), reasonText('fr', 'sign_in_wrong_password', { seconds: 2 }), 'the second wrong password');
    const label = norm(await page.locator(tid('signin-submit')).innerText());
    if (!(await page.locator(tid('signin-submit')).isDisabled()) || !label.startsWith(norm(fr.signIn.wait.split('{')[0]))) {
      fail(`during the wait the button reads “${label}” and is not disabled`);
    }
    // The backend holds the wait too: even the right password is not checked yet.
    const early = await backend(page, 'Session.SignIn', sophieId, SOPHIE.password);
    if (early.ok || early.error?.reason !== 'sign_in_too_soon') fail(`the right password during the wait: ${JSON.stringify(early)}`);
    await shot(page, 'signin-wrong-password-fr');
    await noBackendEnglish(page, 'the sign-in screen after wrong passwords');
  });

  await step('after the wait, Sophie signs in: her name and role, not the owner’s rights', async () => {
    await waitFor(async () => !(await page.locator(tid('signin-submit')).isDisabled()), 'the button after the wait', 5_000);
    await page.fill(tid('signin-password'), SOPHIE.password);
    await page.click(tid('signin-submit'));
    await visible(page, tid('shell'), 'the app shell');
    await expectText(page, tid('sidebar-user-name'), SOPHIE.name, 'the signed-in user');
    await expectText(page, tid('sidebar-user-role'), fr.roles.collaborator, 'her role');
    const res = await backend(page, 'Users.List');
    if (res.ok || res.error?.code !== 'forbidden') fail(`Sophie (collaborator) lists users: ${JSON.stringify(res)}`);
  });

  await step(`after ${IDLE_SECONDS} s without keyboard or mouse, Mailroom locks itself and asks Sophie again`, async () => {
    await visible(page, tid('signin'), 'the sign-in screen after the idle time', (IDLE_SECONDS + 5) * 1000);
    await expectText(page, tid('signin-locked'), fr.signIn.lockedIdle, 'the idle lock notice');
    await expectText(page, tid('signin-title'), fmt(fr.signIn.titleFor, { name: SOPHIE.name }), 'Sophie asked first');
    const res = await backend(page, 'Mail.Folders');
    if (res.ok || res.error?.code !== 'forbidden') fail(`a call after the idle lock: ${JSON.stringify(res)}`);
    await shot(page, 'signin-locked-fr');
  });

  await step('switching back to the owner, with her password; the locking delay goes back to never', async () => {
    await page.click(tid('signin-back'));
    await signInAs(page, OWNER.name, OWNER_PASSWORD);
    await visible(page, tid('shell'), 'the app shell');
    await expectText(page, tid('sidebar-user-name'), OWNER.name, 'the owner signed in');
    await page.click(tid('nav-settings'));
    await visible(page, tid('settings-locking'), 'the locking section');
    await page.selectOption(tid('locking-idle'), '0');
    await expectText(page, tid('locking-notice'), fr.settings.locking.saved, 'the locking confirmation');
    const st = await backend(page, 'Session.State');
    if (!st.ok || st.value.idleLockSeconds !== 0 || st.value.user?.email !== OWNER.email) fail(`Session.State: ${JSON.stringify(st)}`);
    await page.locator(tid('settings-locking')).scrollIntoViewIfNeeded();
    await shot(page, 'settings-locking-fr');
  });
}

async function accountsSteps(page) {
  if (await mailEnvironmentMissing()) return;
  const { user, other, imaps, smtp, domain } = mail;
  secretsUsed.push(...mail.users, { address: user.address, password: WRONG_PASSWORD });
  const imapsServer = `${imaps.host}:${imaps.port}`;
  const smtpServer = `${smtp.host}:${smtp.port}`;
  const { caFingerprint } = mail;
  const row = `${tid('account-row')}[data-email="${user.address}"]`;

  await step('back in French, the super admin sets a limit of 5 active accounts', async () => {
    await page.click(tid('lang-switch-fr'));
    await page.click(tid('nav-settings'));
    await visible(page, tid('settings-accounts'), 'the accounts section');
    await expectText(page, '#settings-accounts-title', fr.settings.accounts.title, 'the section title');
    await page.click(tid('quota-change'));
    await page.fill(tid('quota-limit'), 'beaucoup');
    await page.click(tid('quota-save'));
    await expectText(page, tid('quota-limit-error'), reasonText('fr', 'quota_invalid', { max: 10000 }), 'the quota error');
    await page.fill(tid('quota-limit'), '5');
    await page.click(tid('quota-save'));
    await expectText(page, tid('accounts-quota-text'), fmt(fr.accounts.quota.limited, { active: 0, limit: 5 }), 'the quota');
    const q = await backend(page, 'Accounts.Quota');
    if (!q.ok || q.value.limit !== 5) fail(`Accounts.Quota answered ${JSON.stringify(q)}, want a limit of 5`);
    await noBackendEnglish(page, 'the quota refused');
  });

  await step(`an admin adds a domain preset for ${domain}: IMAP over TLS, SMTP with STARTTLS`, async () => {
    await page.click(tid('preset-add'));
    await visible(page, tid('preset-form'), 'the preset form');
    await page.fill(tid('preset-domain'), domain);
    await page.fill(tid('preset-imap-host'), imaps.host);
    await page.selectOption(tid('preset-imap-security'), 'tls');
    await page.fill(tid('preset-imap-port'), String(imaps.port));
    await page.fill(tid('preset-smtp-host'), smtp.host);
    await page.selectOption(tid('preset-smtp-security'), 'starttls');
    const port = await page.inputValue(tid('preset-smtp-port'));
    if (port !== '587') fail(`choosing STARTTLS left the SMTP port at ${port}, want the usual 587`);
    await page.fill(tid('preset-smtp-port'), String(smtp.port));
    await page.check(tid('preset-username-email'));
    await page.locator(tid('preset-form')).scrollIntoViewIfNeeded();
    await shot(page, 'preset-form-fr');
    await page.click(tid('preset-save'));
    const prow = `${tid('preset-row')}[data-domain="${domain}"]`;
    await visible(page, prow, 'the preset in the list');
    await expectAttr(page, prow, 'data-kind', 'servers', 'the preset');
    await expectText(page, tid('presets-notice'), fmt(fr.settings.presets.saved, { domain }), 'the confirmation');
    const res = await backend(page, 'Presets.List');
    const p = res.ok && res.value.find((x) => x.domain === domain);
    if (!p || p.exchangeUrl || p.imap?.port !== imaps.port || p.smtp?.security !== 'starttls' || p.usernameForm !== 'email') {
      fail(`the backend holds ${JSON.stringify(res)}`);
    }
    await page.locator(tid('settings-presets')).scrollIntoViewIfNeeded();
    await shot(page, 'presets-fr');
  });

  await step('a preset is IMAP+SMTP or Exchange, never both: the Exchange choice hides the servers', async () => {
    await page.click(`${tid('preset-row')}[data-domain="${domain}"] ${tid('preset-edit')}`);
    await visible(page, tid('preset-form'), 'the preset form');
    await page.check(tid('preset-kind-exchange'));
    await absent(page, tid('preset-imap-host'), 'the IMAP server field');
    await page.fill(tid('preset-exchange-url'), 'http://mail.example.test/EWS');
    await page.click(tid('preset-save'));
    await expectText(page, tid('preset-exchange-url-error'), reasonText('fr', 'preset_exchange_url_invalid'), 'the URL error');
    await page.click(`${tid('preset-form')} button:not([type=submit])`);
    await absent(page, tid('preset-form'), 'the preset form');
    const res = await backend(page, 'Presets.List');
    const p = res.ok && res.value.find((x) => x.domain === domain);
    if (!p || p.exchangeUrl || !p.imap) fail(`the refused change altered the preset: ${JSON.stringify(p)}`);
  });

  await step('an Exchange preset: the wizard says plainly the domain cannot be connected; deleting it asks first', async () => {
    const corp = 'corp.test';
    const url = 'https://mail.corp.test/EWS/Exchange.asmx';
    await page.click(tid('preset-add'));
    await page.fill(tid('preset-domain'), corp);
    await page.check(tid('preset-kind-exchange'));
    await page.fill(tid('preset-exchange-url'), url);
    await page.click(tid('preset-save'));
    await expectAttr(page, `${tid('preset-row')}[data-domain="${corp}"]`, 'data-kind', 'exchange', 'the Exchange preset');
    await page.click(tid('account-add'));
    await page.fill(tid('wizard-email'), `camille@${corp}`);
    await page.fill(tid('wizard-password'), 'unused-password');
    await page.keyboard.press('Enter');
    await visible(page, tid('wizard-exchange'), 'the Exchange explanation', NET_TIMEOUT_MS);
    await expectText(page, `${tid('wizard-exchange')} h3`, fmt(fr.wizard.exchangeTitle, { domain: corp }), 'the explanation');
    await expectText(page, `${tid('wizard-exchange')} p`, fmt(fr.wizard.exchangeBody, { domain: corp, url }), 'the explanation');
    await shot(page, 'wizard-exchange-fr');
    await page.click(tid('wizard-back'));
    await visible(page, tid('wizard-stage-account'), 'the first step');
    await page.keyboard.press('Escape');
    await absent(page, tid('wizard'), 'the wizard');
    await page.click(`${tid('preset-row')}[data-domain="${corp}"] ${tid('preset-delete')}`);
    await expectText(page, tid('preset-delete-dialog-title'), fmt(fr.settings.presets.deleteTitle, { domain: corp }), 'the confirmation');
    await page.click(tid('preset-delete-dialog-confirm'));
    await absent(page, `${tid('preset-row')}[data-domain="${corp}"]`, 'the deleted preset');
    const res = await backend(page, 'Presets.List');
    if (!res.ok || res.value.some((p) => p.domain === corp)) fail(`Presets.List still has ${corp}: ${JSON.stringify(res)}`);
  });

  await step('the wizard: with no Google client set up, the Gmail tile says what is missing (fr)', async () => {
    await page.locator(tid('settings-accounts')).scrollIntoViewIfNeeded();
    await page.click(tid('account-add'));
    await visible(page, tid('wizard-stage-account'), 'the account wizard');
    await visible(page, tid('provider-tile-icloud'), 'the iCloud tile');
    await page.fill(tid('wizard-email'), 'camille.martin@gmail.com');
    if (!(await page.isChecked(`${tid('provider-tile-gmail')} input`))) fail('typing a gmail.com address did not select the Gmail tile');
    const google = { provider: 'Google' };
    await expectText(page, tid('provider-tile-gmail-missing'), fmt(fr.accounts.tiles.signInMissing, google), 'the Gmail tile');
    await expectAttr(page, tid('wizard-signin-missing'), 'data-signin', 'google', 'the explanation');
    await expectText(page, tid('wizard-signin-missing-title'), fmt(fr.accounts.signInMissing.title, google), 'the explanation title');
    await expectText(page, tid('wizard-signin-missing-body'), fmt(fr.accounts.signInMissing.body, google), 'what is missing');
    await expectText(page, tid('wizard-signin-missing-way'), fr.accounts.signInMissing.google, 'the app password way');
    // No sign-in starts: the password field and Gmail's app password help instead.
    await absent(page, tid('wizard-signin'), 'the Sign in with Google button');
    await visible(page, tid('wizard-password'), 'the password field');
    await expectAttr(page, tid('wizard-notes-signin'), 'data-mode', 'password', 'the app password help');
    await expectText(page, `${tid('wizard-notes-signin')} .title`, fr.accounts.signIn.google.passwordTitle, 'the app password help');
    await shot(page, 'wizard-gmail-not-set-up-fr');
    // Outlook: said plainly that a password will most likely be refused.
    await page.fill(tid('wizard-email'), 'camille@outlook.fr');
    await expectAttr(page, tid('wizard-signin-missing'), 'data-signin', 'microsoft', 'the explanation');
    await expectText(page, tid('wizard-signin-missing-way'), fr.accounts.signInMissing.microsoft, 'the Microsoft explanation');
    await absent(page, tid('wizard-notes-signin'), 'the Microsoft app password hope');
  });

  await step('a super admin enters the organisation’s Google client ID in Settings, from the wizard', async () => {
    await page.fill(tid('wizard-email'), 'camille.martin@gmail.com');
    await page.click(tid('wizard-signin-missing-settings'));
    await absent(page, tid('wizard'), 'the wizard');
    await visible(page, tid('settings-signin'), 'the sign-in settings');
    const hash = await page.evaluate(() => location.hash);
    if (hash !== '#/settings/signin') fail(`the address is ${hash}, want #/settings/signin`);
    await expectAttr(page, tid('signin-google'), 'data-configured', 'false', 'Google’s sign-in');
    await expectText(page, tid('signin-google-status'), fr.settings.signIn.statusNone, 'Google’s status');
    await page.fill(tid('signin-google-clientid'), 'the-secret-pasted-here');
    await page.click(tid('signin-google-save'));
    await expectText(page, tid('signin-google-clientid-error'), reasonText('fr', 'oauth_google_client_id_invalid'), 'the client ID error');
    const clientId = '123456789012-e2eclientabc.apps.googleusercontent.com';
    const secret = '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9';
    await page.fill(tid('signin-google-clientid'), clientId);
    await page.fill(tid('signin-google-clientsecret'), secret);
    await page.click(tid('signin-google-save'));
    await expectText(page, tid('signin-notice'), fmt(fr.settings.signIn.saved, { provider: 'Google' }), 'the confirmation');
    await expectAttr(page, tid('signin-google'), 'data-configured', 'true', 'Google’s sign-in');
    await visible(page, tid('signin-google-secret-stored'), 'the stored secret, masked');
    await expectAttr(page, tid('signin-microsoft'), 'data-configured', 'false', 'Microsoft’s sign-in');
    const res = await backend(page, 'System.SignInClients');
    if (!res.ok) fail(`System.SignInClients failed: ${JSON.stringify(res.error)}`);
    const g = res.value.find((c) => c.provider === 'google');
    if (!g?.configured || g.clientId !== clientId || !g.keyStored || g.source !== 'settings') fail(`Google's sign-in is ${JSON.stringify(g)}`);
    if (JSON.stringify(res.value).includes(secret)) fail('the client secret came back to the page');
    if ((await page.content()).includes(secret)) fail('the client secret is still in the page');
    await shot(page, 'settings-signin-fr');
  });

  await step('the wizard: once set up, the Gmail tile offers Sign in with Google', async () => {
    await page.locator(tid('settings-accounts')).scrollIntoViewIfNeeded();
    await page.click(tid('account-add'));
    await visible(page, tid('wizard-stage-account'), 'the account wizard');
    await page.fill(tid('wizard-email'), 'camille.martin@gmail.com');
    await expectAttr(page, tid('wizard-notes-signin'), 'data-signin', 'google', 'the sign-in notice');
    await expectText(page, `${tid('wizard-notes-signin')} .title`, fr.accounts.signIn.google.title, 'the notice title');
    await expectAttr(page, tid('wizard-signin'), 'data-provider', 'google', 'the Sign in with Google button');
    await expectText(page, `${tid('provider-tile-gmail')} .signin`, fmt(fr.accounts.tiles.signIn, { provider: 'Google' }), 'the Gmail tile');
    await absent(page, tid('wizard-signin-missing'), 'the explanation');
    await absent(page, tid('wizard-password'), 'the password field');
    await shot(page, 'wizard-gmail-fr');
    await page.fill(tid('wizard-email'), 'camille@outlook.fr');
    await expectAttr(page, tid('wizard-signin-missing'), 'data-signin', 'microsoft', 'Microsoft, still not set up');
  });

  await step('an address whose domain has no settings anywhere: the wizard says so in French, and what to do', async () => {
    const nowhere = 'domaine-sans-serveur.test';
    await page.click(tid('provider-tile-other'));
    await page.fill(tid('wizard-email'), `contact@${nowhere}`);
    await page.fill(tid('wizard-password'), 'unused-password');
    await page.click(tid('wizard-continue'));
    await visible(page, tid('wizard-stage-settings'), 'the settings stage', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-found'), 'data-kind', 'not_found', 'the discovery');
    const reason = await page.getAttribute(tid('wizard-found'), 'data-reason');
    if (reason !== 'discovery_nothing_found' && reason !== 'discovery_none_worked') fail(`the discovery's reason is ${reason}`);
    if (reason === 'discovery_nothing_found') {
      await expectText(page, tid('wizard-found'), reasonText('fr', reason, { domain: nowhere }), 'what the wizard says');
    }
    await noBackendEnglish(page, 'a discovery that found nothing');
    await shot(page, 'wizard-nothing-found-fr');
    await page.click(tid('wizard-back'));
    await visible(page, tid('wizard-stage-account'), 'the first step');
    await page.fill(tid('wizard-password'), '');
  });

  await step('Other (IMAP/SMTP), the address and the password: Continue finds the preset', async () => {
    await page.click(tid('provider-tile-other'));
    await page.fill(tid('wizard-email'), user.address);
    await absent(page, tid('wizard-notes-signin'), 'the sign-in notice');
    await page.click(tid('wizard-continue'));
    await expectText(page, tid('wizard-password-error'), fr.errors.field.password.invalid_input, 'the password error');
    await page.fill(tid('wizard-password'), user.password);
    await page.fill(tid('wizard-fromname'), 'Alice Martin');
    await page.click(tid('wizard-continue'));
    await visible(page, tid('wizard-stage-settings'), 'the settings found', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-source'), 'data-source', 'preset', 'the settings source');
    await expectText(page, tid('wizard-source-name'), fr.accounts.sources.preset, 'the settings source');
    const want = {
      'wizard-settings-imap-host': imaps.host,
      'wizard-settings-imap-port': String(imaps.port),
      'wizard-settings-imap-username': user.address,
      'wizard-settings-smtp-host': smtp.host,
      'wizard-settings-smtp-port': String(smtp.port),
      'wizard-settings-smtp-username': user.address,
    };
    for (const [id, v] of Object.entries(want)) {
      const got = await page.inputValue(tid(id));
      if (got !== v) fail(`${id} holds ${JSON.stringify(got)}, want ${JSON.stringify(v)}`);
    }
    for (const [id, v] of Object.entries({ 'wizard-settings-imap-security': 'tls', 'wizard-settings-smtp-security': 'starttls' })) {
      const got = await page.inputValue(tid(id));
      if (got !== v) fail(`${id} is ${got}, want ${v}`);
    }
    const connectDisabled = await page.isDisabled(tid('wizard-connect'));
    if (!connectDisabled) fail('Connect is possible before a test passed');
  });

  await step('the test stops at TLS: the certificate is not trusted, and shown with its fingerprint', async () => {
    await page.click(tid('wizard-test-run'));
    await expectAttr(page, tid('wizard-test'), 'data-phase', 'failed', 'the connection test', NET_TIMEOUT_MS);
    for (const s of ['dns', 'tcp']) await expectAttr(page, tid(`wizard-test-step-${s}`), 'data-status', 'ok', `the ${s} step`);
    await expectAttr(page, tid('wizard-test-step-tls'), 'data-status', 'failed', 'the TLS step');
    await expectAttr(page, tid('wizard-test-failure'), 'data-code', 'tls_untrusted', 'the failure');
    await expectAttr(page, tid('wizard-test-failure'), 'data-reason', 'tls_untrusted', 'the failure');
    await expectAttr(page, tid('wizard-test-failure'), 'data-cert-reason', 'unknown_authority', 'the failure');
    await expectText(page, tid('wizard-test-what'), fmt(fr.accounts.failure.cert.unknown_authority, { host: imaps.host }), 'what happened');
    // A handshake refused by Mailroom: no words of the server to show.
    if ((await page.locator(tid('wizard-test-technical')).count()) !== 0) fail('an untrusted certificate shows words of the server');
    await expectText(page, tid('wizard-test-fix'), fmt(fr.accounts.hints.tls_untrusted, { host: imaps.host }), 'the fix');
    await visible(page, tid('wizard-test-untrusted'), 'the untrusted certificate');
    const shown = await fingerprintShown(page, tid('wizard-test-cert-fingerprint'));
    if (shown !== caFingerprint) fail(`the fingerprint shown is ${shown}, want the test certificate's ${caFingerprint}`);
    await expectText(page, tid('wizard-test-trust'), fmt(fr.accounts.cert.trust, { server: imapsServer }), 'the trust button');
    await page.locator(tid('wizard-test-untrusted')).scrollIntoViewIfNeeded();
    await shot(page, 'account-cert-fr');
    await noBackendEnglish(page, 'the untrusted certificate');
  });

  await step(`trusting it (after a confirmation) for ${imapsServer} only: SMTP, on another port, asks again`, async () => {
    await page.click(tid('wizard-test-trust'));
    await visible(page, tid('cert-trust-dialog'), 'the confirmation');
    await expectText(page, tid('cert-trust-dialog-title'), fmt(fr.accounts.cert.confirmTitle, { server: imapsServer }), 'the confirmation title');
    const inDialog = await fingerprintShown(page, tid('cert-trust-dialog-cert-fingerprint'));
    if (inDialog !== caFingerprint) fail(`the confirmation shows ${inDialog}`);
    await shot(page, 'account-cert-confirm-fr');
    await page.click(tid('cert-trust-dialog-confirm'));
    await expectAttr(page, tid('wizard-test-step-smtp_login'), 'data-status', 'failed', 'the SMTP step', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-test'), 'data-phase', 'failed', 'the connection test', NET_TIMEOUT_MS);
    for (const s of ['dns', 'tcp', 'tls', 'imap_login', 'capabilities']) {
      await expectAttr(page, tid(`wizard-test-step-${s}`), 'data-status', 'ok', `the ${s} step`);
    }
    await expectAttr(page, tid('wizard-test-failure'), 'data-code', 'tls_untrusted', 'the SMTP failure');
    await expectText(page, tid('wizard-test-trust'), fmt(fr.accounts.cert.trust, { server: smtpServer }), 'the trust button');
  });

  await step('trusting the SMTP certificate too, all six steps pass', async () => {
    await page.click(tid('wizard-test-trust'));
    await expectText(page, tid('cert-trust-dialog-title'), fmt(fr.accounts.cert.confirmTitle, { server: smtpServer }), 'the confirmation title');
    await page.click(tid('cert-trust-dialog-confirm'));
    await expectAttr(page, tid('wizard-test'), 'data-phase', 'passed', 'the connection test', NET_TIMEOUT_MS);
    for (const s of ['dns', 'tcp', 'tls', 'imap_login', 'capabilities', 'smtp_login']) {
      await expectAttr(page, tid(`wizard-test-step-${s}`), 'data-status', 'ok', `the ${s} step`);
    }
    await expectText(page, tid('wizard-test-summary'), fr.accounts.test.passed, 'the test summary');
    for (const s of ['tls', 'smtp_login']) {
      const text = norm(await page.innerText(tid(`wizard-test-step-${s}`)));
      const trusted = ['TLS 1.2', 'TLS 1.3'].map((version) => norm(fmt(fr.accounts.stepDetail.tlsTrusted, { version })));
      if (!trusted.some((t) => text.includes(t))) fail(`the ${s} step does not say its TLS version and the trusted certificate: ${text}`);
    }
    if (await page.isDisabled(tid('wizard-connect'))) fail('Connect stays disabled after the test passed');
    await scrollToTop(page, `${tid('wizard')} .body`);
    await shot(page, 'account-test-fr');
  });

  await step(`${INBOX.fillers + 5} messages are delivered into ${user.address}'s mailbox over LMTP (one HTML with a remote image)`, async () => {
    if (!other) fail('MAILROOM_TEST_USERS lists no second user');
    canary = await startCanary();
    for (const m of inboxMessages(user.address, other.address, canary.port)) {
      await lmtpDeliver(mail.lmtp, m.from.replace(/^.*<|>$/g, ''), user.address, mimeMessage(m));
    }
    if (mail.mailDir && !(await delivered(mail.mailDir, user.address, INBOX.word.word))) {
      fail(`the messages did not reach ${user.address}'s mailbox`);
    }
  });

  await step('Connect saves the account, checks it, and the list shows it connected', async () => {
    await page.click(tid('wizard-connect'));
    await visible(page, tid('wizard-stage-done'), 'the last step', NET_TIMEOUT_MS);
    await expectText(page, tid('wizard-done-title'), fmt(fr.wizard.doneTitle, { email: user.address }), 'the title');
    await expectAttr(page, tid('wizard-check'), 'data-checking', 'false', 'the check', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-status'), 'data-status', 'ok', 'the saved account');
    await shot(page, 'wizard-done-fr');
    await page.click(tid('wizard-finish'));
    await absent(page, tid('wizard'), 'the wizard');
    await expectAttr(page, row, 'data-status', 'ok', 'the account in the list');
    await expectText(page, tid('accounts-quota-text'), fmt(fr.accounts.quota.limited, { active: 1, limit: 5 }), 'the quota');
    await visible(page, `${row} ${tid('account-details')}`, 'the account details');
    await expectAttr(page, `${row} ${tid('account-source')}`, 'data-source', 'preset', 'where the settings came from');
    const res = await backend(page, 'Accounts.List');
    const a = res.ok && res.value.find((x) => x.email === user.address);
    if (!a || a.status !== 'ok' || a.imap.port !== imaps.port || a.settingsSource !== 'preset') {
      fail(`Accounts.List answered ${JSON.stringify(res)}`);
    }
    if (JSON.stringify(a).includes(user.password)) fail('an account DTO carries the password');
    await scrollToTop(page, 'main');
    await shot(page, 'accounts-fr');
  });

  await step('a test email, prefilled and editable, reaches the second test user', async () => {
    if (!other) fail('MAILROOM_TEST_USERS lists no second user');
    await page.click(`${row} ${tid('account-send-test')}`);
    await visible(page, tid('test-email-dialog'), 'the test email dialog');
    if ((await page.inputValue(tid('test-email-to'))) !== user.address) fail('the recipient is not prefilled with the account’s address');
    if ((await page.inputValue(tid('test-email-subject'))) !== fr.testEmail.subjectDefault) fail('the subject is not prefilled in French');
    const marker = `e2e-${Date.now().toString(36)}`;
    await page.fill(tid('test-email-to'), other.address);
    await page.fill(tid('test-email-subject'), `${fr.testEmail.subjectDefault} ${marker}`);
    await page.click(tid('test-email-send'));
    await visible(page, tid('test-email-sent'), 'the success', NET_TIMEOUT_MS);
    const answer = norm(await page.innerText(tid('test-email-answer')));
    if (!answer || answer === norm(fr.testEmail.noAnswer)) fail('the server’s answer is not shown');
    await shot(page, 'test-email-fr');
    if (mail.mailDir && !(await delivered(mail.mailDir, other.address, marker))) {
      fail(`the test email did not reach ${other.address}'s mailbox within ${DELIVERY_TIMEOUT_MS / 1000}s`);
    }
    await page.click(tid('test-email-close'));
    await absent(page, tid('test-email-dialog'), 'the test email dialog');
  });

  await deliverabilitySteps(page, { step, dns, mail });
  await inboxSteps(page);
  await signaturesSteps(page, { step, account: user.address, recipient: other.address, mailDir: mail.mailDir, owner: { name: OWNER.name, password: OWNER_PASSWORD }, sophie: SOPHIE });

  await step('Edit with a wrong password: the test shows the refused login and its fix', async () => {
    await page.click(`${row} ${tid('account-edit')}`);
    await visible(page, tid('account-edit-dialog'), 'the edit form');
    if ((await page.inputValue(tid('edit-password'))) !== '') fail('the edit form shows a password');
    await page.fill(tid('edit-password'), WRONG_PASSWORD);
    await page.click(tid('account-edit-test'));
    await expectAttr(page, tid('edit-test'), 'data-phase', 'failed', 'the connection test', NET_TIMEOUT_MS);
    await expectAttr(page, tid('edit-test-step-imap_login'), 'data-status', 'failed', 'the IMAP login step');
    await expectAttr(page, tid('edit-test-failure'), 'data-code', 'auth_failed', 'the failure');
    await expectAttr(page, tid('edit-test-failure'), 'data-reason', 'imap_auth_failed', 'the failure');
    await expectText(page, tid('edit-test-what'), fmt(connectReasons.fr.imap_auth_failed, { host: imaps.host }), 'what happened');
    await serverSaid(page, 'edit-test', 'authentication failed');
    await expectText(page, tid('edit-test-fix'), fr.accounts.hints.auth_generic, 'the fix');
    await expectAttr(page, tid('edit-test-step-tls'), 'data-status', 'ok', 'the TLS step (trusted before)');
    await shot(page, 'account-auth-fr');
    await page.click(tid('account-edit-cancel'));
    await absent(page, tid('account-edit-dialog'), 'the edit form');
    await expectAttr(page, row, 'data-status', 'ok', 'the account (its password did not change)');
    await noBackendEnglish(page, 'the refused password');
  });

  await step('Delete is refused while its creator has access, and Disable is offered instead', async () => {
    await page.click(`${row} ${tid('account-delete')}`);
    await visible(page, tid('account-delete-dialog'), 'the confirmation');
    await expectText(page, tid('account-delete-dialog-title'), fmt(fr.settings.accounts.deleteTitle, { account: user.address }), 'the title');
    await page.click(tid('account-delete-dialog-confirm'));
    await expectText(page, tid('account-delete-dialog-title'), fmt(fr.settings.accounts.refusedTitle, { account: user.address }), 'the title');
    await expectText(page, tid('account-delete-dialog-confirm'), fr.settings.accounts.disableInstead, 'the offer');
    const body = norm(await page.innerText(tid('account-delete-dialog-body')));
    if (!body.includes(OWNER.name)) fail(`the refusal does not name who has access: ${body}`);
    await shot(page, 'account-delete-refused-fr');
    const res = await backend(page, 'Accounts.List');
    if (!res.ok || !res.value.some((x) => x.email === user.address)) fail('the account was deleted');
    await noBackendEnglish(page, 'the refused delete');
  });

  await step('disabling frees its place in the quota', async () => {
    await page.click(tid('account-delete-dialog-confirm'));
    await absent(page, `${tid('account-delete-dialog')}[open]`, 'the dialog');
    await expectAttr(page, row, 'data-status', 'disabled', 'the account');
    await expectText(page, tid('accounts-quota-text'), fmt(fr.accounts.quota.limited, { active: 1, limit: 5 }), 'the quota');
    await expectText(page, tid('accounts-notice'), fmt(fr.settings.accounts.disabled, { account: user.address }), 'the confirmation');
    const q = await backend(page, 'Accounts.Quota');
    if (!q.ok || q.value.active !== 1) fail(`Accounts.Quota answered ${JSON.stringify(q)}, want 1 active (the Postmark account)`);
  });

  await step('in English, the list, the presets and the wizard read right', async () => {
    await page.click(tid('lang-switch-en'));
    await expectText(page, '#settings-accounts-title', en.settings.accounts.title, 'the section title');
    await expectText(page, tid('accounts-quota-text'), fmt(en.accounts.quota.limited, { active: 1, limit: 5 }), 'the quota');
    await scrollToTop(page, 'main');
    await shot(page, 'accounts-en');
    await page.locator(tid('settings-presets')).scrollIntoViewIfNeeded();
    await shot(page, 'presets-en');
    await page.click(tid('account-add'));
    await page.fill(tid('wizard-email'), 'camille@icloud.com');
    await visible(page, `${tid('wizard-notes-note')}[data-code="app_password_required"]`, 'the iCloud note');
    await expectText(page, tid('wizard-notes-note'), fmt(en.accounts.notes.app_password_required, { provider: 'iCloud' }), 'the note');
    await shot(page, 'wizard-en');
    await page.keyboard.press('Escape');
    await absent(page, tid('wizard'), 'the wizard');
  });

  await step('once nobody has access any more, the account can be deleted (after a confirmation)', async () => {
    await page.click(`${row} ${tid('account-access-remove')}`);
    await absent(page, `${row} ${tid('account-access-user')}`, 'the person with access');
    await expectText(page, tid('accounts-notice'), fmt(en.settings.accounts.accessRevoked, { name: OWNER.name, account: user.address }), 'the confirmation');
    await page.click(`${row} ${tid('account-delete')}`);
    await expectText(page, tid('account-delete-dialog-title'), fmt(en.settings.accounts.deleteTitle, { account: user.address }), 'the title');
    await page.click(tid('account-delete-dialog-confirm'));
    await absent(page, row, 'the deleted account');
    await expectText(page, tid('accounts-notice'), fmt(en.settings.accounts.deleted, { account: user.address }), 'the confirmation');
    const res = await backend(page, 'Accounts.List');
    if (!res.ok || res.value.length !== 1 || res.value[0].email !== PM.email) fail(`Accounts.List still answers ${JSON.stringify(res)}`);
  });
}

// --- the inbox (needs the mail test environment) --------------------------------------

/** row is the list row of the message whose subject holds text. */
const rowWith = (text) => `${tid('mail-row')}:has(.subject:text-is("${text}"))`;

/** frameOf is the content of the mail frame of the message view (or the composer). */
async function frameOf(page, testid) {
  const handle = await page.locator(tid(testid)).first().elementHandle();
  const frame = handle && (await handle.contentFrame());
  if (!frame) fail(`the ${testid} has no document`);
  return frame;
}

/** search types in the search box and waits for the list to show count rows. */
async function searchFor(page, text, count) {
  await page.fill(tid('mail-search'), text);
  await expectText(page, tid('list-title'), fmt(fr.mail.list.results, { search: text }), 'the list title');
  await expectAttr(page, tid('message-list'), 'data-count', String(count), `the results for "${text}"`);
}

async function clearSearch(page, count) {
  await page.focus(tid('mail-search'));
  await page.keyboard.press('Escape');
  await expectAttr(page, tid('message-list'), 'data-count', String(count), 'the list after clearing the search');
}

/** openRow clicks a message's row and waits for its view. */
async function openRow(page, subject) {
  await page.click(rowWith(subject));
  await expectText(page, tid('message-subject'), subject, 'the message view');
}

async function inboxSteps(page) {
  const { user, other } = mail;
  const total = INBOX.fillers + 5;
  const html = { id: 0 };
  /** unreadInboxes is the backend's count of unread messages in the inboxes. */
  const unreadInboxes = async () => {
    const r = await backend(page, 'Mail.Folders');
    if (!r.ok) fail(`Mail.Folders failed: ${JSON.stringify(r.error)}`);
    return r.value.filter((f) => f.role === 'inbox').reduce((n, f) => n + f.unread, 0);
  };

  await step('the inbox fills from the sync: folders, unread counts, a virtualised list', async () => {
    await page.click(tid('nav-inbox'));
    await visible(page, tid('folder-column'), 'the folder column');
    await expectText(page, tid('folder-all-inboxes'), `${fr.mail.folders.allInboxes} ${total}`, 'All inboxes and its unread count', NET_TIMEOUT_MS);
    await visible(page, `${tid('folder-item')}[data-role="inbox"]`, 'the account’s inbox');
    await visible(page, `${tid('folder-item')}[data-role="sent"]`, 'the account’s Sent folder');
    await expectAttr(page, tid('message-list'), 'data-count', String(total), 'the list', NET_TIMEOUT_MS);
    const rendered = Number(await page.getAttribute(tid('message-list'), 'data-rendered'));
    const inDom = await page.locator(tid('mail-row')).count();
    if (inDom !== rendered || inDom >= total) fail(`${inDom} rows are in the page for ${total} messages: the list is not virtualised`);
    await expectText(page, `${rowWith(INBOX.html.subject)} .from`, INBOX.html.from, 'the newest message’s sender');
    // A sync on demand: its progress shows under the account, if it is caught.
    await page.click(tid('sync-now'));
    const caught = await page
      .locator(tid('sync-progress'))
      .first()
      .waitFor({ state: 'visible', timeout: 1500 })
      .then(() => true, () => false);
    console.log(`     ${caught ? 'caught the sync progress bar' : 'the sync was too quick to show its bar'}`);
    await shot(page, 'inbox-fr');
  });

  await step('the search finds a message by the beginning of a word of its body (“zéphyr”)', async () => {
    await page.keyboard.press('Control+f');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== 'mail-search') fail(`Ctrl+F focused ${focused}, want the search box`);
    await searchFor(page, 'zéphyr', 1);
    await visible(page, rowWith(INBOX.word.subject), 'the message holding zéphyrine42');
    await shot(page, 'search-fr');
    await clearSearch(page, total);
  });

  await step('the HTML message shows in the frame, its remote image blocked (no request), with the bar', async () => {
    await openRow(page, INBOX.html.subject);
    await visible(page, tid('message-frame'), 'the message frame');
    const frame = await frameOf(page, 'message-frame');
    await waitFor(async () => (await frame.locator('body').innerText()).includes('Bonjour Alice'), 'the frame shows the message');
    if ((await frame.locator('img[src^="http"]').count()) !== 0) fail('the frame holds a remote image');
    await expectText(page, tid('remote-images-count'), plural(fr.mail.remote.blocked, 1), 'the remote images bar');
    await expectText(page, tid('message-from'), `${INBOX.html.from} <${other.address}>`, 'the sender');
    await sleep(1000);
    if (canary.hits !== 0) fail(`the canary was hit ${canary.hits} times while images are blocked`);
    await shot(page, 'message-blocked-fr');
  });

  await step('the frame is sandboxed with popups only, and its document cannot reach the app', async () => {
    const sandbox = await page.getAttribute(tid('message-frame'), 'sandbox');
    const tokens = (sandbox ?? '').split(/\s+/).filter(Boolean).sort();
    if (JSON.stringify(tokens) !== JSON.stringify(['allow-popups', 'allow-popups-to-escape-sandbox'])) {
      fail(`the frame's sandbox is ${JSON.stringify(sandbox)}`);
    }
    const reach = await page.evaluate(() => {
      const f = document.querySelector('[data-testid="message-frame"]');
      const out = { appGo: typeof window.go, doc: 'null' };
      try {
        out.go = typeof f.contentWindow.go;
      } catch (e) {
        out.go = `threw ${e.name}`;
      }
      try {
        out.doc = f.contentDocument === null ? 'null' : 'readable';
      } catch (e) {
        out.doc = `threw ${e.name}`;
      }
      return out;
    });
    if (reach.appGo !== 'object') fail(`the page itself has no window.go (${reach.appGo}): the check would prove nothing`);
    if (!(reach.go === 'undefined' || reach.go.startsWith('threw'))) fail(`the frame's window.go is ${reach.go}`);
    if (reach.doc !== 'null') fail(`the frame's document is ${reach.doc} from the app`);
    console.log(`     frame.contentWindow.go: ${reach.go}; frame.contentDocument: ${reach.doc}`);
  });

  await step('Show images loads the remote image, for this viewing', async () => {
    await page.click(tid('remote-images-show'));
    await absent(page, tid('remote-images-bar'), 'the remote images bar');
    await waitFor(() => canary.hits >= 1, 'the canary is hit once images are shown');
    const frame = await frameOf(page, 'message-frame');
    await waitFor(async () => (await frame.locator(`img[src^="http://127.0.0.1:${canary.port}/"]`).count()) === 1, 'the frame holds the image');
    await sleep(300);
    await shot(page, 'message-images-fr');
    console.log(`     canary hits: ${canary.hits}`);
  });

  await step('images are shown for that viewing only; “Always show” for the sender, then undone', async () => {
    await openRow(page, INBOX.link.subject);
    await openRow(page, INBOX.html.subject);
    await visible(page, tid('remote-images-bar'), 'the remote images bar, back for a new viewing');
    const before = canary.hits;
    await expectText(page, tid('remote-images-always'), fmt(fr.mail.remote.always, { sender: other.address }), 'the Always button');
    await page.click(tid('remote-images-always'));
    await visible(page, tid('remote-images-stop'), 'the way back');
    await expectText(page, `${tid('remote-images-always-on')} span`, fmt(fr.mail.remote.alwaysOn, { sender: other.address }), 'the note');
    // The browser may serve the image it already fetched from its memory: the image shows,
    // whether or not the canary is asked again.
    const frame = await frameOf(page, 'message-frame');
    const clicked = new Date().toISOString().slice(11, 23);
    await waitFor(
      async () => {
        const img = frame.locator(`img[src^="http://127.0.0.1:${canary.port}/"]`);
        return (await img.count()) === 1 && (await img.evaluate((el) => el.complete && el.naturalWidth > 0));
      },
      'the image shows once the sender is always allowed',
    ).catch(async (e) => {
      const id = Number(await page.getAttribute(tid('message-view'), 'data-id'));
      const g = await backend(page, 'Mail.Get', id, false);
      const doc = g.ok ? g.value.document : JSON.stringify(g.error);
      const imgs = await frame.locator('img').evaluateAll((l) => l.map((x) => `${x.outerHTML} complete=${x.complete} w=${x.naturalWidth}`));
      // Which side is behind: the frame element's srcdoc (the app's state) or the document the
      // frame shows (the browser's navigation).
      const attr = (await page.getAttribute(tid('message-frame'), 'srcdoc')) ?? '';
      const attrImg = attr.match(/<img[^>]*>/)?.[0];
      fail(`${e.message}\n     canary asked at ${canary.times.join(', ')} (Always clicked by ${clicked})\n     frame element's srcdoc: ${attrImg} (same as Mail.Get's: ${attr === (g.ok ? g.value.document : '')})\n     frame images: ${imgs.join(' | ')}\n     Mail.Get: remoteAlways=${g.value?.remoteAlways} remoteBlocked=${g.value?.remoteBlocked} ${doc.match(/<img[^>]*>/)?.[0]} ${doc.match(/Content-Security-Policy" content="[^"]*"/)?.[0]}`);
    });
    console.log(`     canary hits: ${before} before, ${canary.hits} after`);
    const r = await backend(page, 'Mail.Get', Number(await page.getAttribute(tid('message-view'), 'data-id')), false);
    if (!r.ok || !r.value.remoteAlways || r.value.remoteBlocked) fail(`Mail.Get answered ${JSON.stringify(r.ok ? { remoteAlways: r.value.remoteAlways, remoteBlocked: r.value.remoteBlocked } : r.error)}`);
    await page.click(tid('remote-images-stop'));
    await visible(page, tid('remote-images-bar'), 'the remote images bar, back after Stop');
    const after = await backend(page, 'Mail.Get', Number(await page.getAttribute(tid('message-view'), 'data-id')), false);
    if (!after.ok || after.value.remoteAlways || !after.value.remoteBlocked) fail('Mail.Get still always shows the images');
  });

  await step('opening marks it read; from the list it is marked unread and flagged, and Mail.Get agrees', async () => {
    const row = rowWith(INBOX.html.subject);
    await expectAttr(page, row, 'data-seen', 'true', 'the opened message');
    const unread = await unreadInboxes();
    if (unread >= total) fail(`the backend counts ${unread} unread messages after one was read`);
    await expectText(page, tid('folder-all-inboxes'), `${fr.mail.folders.allInboxes} ${unread}`, 'the unread count once read');
    html.id = Number(await page.getAttribute(row, 'data-id'));
    await page.hover(row);
    await page.click(`${row} ${tid('row-toggle-read')}`);
    await expectAttr(page, row, 'data-seen', 'false', 'the message marked unread');
    await page.click(`${row} ${tid('row-toggle-flag')}`);
    await expectAttr(page, row, 'data-flagged', 'true', 'the flagged message');
    await waitFor(async () => {
      const r = await backend(page, 'Mail.Get', html.id, false);
      return r.ok && r.value.seen === false && r.value.flagged === true && r.value;
    }, 'Mail.Get reads the message unread and flagged');
    await expectAttr(page, tid('message-toggle-flag'), 'aria-pressed', 'true', 'the flag in the message view');
    await expectText(page, tid('folder-all-inboxes'), `${fr.mail.folders.allInboxes} ${unread + 1}`, 'the unread count once unread');
  });

  await step('the filters: Flagged shows the flagged message only, Unread the unread one', async () => {
    await page.click(tid('filter-flagged'));
    await expectAttr(page, tid('message-list'), 'data-count', '1', 'the flagged messages');
    await visible(page, rowWith(INBOX.html.subject), 'the flagged message');
    await page.click(tid('filter-flagged'));
    // One more message read, so Unread shows one fewer.
    const before = await unreadInboxes();
    await openRow(page, INBOX.word.subject);
    await expectAttr(page, rowWith(INBOX.word.subject), 'data-seen', 'true', 'the message read');
    const unread = await waitFor(async () => {
      const n = await unreadInboxes();
      return n === before - 1 && n;
    }, 'the backend counts one more message read');
    await page.click(tid('filter-unread'));
    await expectAttr(page, tid('message-list'), 'data-count', String(unread), 'the unread messages');
    await expectAttr(page, tid('filter-unread'), 'aria-pressed', 'true', 'the Unread filter');
    await shot(page, 'inbox-unread-fr');
    await page.click(tid('filter-unread'));
    await expectAttr(page, tid('message-list'), 'data-count', String(total), 'the list without filters');
  });

  await step('keyboard: j and k move the selection, s flags, Enter opens in full view, Escape returns, ? helps', async () => {
    await page.click(rowWith(INBOX.html.subject));
    await page.keyboard.press('j');
    await expectText(page, tid('message-subject'), INBOX.link.subject, 'the next message');
    await page.keyboard.press('k');
    await expectText(page, tid('message-subject'), INBOX.html.subject, 'the previous message');
    await page.keyboard.press('s');
    await expectAttr(page, rowWith(INBOX.html.subject), 'data-flagged', 'false', 'the message after s');
    await page.keyboard.press('Enter');
    await visible(page, tid('message-collapse'), 'the message in full view');
    if (await page.isVisible(tid('folder-column'))) fail('the full view still shows the folder column');
    await page.keyboard.press('Escape');
    await visible(page, tid('folder-column'), 'the three panes again');
    await page.keyboard.press('?');
    await visible(page, tid('shortcuts-help'), 'the shortcuts help');
    await expectText(page, tid('shortcuts-help-title'), fr.mail.shortcuts.title, 'the help title');
    await shot(page, 'shortcuts-fr');
    await page.keyboard.press('Escape');
    await absent(page, `${tid('shortcuts-help')}[open]`, 'the shortcuts help');
  });

  await step('a plain-text message shows its link as a link; an attachment shows its size and Save', async () => {
    await openRow(page, INBOX.link.subject);
    const frame = await frameOf(page, 'message-frame');
    await waitFor(async () => (await frame.locator(`a[href="${INBOX.link.url}"]`).count()) === 1, 'the frame shows the URL as a link');
    await openRow(page, INBOX.attachment.subject);
    const att = `${tid('attachment')}:has-text("${INBOX.attachment.name}")`;
    await visible(page, att, 'the attachment');
    const text = norm(await page.innerText(att));
    if (!/\d+(,\d)?\s?Ko/.test(text)) fail(`the attachment reads "${text}", want its size in Ko`);
    await expectText(page, `${att} ${tid('attachment-save')}`, fr.mail.attachments.save, 'the Save button');
    await shot(page, 'message-attachment-fr');
  });

  await step('a damaged message (no date) says so discreetly', async () => {
    await searchFor(page, INBOX.damaged.word, 1);
    await openRow(page, INBOX.damaged.subject);
    await expectText(page, `${tid('message-damaged')} p`, fr.mail.message.damaged, 'the damaged notice');
    const r = await backend(page, 'Mail.Get', Number(await page.getAttribute(tid('message-view'), 'data-id')), false);
    if (!r.ok || !r.value.problems?.includes('missing_date')) fail(`Mail.Get answered problems ${JSON.stringify(r.value?.problems ?? r.error)}`);
    await clearSearch(page, total);
  });

  await step('Reply opens the composer prefilled: “Re:” subject, the sender as recipient, the quote in the frame', async () => {
    await openRow(page, INBOX.html.subject);
    const hits = canary.hits;
    await page.click(tid('message-reply'));
    await visible(page, tid('composer-form'), 'the composer', NET_TIMEOUT_MS);
    await expectText(page, tid('composer-title'), fr.mail.compose.title.reply, 'the composer title');
    const subject = await page.inputValue(tid('compose-subject'));
    if (subject !== `Re: ${INBOX.html.subject}`) fail(`the subject is ${JSON.stringify(subject)}`);
    await expectAttr(page, tid('compose-to-entry'), 'data-email', other.address, 'the recipient');
    const from = await page.inputValue(tid('compose-from'));
    const accountsList = await backend(page, 'Accounts.List');
    const alice = accountsList.ok && accountsList.value.find((a) => a.email === user.address);
    if (!alice || String(alice.id) !== from) fail(`the composer sends from account ${from}, want ${alice?.id}`);
    await visible(page, tid('compose-quote-frame'), 'the quote');
    const sandbox = (await page.getAttribute(tid('compose-quote-frame'), 'sandbox')) ?? '';
    if (sandbox.split(/\s+/).sort().join(' ') !== 'allow-popups allow-popups-to-escape-sandbox') fail(`the quote frame's sandbox is ${sandbox}`);
    const quote = await frameOf(page, 'compose-quote-frame');
    await waitFor(async () => (await quote.locator('body').innerText()).includes('Bonjour Alice'), 'the quote shows the original');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== 'compose-body') fail(`the cursor is in ${focused}, want the text`);
    await page.keyboard.type('Merci Bob, bien reçu.');
    await sleep(500);
    if (canary.hits !== hits) fail('the quote loaded the remote image');
    await shot(page, 'composer-fr');
  });

  await step('Escape asks before throwing away what was written', async () => {
    await page.keyboard.press('Escape');
    await visible(page, tid('composer-discard'), 'the confirmation');
    await expectText(page, tid('composer-discard-title'), fr.mail.compose.discardTitle, 'the confirmation title');
    await page.click(tid('composer-discard-cancel'));
    await visible(page, tid('composer-form'), 'the composer');
    const body = await page.inputValue(tid('compose-body'));
    if (!body.startsWith('Merci Bob, bien reçu.')) fail(`the text became ${JSON.stringify(body)}`);
  });

  await step(`the reply is queued for ${other?.address}: the composer closes, a toast leads to the outbox, and it arrives`, async () => {
    const marker = `e2e-reply-${Date.now().toString(36)}`;
    await page.click(tid('compose-body'));
    await page.keyboard.press('Control+End');
    await page.keyboard.type(` ${marker}`);
    const body = await page.inputValue(tid('compose-body'));
    if (!body.includes(marker)) {
      const active = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
      fail(`typing went to ${active}; the text reads ${JSON.stringify(body)}`);
    }
    await page.click(tid('composer-send'));
    await absent(page, `${tid('composer')}[open]`, 'the composer');
    await expectText(page, tid('toast-text'), fr.mail.compose.queued, 'the “queued” toast');
    await expectText(page, tid('toast-action'), fr.mail.compose.openOutbox, 'the link to the outbox');
    await shot(page, 'composer-queued-fr');
    if (mail.mailDir && !(await delivered(mail.mailDir, other.address, marker))) {
      fail(`the reply did not reach ${other.address}'s mailbox within ${DELIVERY_TIMEOUT_MS / 1000}s`);
    }
  });

  await step('new mail delivered while reading appears on top; the open message stays selected', async () => {
    const selected = await page.getAttribute(tid('message-view'), 'data-id');
    await lmtpDeliver(mail.lmtp, 'hugo@client.example', user.address, mimeMessage({
      from: 'Hugo Petit <hugo@client.example>',
      to: user.address,
      subject: INBOX.late.subject,
      date: new Date(),
      text: 'Un message arrivé pendant la lecture.',
      id: 'late',
    }));
    await expectAttr(page, tid('message-list'), 'data-count', String(total + 1), 'the list with the new message', NET_TIMEOUT_MS);
    const first = await page.locator(tid('mail-row')).first().locator('.subject').innerText();
    if (first !== INBOX.late.subject) fail(`the first row is "${first}"`);
    await expectAttr(page, `${tid('mail-row')}[aria-selected="true"]`, 'data-id', selected, 'the selection');
    await expectAttr(page, tid('message-view'), 'data-id', selected, 'the open message');
  });

  await step('in English, the inbox and the message read right', async () => {
    await page.click(tid('lang-switch-en'));
    await expectText(page, tid('list-title'), en.mail.folders.allInboxes, 'the list title');
    await expectText(page, tid('message-reply'), en.mail.message.reply, 'the reply button');
    await shot(page, 'inbox-en');
    await openRow(page, INBOX.attachment.subject);
    await visible(page, tid('message-frame'), 'the message frame');
    const frame = await frameOf(page, 'message-frame');
    await waitFor(async () => (await frame.locator('body').innerText()).includes('devis'), 'the frame shows the message');
    await shot(page, 'message-en');
    await page.click(tid('lang-switch-fr'));
    await expectText(page, tid('message-reply'), fr.mail.message.reply, 'the reply button');
    // The accounts steps go on in Settings, with the account's details open.
    await page.click(tid('nav-settings'));
    const row = `${tid('account-row')}[data-email="${user.address}"]`;
    await visible(page, row, 'the account in Settings');
    if ((await page.getAttribute(`${row} ${tid('account-toggle')}`, 'aria-expanded')) !== 'true') {
      await page.click(`${row} ${tid('account-toggle')}`);
    }
    await visible(page, `${row} ${tid('account-details')}`, 'the account details');
  });

  await outboxSteps(page);
  await postmarkSteps(page);
}

// --- the outbox ------------------------------------------------------------------------
// Kept apart from the inbox steps (run after them): the reply the inbox steps queued is
// found in the sent log, then a message Postfix refuses fails in its words and is
// cancelled. It ends where the inbox steps did: Settings, the account's details open.
async function outboxSteps(page) {
  const { user, domain } = mail;
  const row = (state, subject) => `${tid('outbox-row')}[data-state="${state}"]:has(${tid('outbox-row-subject')}:text-is("${subject}"))`;

  await step('the outbox shows the reply in “Sent”, with Postfix’s answer', async () => {
    await page.click(tid('nav-outbox'));
    await visible(page, tid('screen-outbox'), 'the outbox');
    await page.click(tid('outbox-tab-sent'));
    const sent = row('sent', `Re: ${INBOX.html.subject}`);
    await visible(page, sent, 'the reply in the sent log', NET_TIMEOUT_MS);
    const answer = await page.innerText(`${sent} ${tid('outbox-row-answer')}`);
    if (!/^250 /.test(answer) || !answer.includes('queued')) fail(`Postfix’s answer reads ${JSON.stringify(answer)}`);
    await shot(page, 'outbox-sent-fr');
  });

  await step('a recipient Postfix refuses: the message fails, with why in words and Postfix’s own', async () => {
    const accountsList = await backend(page, 'Accounts.List');
    const alice = accountsList.ok && accountsList.value.find((a) => a.email === user.address);
    if (!alice) fail('no account to send from');
    const nobody = `nobody-e2e-${Date.now().toString(36)}@${domain}`;
    const r = await backend(page, 'Mail.Send', { accountId: alice.id, to: [{ name: '', email: nobody }], cc: [], bcc: [], subject: 'Relance e2e', text: 'Bonjour', quotedHtml: '', quotedText: '', inReplyTo: '', references: [] });
    if (!r.ok || r.value.state !== 'queued') fail(`Mail.Send: ${JSON.stringify(r)}`);
    await page.click(tid('outbox-tab-failed'));
    const failed = row('failed', 'Relance e2e');
    await visible(page, failed, 'the refused message', NET_TIMEOUT_MS);
    await expectAttr(page, `${failed} ${tid('outbox-row-why')}`, 'data-reason', 'smtp_recipient_refused', 'the reason');
    const why = reasonText('fr', 'smtp_recipient_refused', { host: alice.smtp.host, count: 1, recipients: nobody });
    await expectText(page, `${failed} ${tid('outbox-row-why')}`, why, 'why, in French, naming the address');
    const answer = await page.innerText(`${failed} ${tid('outbox-row-answer')}`);
    if (!answer.includes('550') || !answer.includes(nobody)) fail(`Postfix’s words read ${JSON.stringify(answer)}`);
    await expectText(page, tid('outbox-count-failed'), '1', 'the failed count');
    await visible(page, tid('nav-outbox-count'), 'the sidebar’s count');
    await shot(page, 'outbox-failed-fr');
    await noBackendEnglish(page, 'the refused recipient in the Outbox');
  });

  await step('sending it again fails the same way; cancelling asks first, then it is cancelled', async () => {
    const failed = row('failed', 'Relance e2e');
    await page.click(`${failed} ${tid('outbox-retry')}`);
    await visible(page, `${tid('toast-text')}:text-is("${fr.outbox.done.retry}")`, 'the confirmation');
    await visible(page, failed, 'the message refused again', NET_TIMEOUT_MS);
    await page.click(`${failed} ${tid('outbox-cancel')}`);
    await visible(page, tid('outbox-confirm'), 'the confirmation');
    await shot(page, 'outbox-cancel-fr');
    await page.click(tid('outbox-confirm-confirm'));
    await absent(page, failed, 'the failed message');
    await page.click(tid('outbox-tab-cancelled'));
    await visible(page, row('cancelled', 'Relance e2e'), 'the cancelled message');
    await expectText(page, tid('outbox-count-failed'), '0', 'the failed count');
  });

  await step('in English, the outbox reads right; arrow keys move between its tabs', async () => {
    await page.click(tid('lang-switch-en'));
    await waitFor(async () => (await page.innerText(tid('outbox-tab-cancelled'))).startsWith(en.outbox.state.cancelled), 'the tab in English');
    await page.focus(tid('outbox-tab-cancelled'));
    await page.keyboard.press('ArrowLeft');
    await expectAttr(page, tid('outbox-tab-sent'), 'aria-selected', 'true', 'the sent tab');
    await shot(page, 'outbox-en');
    await page.click(tid('lang-switch-fr'));
    await page.click(tid('nav-settings'));
    const account = `${tid('account-row')}[data-email="${user.address}"]`;
    await visible(page, account, 'the account in Settings');
    if ((await page.getAttribute(`${account} ${tid('account-toggle')}`, 'aria-expanded')) !== 'true') {
      await page.click(`${account} ${tid('account-toggle')}`);
    }
    await visible(page, `${account} ${tid('account-details')}`, 'the account details');
  });
}

// --- Postmark (needs the mail test environment and the fake Postmark API) ---------------
// A send-only account through the wizard's Postmark tile: its test shows the unconfirmed
// sender signature, in words and with the fix, then passes once it is confirmed; a reply
// sent from it reaches Postmark; the server token regenerated in Postmark makes the next
// one fail in words, and once the new token is in the account's settings, Send again
// sends it, once. It ends where the inbox steps did: Settings, Alice's details open.
async function postmarkSteps(page) {
  const { user } = mail;
  const pmRow = `${tid('account-row')}[data-email="${PM.email}"]`;
  const outRow = (state, subject) => `${tid('outbox-row')}[data-state="${state}"]:has(${tid('outbox-row-subject')}:text-is("${subject}"))`;
  secretsUsed.push({ address: PM.email, token: PM.token }, { address: PM.email, token: PM.newToken });
  /** arrived waits until Postmark accepted a message with this subject, and returns them all. */
  const arrived = (subject) =>
    waitFor(async () => {
      const got = (await postmark.messages()).filter((m) => m.Subject === subject);
      return got.length > 0 && got;
    }, `Postmark accepted no message "${subject}"`, NET_TIMEOUT_MS);
  /** replyFrom answers a message of the inbox from the Postmark account. */
  const replyFrom = async (subject, marker) => {
    await page.click(tid('nav-inbox'));
    await openRow(page, subject);
    await page.click(tid('message-reply'));
    await visible(page, tid('composer-form'), 'the composer', NET_TIMEOUT_MS);
    const list = await backend(page, 'Accounts.List');
    const pm = list.ok && list.value.find((a) => a.email === PM.email);
    if (!pm) fail(`Accounts.List has no ${PM.email}`);
    await page.selectOption(tid('compose-from'), String(pm.id));
    await page.click(tid('compose-body'));
    await page.keyboard.press('Control+Home');
    await page.keyboard.type(`Bonjour, c’est noté. ${marker}\n`);
    await page.click(tid('composer-send'));
    await absent(page, `${tid('composer')}[open]`, 'the composer');
    await expectText(page, tid('toast-text'), fr.mail.compose.queued, 'the “queued” toast');
  };

  await step('the Postmark tile: a send-only account with its server token, no password asked', async () => {
    await page.click(tid('nav-settings'));
    await page.locator(tid('settings-accounts')).scrollIntoViewIfNeeded();
    await page.click(tid('account-add'));
    await visible(page, tid('wizard-stage-account'), 'the account wizard');
    await page.click(tid('provider-tile-postmark'));
    await absent(page, tid('wizard-password'), 'the password field');
    await page.fill(tid('wizard-email'), PM.email);
    await page.fill(tid('wizard-fromname'), PM.fromName);
    await shot(page, 'postmark-wizard-fr');
    await page.click(tid('wizard-continue'));
    await visible(page, tid('wizard-stage-settings'), 'the settings step');
    await expectAttr(page, tid('wizard-found'), 'data-kind', 'send_only', 'the banner');
    await expectText(page, tid('wizard-found'), fmt(fr.wizard.sendOnly, { provider: 'Postmark' }), 'the banner');
    await expectAttr(page, tid('wizard-settings-sender-fields'), 'data-kind', 'postmark', 'the sender');
    await page.fill(tid('wizard-settings-sender-secret'), PM.token);
    if (!(await page.isDisabled(tid('wizard-connect')))) fail('Connect is possible before a test passed');
  });

  await step('the test reaches Postmark: the sender signature is not confirmed, said in words with the fix', async () => {
    await page.click(tid('wizard-test-run'));
    await expectAttr(page, tid('wizard-test'), 'data-phase', 'failed', 'the connection test', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-test-step-postmark_sender'), 'data-status', 'failed', 'the Postmark step');
    await expectText(page, tid('wizard-test-what'), reasonText('fr', 'postmark_sender_unconfirmed', { from: PM.email, domain: PM.domain }), 'what happened');
    await expectText(page, tid('wizard-test-fix'), fmt(fr.accounts.hints.postmark_unconfirmed, { from: PM.email, domain: PM.domain }), 'the fix');
    await serverSaid(page, 'wizard-test', 'has not been confirmed');
    if (await page.isDisabled(tid('wizard-test-run'))) fail('the test cannot be run again');
    await page.locator(tid('wizard-test-step-postmark_sender')).scrollIntoViewIfNeeded();
    await shot(page, 'postmark-test-unconfirmed-fr');
    // The check went to Postmark's documented black hole, never to a person.
    const checks = await postmark.messages();
    if (checks.length !== 0) fail(`Postmark accepted ${checks.length} messages from an unconfirmed sender`);
    await noBackendEnglish(page, 'Postmark’s refused sender');
  });

  await step('confirmed in Postmark, the test passes; Connect saves the account, checked', async () => {
    await postmark.signature(PM.email, true);
    await page.click(tid('wizard-test-run'));
    await expectAttr(page, tid('wizard-test'), 'data-phase', 'passed', 'the connection test', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-test-step-postmark_sender'), 'data-status', 'ok', 'the Postmark step');
    await expectText(page, tid('wizard-test-summary'), fr.accounts.test.passedSendOnly, 'the test summary (nothing to receive)');
    const check = (await postmark.messages()).filter((m) => m.From === PM.email);
    if (check.length !== 1 || check[0].To !== 'AutoResponder@bounce-testing.postmarkapp.com') {
      fail(`the sender check sent ${JSON.stringify(check.map((m) => m.To))}, want one message to Postmark's test domain`);
    }
    await scrollToTop(page, `${tid('wizard')} .body`);
    await shot(page, 'postmark-test-passed-fr');
    await page.click(tid('wizard-connect'));
    await visible(page, tid('wizard-stage-done'), 'the last step', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-check'), 'data-checking', 'false', 'the check', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-status'), 'data-status', 'ok', 'the saved account');
    await page.click(tid('wizard-finish'));
    await absent(page, tid('wizard'), 'the wizard');
    await expectAttr(page, pmRow, 'data-status', 'ok', 'the Postmark account in the list');
    const res = await backend(page, 'Accounts.List');
    if (!res.ok || JSON.stringify(res.value).includes(PM.token)) fail('an account DTO carries the server token');
  });

  await step('a reply sent from the Postmark account reaches Postmark: From, To, Subject and Message-ID as queued', async () => {
    const marker = `e2e-pm-${Date.now().toString(36)}`;
    const subject = `Re: ${INBOX.word.subject}`;
    await replyFrom(INBOX.word.subject, marker);
    const [m, ...more] = await arrived(subject);
    if (more.length) fail(`Postmark accepted ${more.length + 1} messages "${subject}"`);
    if (!m.From.includes(PM.email) || !m.From.includes(PM.fromName)) fail(`From is ${JSON.stringify(m.From)}`);
    if (!m.To.includes('hugo@client.example')) fail(`To is ${JSON.stringify(m.To)}`);
    if (!m.TextBody.includes(marker)) fail('the text is not the one typed');
    if (m.Token !== PM.token) fail('it came with another token');
    await page.click(tid('toast-action'));
    await visible(page, tid('screen-outbox'), 'the outbox');
    await page.click(tid('outbox-tab-sent'));
    const sent = outRow('sent', subject);
    await visible(page, sent, 'the reply in the sent log', NET_TIMEOUT_MS);
    const answer = await page.innerText(`${sent} ${tid('outbox-row-answer')}`);
    if (answer !== `Postmark accepted the message (id ${m.MessageID})`) fail(`the answer reads ${JSON.stringify(answer)}, want Postmark's MessageID ${m.MessageID}`);
    const id = norm(await page.locator(`${sent} details code`).last().textContent());
    const header = (m.Headers ?? []).find((h) => h.Name.toLowerCase() === 'message-id')?.Value;
    if (!header || header !== id) fail(`Postmark got Message-ID ${header}, the outbox shows ${id}`);
    await page.locator(`${sent} details`).first().evaluate((d) => (d.open = true));
    await shot(page, 'outbox-postmark-sent-fr');
  });

  await step('the server token is regenerated in Postmark: the next reply fails, with why in words and Postmark’s own', async () => {
    await postmark.setToken(PM.newToken);
    const subject = `Re: ${INBOX.link.subject}`;
    await replyFrom(INBOX.link.subject, `e2e-pm-retry-${Date.now().toString(36)}`);
    await page.click(tid('nav-outbox'));
    await page.click(tid('outbox-tab-failed'));
    const failedRow = outRow('failed', subject);
    await visible(page, failedRow, 'the refused reply', NET_TIMEOUT_MS);
    await expectText(page, `${failedRow} ${tid('outbox-row-why')}`, reasonText('fr', 'postmark_token'), 'why, in French');
    const answer = await page.innerText(`${failedRow} ${tid('outbox-row-answer')}`);
    if (!answer.includes('ErrorCode 10') || !answer.includes('Server Token')) fail(`Postmark’s words read ${JSON.stringify(answer)}`);
    if (answer.includes(PM.token)) fail('the answer shows the token');
    await visible(page, `${tid('outbox-trouble')}[data-reason="postmark_token"]`, 'the account’s trouble');
    const trouble = norm(await page.innerText(tid('outbox-trouble')));
    if (!trouble.includes(norm(reasonText('fr', 'postmark_token'))) || !trouble.includes(norm(fr.outbox.troublePaused))) {
      fail(`the account’s trouble reads ${JSON.stringify(trouble)}, want the reason and the pause in French`);
    }
    await expectText(page, tid('outbox-count-failed'), '1', 'the failed count');
    await shot(page, 'outbox-postmark-token-refused-fr');
    if ((await postmark.messages()).some((m) => m.Subject === subject)) fail('Postmark accepted it with the old token');
  });

  await step('the new token goes into the account’s settings, tested before it is saved', async () => {
    await page.click(tid('nav-settings'));
    if ((await page.getAttribute(`${pmRow} ${tid('account-toggle')}`, 'aria-expanded')) !== 'true') {
      await page.click(`${pmRow} ${tid('account-toggle')}`);
    }
    await page.click(`${pmRow} ${tid('account-edit')}`);
    await visible(page, tid('account-edit-dialog'), 'the edit form');
    if ((await page.inputValue(tid('edit-sender-secret'))) !== '') fail('the edit form shows the token');
    await page.click(tid('account-edit-test'));
    await expectAttr(page, tid('edit-test'), 'data-phase', 'failed', 'the test with the saved token', NET_TIMEOUT_MS);
    await expectText(page, tid('edit-test-what'), reasonText('fr', 'postmark_token'), 'what happened');
    await expectText(page, tid('edit-test-fix'), fr.accounts.hints.postmark_token, 'the fix');
    await page.fill(tid('edit-sender-secret'), PM.newToken);
    await page.click(tid('account-edit-test'));
    await expectAttr(page, tid('edit-test'), 'data-phase', 'passed', 'the test with the new token', NET_TIMEOUT_MS);
    await shot(page, 'postmark-edit-token-fr');
    await page.click(tid('account-edit-save'));
    await absent(page, tid('account-edit-dialog'), 'the edit form');
  });

  await step('Send again sends the refused reply through Postmark, exactly once', async () => {
    const subject = `Re: ${INBOX.link.subject}`;
    await page.click(tid('nav-outbox'));
    await page.click(tid('outbox-tab-failed'));
    const failedRow = outRow('failed', subject);
    await expectText(page, `${failedRow} ${tid('outbox-retry')}`, fr.outbox.actions.retry, 'the button');
    await page.click(`${failedRow} ${tid('outbox-retry')}`);
    await visible(page, `${tid('toast-text')}:text-is("${fr.outbox.done.retry}")`, 'the confirmation');
    const [m] = await arrived(subject);
    if (m.Token !== PM.newToken) fail('it came with the old token');
    await page.click(tid('outbox-tab-sent'));
    const sent = outRow('sent', subject);
    await visible(page, sent, 'the reply in the sent log', NET_TIMEOUT_MS);
    const answer = await page.innerText(`${sent} ${tid('outbox-row-answer')}`);
    if (answer !== `Postmark accepted the message (id ${m.MessageID})`) fail(`the answer reads ${JSON.stringify(answer)}`);
    await expectText(page, tid('outbox-count-failed'), '0', 'the failed count');
    await absent(page, tid('outbox-trouble'), 'the account’s trouble');
    await shot(page, 'outbox-retry-fixed-fr');
    await sleep(1500); // a second delivery would come now
    const all = (await postmark.messages()).filter((x) => x.Subject === subject);
    if (all.length !== 1) fail(`Postmark accepted the retried reply ${all.length} times`);
  });

  await step('back in Settings with the mailbox’s details open', async () => {
    await page.click(tid('nav-settings'));
    const account = `${tid('account-row')}[data-email="${user.address}"]`;
    await visible(page, account, 'the account in Settings');
    if ((await page.getAttribute(`${account} ${tid('account-toggle')}`, 'aria-expanded')) !== 'true') {
      await page.click(`${account} ${tid('account-toggle')}`);
    }
    await visible(page, `${account} ${tid('account-details')}`, 'the account details');
  });
}

/** secretsStep greps every file of the app's data directory for the passwords used, while
 * the app runs (database, WAL, logs) and again once it stopped. */
// --- records --------------------------------------------------------------------------

const INVOICE = { number: 'FAC-2026-0042', company: 'Atelier Dupont' };

async function recordTabs(page) {
  return (await page.locator(tid('records-tab')).allInnerTexts()).map(norm);
}

async function openTab(page, key) {
  await page.click(`${tid('records-tab')}[data-tab="${key}"]`);
  await expectAttr(page, `${tid('records-tab')}[data-tab="${key}"]`, 'aria-selected', 'true', `the ${key} tab`);
}

async function recordsSteps(page) {
  let types = [];
  const invoiceType = () => types.find((t) => t.key === 'facture');

  await step('the Records screen is back, with one tab per kind: Contacts, Entreprises (fr)', async () => {
    await page.click(tid('lang-switch-fr'));
    await page.click(tid('nav-records'));
    await visible(page, tid('screen-records'), 'the records screen');
    await expectText(page, tid('screen-title'), fr.screens.records.title, 'the records title');
    await waitFor(async () => (await recordTabs(page)).length === 4, 'four tabs');
    const tabs = await recordTabs(page);
    const want = [fr.records.builtin.contact.plural, fr.records.builtin.company.plural, fr.records.tabs.trash, fr.records.tabs.editor];
    if (JSON.stringify(tabs) !== JSON.stringify(want)) fail(`the tabs read ${JSON.stringify(tabs)}, want ${JSON.stringify(want)}`);
    await expectText(page, tid('records-empty-title'), fmt(fr.records.list.emptyTitle, { name: fr.records.builtin.contact.plural }), 'the contacts empty state');
    await expectText(page, tid('records-empty-create'), fr.records.list.emptyCreate, 'the create button');
    // The contacts' built-in fields are worded in French in the column chooser.
    await page.click(tid('record-columns'));
    await expectText(page, `${tid('record-column-first_name')} >> xpath=..`, fr.records.builtin.contact.fields.first_name, 'the first name column');
    await page.click(tid('record-columns'));
    await shot(page, 'records-contacts-fr');
  });

  await step('an admin creates the kind Factures: Numéro, Montant (€), Échéance, Payée, Client (an Entreprise)', async () => {
    await openTab(page, 'editor');
    await visible(page, tid('type-new-form'), 'the new kind form');
    await page.fill(tid('type-singular'), 'Facture');
    await page.fill(tid('type-plural'), 'Factures');
    await page.fill(tid('type-title-label'), 'Numéro');
    await page.click(tid('type-create'));
    await visible(page, `${tid('records-tab')}[data-tab="facture"]`, 'the Factures tab');
    await visible(page, `${tid('editor-field')}[data-key="numero"]`, 'the Numéro field');
    const add = async (label, kind, more = async () => {}) => {
      await page.fill(tid('field-label'), label);
      await page.selectOption(tid('field-kind'), kind);
      await more();
      await page.click(tid('field-add'));
    };
    await add('Montant', 'money', () => page.fill(tid('field-currency'), 'EUR'));
    await visible(page, `${tid('editor-field')}[data-key="montant"]`, 'the Montant field');
    await add('Échéance', 'date');
    await visible(page, `${tid('editor-field')}[data-key="echeance"]`, 'the Échéance field');
    await add('Payée', 'checkbox');
    await visible(page, `${tid('editor-field')}[data-key="payee"]`, 'the Payée field');
    await add('Client', 'link', () => page.selectOption(tid('field-target'), { label: fr.records.builtin.company.plural }));
    await visible(page, `${tid('editor-field')}[data-key="client"]`, 'the Client field');
    const res = await backend(page, 'Records.Types');
    if (!res.ok) fail(`Records.Types: ${JSON.stringify(res)}`);
    types = res.value;
    const t = invoiceType();
    const company = types.find((x) => x.builtin === 'company');
    const kinds = (t?.fields ?? []).map((f) => `${f.key}:${f.kind}${f.currency ? `:${f.currency}` : ''}${f.targetTypeId ? `:${f.targetTypeId}` : ''}`);
    const want = ['numero:text', 'montant:money:EUR', 'echeance:date', 'payee:checkbox', `client:link:${company?.id}`];
    if (JSON.stringify(kinds) !== JSON.stringify(want)) fail(`Factures has ${JSON.stringify(kinds)}, want ${JSON.stringify(want)}`);
    await shot(page, 'records-type-editor-fr');
  });

  await step('a company, then an invoice linked to it, created by hand', async () => {
    await openTab(page, 'company');
    await page.click(tid('records-empty-create'));
    await page.fill(tid('record-new-input-name'), INVOICE.company);
    await page.click(tid('record-new-submit'));
    await expectText(page, tid('record-title'), INVOICE.company, 'the company’s page');
    await openTab(page, 'facture');
    await expectText(page, tid('records-empty-title'), fmt(fr.records.list.emptyTitle, { name: 'Factures' }), 'the invoices empty state');
    await page.click(tid('records-empty-create'));
    await page.fill(tid('record-new-input-numero'), INVOICE.number);
    await page.fill(tid('record-new-input-montant'), '1 250,00');
    await page.fill(tid('record-new-input-echeance'), '2026-03-31');
    await page.fill(tid('record-new-input-client-search'), 'atel');
    await page.click(tid('record-new-input-client-option'));
    await expectText(page, tid('record-new-input-client-chosen'), `${INVOICE.company} ×`, 'the chosen company');
    await shot(page, 'records-new-invoice-fr');
    await page.click(tid('record-new-submit'));
    await expectText(page, tid('record-title'), INVOICE.number, 'the invoice’s page');
    await expectText(page, tid('record-value-montant'), '1 250,00 € ✎', 'the amount');
    await expectText(page, tid('record-value-echeance'), '31 mars 2026 ✎', 'the due date');
    await expectText(page, `${tid('record-field')}[data-key="client"] ${tid('record-link')}`, INVOICE.company, 'the client link');
    const meta = norm(await page.locator(tid('record-meta')).innerText());
    if (!meta.includes(OWNER.name)) fail(`the page says "${meta}", without who created it`);
  });

  await step('the company’s page shows the invoice', async () => {
    await page.click(`${tid('record-field')}[data-key="client"] ${tid('record-link')}`);
    await expectText(page, tid('record-title'), INVOICE.company, 'the company’s page');
    await expectText(page, `${tid('record-backlinks')} h3`, 'Factures (champ « Client »)', 'the invoices heading');
    await expectText(page, tid('record-backlink'), INVOICE.number, 'the invoice');
    await visible(page, tid('record-timeline'), 'the place of the email timeline');
    await shot(page, 'records-company-fr');
  });

  await step('the search finds the invoice by a prefix of its number, as it is typed', async () => {
    const other = await backend(page, 'Records.Create', { typeId: invoiceType().id, values: { numero: 'AVOIR-7', montant: 80 } });
    if (!other.ok) fail(`Records.Create: ${JSON.stringify(other)}`);
    await openTab(page, 'facture');
    await waitFor(async () => (await page.locator(tid('record-row')).count()) === 2, 'two invoices');
    await page.locator(tid('record-count')).click();
    await page.keyboard.press('/');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== 'record-search') fail(`/ focused ${focused}, want the search`);
    await page.keyboard.type('fac-20', { delay: 40 });
    await waitFor(async () => (await page.locator(tid('record-row')).count()) === 1, 'one invoice found');
    const row = norm(await page.locator(tid('record-row')).innerText());
    if (!row.startsWith(INVOICE.number)) fail(`the row reads "${row}"`);
    await shot(page, 'records-search-fr');
  });

  await step('arrows and Enter open it; a field edited in place, refused in words, then saved', async () => {
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expectText(page, tid('record-title'), INVOICE.number, 'the invoice’s page');
    await page.click(tid('record-value-montant'));
    await page.fill(tid('record-input-montant'), 'douze');
    await page.keyboard.press('Enter');
    await expectText(page, tid('record-field-montant-error'), reasonText('fr', 'records_value_not_money', { field: 'Montant' }), 'the refusal');
    await noBackendEnglish(page, 'a refused amount');
    await shot(page, 'records-field-error-fr');
    await page.fill(tid('record-input-montant'), '1 300');
    await page.keyboard.press('Enter');
    await expectText(page, tid('record-value-montant'), '1 300,00 € ✎', 'the new amount');
    const id = Number(await page.locator(tid('record-page')).getAttribute('data-id'));
    const got = await backend(page, 'Records.Get', id);
    if (!got.ok || got.value.record.values.montant !== 1300) fail(`Records.Get: ${JSON.stringify(got)}`);
    await visible(page, tid('record-updated'), 'who edited it and when');
  });

  await step('Mettre à la corbeille, then Annuler in the toast brings it back', async () => {
    const id = Number(await page.locator(tid('record-page')).getAttribute('data-id'));
    await page.click(tid('record-delete'));
    await expectText(page, tid('toast-text'), fmt(fr.records.page.deleted, { title: INVOICE.number }), 'the toast');
    await expectText(page, tid('toast-action'), fr.records.page.undo, 'the undo button');
    await visible(page, tid('record-list'), 'the list');
    await waitFor(async () => (await page.locator(`${tid('record-row')}[data-id="${id}"]`).count()) === 0, 'the invoice gone from the list');
    const trashed = await backend(page, 'Records.Get', id);
    if (!trashed.ok || !trashed.value.record.deletedAt) fail(`the invoice is not in the trash: ${JSON.stringify(trashed)}`);
    await shot(page, 'records-deleted-fr');
    await page.click(tid('toast-action'));
    await expectText(page, tid('record-title'), INVOICE.number, 'the invoice back');
    const back = await backend(page, 'Records.Get', id);
    if (!back.ok || back.value.record.deletedAt !== '') fail(`the invoice is still in the trash: ${JSON.stringify(back)}`);
  });

  await step('the list offers Importer (admins) and Exporter: each opens its dialog, in French', async () => {
    await page.click(tid('record-back'));
    await visible(page, tid('record-list'), 'the list');
    await page.click(tid('record-import'));
    await visible(page, tid('import-wizard'), 'the import wizard');
    await expectText(page, tid('import-choose'), fr.imports.choose, 'the file button');
    await noBackendEnglish(page, 'the import wizard');
    await shot(page, 'records-import-fr');
    await page.keyboard.press('Escape');
    await absent(page, tid('import-wizard'), 'the import wizard');
    await page.click(tid('record-export'));
    await visible(page, tid('records-export-dialog'), 'the export dialog');
    await expectText(page, tid('export-csv'), fr.imports.export.csv, 'the CSV export button');
    await page.keyboard.press('Escape');
    await absent(page, tid('records-export-dialog'), 'the export dialog');
  });
}

async function secretsStep() {
  if (mail.missing.length || secretsUsed.length === 0) return;
  await step('no file of the data directory holds a password; the protocol log holds IMAP traffic', async () => {
    const protocolLog = join(dataDir, 'logs', 'protocol.log');
    if (!existsSync(protocolLog)) fail('logs/protocol.log does not exist (MAILROOM_PROTOCOL_LOG=1)');
    const traffic = readFileSync(protocolLog, 'utf8');
    if (!/CAPABILITY/.test(traffic) || !/LOGIN|AUTHENTICATE/.test(traffic)) fail('logs/protocol.log holds no IMAP login');
    const forms = secretsUsed.flatMap((u) =>
      u.token ? [{ label: `a Postmark server token of ${u.address}`, bytes: Buffer.from(u.token, 'utf8') }] : secretForms(u.address, u.password),
    );
    const files = filesUnder(dataDir).map((f) => f.slice(dataDir.length + 1));
    for (const want of ['mailroom.db', 'logs/mailroom.log', 'logs/protocol.log']) {
      if (!files.includes(want)) fail(`the data directory has no ${want}: ${files.join(', ')}`);
    }
    const running = leaks(dataDir, forms);
    await stopBackend();
    const stopped = leaks(dataDir, forms);
    const all = [...new Set([...running, ...stopped])];
    if (all.length) fail(`secrets found:\n${all.join('\n')}`);
    console.log(`     searched ${files.join(', ')}`);
  });
}

async function main() {
  const bin = checkSetup('go build -tags dev,webkit2_41,sqlite_fts5 -o build/bin/mailroom-dev .', 'failure.png');

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;

  await step('the fake Postmark API is built and listens on 127.0.0.1', async () => {
    postmark = await startPostmark({ token: PM.token, signatures: [PM.email], logPath: join(outDir, 'testpostmark.log'), dir: tempDir('mailroom-e2e-postmark-') });
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(postmark.url)) fail(`it listens on ${postmark.url}`);
  });
  if (runner.failed) return;

  await step('the test DNS server is built and answers on 127.0.0.1, the app’s only DNS server', async () => {
    const zone = mail.missing.length ? '' : deliverabilityZone(mail.domain);
    dns = await startDNS({ zone, logPath: join(outDir, 'testdns.log'), dir: tempDir('mailroom-e2e-dns-') });
    if (!/^127\.0\.0\.1:\d+$/.test(dns.addr)) fail(`it answers on ${dns.addr}`);
  });
  if (runner.failed) return;

  await step(`the dev binary serves the app on ${url}`, async () => {
    child = startBackend(resolve(bin), port);
    await waitForHttp(url, child, logTail);
  });
  if (runner.failed) return;

  const opened = await openPage('en-US');
  browser = opened.browser;
  const { page, problems } = opened;

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
    await expectText(page, tid('onboarding-name-error'), reasonText('fr', 'user_name_missing'), 'the name error');
    await expectAttr(page, tid('onboarding-name'), 'aria-invalid', 'true', 'the name field');
    await noBackendEnglish(page, 'the onboarding with an empty name');
  });

  await step('an invalid email is refused next to the email field', async () => {
    await page.fill(tid('onboarding-name'), OWNER.name);
    await page.fill(tid('onboarding-email'), 'camille.martin@');
    await page.click(tid('onboarding-submit'));
    await expectText(page, tid('onboarding-email-error'), reasonText('fr', 'user_email_invalid'), 'the email error');
    await expectAttr(page, tid('onboarding-email'), 'aria-invalid', 'true', 'the email field');
    await absent(page, tid('onboarding-name-error'), 'the name error');
    await visible(page, tid('screen-onboarding'), 'the onboarding screen');
    await shot(page, 'onboarding-error-fr');
    await noBackendEnglish(page, 'the onboarding with an invalid address');
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

  // The Records screen has its own steps (recordsSteps).
  for (const s of SCREENS.filter((x) => x !== 'records')) {
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

  await step('Settings → About shows the version and every shipped component with its licence (fr)', async () => {
    await page.click(tid('nav-settings'));
    const st = await backend(page, 'System.Status');
    if (!st.ok || !st.value.version) fail(`System.Status gave no version: ${JSON.stringify(st)}`);
    await expectText(page, tid('about-version'), st.value.version, 'the version');
    const count = licenses.go.length + licenses.npm.length;
    const summary = norm(await page.locator(tid('about-licenses-summary')).innerText());
    const intro = norm(new IntlMessageFormat(fr.settings.about.licenses.summary, 'fr').format({ count }));
    if (!summary.startsWith(intro) || !summary.includes('MIT (')) fail(`the summary reads "${summary}", want "${intro} MIT (…), …"`);
    await page.locator(`${tid('about-licenses')} summary`).click();
    for (const [group, list] of Object.entries(licenses)) {
      const rows = page.locator(`${tid(`about-licenses-${group}`)} tbody tr`);
      await waitFor(async () => (await rows.count()) === list.length, `${list.length} ${group} rows`);
    }
    const svelte = licenses.npm.find((c) => c.name === 'svelte');
    const row = page.locator(`${tid('about-licenses-npm')} tbody tr`, { has: page.locator('td.name', { hasText: /^svelte$/ }) });
    const cells = (await row.locator('td').allInnerTexts()).map(norm);
    if (cells.join(' | ') !== `svelte | ${svelte.version} | ${svelte.license}`) fail(`the svelte row reads "${cells.join(' | ')}"`);
    await page.locator(tid('settings-about')).scrollIntoViewIfNeeded();
    await shot(page, 'settings-about-fr');
  });

  await step('the inbox button opens the account wizard in Settings; Escape closes it', async () => {
    await page.click(tid('nav-inbox'));
    await page.click(tid('empty-state-action'));
    await visible(page, tid('screen-settings'), 'the settings screen');
    await visible(page, tid('wizard-stage-account'), 'the account wizard');
    await expectText(page, tid('wizard-title'), fr.wizard.title, 'the wizard title');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== 'wizard-email') fail(`the wizard opened with ${focused} focused, want the address field`);
    await page.keyboard.press('Escape');
    await absent(page, tid('wizard'), 'the account wizard');
  });

  await step('the sidebar offers every screen, in order; an old link to an unknown screen shows the inbox', async () => {
    const navs = await page.locator('nav [data-testid^="nav-"]').evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-testid')).filter((id) => !id.endsWith('-count')),
    );
    if (JSON.stringify(navs) !== JSON.stringify(SCREENS.map((s) => `nav-${s}`))) {
      fail(`the sidebar offers ${JSON.stringify(navs)}, want ${JSON.stringify(SCREENS.map((s) => `nav-${s}`))}`);
    }
    // An old or mistyped link shows the inbox.
    for (const s of HIDDEN_SCREENS) {
      await page.evaluate((h) => {
        location.hash = h;
      }, `#/${s}`);
      await visible(page, tid('screen-inbox'), `the inbox, for #/${s}`);
    }
  });

  await step('Ctrl+6 opens the Outbox and arrow keys move along the sidebar', async () => {
    await page.keyboard.press('Control+6');
    await visible(page, tid('screen-outbox'), 'the outbox');
    await page.focus(tid('nav-outbox'));
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== 'nav-settings') fail(`ArrowDown from the Outbox focused ${focused}, want nav-settings`);
    await page.keyboard.press('Enter');
    await visible(page, tid('screen-settings'), 'the settings screen');
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
    await expectText(page, tid('user-new-email-error'), reasonText('en', 'user_email_taken', { address: COLLEAGUE.email }), 'the email error');
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

  await peopleSteps(page, resolve(bin), port, url);
  if (runner.failed) return;

  await accountsSteps(page);

  await recordsSteps(page);
  await templatesSteps(page, step);
  await automationsSteps(page, step);
  await recordsImportSteps(page, step, appEnvKept?.MAILROOM_TEST_DIALOG_FILE);
  await filingSteps(page, { step, mimeMessage, invoice: INVOICE, dialogFile: appEnvKept?.MAILROOM_TEST_DIALOG_FILE });
  await sendButtonSteps(page, step);
  await bulkSendSteps(page, step);
  await backupSteps(page, { step, bin: resolve(bin), secrets: secretsUsed, owner: OWNER, ownerPassword: OWNER_PASSWORD });

  await step('the page raised no script errors and logged no errors or warnings', async () => {
    noPageProblems(problems);
  });

  await secretsStep();

  await runner.failureReport(page, 'failure.png', logTail);
}

await runner.run(main, cleanup);
