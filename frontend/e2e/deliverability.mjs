// The deliverability check end to end (F16), in French: the account of the mail test
// environment sends through the project's Postfix on 127.0.0.1, its own SMTP server given by
// its address, so its domain's SPF record must allow ip4:127.0.0.1. The domain's zone, served
// by the test DNS server (backend/internal/testkit/testdns/cmd/testdns, the app's only DNS
// server in this test), first allows only a former server: the check, run by the wizard
// once the account was connected, shows the failure with the exact record to put in place.
// The zone is then changed as a person would at their DNS host, and the check run again
// passes. Last, a domain whose mail Microsoft 365 receives (its MX, in the same zone): the
// wizard's servers step offers no password, since those servers take only Microsoft's
// sign-in, and says what is needed.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { STEP_TIMEOUT_MS, absent, backend, expectAttr, expectText, fail, fmt, frontendDir, noBackendEnglish, norm, reasonText, shot, tid, visible } from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));

const NET_TIMEOUT_MS = 60_000; // discovery

// A firm whose mail Microsoft 365 receives: found by its MX, servers that take only
// Microsoft's sign-in.
const M365 = { domain: 'cabinet-durand.test', mx: 'cabinet-durand-test.mail.protection.outlook.com' };

// The address the domain allowed before (a former server; TEST-NET-1, never reached).
const FORMER_SERVER = '192.0.2.10';

// A 2048-bit DKIM key published at default._domainkey, one of the selectors the check tries
// for an own SMTP server.
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** txt is a TXT record in zone-file syntax, split into strings of at most 255 bytes. */
function txt(name, value) {
  const parts = value.match(/.{1,255}/g).map((p) => `"${p}"`);
  return `${name} 300 IN TXT ${parts.join(' ')}`;
}

/** deliverabilityZone is the zone of the test domain; its SPF record allows the former
 * server only, or, once fixed, the record the check asked for. */
export function deliverabilityZone(domain, spf = `v=spf1 ip4:${FORMER_SERVER} ~all`) {
  return [
    `$ORIGIN ${domain}.`,
    '; the domain of the mail test environment, as its owner publishes it',
    txt('@', spf),
    txt('default._domainkey', `v=DKIM1; k=rsa; p=${dkimKey}`),
    txt('_dmarc', `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`),
    `${M365.domain}. 300 IN MX 0 ${M365.mx}.`,
    '',
  ].join('\n');
}

function message(text, values) {
  return norm(String(new IntlMessageFormat(text, 'fr').format(values)));
}

/** deliverabilitySteps runs in Settings, the account of mail.user connected (by the wizard,
 * which ran the check) and its details open. dns is startDNS's server. */
