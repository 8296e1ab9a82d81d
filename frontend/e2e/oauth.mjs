// End-to-end test of Sign in with Google, in Chromium against the real app.
//
// The dev-tagged binary (MAILROOM_DEV_BINARY) runs with a fresh data directory, Google's
// sign-in pointed at the test OpenID provider of the mail test environment
// (MAILROOM_GOOGLE_ISSUER=$MAILROOM_TEST_OIDC_URL, which signs in as the login_hint
// address), and BROWSER set to a small script that writes the sign-in page's address to a
// file: the test opens it in another Chromium page (the "system browser"), which the
// provider sends back to the app's loopback listener. The account is a fresh Dovecot user
// of example.test, whose servers come from an admin's domain preset; Dovecot checks its
// XOAUTH2 tokens with the provider, Postfix relays its mail.
//
//   make dev-binary
//   dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//     MAILROOM_TEST_KEYRING=1 MAILROOM_REQUIRE_INTEGRATION=1 scripts/testenv/with-env.sh
//     xvfb-run -a -s "-screen 0 1280x900x24" env MAILROOM_DEV_BINARY=$PWD/build/bin/mailroom-dev node frontend/e2e/oauth.mjs'
//
// Steps: the wizard's Google tile and the address → Sign in with Google → the provider's
// page → back in the wizard, signed in; the connection test over XOAUTH2; Connect; a
// message delivered over LMTP shows in the inbox (synced over XOAUTH2); a test email is
// sent over XOAUTH2 and arrives; the grant is revoked at the provider → the account needs
// a sign-in; Sign in again; Disconnect without keeping the mail. Screenshots go to
// build/e2e/oauth-*.png. It prints one line per step and, last, "oauth: N passed, M failed";
// it stops at the first failed step and exits non-zero.
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  absent,
  appEnv,
  backend,
  checkSetup,
  createRunner,
  delivered,
  expectAttr,
  expectText,
  fail,
  fmt,
  freePort,
  frontendDir,
  guardProcesses,
  lmtpDeliver,
  mailEnv,
  noPageProblems,
  norm,
  openPage,
  outDir,
  shot,
  spawnApp,
  stopGroup,
  tempDirs,
  tid,
  visible,
  waitFor,
  waitForHttp,
} from './lib.mjs';

const NET_TIMEOUT_MS = 60_000;

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/en.json'), 'utf8'));
const OWNER = { name: 'Camille Martin', email: 'camille.martin@atelier-martin.fr' };

const runner = createRunner('oauth');
const { step } = runner;
let child = null;
let dataDir = null;
let browser = null;
const temp = tempDirs();
const tempDir = temp.make;
const logTail = [];

guardProcesses('oauth', () => [child?.pid], cleanup);

async function cleanup() {
  if (browser) {
    await browser.close().catch(() => {});
    browser = null;
  }
  if (child?.pid !== undefined) {
    const pid = child.pid;
    child = null;
    await stopGroup(pid);
  }
  // MAILROOM_E2E_KEEP=1 keeps the data directory (logs, database) to look at.
  if (process.env.MAILROOM_E2E_KEEP === '1') {
    if (dataDir) console.log(`     kept the data directory: ${dataDir}`);
    return;
  }
  temp.removeAll();
}

/** authLines are the protocol log's lines about signing in, to show when one is missing. */
function authLines(log) {
  return log
    .split('\n')
    .filter((l) => /AUTH|LOGIN/i.test(l))
    .slice(0, 12)
    .join('\n');
}

// --- the "system browser" -------------------------------------------------------------

/** fakeBrowser writes the executable BROWSER points at: it appends its first argument (the
 * sign-in page's address) to a file, one line each. */
function fakeBrowser() {
  const dir = tempDir('mailroom-oauth-browser-');
  const urls = join(dir, 'urls');
  const bin = join(dir, 'browser');
  writeFileSync(urls, '');
  writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urls}'\n`);
  chmodSync(bin, 0o755);
  return { bin, urls };
}

