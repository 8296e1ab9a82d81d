// The filing steps of the end-to-end test, in French, after the records steps: by then
// the test user's mailbox holds mail from senders that match no record (Claire Dubois,
// Hugo Petit, the Comptabilité of atelier.example), and the records steps made the kind
// Factures, the company Atelier Dupont and its invoice FAC-2026-0042. The accounts steps
// ended by deleting the mailbox's account, so it is connected again first (the wizard,
// with the domain's preset and the certificates trusted then).
//
// Before the mailbox is connected again, a conversation with Nadia Girard (her quote, and
// the user's answer) is delivered over LMTP; once synced she waits in "À classer"; a
// contacts file (hers and two others) is imported through the import wizard, and her past
// mail is filed in the background: she leaves "À classer", and her page's timeline shows
// the conversation, whose quote opens in the sandboxed message view.
//
// "À classer" lists Claire; Créer un contact (prefilled) takes her mail out of it and onto
// her timeline; a message opens from the timeline in the sandboxed view with its records;
// ignoring Hugo is undone with Annuler; an admin files Factures (open while Payée is not
// checked); Atelier Dupont gets its domain, a contact and a second open invoice; two
// messages from that domain are delivered over LMTP: the one that names FAC-2026-0042 is
// filed to it at once, the other suggests both invoices and one click confirms; Écrire on
// the company's page opens the composer to its contact, from the user's account.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { absent, backend, connectMailbox, delivered, expectText, fail, fmt, frontendDir, lmtpDeliver, mailEnv, norm, shot, tempDirs, tid, visible, waitFor } from './lib.mjs';
import { checkAndImport, closeWizard, find, openTab, openWizard, typeId } from './records-import.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const CLAIRE = { first: 'Claire', last: 'Dubois', email: 'claire@fournisseur.example', subject: 'Devis signé' };
const HUGO = 'hugo@client.example';
const DUPONT = { domain: 'atelier-dupont.example', contact: 'Julien Dupont', email: 'julien@atelier-dupont.example', second: 'FAC-2026-0057' };
const SLOW_MS = 30_000; // a re-file, or mail delivered and synced
// A contact of the contacts file imported here, with a conversation in the mailbox before
// she is imported: her quote, and the user's answer to it (a reply, so one conversation).
const NADIA = {
  first: 'Nadia',
  last: 'Girard',
  email: 'nadia.girard@menuiserie-girard.example',
  subject: 'Devis escalier en chêne',
  reply: 'Re: Devis escalier en chêne',
  quote: '4 850 € TTC',
};
// The contacts file, as French Excel saves "CSV UTF-8 (délimité par des virgules)": a BOM,
// ";", CRLF. Nadia, and two contacts with no mail.
const CONTACTS_FILE = 'Contacts chantiers.csv';
const CONTACTS = [
  'Prénom;Nom;E-mail;Téléphone;Fonction',
  `${NADIA.first};${NADIA.last};${NADIA.email};06 14 25 36 47;Gérante`,
  'Thomas;Roux;thomas.roux@plomberie-roux.example;04 72 10 20 30;Plombier',
  'Inès;Garnier;ines.garnier@cabinet-garnier.example;;Expert-comptable',
].join('\r\n') + '\r\n';
const CONTACT_COLUMNS = ['first_name', 'last_name', 'emails', 'phones', 'job_title'];

const group = (email) => `${tid('tofile-group')}[data-email="${email}"]`;

async function toast(page, text, what) {
  await visible(page, `${tid('toast-text')}:text-is("${text.replace(/"/g, '\\"')}")`, what);
}

async function toFileEmails(page) {
  const res = await backend(page, 'Filing.ToFile', 0, 200);
  if (!res.ok) fail(`Filing.ToFile: ${JSON.stringify(res.error)}`);
  return res.value.groups.map((g) => g.email);
}

/** openRecord shows a record's page from its kind's tab, from the row that holds rowText
 * (a contact's row has its first and last names in two cells: its address finds it). */
async function openRecord(page, kind, title, rowText = title) {
  await page.click(tid('nav-records'));
  await page.click(`${tid('records-tab')}[data-tab="${kind}"]`);
  const row = page.locator(tid('record-row'), { hasText: rowText }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => fail(`no ${kind} row with “${rowText}”`));
  await row.click();
  await expectText(page, tid('record-title'), title, `the page of ${title}`);
}