export async function deliverabilitySteps(page, { step, dns, mail }) {
  const { user, smtp, domain } = mail;
  const address = smtp.host;
  const row = `${tid('account-row')}[data-email="${user.address}"]`;
  const panel = `${row} ${tid('account-deliverability')}`;
  const wanted = `v=spf1 ip4:${FORMER_SERVER} ip4:${address} ~all`;
  const finding = (code) => `${panel} ${tid('account-deliverability-finding')}[data-code="${code}"]`;
  const accountId = async () => {
    const res = await backend(page, 'Accounts.List');
    const a = res.ok && res.value.find((x) => x.email === user.address);
    if (!a) fail(`Accounts.List answered ${JSON.stringify(res)}`);
    return a.id;
  };

  await step(`the account page shows the wizard's check: SPF of ${domain} does not allow ${address}, with the record to put in place (fr)`, async () => {
    await visible(page, panel, 'the deliverability check');
    await expectAttr(page, panel, 'data-worst', 'failure', 'the check kept from the wizard');
    await expectText(page, `${panel} ${tid('account-deliverability-summary')}`, message(fr.deliverability.summary, { domain, path: fr.deliverability.paths.smtp, failures: 1, warnings: 0 }), 'the summary');
    const f = finding('spf_not_authorised');
    await expectAttr(page, f, 'data-severity', 'failure', 'the SPF finding');
    await expectText(page, `${f} .text`, reasonText('fr', 'spf_not_authorised', { domain, address, result: 'softfail' }), 'what it means');
    await expectText(page, `${f} .record-head`, fr.deliverability.record.change, 'what to do');
    await expectText(page, `${f} ${tid('account-deliverability-record-name')}`, domain, 'the record name');
    await expectAttr(page, `${f} ${tid('account-deliverability-record')}`, 'data-type', 'TXT', 'the record type');
    await expectText(page, `${f} ${tid('account-deliverability-record-value')}`, wanted, 'the record value');
    await expectText(page, `${f} code.old`, `v=spf1 ip4:${FORMER_SERVER} ~all`, 'the record it replaces');
    for (const code of ['dkim_ok', 'dmarc_ok']) await expectAttr(page, finding(code), 'data-severity', 'ok', code);
    // The result is the one kept by the wizard's run, not one run by this page.
    const kept = await backend(page, 'Accounts.Deliverability', await accountId());
    if (!kept.ok || !kept.value || kept.value.path !== 'smtp' || kept.value.domain !== domain) fail(`Accounts.Deliverability answered ${JSON.stringify(kept)}`);
    const fix = kept.value.findings.find((x) => x.code === 'spf_not_authorised')?.fix;
    if (fix?.value !== wanted || fix?.name !== domain || fix?.type !== 'TXT') fail(`the kept fix is ${JSON.stringify(fix)}`);
    await noBackendEnglish(page, 'the deliverability check');
    await page.locator(f).scrollIntoViewIfNeeded();
    await shot(page, 'deliverability-spf-fr');
  });

  await step('the record is put in place at the DNS host: Vérifier à nouveau passes, nothing left to change (fr)', async () => {
    dns.setZone(deliverabilityZone(domain, wanted));
    const before = await page.getAttribute(`${panel} ${tid('account-deliverability-when')}`, 'data-stale');
    if (before === null) fail('the check shows no date');
    await expectText(page, `${panel} ${tid('account-deliverability-run')}`, fr.deliverability.runAgain, 'the button');
    await page.click(`${panel} ${tid('account-deliverability-run')}`);
    await expectAttr(page, panel, 'data-worst', 'ok', 'the check run again', STEP_TIMEOUT_MS * 3);
    await expectAttr(page, panel, 'data-running', 'false', 'the check');
    await expectText(page, `${panel} ${tid('account-deliverability-summary')}`, message(fr.deliverability.summary, { domain, path: fr.deliverability.paths.smtp, failures: 0, warnings: 0 }), 'the summary');
    await expectAttr(page, finding('spf_pass'), 'data-severity', 'ok', 'SPF');
    await expectText(page, `${finding('spf_pass')} .text`, reasonText('fr', 'spf_pass', { domain, address, count: 0 }), 'what SPF says now');
    await absent(page, finding('spf_not_authorised'), 'the SPF failure');
    await absent(page, `${panel} ${tid('account-deliverability-record')}`, 'a record to change');
    const kept = await backend(page, 'Accounts.Deliverability', await accountId());
    if (!kept.ok || kept.value?.worst !== 'ok' || kept.value.stale) fail(`Accounts.Deliverability answered ${JSON.stringify(kept)}`);
    await page.locator(panel).scrollIntoViewIfNeeded();
    await shot(page, 'deliverability-pass-fr');
  });

  await step(`${M365.domain} is on Microsoft 365 (its MX): the servers step shows no password, says Microsoft’s sign-in is needed, tests nothing (fr)`, async () => {
    await page.locator(tid('account-add')).scrollIntoViewIfNeeded();
    await page.click(tid('account-add'));
    await visible(page, tid('wizard-stage-account'), 'the account wizard');
    await page.click(tid('provider-tile-other'));
    await page.fill(tid('wizard-email'), `camille@${M365.domain}`);
    await page.fill(tid('wizard-password'), 'a-password-that-cannot-work');
    await page.click(tid('wizard-continue'));
    await visible(page, tid('wizard-stage-settings'), 'the servers step', NET_TIMEOUT_MS);
    await expectAttr(page, tid('wizard-found'), 'data-reason', 'discovery_sign_in_only', 'what discovery found');
    await expectAttr(page, tid('wizard-source'), 'data-source', 'mx', 'where the settings come from');
    if ((await page.inputValue(tid('wizard-settings-imap-host'))) !== 'outlook.office365.com') fail('the IMAP server is not Microsoft 365’s');
    await expectAttr(page, tid('wizard-signin-only'), 'data-signin', 'microsoft', 'the sign-in needed');
    await expectText(page, `${tid('wizard-signin-only')} > span`, fmt(fr.wizard.signInOnly, { provider: 'Microsoft' }), 'what the wizard says');
    // Microsoft's sign-in is not set up here: said, with the way to Settings.
    await visible(page, tid('wizard-found-signin-missing'), 'what is missing');
    await absent(page, tid('wizard-settings-password'), 'the password field');
    await expectText(page, tid('wizard-settings-no-password'), fr.accounts.form.noPasswordSignInOnly, 'in the password’s place');
    if (!(await page.isDisabled(tid('wizard-test-run')))) fail('a test with a password can be run');
    // No app password hope either: those servers take none.
    await absent(page, tid('wizard-found-notes-signin'), 'the app password notice');
    await noBackendEnglish(page, 'servers that take only a sign-in');
    await shot(page, 'wizard-signin-only-fr');
    await page.locator(tid('wizard-settings-no-password')).scrollIntoViewIfNeeded();
    await shot(page, 'wizard-signin-only-no-password-fr');
    // Other servers typed by the user: theirs, with a password.
    await page.fill(tid('wizard-settings-imap-host'), `imap.${M365.domain}`);
    await page.fill(tid('wizard-settings-smtp-host'), `smtp.${M365.domain}`);
    await visible(page, tid('wizard-settings-password'), 'the password field for the user’s own servers');
    await absent(page, tid('wizard-signin-only'), 'the sign-in notice');
    await page.click(tid('wizard-back'));
    await visible(page, tid('wizard-stage-account'), 'the first step');
    await page.keyboard.press('Escape');
    await absent(page, tid('wizard'), 'the wizard');
    await visible(page, `${row} ${tid('account-details')}`, 'the account’s details, still open');
  });
}