/** openedUrls lists the addresses the app asked the browser to open, oldest first. */
function openedUrls(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** signInInBrowser waits for the app to ask for its (count+1)th page, opens it in a page of
 * its own (another context: the user's browser), follows the provider back to the app's
 * loopback listener and returns the page that says to return to Mailroom. */
async function signInInBrowser(urlsFile, count, address, shotName) {
  const url = await waitFor(() => openedUrls(urlsFile)[count], 'the app did not ask the browser to open a page');
  const u = new URL(url);
  const oidc = new URL(process.env.MAILROOM_TEST_OIDC_URL);
  if (u.origin !== oidc.origin) fail(`the sign-in page is on ${u.origin}, want the test provider ${oidc.origin}`);
  const want = { client_id: 'test-client', response_type: 'code', code_challenge_method: 'S256', login_hint: address };
  for (const [k, v] of Object.entries(want)) {
    if (u.searchParams.get(k) !== v) fail(`the sign-in page's ${k} is ${JSON.stringify(u.searchParams.get(k))}, want ${v}`);
  }
  for (const k of ['code_challenge', 'state', 'redirect_uri']) if (!u.searchParams.get(k)) fail(`the sign-in page has no ${k}`);
  const back = new URL(u.searchParams.get('redirect_uri'));
  if (back.hostname !== '127.0.0.1') fail(`the provider sends the browser back to ${back.host}, want the loopback 127.0.0.1`);
  const ctx = await browser.newContext({ viewport: { width: 900, height: 600 }, locale: 'fr-FR' });
  const tab = await ctx.newPage();
  const res = await tab.goto(url);
  const landed = new URL(tab.url());
  if (landed.hostname !== '127.0.0.1' || landed.port !== back.port) fail(`the browser ended on ${tab.url()}, not the app's listener`);
  if (res?.status() !== 200) fail(`the app's listener answered ${res?.status()}`);
  const text = norm(await tab.innerText('body'));
  if (!text.includes('Connexion réussie') || !text.includes('Vous pouvez revenir à Mailroom')) {
    fail(`the browser page reads "${text}", want the French and English "return to Mailroom"`);
  }
  if (text.includes('code=') || text.includes(landed.searchParams.get('code') ?? '\u0000')) fail('the browser page shows the code');
  if (shotName) await tab.screenshot({ path: join(outDir, `${shotName}.png`) });
  await ctx.close();
}

// --- the run ------------------------------------------------------------------------

async function main() {
  const bin = checkSetup('make dev-binary', 'oauth-failure.png');

  const mail = mailEnv();
  const oidcUrl = process.env.MAILROOM_TEST_OIDC_URL;
  const missing = [...mail.missing, ...(oidcUrl ? [] : ['MAILROOM_TEST_OIDC_URL']), ...(mail.passwdFile ? [] : ['MAILROOM_TEST_PASSWD_FILE'])];
  if (missing.length) {
    const why = `no mail test environment (${missing.join(', ')} not set): run under scripts/testenv/with-env.sh`;
    if (process.env.MAILROOM_REQUIRE_INTEGRATION === '1') {
      await step('the mail test environment is there (MAILROOM_REQUIRE_INTEGRATION=1)', () => fail(why));
    } else {
      console.log(`skip: ${why}`);
    }
    return;
  }
  const { imaps, smtp, domain, other } = mail;
  // A mailbox of its own: the steps count what arrives in it.
  const address = `tmp-${randomBytes(6).toString('hex')}@${domain}`;
  const userPassword = randomBytes(12).toString('hex');
  const browserScript = fakeBrowser();
  const row = `${tid('account-row')}[data-email="${address}"]`;
  const GOOGLE = 'Google';
  let accountId = 0;

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;

  await step(`a fresh Dovecot user ${address}; the app starts with Google pointed at the test provider`, async () => {
    appendFileSync(mail.passwdFile, `${address}:{PLAIN}${userPassword}::::::\n`);
    const wellKnown = await fetch(`${oidcUrl}/.well-known/openid-configuration`);
    if (!wellKnown.ok) fail(`the test provider answered ${wellKnown.status} for its discovery document`);
    const app = appEnv(temp, 'oauth');
    dataDir = app.dataDir;
    const env = {
      ...app.env,
      // The servers' certificate: trusted as a CA here (run.mjs trusts it through the UI).
      MAILROOM_CA_FILE: mail.caFile,
      MAILROOM_GOOGLE_ISSUER: oidcUrl,
      MAILROOM_GOOGLE_CLIENT_ID: 'test-client',
      // An organisation's Microsoft registration, so the wizard offers Sign in with Microsoft
      // (step 13 checks the offer; no Microsoft sign-in is started).
      MAILROOM_MICROSOFT_CLIENT_ID: '1a2b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b',
      BROWSER: browserScript.bin,
    };
    delete env.MAILROOM_AUTOCONFIG_URLS;
    delete env.MAILROOM_GOOGLE_CLIENT_SECRET;
    child = spawnApp(resolve(bin), port, env, join(outDir, 'mailroom-oauth.log'), logTail);
    await waitForHttp(url, child, logTail);
  });
  if (runner.failed) return;

  const opened = await openPage('fr-FR');
  browser = opened.browser;
  const { page, problems } = opened;

  await step('onboarding in French; an admin preset gives example.test its servers (IMAPS, SMTP with STARTTLS)', async () => {
    await page.goto(url);
    await visible(page, tid('screen-onboarding'), 'the onboarding screen');
    await page.click(tid('onboarding-language-fr'));
    await page.fill(tid('onboarding-name'), OWNER.name);
    await page.fill(tid('onboarding-email'), OWNER.email);
    await page.click(tid('onboarding-submit'));
    await visible(page, tid('shell'), 'the app shell');
    const server = (s, security) => ({ host: s.host, port: s.port, security, username: '' });
    const saved = await backend(page, 'Presets.Save', {
      domain,
      imap: server(imaps, 'tls'),
      smtp: server(smtp, 'starttls'),
      usernameForm: 'email',
      exchangeUrl: '',
      updatedAt: '',
    });
    if (!saved.ok) fail(`Presets.Save failed: ${JSON.stringify(saved.error)}`);
  });

  await step('the wizard: the Gmail tile and the address offer “Sign in with Google”, no password', async () => {
    await page.click(tid('nav-settings'));
    await visible(page, tid('settings-accounts'), 'the accounts section');
    await page.click(tid('account-add'));
    await visible(page, tid('wizard-stage-account'), 'the account wizard');
    await page.click(tid('provider-tile-gmail'));
    await page.fill(tid('wizard-email'), address);
    await page.fill(tid('wizard-fromname'), 'Ana Lopes');
    await expectAttr(page, tid('wizard-signin'), 'data-provider', 'google', 'the sign-in button');
    await expectText(page, tid('wizard-signin'), fmt(fr.accounts.oauth.signInWith, { provider: GOOGLE }), 'the sign-in button');
    await absent(page, tid('wizard-password'), 'the password field');
    await absent(page, tid('wizard-continue'), 'Continue');
    await expectAttr(page, tid('wizard-notes-signin'), 'data-mode', 'signIn', 'the sign-in notice');
    await expectText(page, `${tid('wizard-notes-signin')} .title`, fr.accounts.signIn.google.title, 'the notice title');
    // The app password path comes back on demand, and goes again.
    await page.click(tid('wizard-use-password'));
    await visible(page, tid('wizard-password'), 'the password field');
    await expectAttr(page, tid('wizard-notes-signin'), 'data-mode', 'password', 'the app password notice');
    await expectText(page, `${tid('wizard-notes-signin')} .title`, fr.accounts.signIn.google.passwordTitle, 'the notice title');
    await page.click(tid('wizard-use-signin'));
    await absent(page, tid('wizard-password'), 'the password field');
    await shot(page, 'oauth-wizard-fr');
  });

  await step('Sign in with Google waits for the browser; the provider’s page comes back to Mailroom', async () => {
    await page.click(tid('wizard-signin'));
    await visible(page, tid('wizard-signin-waiting'), 'the waiting stage');
    await expectAttr(page, tid('wizard-signin-waiting'), 'data-opened', 'true', 'the waiting stage (browser opened)');
    await expectText(page, tid('wizard-signin-waiting-title'), fr.accounts.oauth.waitingTitle, 'the waiting title');
    const focused = await page.evaluate(() => document.activeElement?.id);
    if (focused !== 'wizard-signin-waiting-title') fail(`the focus is on ${focused}, want the waiting title`);
    // Open the page again is offered once the browser was asked. (Not clicked here: the dev
    // server answers one page's calls one after the other, so it would wait behind SignIn;
    // the desktop window does not.)
    if (await page.isDisabled(tid('wizard-signin-waiting-reopen'))) fail('“Open the page again” is disabled while the browser waits');
    await visible(page, tid('wizard-signin-waiting-cancel'), 'Cancel');
    if (openedUrls(browserScript.urls).length !== 1) fail(`the browser was asked ${openedUrls(browserScript.urls).length} times, want once`);
    await shot(page, 'oauth-waiting-fr');
    await signInInBrowser(browserScript.urls, 0, address, 'oauth-browser-return');
  });

  await step('back in the wizard: “signed in as” the address with Google, the preset’s servers, no password field', async () => {
    await visible(page, tid('wizard-stage-settings'), 'the settings', NET_TIMEOUT_MS);
    await expectText(page, tid('wizard-signed-in'), fmt(fr.accounts.oauth.signedIn, { email: address, provider: GOOGLE }), 'the signed-in line');
    await absent(page, tid('wizard-settings-password'), 'the password field');
    await expectText(page, `${tid('wizard-settings-signed-in')} .line`, fmt(fr.accounts.oauth.signedInShort, { provider: GOOGLE }), 'the sign-in in place of the password');
    if (!(await page.isDisabled(tid('wizard-settings-email')))) fail('the signed-in address can be changed');
    await expectAttr(page, tid('wizard-source'), 'data-source', 'preset', 'the settings source');
    const want = {
      'wizard-settings-imap-host': imaps.host,
      'wizard-settings-imap-port': String(imaps.port),
      'wizard-settings-smtp-port': String(smtp.port),
      'wizard-settings-imap-username': address,
    };
    for (const [id, v] of Object.entries(want)) {
      const got = await page.inputValue(tid(id));
      if (got !== v) fail(`${id} holds ${JSON.stringify(got)}, want ${JSON.stringify(v)}`);
    }
    if (!(await page.isDisabled(tid('wizard-connect')))) fail('Connect is possible before a test passed');
  });

  await step('the connection test passes every step over XOAUTH2: IMAP login, capabilities, SMTP', async () => {
    await page.click(tid('wizard-test-run'));
    await expectAttr(page, tid('wizard-test'), 'data-phase', 'passed', 'the connection test', NET_TIMEOUT_MS);
    for (const s of ['dns', 'tcp', 'tls', 'imap_login', 'capabilities', 'smtp_login']) {
      await expectAttr(page, tid(`wizard-test-step-${s}`), 'data-status', 'ok', `the ${s} step`);
    }
    await expectText(page, tid('wizard-test-summary'), fr.accounts.test.passed, 'the test summary');
    await page.locator(`${tid('wizard')} .body`).first().evaluate((el) => el.scrollTo(0, 0));
    await shot(page, 'oauth-test-passed-fr');
  });

  await step('Connect saves the account signed in with Google, checks it, and it is connected', async () => {
    await page.click(tid('wizard-connect'));
    await visible(page, tid('wizard-stage-done'), 'the last step', NET_TIMEOUT_MS);
    await expectText(page, tid('wizard-done-title'), fmt(fr.wizard.doneTitle, { email: address }), 'the title');
    await expectAttr(page, tid('wizard-check'), 'data-checking', 'false', 'the check', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-status'), 'data-status', 'ok', 'the saved account');
    const res = await backend(page, 'Accounts.List');
    const a = res.ok && res.value.find((x) => x.email === address);
    if (!a || a.auth !== 'oauth' || a.oauthProvider !== 'google' || a.status !== 'ok') fail(`Accounts.List answered ${JSON.stringify(res)}`);
    accountId = a.id;
  });

  await step(`a test email from the last step is sent over XOAUTH2 and reaches ${other?.address}`, async () => {
    if (!other) fail('MAILROOM_TEST_USERS lists no second user');
    const marker = `oauth-${randomBytes(4).toString('hex')}`;
    await page.fill(tid('wizard-mail-to'), other.address);
    await page.fill(tid('wizard-mail-subject'), `${fr.testEmail.subjectDefault} ${marker}`);
    await page.click(tid('wizard-mail-send'));
    await visible(page, tid('wizard-mail-sent'), 'the success', NET_TIMEOUT_MS);
    await shot(page, 'oauth-done-fr');
    if (!(await delivered(mail.mailDir, other.address, marker))) fail(`the test email did not reach ${other.address}'s mailbox`);
    // Postfix says how the submission signed in (the app's protocol log redacts SMTP AUTH).
    const postfixLog = join(process.env.MAILROOM_TEST_DIR ?? '', 'postfix', 'postfix.log');
    const saslLine = await waitFor(
      () =>
        readFileSync(postfixLog, 'utf8')
          .split('\n')
          .find((l) => l.includes(`sasl_username=${address}`)),
      `Postfix logged no authenticated submission by ${address}`,
    );
    if (!/sasl_method=XOAUTH2/.test(saslLine)) fail(`Postfix logged ${saslLine}, want sasl_method=XOAUTH2`);
    const log = readFileSync(join(dataDir, 'logs', 'protocol.log'), 'utf8');
    if (log.includes(userPassword)) fail('the protocol log holds the Dovecot password');
    await page.click(tid('wizard-finish'));
    await absent(page, tid('wizard'), 'the wizard');
    await expectAttr(page, row, 'data-status', 'ok', 'the account in the list');
  });

  const subject = `Devis signé ${randomBytes(3).toString('hex')}`;
  await step('a message delivered into the mailbox shows in the inbox: synced over XOAUTH2', async () => {
    const msg = [
      'From: Hugo Petit <hugo@client.example>',
      `To: ${address}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <oauth-${Date.now()}@e2e.example.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Bonjour, voici le devis signé.',
      '',
    ].join('\r\n');
    await lmtpDeliver(mail.lmtp, 'hugo@client.example', address, msg);
    await page.click(tid('nav-inbox'));
    const section = `${tid('folder-account')}[data-account="${accountId}"]`;
    await visible(page, section, 'the account in the folder column', NET_TIMEOUT_MS);
    await page.click(`${section} ${tid('sync-now')}`);
    await visible(page, `${tid('mail-row')}:has-text("${subject}")`, 'the delivered message in the list', NET_TIMEOUT_MS);
    const log = readFileSync(join(dataDir, 'logs', 'protocol.log'), 'utf8');
    if (!/AUTHENTICATE XOAUTH2/i.test(log)) fail(`the protocol log shows no IMAP AUTHENTICATE XOAUTH2:\n${authLines(log)}`);
    await shot(page, 'oauth-inbox-fr');
  });

  await step('the grant is revoked at the provider: Sync now signs in anew and the account “needs sign-in”, in words; its test says to sign in again', async () => {
    const res = await fetch(`${oidcUrl}/testing/revoke-user`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: address }),
    });
    if (!res.ok) fail(`the provider answered ${res.status} to revoke-user`);
    const needsSignIn = async () => {
      const r = await backend(page, 'Accounts.Get', accountId);
      return r.ok && r.value.status === 'needs_sign_in' && r.value.needsSignIn === true;
    };
    // The account's sync button: an IMAP session may outlive the grant, so Sync now of an
    // OAuth account signs in anew, and the refused refresh marks the account at once.
    await page.click(`${tid('folder-account')}[data-account="${accountId}"] ${tid('sync-now')}`);
    await waitFor(needsSignIn, 'Sync now did not find the grant revoked', 15_000);
    await page.click(tid('nav-settings'));
    if ((await page.locator(`${row} ${tid('account-details')}`).count()) === 0) await page.click(`${row} ${tid('account-toggle')}`);
    await page.click(`${row} ${tid('account-test-again')}`);
    // The refused login is the sign-in's, and the fix is to sign in again (not a password).
    await expectAttr(page, `${row} ${tid('account-test-step-imap_login')}`, 'data-status', 'failed', 'the IMAP login step', NET_TIMEOUT_MS);
    await expectText(page, `${row} ${tid('account-test-fix')}`, fmt(fr.accounts.oauth.fixSignIn, { provider: GOOGLE }), 'the fix');
    await expectText(page, `${row} ${tid('account-test-what')}`, fmt(fr.accounts.failure.auth_failed_signIn, { host: imaps.host, provider: GOOGLE }), 'what happened');
    await expectAttr(page, row, 'data-status', 'needs_sign_in', 'the account in the list');
    await expectText(page, `${row} ${tid('account-status')}`, fr.accounts.status.needs_sign_in, 'the status badge');
    if ((await page.locator(`${row} ${tid('account-details')}`).count()) === 0) await page.click(`${row} ${tid('account-toggle')}`);
    await visible(page, `${row} ${tid('account-needs-signin')}`, 'the needs-sign-in explanation');
    await expectText(page, `${row} ${tid('account-status-help')}`, fr.accounts.statusHelp.needs_sign_in, 'the status explanation');
    await expectText(page, `${row} ${tid('account-signin')}`, fmt(fr.accounts.oauth.signInNeeded, { provider: GOOGLE, email: address }), 'the sign-in line');
    await page.locator(row).scrollIntoViewIfNeeded();
    await shot(page, 'oauth-needs-signin-fr');
  });

  await step('Sign in again goes through the browser; the account is tested and connected again', async () => {
    const before = openedUrls(browserScript.urls).length;
    await page.click(`${row} ${tid('account-signin-again')}`);
    await expectAttr(page, `${row} ${tid('account-signin-waiting')}`, 'data-opened', 'true', 'the waiting notice');
    await signInInBrowser(browserScript.urls, before, address, null);
    await expectText(page, tid('accounts-notice'), fmt(fr.accounts.oauth.signedInAgain, { account: address }), 'the notice', NET_TIMEOUT_MS);
    await expectAttr(page, row, 'data-status', 'ok', 'the account in the list');
    await absent(page, `${row} ${tid('account-needs-signin')}`, 'the needs-sign-in explanation');
    await expectAttr(page, `${row} ${tid('account-test')}`, 'data-phase', 'passed', 'the account’s test');
    await expectText(page, `${row} ${tid('account-signin')}`, fmt(fr.accounts.oauth.signedInWith, { provider: GOOGLE, email: address }), 'the sign-in line');
  });

  await step('Disconnect asks first (keep the mail: checked by default), then revokes and removes the mail', async () => {
    await page.click(`${row} ${tid('account-disconnect')}`);
    await visible(page, tid('account-disconnect-dialog'), 'the confirmation');
    await expectText(page, tid('account-disconnect-dialog-title'), fmt(fr.accounts.oauth.disconnectTitle, { account: address }), 'the title');
    if (!(await page.isChecked(tid('account-disconnect-keep')))) fail('“keep this account’s mail” is not checked by default');
    await page.uncheck(tid('account-disconnect-keep'));
    await shot(page, 'oauth-disconnect-fr');
    await page.click(tid('account-disconnect-dialog-confirm'));
    await expectText(page, tid('accounts-notice'), fmt(fr.accounts.oauth.disconnected, { account: address, provider: GOOGLE }), 'the notice', NET_TIMEOUT_MS);
    await expectAttr(page, row, 'data-status', 'disabled', 'the account in the list');
    await visible(page, `${row} ${tid('account-signin-again')}`, 'Sign in again');
    await absent(page, `${row} ${tid('account-disconnect')}`, 'Disconnect');
    await absent(page, `${row} ${tid('account-toggle-disabled')}`, 'Enable (a disconnected account is enabled by signing in again)');
    await expectText(page, `${row} ${tid('account-signin')}`, fmt(fr.accounts.oauth.signInNeeded, { provider: GOOGLE, email: address }), 'the sign-in line');
    const r = await backend(page, 'Accounts.Get', accountId);
    if (!r.ok || !r.value.disabled) fail(`Accounts.Get answered ${JSON.stringify(r)}`);
    const left = execFileSync('sqlite3', ['-readonly', join(dataDir, 'mailroom.db'), `SELECT count(*) FROM messages WHERE account_id=${accountId}`], {
      encoding: 'utf8',
    }).trim();
    if (left !== '0') fail(`${left} messages of the account are still on this computer`);
    await page.click(tid('nav-inbox'));
    await absent(page, `${tid('mail-row')}:has-text("${subject}")`, 'the account’s message');
    await page.click(tid('nav-settings'));
    if ((await page.locator(`${row} ${tid('account-details')}`).count()) === 0) await page.click(`${row} ${tid('account-toggle')}`);
    await visible(page, `${row} ${tid('account-needs-signin')}`, 'the disconnected account’s explanation');
    await expectText(page, `${row} ${tid('account-needs-signin')} p:not(.title)`, fr.accounts.oauth.disconnectedHelp, 'the explanation');
    await page.locator(row).scrollIntoViewIfNeeded();
    await shot(page, 'oauth-disconnected-fr');
  });

  await step('in English: the disconnected account and the wizard’s Microsoft path read right', async () => {
    await page.click(tid('lang-switch-en'));
    await expectText(page, `${row} ${tid('account-status')}`, en.accounts.status.disabled, 'the status badge');
    await expectText(page, `${row} ${tid('account-signin-again')}`, en.accounts.oauth.signInAgain, 'Sign in again');
    await page.locator(row).scrollIntoViewIfNeeded();
    await shot(page, 'oauth-disconnected-en');
    await page.click(tid('account-add'));
    await page.fill(tid('wizard-email'), 'ana.lopes@outlook.com');
    await expectAttr(page, tid('wizard-signin'), 'data-provider', 'microsoft', 'the sign-in button');
    await expectText(page, tid('wizard-signin'), fmt(en.accounts.oauth.signInWith, { provider: 'Microsoft' }), 'the sign-in button');
    await expectText(page, `${tid('wizard-notes-signin')} .title`, en.accounts.signIn.microsoft.title, 'the notice title');
    await shot(page, 'oauth-wizard-en');
    await page.keyboard.press('Escape');
    await absent(page, tid('wizard'), 'the wizard');
  });

  await step('the page raised no script errors and logged no errors or warnings', async () => {
    noPageProblems(problems);
  });

  await runner.failureReport(page, 'oauth-failure.png', logTail);
}

await runner.run(main, cleanup);
