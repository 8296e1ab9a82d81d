// Send by button, in French, after the filing steps: by then Factures has the template
// "Relance 1" (templatesSteps), the mailbox's account is connected again and Atelier Dupont
// has its contact Julien Dupont (filingSteps). An admin adds the button "Envoyer la
// relance" to Factures in the type editor (that template, from the account, to the
// company's contacts); on FAC-2026-0043, which has no company, the button says why it
// cannot send; on FAC-2026-0042 it opens the composer with the mail rendered for the
// invoice, which is sent: the invoice then shows "Relance envoyée le … par …" with the
// outbox's state, and the sent mail on its timeline (its Sent copy, filed by hand).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backend, expectText, fail, frontendDir, mailEnv, norm, reasonText, shot, tid, visible, waitFor } from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const INVOICE = 'FAC-2026-0042';
const NO_COMPANY = 'FAC-2026-0043';
const CONTACT = 'julien@atelier-dupont.example';
const SUBJECT = `Relance : facture ${INVOICE}`;
const SLOW_MS = 60_000; // sent, its copy appended to Sent, synced and filed

async function openRecord(page, kind, title) {
  await page.click(tid('nav-records'));
  await page.click(`${tid('records-tab')}[data-tab="${kind}"]`);
  const row = page.locator(tid('record-row'), { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => fail(`no ${kind} row “${title}”`));
  await row.click();
  await expectText(page, tid('record-title'), title, `the page of ${title}`);
}

export async function sendButtonSteps(page, step) {
  const mail = mailEnv();
  if (mail.missing.length) {
    console.log('     send-button steps skipped: no mail test environment');
    return;
  }
  const { user } = mail;
  let me = '';

  await step('Boutons: an admin adds « Envoyer la relance » to Factures (Relance 1, from the account, to the company’s contacts)', async () => {
    const st = await backend(page, 'Session.State');
    me = st.value?.user?.name ?? '';
    if (!me) fail(`Session.State: ${JSON.stringify(st)}`);
    await page.click(tid('lang-switch-fr')).catch(() => {});
    await page.click(tid('nav-records'));
    await page.click(`${tid('records-tab')}[data-tab="editor"]`);
    await page.click(`${tid('editor-type')}[data-key="facture"]`);
    await visible(page, tid('buttons-editor'), 'the send buttons of Factures');
    await page.fill(tid('button-label'), 'Envoyer la relance');
    await page.fill(tid('button-sent-label'), 'Relance envoyée');
    await page.selectOption(tid('button-template'), { label: 'Relance 1' });
    await page.selectOption(tid('button-sender'), { label: user.address });
    await page.selectOption(tid('button-recipients'), { label: fr.buttons.editor.toCompanyContacts });
    await page.click(tid('button-add'));
    await expectText(page, `${tid('buttons-editor-row')} strong`, 'Envoyer la relance', 'the button in the list');
    await page.locator(tid('buttons-editor')).scrollIntoViewIfNeeded();
    await shot(page, 'send-button-editor-fr');
    const list = await backend(page, 'Buttons.List', 0);
    if (!list.ok || list.value.length !== 1 || list.value[0].recipients !== 'company_contacts' || list.value[0].accountId === 0) {
      fail(`Buttons.List: ${JSON.stringify(list)}`);
    }
  });

  await step('Réglages › Expéditeur du bureau: the super admin chooses the account and who signs its mail', async () => {
    await page.click(tid('nav-settings'));
    await visible(page, tid('office-sender-account'), 'the office sender section');
    await page.selectOption(tid('office-sender-account'), { label: user.address });
    await page.selectOption(tid('office-sender-user'), { label: me });
    await page.click(tid('office-sender-save'));
    await visible(page, tid('office-sender-notice'), 'the saved notice');
    await expectText(page, tid('office-sender-notice'), fr.buttons.office.saved, 'the saved notice');
    await page.locator(tid('office-sender-account')).scrollIntoViewIfNeeded();
    await shot(page, 'send-button-office-sender-fr');
    const o = await backend(page, 'Accounts.OfficeSender');
    const accs = (await backend(page, 'Accounts.List')).value ?? [];
    if (!o.ok || o.value.accountId !== accs.find((a) => a.email === user.address)?.id || o.value.address !== user.address || o.value.forMe) {
      fail(`Accounts.OfficeSender: ${JSON.stringify(o)}`);
    }
  });

  await step(`${NO_COMPANY}, without a company, has no one to write to: the button says so instead of sending`, async () => {
    await openRecord(page, 'facture', NO_COMPANY);
    await expectText(page, tid('record-button-why'), reasonText('fr', 'button_no_address', { record: NO_COMPANY }), 'why the button cannot send');
    if (!(await page.locator(tid('record-button')).isDisabled())) fail('the button can be clicked');
    await shot(page, 'send-button-why-fr');
  });

  await step(`${INVOICE}: the button opens the composer with the reminder rendered for the invoice; Envoyer`, async () => {
    await openRecord(page, 'facture', INVOICE);
    await page.click(tid('record-button'));
    await visible(page, tid('composer-form'), 'the composer');
    const subject = await page.inputValue(tid('compose-subject'));
    if (subject !== SUBJECT) fail(`the subject reads “${subject}”`);
    const body = norm(await page.inputValue(tid('compose-body')));
    for (const want of ['Bonjour Atelier Dupont,', `La facture ${INVOICE} de 1 300,00 € était due le 31 mars 2026.`]) {
      if (!body.includes(norm(want))) fail(`the body lacks “${want}”: ${body}`);
    }
    if (body.includes('{{')) fail(`a placeholder is left: ${body}`);
    const to = norm((await page.locator(tid('compose-to-entry')).allInnerTexts()).join(' '));
    if (!to.includes(CONTACT) && !to.includes('Julien Dupont')) fail(`To reads “${to}”`);
    await shot(page, 'send-button-composer-fr');
    await page.click(tid('composer-send'));
    await waitFor(async () => (await page.locator(tid('composer-form')).count()) === 0, 'the composer closed once queued');
  });

  await step('the invoice says « Relance envoyée le … par … », sent; the mail is on its timeline', async () => {
    const day = new Intl.DateTimeFormat('fr', { day: '2-digit', month: '2-digit' }).format(new Date());
    const want = `Relance envoyée le ${day} par ${me}`;
    await waitFor(async () => (await page.locator(`${tid('record-send')}[data-state="sent"]`).count()) === 1, 'the send, sent', SLOW_MS);
    const line = norm(await page.locator(tid('record-send')).first().innerText());
    if (!line.startsWith(want) || !line.includes(CONTACT)) fail(`the sends log reads “${line}”, want “${want} …”`);
    // Its copy in Sent, synced, is filed to the invoice as sent from it. The automations' reminder
    // (the same subject, from the accounting mailbox) is there already: this one is the
    // user's account's.
    const id = Number(await page.getAttribute(tid('record-page'), 'data-id'));
    let seen = null;
    const mine = await waitFor(async () => {
      const tl = (await backend(page, 'Filing.Timeline', id, 0, 50)).value;
      seen = tl;
      return (tl?.threads ?? []).flatMap((t) => t.messages).find((m) => m.row.subject === SUBJECT && m.origin === 'sent' && m.row.fromEmail === user.address);
    }, 'the reminder filed to the invoice', SLOW_MS).catch((e) => fail(`${e.message}: ${JSON.stringify(seen).slice(0, 600)}`));
    await waitFor(async () => {
      if ((await page.locator(`${tid('timeline-message')}[data-id="${mine.row.id}"] .subject`).allInnerTexts()).map(norm).includes(SUBJECT)) return true;
      await openRecord(page, 'facture', INVOICE);
      return false;
    }, 'the reminder on the invoice’s timeline', SLOW_MS);
    // Marked as sent from the invoice, not as filed by hand (nobody did).
    const row = `${tid('timeline-message')}[data-id="${mine.row.id}"]`;
    await expectText(page, `${row} ${tid('timeline-sent-from')}`, 'envoyé depuis la fiche', 'the reminder marked as sent from the invoice');
    if ((await page.locator(row).innerText()).includes('classé à la main')) fail('the reminder sent from the invoice reads « classé à la main »');
    await expectText(page, `${tid('record-send')}[data-filed="true"] > span:first-child`, want, 'the sends log, filed');
    await page.locator(tid('record-timeline')).scrollIntoViewIfNeeded();
    await shot(page, 'send-button-timeline-fr');
    await page.locator(tid('record-page')).evaluate((el) => el.scrollIntoView());
    await shot(page, 'send-button-sent-fr');
  });
}