/** timelineSubjects reads the subjects on a record's timeline. */
async function timelineSubjects(page) {
  return (await page.locator(`${tid('timeline-message')} .subject`).allInnerTexts()).map(norm);
}

/** mailWith reads the synced messages from or to an address. */
async function mailWith(page, email) {
  const res = await backend(page, 'Mail.List', { accountId: 0, folderRole: '', folderId: 0, unread: false, flagged: false, search: '', cursor: '', limit: 200 });
  if (!res.ok) fail(`Mail.List: ${JSON.stringify(res.error)}`);
  return res.value.rows.filter((r) => r.fromEmail === email || r.toEmail === email);
}

export async function filingSteps(page, { step, mimeMessage, invoice, dialogFile }) {
  const mail = mailEnv();
  if (mail.missing.length) {
    console.log('     filing steps skipped: no mail test environment');
    return;
  }
  if (!dialogFile) fail('the app was started without MAILROOM_TEST_DIALOG_FILE (lib.mjs appEnv)');
  const { user } = mail;
  const NET_MS = 60_000;

  await step('a conversation with Nadia Girard, not a contact yet, reaches the mailbox (LMTP) before its account is connected again', async () => {
    const now = Date.now();
    const quote = { id: 'filing-nadia-quote', subject: NADIA.subject, date: new Date(now - 3 * 86_400_000) };
    const answer = { id: 'filing-nadia-answer', subject: NADIA.reply, date: new Date(now - 2 * 86_400_000) };
    await lmtpDeliver(mail.lmtp, NADIA.email, user.address, mimeMessage({
      from: `${NADIA.first} ${NADIA.last} <${NADIA.email}>`, to: `Alice Martin <${user.address}>`, subject: quote.subject, date: quote.date, id: quote.id,
      text: `Bonjour Alice,\n\nVoici notre devis pour l’escalier en chêne massif : ${NADIA.quote}, pose comprise.\n\n${NADIA.first} ${NADIA.last}\nMenuiserie Girard`,
    }));
    // The user's answer, as a copy to herself would bring it into her inbox.
    await lmtpDeliver(mail.lmtp, user.address, user.address, mimeMessage({
      from: `Alice Martin <${user.address}>`, to: `${NADIA.first} ${NADIA.last} <${NADIA.email}>`, subject: answer.subject, date: answer.date, id: answer.id, inReplyTo: quote.id,
      text: 'Bonjour Nadia,\n\nMerci pour le devis, nous le validons. Pouvez-vous passer mardi pour les mesures ?\n\nAlice',
    }));
    if (mail.mailDir && !(await delivered(mail.mailDir, user.address, 'passer mardi pour les mesures'))) fail('the messages did not reach the mailbox');
  });

  await step('the mailbox is connected again through the wizard, and syncs', async () => {
    await page.click(tid('lang-switch-fr'));
    await connectMailbox(page, { address: user.address, password: user.password, fromName: 'Alice Martin' }, NET_MS);
    await waitFor(async () => (await toFileEmails(page)).includes(CLAIRE.email), 'Claire in Filing.ToFile after the sync', NET_MS);
  });

  let nadiaId = 0;
  await step('import: a contacts file in French brings Nadia Girard; her past mail is filed in the background and leaves À classer', async () => {
    // Synced with the rest (the step before waited for the sync): she matches no record yet.
    const rows = await waitFor(async () => {
      const rs = await mailWith(page, NADIA.email);
      return rs.length >= 2 ? rs : null;
    }, 'her two messages synced', NET_MS);
    await waitFor(async () => (await toFileEmails(page)).includes(NADIA.email), 'Nadia in Filing.ToFile', SLOW_MS);
    const { type: contact } = await typeId(page, 'contact');
    const before = (await backend(page, 'Records.List', { typeId: contact.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 1 })).value?.total;
    const isNadia = (r) => norm(r.title) === `${NADIA.first} ${NADIA.last}`;
    if ((await find(page, contact.id, NADIA.last)).some(isNadia)) fail(`${NADIA.first} ${NADIA.last} is a contact already`);

    const temp = tempDirs();
    try {
      const file = join(temp.make('mailroom-e2e-filing-'), CONTACTS_FILE);
      writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CONTACTS, 'utf8')]));
      await page.click(tid('nav-records'));
      await openTab(page, 'contact');
      // The list's own button (the records import made contacts); the empty state's, if none.
      await page.waitForSelector(`${tid('records-empty-import')}, ${tid('record-import')}`, { state: 'visible' });
      const empty = (await page.locator(tid('records-empty-import')).count()) > 0;
      await openWizard(page, dialogFile, file, empty ? 'records-empty-import' : 'record-import');
      const detected = norm(await page.locator(tid('import-detected')).innerText());
      for (const want of [CONTACTS_FILE, '3 lignes', 'utf-8', fr.imports.separators.semicolon]) {
        if (!detected.includes(norm(want))) fail(`the wizard says "${detected}", without "${want}"`);
      }
      for (const [col, key] of CONTACT_COLUMNS.entries()) {
        const v = await page.locator(tid(`import-map-${col}`)).inputValue();
        if (v !== key) fail(`the column ${col} goes to "${v}", want ${key}`);
      }
      const summary = await checkAndImport(page, 'filing-import-contacts-fr', async () => {
        await expectText(page, `${tid('import-preview-row')}[data-line="2"] td[data-key="first_name"]`, NADIA.first, 'Nadia’s first name');
        await expectText(page, `${tid('import-preview-row')}[data-line="2"] td[data-key="last_name"]`, NADIA.last, 'Nadia’s last name');
      });
      if (!summary.includes('3 fiches créées')) fail(`the import says "${summary}"`);
      await closeWizard(page);
    } finally {
      temp.removeAll();
    }
    const after = (await backend(page, 'Records.List', { typeId: contact.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 1 })).value?.total;
    if (after !== before + 3) fail(`${before} contacts before the import, ${after} after`);
    const nadia = (await find(page, contact.id, NADIA.last)).find(isNadia);
    if (!nadia) fail(`no contact ${NADIA.first} ${NADIA.last} after the import`);
    nadiaId = nadia.id;
    const got = await backend(page, 'Records.Get', nadiaId);
    const v = got.ok ? got.value.record.values : {};
    if (JSON.stringify(v.emails) !== JSON.stringify([NADIA.email]) || v.job_title !== 'Gérante') fail(`${NADIA.first} ${NADIA.last}: ${JSON.stringify(got).slice(0, 400)}`);
    // Nobody filed anything: the import's change reaches the filing engine, which files
    // her past mail to her (both messages) and takes her out of À classer.
    let seen = null;
    await waitFor(async () => {
      seen = await Promise.all(rows.map(async (r) => (await backend(page, 'Filing.MessageRecords', r.id)).value));
      return seen.every((m) => m?.links.some((l) => l.recordId === nadiaId && l.origin === 'auto'));
    }, 'both messages filed to her', SLOW_MS).catch((e) => fail(`${e.message}: ${JSON.stringify(seen).slice(0, 600)}`));
    await waitFor(async () => !(await toFileEmails(page)).includes(NADIA.email), 'Nadia gone from Filing.ToFile', SLOW_MS);
  });

  await step('the imported contact’s timeline shows the conversation, received and sent; her quote opens in the sandboxed message view', async () => {
    await openRecord(page, 'contact', `${NADIA.first} ${NADIA.last}`, NADIA.email);
    if (Number(await page.locator(tid('record-page')).getAttribute('data-id')) !== nadiaId) fail('another record’s page is shown');
    await waitFor(async () => {
      const s = await timelineSubjects(page);
      return s.includes(NADIA.subject) && s.includes(NADIA.reply);
    }, 'both subjects on her timeline', SLOW_MS);
    const tl = await backend(page, 'Filing.Timeline', nadiaId, 0, 50);
    const threads = tl.ok ? tl.value.threads : [];
    const subjects = threads.flatMap((t) => t.messages.map((m) => m.row.subject));
    if (threads.length !== 1 || subjects.length !== 2 || !subjects.includes(NADIA.subject) || !subjects.includes(NADIA.reply)) fail(`Filing.Timeline: ${JSON.stringify(tl).slice(0, 400)}`);
    // One conversation: her quote received, the answer sent to her.
    await expectText(page, `${tid('record-timeline')} .thread-head`, fmt(fr.filing.timeline.thread, { count: 2, subject: NADIA.subject }), 'the conversation');
    const received = page.locator(`${tid('timeline-message')}[data-direction="in"]`);
    const sent = page.locator(`${tid('timeline-message')}[data-direction="out"]`);
    if ((await received.count()) !== 1 || norm(await received.locator('.subject').innerText()) !== NADIA.subject) fail('her quote is not shown as received');
    if ((await sent.count()) !== 1 || norm(await sent.locator('.subject').innerText()) !== NADIA.reply) fail('the answer is not shown as sent');
    await expectText(page, `${tid('timeline-message')}[data-direction="out"] .who`, fmt(fr.filing.timeline.to, { name: `${NADIA.first} ${NADIA.last}` }), 'to whom the answer went');
    await page.locator(tid('record-timeline')).scrollIntoViewIfNeeded();
    await shot(page, 'filing-imported-contact-timeline-fr');
    await received.locator(tid('timeline-open')).click();
    await visible(page, `${tid('filing-message')} ${tid('message-view')}`, 'the message view');
    await expectText(page, `${tid('filing-message')} ${tid('message-subject')}`, NADIA.subject, 'its subject');
    const frameSel = `${tid('filing-message')} iframe${tid('message-frame')}`;
    await visible(page, frameSel, 'the mail frame');
    const sandbox = await page.locator(frameSel).getAttribute('sandbox');
    if (sandbox === null || /allow-scripts|allow-same-origin/.test(sandbox)) fail(`the frame is sandboxed with ${JSON.stringify(sandbox)}`);
    const frame = await (await page.locator(frameSel).elementHandle())?.contentFrame();
    if (!frame) fail('the mail frame has no document');
    await waitFor(async () => norm(await frame.locator('body').innerText()).includes(NADIA.quote), 'her quote in the frame');
    await expectText(page, `${tid('filing-message')} ${tid('message-record')}[data-id="${nadiaId}"] button.open`, `${NADIA.first} ${NADIA.last}${fr.records.builtin.contact.singular}`, 'the record it is filed to');
    await shot(page, 'filing-imported-contact-message-fr');
    await page.keyboard.press('Escape');
    await absent(page, tid('message-view'), 'the message view');
  });

  await step('À classer is in the sidebar with its count; it lists Claire Dubois, who matches no record (fr)', async () => {
    await page.click(tid('nav-tofile'));
    await visible(page, tid('screen-tofile'), 'the À classer screen');
    await expectText(page, tid('screen-title'), fr.screens.tofile.title, 'the title');
    await visible(page, group(CLAIRE.email), 'Claire’s group');
    await expectText(page, `${group(CLAIRE.email)} ${tid('tofile-name')}`, `${CLAIRE.first} ${CLAIRE.last}`, 'her name');
    const count = await backend(page, 'Filing.Count');
    if (!count.ok || count.value < 1) fail(`Filing.Count: ${JSON.stringify(count)}`);
    await expectText(page, `${tid('nav-tofile-count')} [aria-hidden="true"]`, String(count.value), 'the sidebar count');
    const emails = await toFileEmails(page);
    if (!emails.includes(HUGO)) fail(`Hugo is not in À classer: ${JSON.stringify(emails)}`);
    if (emails.includes(user.address)) fail('the account’s own address waits in À classer');
    await shot(page, 'tofile-fr');
  });

  await step('the keyboard moves between correspondents; I ignores Hugo, and Annuler brings him back', async () => {
    await page.locator(group(HUGO)).focus();
    await page.keyboard.press('i');
    await toast(page, fmt(fr.tofile.ignoredAddress, { value: HUGO }), 'the ignored toast');
    await absent(page, group(HUGO), 'Hugo’s group');
    if ((await toFileEmails(page)).includes(HUGO)) fail('Hugo is still in À classer for the backend');
    await shot(page, 'tofile-ignored-fr');
    await page.locator(tid('toast-action'), { hasText: fr.filing.undo }).first().click();
    await visible(page, group(HUGO), 'Hugo’s group, back');
    await page.locator(group(HUGO)).focus();
    const before = await page.evaluate(() => document.activeElement?.getAttribute('data-email'));
    await page.keyboard.press('ArrowDown');
    const after = await page.evaluate(() => document.activeElement?.getAttribute('data-email'));
    if (!after || after === before) fail(`ArrowDown left the focus on ${before}`);
  });

  let claireId = 0;
  await step('Créer un contact opens the form prefilled from Claire’s name and address', async () => {
    const waiting = (await backend(page, 'Filing.Count')).value;
    await page.click(`${group(CLAIRE.email)} ${tid('tofile-contact')}`);
    await visible(page, tid('tofile-create'), 'the new contact form');
    const val = (id) => page.locator(tid(id)).inputValue();
    if ((await val('record-new-input-first_name')) !== CLAIRE.first) fail(`the first name reads ${await val('record-new-input-first_name')}`);
    if ((await val('record-new-input-last_name')) !== CLAIRE.last) fail(`the last name reads ${await val('record-new-input-last_name')}`);
    if (norm(await val('record-new-input-emails')) !== CLAIRE.email) fail(`the address reads ${await val('record-new-input-emails')}`);
    await shot(page, 'tofile-new-contact-fr');
    await page.click(tid('record-new-submit'));
    await toast(page, fr.tofile.contactCreated, 'the created toast');
    await absent(page, group(CLAIRE.email), 'Claire’s group');
    // The backend files her past mail in the background: she leaves À classer for good.
    await waitFor(async () => !(await toFileEmails(page)).includes(CLAIRE.email), 'Claire gone from Filing.ToFile', SLOW_MS);
    await waitFor(async () => (await backend(page, 'Filing.Count')).value < waiting, 'a smaller count', SLOW_MS);
    const n = (await backend(page, 'Filing.Count')).value;
    if (n > 0) await expectText(page, `${tid('nav-tofile-count')} [aria-hidden="true"]`, String(n), 'the sidebar count, live');
    else await absent(page, tid('nav-tofile-count'), 'the sidebar count');
    await page.locator(tid('toast-action'), { hasText: fr.tofile.openRecord }).first().click();
    await expectText(page, tid('record-title'), `${CLAIRE.first} ${CLAIRE.last}`, 'her page');
    claireId = Number(await page.locator(tid('record-page')).getAttribute('data-id'));
  });

  await step('her mail is on her timeline, by conversation, and opens in the sandboxed message view', async () => {
    await waitFor(async () => (await timelineSubjects(page)).includes(CLAIRE.subject), `“${CLAIRE.subject}” on her timeline`, SLOW_MS);
    const tl = await backend(page, 'Filing.Timeline', claireId, 0, 50);
    const msgs = tl.ok ? tl.value.threads.flatMap((t) => t.messages) : [];
    if (msgs.length < 2 || msgs.some((m) => m.row.fromEmail !== CLAIRE.email)) fail(`Filing.Timeline: ${JSON.stringify(tl).slice(0, 400)}`);
    await page.locator(tid('record-timeline')).scrollIntoViewIfNeeded();
    await shot(page, 'record-timeline-fr');
    await page.locator(tid('timeline-message'), { hasText: CLAIRE.subject }).locator(tid('timeline-open')).click();
    await visible(page, `${tid('filing-message')} ${tid('message-view')}`, 'the message view');
    await expectText(page, `${tid('filing-message')} ${tid('message-subject')}`, CLAIRE.subject, 'its subject');
    // The body is in the inbox's mail frame: sandboxed, no scripts, no same origin.
    await visible(page, `${tid('filing-message')} iframe${tid('message-frame')}`, 'the mail frame');
    const sandbox = await page.locator(`${tid('filing-message')} iframe${tid('message-frame')}`).getAttribute('sandbox');
    if (sandbox === null || /allow-scripts|allow-same-origin/.test(sandbox)) fail(`the frame is sandboxed with ${JSON.stringify(sandbox)}`);
    await expectText(page, `${tid('filing-message')} ${tid('message-record')} button.open`, `${CLAIRE.first} ${CLAIRE.last}${fr.records.builtin.contact.singular}`, 'the record it is filed to');
    await shot(page, 'timeline-message-fr');
    await page.keyboard.press('Escape');
    await absent(page, tid('message-view'), 'the message view');
  });

  let companyId = 0;
  let first = 0;
  await step('an admin files Factures: open while Payée is not checked, the number looked for in the email', async () => {
    const types = (await backend(page, 'Records.Types')).value;
    const facture = types.find((t) => t.key === 'facture');
    const company = types.find((t) => t.builtin === 'company');
    const contact = types.find((t) => t.builtin === 'contact');
    if (!facture || !company || !contact) fail('the kinds are not there');
    await page.click(tid('nav-settings'));
    const row = `${tid('filing-type')}[data-key="facture"]`;
    await page.locator(tid('settings-filing')).scrollIntoViewIfNeeded();
    await page.check(`${row} ${tid('filing-type-on')}`);
    await visible(page, `${row} ${tid('filing-open-field')}`, 'the open condition');
    await page.selectOption(`${row} ${tid('filing-open-field')}`, { label: 'Payée' });
    await visible(page, `${row} ${tid('filing-open-op')}`, 'the operator');
    await page.selectOption(`${row} ${tid('filing-open-op')}`, 'unchecked');
    await page.selectOption(`${row} ${tid('filing-key-field')}`, { label: 'Numéro' });
    await page.click(`${row} ${tid('filing-type-save')}`);
    await toast(page, fr.filing.settings.saved, 'the saved toast');
    const s = await backend(page, 'Filing.Settings');
    const ft = s.ok && s.value.types.find((t) => t.typeId === facture.id);
    const payee = facture.fields.find((f) => f.key === 'payee');
    const numero = facture.fields.find((f) => f.key === 'numero');
    if (!ft || ft.openFieldId !== payee.id || ft.openOp !== 'unchecked' || ft.keyFieldId !== numero.id) fail(`Filing.Settings: ${JSON.stringify(s)}`);
    await page.locator(tid('settings-filing')).scrollIntoViewIfNeeded();
    await shot(page, 'settings-filing-fr');

    // Atelier Dupont gets its domain, a contact, and a second open invoice.
    const found = await backend(page, 'Records.List', { typeId: company.id, search: invoice.company, sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 5 });
    companyId = found.ok ? (found.value.records.find((r) => r.title === invoice.company)?.id ?? 0) : 0;
    if (!companyId) fail(`no company ${invoice.company}: ${JSON.stringify(found).slice(0, 300)}`);
    const upd = await backend(page, 'Records.Update', companyId, { typeId: 0, values: { domains: [DUPONT.domain] } });
    if (!upd.ok) fail(`Records.Update: ${JSON.stringify(upd.error)}`);
    const [firstName, lastName] = DUPONT.contact.split(' ');
    const c = await backend(page, 'Records.Create', { typeId: contact.id, values: { first_name: firstName, last_name: lastName, emails: [DUPONT.email], company: [companyId] } });
    if (!c.ok) fail(`Records.Create contact: ${JSON.stringify(c.error)}`);
    const inv = await backend(page, 'Records.Create', { typeId: facture.id, values: { numero: DUPONT.second, montant: 480, client: [companyId] } });
    if (!inv.ok) fail(`Records.Create invoice: ${JSON.stringify(inv.error)}`);
    const list = await backend(page, 'Records.List', { typeId: facture.id, search: invoice.number, sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 5 });
    first = list.ok ? (list.value.records.find((r) => r.title === invoice.number)?.id ?? 0) : 0;
    if (!first) fail(`no invoice ${invoice.number}`);
  });

  const named = { subject: `Votre facture ${invoice.number}`, id: 'filing-named' };
  const vague = { subject: 'Relance : règlement en attente', id: 'filing-vague' };
  await step(`two messages from ${DUPONT.domain}: the one naming ${invoice.number} is filed to it at once, the other suggests both invoices`, async () => {
    const now = Date.now();
    for (const [m, text, ago] of [
      [named, `Bonjour,\n\nVous trouverez ci-joint la facture ${invoice.number}.\n\nJulien`, 3],
      [vague, 'Bonjour,\n\nNous attendons toujours votre règlement.\n\nJulien', 2],
    ]) {
      await lmtpDeliver(mail.lmtp, DUPONT.email, user.address, mimeMessage({ from: `${DUPONT.contact} <${DUPONT.email}>`, to: user.address, subject: m.subject, date: new Date(now - ago * 60_000), text, id: m.id }));
    }
    if (mail.mailDir && !(await delivered(mail.mailDir, user.address, 'attendons toujours'))) fail('the messages did not reach the mailbox');
    // The sync brings them (IDLE); then the filing engine files them.
    const rows = await waitFor(async () => {
      const res = await backend(page, 'Mail.List', { accountId: 0, folderRole: '', folderId: 0, unread: false, flagged: false, search: '', cursor: '', limit: 50 });
      const rs = res.ok ? res.value.rows.filter((r) => r.fromEmail === DUPONT.email) : [];
      return rs.length >= 2 ? rs : null;
    }, 'both messages synced', 60_000);
    const ids = Object.fromEntries(rows.map((r) => [r.subject, r.id]));
    let seen = null;
    await waitFor(async () => {
      const n = (await backend(page, 'Filing.MessageRecords', ids[named.subject])).value;
      const v = (await backend(page, 'Filing.MessageRecords', ids[vague.subject])).value;
      seen = { n, v };
      return n?.links.some((l) => l.recordId === first) && v?.suggestions.length === 2;
    }, 'the named message filed to the invoice, the other with two suggestions', SLOW_MS).catch((e) => fail(`${e.message}: ${JSON.stringify(seen).slice(0, 800)}`));
    await openRecord(page, 'company', invoice.company);
    await waitFor(async () => {
      const s = await timelineSubjects(page);
      return s.includes(named.subject) && s.includes(vague.subject);
    }, 'both messages on the company’s timeline', SLOW_MS);
    const tl = (await backend(page, 'Filing.Timeline', first, 0, 50)).value;
    const subjects = tl.threads.flatMap((t) => t.messages.map((m) => m.row.subject));
    if (!subjects.includes(named.subject) || subjects.includes(vague.subject)) fail(`${invoice.number}'s timeline holds ${JSON.stringify(subjects)}`);
    await page.locator(tid('record-timeline')).scrollIntoViewIfNeeded();
    await shot(page, 'company-timeline-fr');
  });

  await step('the suggestion is confirmed in one click: the message is filed to the invoice', async () => {
    await page.locator(tid('timeline-message'), { hasText: vague.subject }).locator(tid('timeline-open')).click();
    await visible(page, `${tid('filing-message')} ${tid('message-suggestions')}`, 'the suggestions');
    const offered = (await page.locator(`${tid('filing-message')} ${tid('message-suggestion')}`).allInnerTexts()).map(norm);
    if (offered.length !== 2 || !offered.some((t) => t.startsWith(invoice.number)) || !offered.some((t) => t.startsWith(DUPONT.second))) fail(`the suggestions read ${JSON.stringify(offered)}`);
    await shot(page, 'message-suggestion-fr');
    await page.locator(`${tid('filing-message')} ${tid('message-suggestion')}`, { hasText: DUPONT.second }).locator(tid('message-suggestion-confirm')).click();
    await toast(page, fmt(fr.filing.message.confirmed, { title: DUPONT.second }), 'the confirmed toast');
    await visible(page, `${tid('filing-message')} ${tid('message-record')}[data-origin="manual"]`, 'the manual link');
    const left = `${tid('filing-message')} ${tid('message-suggestion')}`;
    await waitFor(async () => (await page.locator(left).count()) === 1, 'one suggestion left');
    await expectText(page, `${left} > span`, `${invoice.number}${'Facture'}`, 'the other invoice, still offered');
    const id = Number(await page.locator(`${tid('filing-message')} ${tid('message-view')}`).getAttribute('data-id'));
    let recs = (await backend(page, 'Filing.MessageRecords', id)).value;
    if (!recs.links.some((l) => l.title === DUPONT.second && l.origin === 'manual')) fail(`Filing.MessageRecords: ${JSON.stringify(recs)}`);
    await shot(page, 'message-suggestion-confirmed-fr');
    // The other one is set aside: the backend remembers it and never suggests it again.
    await page.locator(left).locator(tid('message-suggestion-dismiss')).click();
    await absent(page, `${tid('filing-message')} ${tid('message-suggestions')}`, 'the suggestions');
    recs = (await backend(page, 'Filing.MessageRecords', id)).value;
    if (recs.suggestions.length || recs.links.some((l) => l.title === invoice.number)) fail(`Filing.MessageRecords after the dismissal: ${JSON.stringify(recs)}`);
    await shot(page, 'message-records-fr');
    await page.keyboard.press('Escape');
    await absent(page, tid('message-view'), 'the message view');
  });

  await step('Écrire on the company’s page opens the composer to its contact, from the user’s account', async () => {
    await page.click(tid('timeline-write'));
    await visible(page, tid('composer-form'), 'the composer');
    await expectText(page, tid('composer-title'), fr.mail.compose.title.new, 'its title');
    // To is a contact of the company (Julien Dupont, or one an earlier step linked to it).
    const to = (await page.locator(tid('compose-to-entry')).allInnerTexts()).map(norm).join(' ');
    const types = (await backend(page, 'Records.Types')).value ?? [];
    const contactType = types.find((t) => t.key === 'contact');
    const contacts = await backend(page, 'Records.List', { typeId: contactType.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 500 });
    const theirs = [];
    for (const r of contacts.value?.records ?? []) {
      const got = await backend(page, 'Records.Get', r.id);
      const company = got.ok ? got.value.record.values.company : null;
      if (Array.isArray(company) && company.some((c) => c.id === companyId)) theirs.push(norm(r.title));
    }
    if (!theirs.includes(norm(DUPONT.contact))) fail(`${DUPONT.contact} is not among the company's contacts: ${JSON.stringify(theirs)}`);
    if (!theirs.some((name) => to.includes(name))) fail(`To reads “${to}”, not one of the company's contacts ${JSON.stringify(theirs)}`);
    const from = await page.locator(tid('compose-from')).inputValue();
    const accounts = (await backend(page, 'Accounts.List')).value ?? [];
    const mine = accounts.find((a) => a.email === user.address);
    if (!mine || Number(from) !== mine.id) fail(`From is account ${from}, want ${mine?.id} (${user.address})`);
    await shot(page, 'compose-to-record-fr');
    await page.click(tid('composer-cancel'));
    await absent(page, tid('composer-form'), 'the composer');
  });

  await step('Réglages say that Classé and Traité are shared with colleagues through the server; Traité on a message sticks', async () => {
    const accounts = (await backend(page, 'Accounts.List')).value ?? [];
    const mine = accounts.find((a) => a.email === user.address);
    if (!mine) fail(`no account ${user.address}`);
    // The project's Dovecot takes new keywords (PERMANENTFLAGS \*): the synced folders share.
    const sharing = await backend(page, 'Filing.Sharing');
    const folders = sharing.ok ? sharing.value.filter((f) => f.accountId === mine.id) : [];
    if (!folders.some((f) => f.state === 'shared') || folders.some((f) => f.state === 'local')) fail(`Filing.Sharing: ${JSON.stringify(sharing).slice(0, 400)}`);
    await page.click(tid('nav-settings'));
    const line = `${tid('settings-sharing-state')}[data-account="${mine.id}"]`;
    await page.locator(tid('settings-sharing')).scrollIntoViewIfNeeded();
    await expectText(page, line, `${fmt(fr.filing.sharing.account, { account: mine.name })} ${fr.filing.sharing.shared}`, 'the account’s sharing in Réglages');
    await shot(page, 'settings-sharing-fr');
    // The account's details say it too.
    const row = `${tid('account-row')}[data-email="${user.address}"]`;
    await page.locator(row).scrollIntoViewIfNeeded();
    if ((await page.locator(`${row} ${tid('account-toggle')}`).getAttribute('aria-expanded')) !== 'true') await page.click(`${row} ${tid('account-toggle')}`);
    await expectText(page, `${row} ${tid('account-sharing-state')}`, fr.filing.sharing.shared, 'the account’s sharing in its details');
    await page.locator(`${row} ${tid('account-sharing')}`).scrollIntoViewIfNeeded();
    await shot(page, 'account-sharing-fr');

    // Traité on a message of the company's timeline: pressed at once, and the list says so.
    await openRecord(page, 'company', invoice.company);
    await page.locator(tid('timeline-message')).first().locator(tid('timeline-open')).click();
    const toggle = `${tid('filing-message')} ${tid('message-toggle-handled')}`;
    await expectText(page, toggle, fr.mail.message.handled, 'the handled toggle');
    const id = Number(await page.locator(`${tid('filing-message')} ${tid('message-view')}`).getAttribute('data-id'));
    await page.click(toggle);
    await expectText(page, toggle, fr.mail.message.handledDone, 'the handled toggle, pressed');
    if ((await page.locator(toggle).getAttribute('aria-pressed')) !== 'true') fail('the handled toggle is not pressed');
    await waitFor(async () => {
      const res = await backend(page, 'Mail.List', { accountId: 0, folderRole: '', folderId: 0, unread: false, flagged: false, search: '', cursor: '', limit: 200 });
      return res.ok && res.value.rows.some((r) => r.id === id && r.handled === true);
    }, 'the message handled in the list');
    await shot(page, 'message-handled-fr');
    await page.keyboard.press('Escape');
    await absent(page, tid('message-view'), 'the message view');
  });
}
