// The Automations screen, in French: an admin sets up the overdue-invoice reminder —
// "3 days after the Échéance of a Facture, if Payée is not checked, send Relance 1 to the
// client's accounting contact" — on the kind Factures (recordsSteps) with the template
// Relance 1 (templatesSteps, or made here when absent). The dry run says who gets it today
// and why not the others; Run now queues it; the run log shows it with its outbox state;
// running again sends nothing more; the reminder is filed to its invoice and its page's
// timeline lists it, once; the invoice's page says the reminder was sent, and a paid
// invoice's page that it does not apply, and why.
//
// The reminders go out from the accounting mailbox, a test user of its own (the steps
// before use the first two; the Postmark account sends only, so nothing it sends ever
// comes back to be filed), connected here through the wizard: the reminder's copy in its
// Sent folder comes back through the sync and the automations file it to the invoice.
// Élise's address is the Postmark account's, as before (an own address: no mail is filed
// to her by it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { absent, backend, connectMailbox, expectAttr, expectText, fail, fmt, frontendDir, mailEnv, norm, reasonText, shot, tid, visible, waitFor } from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const NET_MS = 60_000; // the wizard's discovery and connection test, a first sync
// The reminder's copy appended to Sent, synced, then filed on the automations' next tick
// (every minute).
const FILED_MS = 120_000;

export async function automationsSteps(page, step) {
  const mail = mailEnv();
  if (mail.missing.length) {
    console.log('     automations steps skipped: no mail test environment');
    return;
  }
  let factures = null;
  let account = null; // the accounting mailbox the reminders go out from
  let elise = ''; // the accounting contact's address
  let invoice = null;
  let otherId = 0;
  let auto = null;
  let sent = null; // the run log's entry of the reminder sent to FAC-2026-0042

  await step('Automatisations: the accounting mailbox is connected through the wizard, to send the reminders from', async () => {
    const box = mail.users.find((u) => u.address !== mail.user.address && u.address !== mail.other?.address);
    if (!box) fail(`the mail test environment has no third user for the accounting mailbox: ${mail.users.map((u) => u.address).join(', ')}`);
    await page.click(tid('lang-switch-fr'));
    await connectMailbox(page, { address: box.address, password: box.password, fromName: 'Comptabilité Atelier Martin' }, NET_MS);
    const accs = await backend(page, 'Accounts.List');
    account = accs.ok && accs.value.find((a) => a.email === box.address);
    if (!account || account.disabled || account.sendOnly) fail(`Accounts.List: ${JSON.stringify(accs)}`);
    // Its first sync lists its Sent folder, where the reminders' copies go.
    await waitFor(async () => {
      const f = await backend(page, 'Mail.Folders');
      return f.ok && f.value.some((x) => x.accountId === account.id && x.role === 'sent');
    }, `the Sent folder of ${box.address} synced`, NET_MS);
  });

  await step('Automatisations: the data of an overdue invoice, its client and its accounting contact', async () => {
    const types = await backend(page, 'Records.Types');
    factures = types.ok && types.value.find((t) => t.key === 'facture');
    const companies = types.ok && types.value.find((t) => t.builtin === 'company');
    const contacts = types.ok && types.value.find((t) => t.builtin === 'contact');
    if (!factures || !companies || !contacts) fail(`no kinds Factures, companies, contacts: ${JSON.stringify(types)}`);
    const accs = await backend(page, 'Accounts.List');
    elise = (accs.ok && accs.value.find((a) => a.sendOnly && !a.disabled)?.email) || '';
    if (!elise) fail(`no Postmark account for Élise's address: ${JSON.stringify(accs)}`);
    // The invoice due on 31 March 2026, unpaid, of Atelier Dupont (recordsSteps).
    const list = await backend(page, 'Records.List', { typeId: factures.id, search: 'FAC-2026-0042', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 5 });
    invoice = list.ok && list.value.records.find((r) => r.title === 'FAC-2026-0042');
    if (!invoice) fail(`no invoice FAC-2026-0042: ${JSON.stringify(list)}`);
    const client = (invoice.values.client ?? [])[0];
    if (!client) fail(`FAC-2026-0042 has no client: ${JSON.stringify(invoice.values)}`);
    const made = await backend(page, 'Records.Create', {
      typeId: contacts.id,
      values: { first_name: 'Élise', last_name: 'Garnier', emails: [elise], job_title: 'Comptable', company: [client.id] },
    });
    if (!made.ok) fail(`Records.Create: ${JSON.stringify(made)}`);
    // A second unpaid invoice, overdue, whose client has nobody to write to.
    const lonely = await backend(page, 'Records.Create', { typeId: companies.id, values: { name: 'Menuiserie Sans Contact' } });
    if (!lonely.ok) fail(`Records.Create: ${JSON.stringify(lonely)}`);
    const other = await backend(page, 'Records.Create', { typeId: factures.id, values: { numero: 'FAC-2026-0050', montant: 90, echeance: '2026-04-15', client: [lonely.value.id] } });
    if (!other.ok) fail(`Records.Create: ${JSON.stringify(other)}`);
    otherId = other.value.id;
    const tpls = await backend(page, 'Templates.List');
    if (!tpls.ok) fail(`Templates.List: ${JSON.stringify(tpls)}`);
    if (!tpls.value.some((t) => t.name === 'Relance 1')) {
      const saved = await backend(page, 'Templates.Save', {
        id: 0, name: 'Relance 1', language: 'fr', typeId: factures.id, subject: 'Relance : facture {{facture.numero}}',
        html: '<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p><p>La facture {{facture.numero}} était due le {{facture.echeance}}.</p>', text: '', textEdited: false,
      });
      if (!saved.ok) fail(`Templates.Save: ${JSON.stringify(saved)}`);
    }
  });

  await step('an admin opens Automatisations from the sidebar and writes the overdue-invoice reminder', async () => {
    await page.click(tid('nav-automations'));
    await visible(page, tid('screen-automations'), 'the automations screen');
    await expectText(page, tid('screen-title'), fr.screens.automations.title, 'the title');
    await page.click(tid('empty-state-action'));
    await visible(page, tid('automation-editor'), 'the automation editor');
    await page.fill(tid('automation-name'), 'Relance J+3');
    await page.selectOption(tid('automation-kind'), String(factures.id));
    await page.selectOption(tid('automation-trigger'), 'date');
    await page.fill(tid('automation-days'), '3');
    await page.selectOption(tid('automation-direction'), 'after');
    await page.selectOption(tid('automation-field'), 'echeance');
    await page.click(tid('automation-condition-add'));
    await page.selectOption(tid('automation-condition-field'), 'payee');
    await page.selectOption(tid('automation-condition-op'), 'is_empty');
    const tpl = await page.locator(`${tid('automation-template')} option`, { hasText: 'Relance 1' }).first().getAttribute('value');
    await page.selectOption(tid('automation-template'), tpl);
    await page.selectOption(tid('automation-recipient'), 'client');
    await page.fill(tid('automation-role'), 'comptab');
    await page.selectOption(tid('automation-sender'), String(account.id));
    // Before the account's first automated send, its deliverability shows as a warning
    // (never a block), as the backend decides it.
    const warn = await backend(page, 'Bulk.DeliverabilityWarning', account.id);
    if (!warn.ok) fail(`Bulk.DeliverabilityWarning: ${JSON.stringify(warn)}`);
    if (warn.value.show) {
      await visible(page, tid('automation-deliverability-warning'), 'the deliverability warning');
      await expectText(page, `${tid('automation-deliverability-warning')} h3`, fr.automations.editor.warningTitle, 'its title');
      await shot(page, 'automations-deliverability-warning');
    } else {
      await absent(page, tid('automation-deliverability-warning'), 'a deliverability warning for an account that needs none');
    }
    await page.selectOption(tid('automation-hour'), '9');
    await page.fill(tid('automation-timezone'), 'Europe/Pariss');
    await shot(page, 'automations-editor');
    await page.click(tid('automation-save'));
    // A typo in the time zone is refused in words, beside the form.
    await expectText(page, tid('automation-error'), reasonText('fr', 'automation_timezone_invalid', { timezone: 'Europe/Pariss' }), 'the refusal');
    await page.fill(tid('automation-timezone'), 'Europe/Paris');
    await page.click(tid('automation-save'));
    await visible(page, tid('automation-detail'), 'the saved automation');
    const rule = norm(await page.innerText(tid('automation-rule')));
    if (!rule.includes('Échéance') || !rule.includes('3 jours') || !rule.includes('09:00')) fail(`the rule reads "${rule}"`);
  });

  await step('the dry run: FAC-2026-0042 goes to Élise, FAC-2026-0050 cannot (no linked contact)', async () => {
    await page.click(tid('automation-tab-dry'));
    const rowOf = (n) => `${tid('automation-dry-row')}:has-text("${n}")`;
    await visible(page, rowOf('FAC-2026-0042'), 'the invoice due in March');
    await visible(page, rowOf('FAC-2026-0050'), 'the invoice without a contact');
    const ok = norm(await page.innerText(rowOf('FAC-2026-0042')));
    if (!ok.includes(elise) || !ok.includes('Relance : facture FAC-2026-0042')) fail(`the dry run's row reads "${ok}"`);
    const bad = norm(await page.innerText(rowOf('FAC-2026-0050')));
    if (!bad.includes(norm(reasonText('fr', 'automation_no_contact')))) fail(`the blocked row reads "${bad}"`);
    await shot(page, 'automations-dry-run');
  });

  await step('Exécuter maintenant queues the reminder; the run log shows it with its outbox state; again sends nothing', async () => {
    await page.click(tid('automation-run'));
    await visible(page, `${tid('automation-log-row')}[data-state="queued"]:has-text("FAC-2026-0042")`, 'the queued reminder in the run log');
    await visible(page, `${tid('automation-log-row')}[data-state="blocked"]:has-text("FAC-2026-0050")`, 'the blocked invoice in the run log');
    const list = await backend(page, 'Automations.List', 0);
    auto = list.ok && list.value.find((a) => a.name === 'Relance J+3');
    if (!auto) fail(`Automations.List: ${JSON.stringify(list)}`);
    sent = await waitFor(async () => {
      const log = await backend(page, 'Automations.Log', auto.id, 0, 10);
      return log.ok && log.value.find((l) => l.title === 'FAC-2026-0042' && l.outboxState === 'sent');
    }, 'the reminder was not sent by the outbox', 30_000);
    await page.click(tid('automation-tab-log'));
    await expectText(page, `${tid('automation-log-row')}[data-state="queued"] ${tid('automation-log-outbox')}`, fr.outbox.badge.sent, 'the outbox state');
    await shot(page, 'automations-run-log');
    const again = await backend(page, 'Automations.RunNow', auto.id);
    if (!again.ok || again.value.queued !== 0) fail(`a second run queued ${JSON.stringify(again)}; want nothing`);
    const log = await backend(page, 'Automations.Log', auto.id, 0, 10);
    if (!log.ok || log.value.filter((l) => l.state === 'queued').length !== 1) fail(`the run log after a second run: ${JSON.stringify(log)}`);
  });

  await step('the reminder is filed to FAC-2026-0042: the invoice’s page, opened from Fiches, lists it on its timeline, once', async () => {
    // Its copy lands in the mailbox's Sent folder; « Synchroniser maintenant » brings it back
    // now, not at the Sent folder's next poll (minutes away); the automations file it to its
    // invoice on their next tick.
    let item = null;
    await waitFor(async () => {
      item = await backend(page, 'Outbox.Get', sent.outboxId);
      return item.ok && item.value.copy === 'done';
    }, 'the reminder’s copy in Sent', NET_MS).catch((e) => fail(`${e.message}: ${JSON.stringify(item)}`));
    await page.click(tid('nav-inbox'));
    const section = `${tid('folder-account')}[data-account="${account.id}"]`;
    await visible(page, section, 'the accounting mailbox in the folder column');
    await page.click(`${section} ${tid('sync-now')}`);
    const filed = (tl) => (tl?.threads ?? []).flatMap((t) => t.messages).filter((m) => m.row.subject === sent.subject);
    let seen = null;
    const [mine] = await waitFor(async () => {
      seen = (await backend(page, 'Filing.Timeline', invoice.id, 0, 50)).value;
      const ms = filed(seen);
      return ms.length ? ms : null;
    }, 'the reminder filed to FAC-2026-0042', FILED_MS).catch((e) => fail(`${e.message}: ${JSON.stringify(seen).slice(0, 600)}`));
    if (filed(seen).length !== 1 || mine.row.accountId !== account.id || mine.row.toEmail !== elise) {
      fail(`FAC-2026-0042's timeline: ${JSON.stringify(seen).slice(0, 600)}`);
    }
    await openRecord(page, 'FAC-2026-0042');
    const message = `${tid('timeline-message')}[data-id="${mine.row.id}"]`;
    await visible(page, message, 'the reminder on the timeline');
    const subjects = (await page.locator(`${tid('timeline-message')} .subject`).allInnerTexts()).map(norm);
    if (subjects.filter((x) => x === norm(sent.subject)).length !== 1) fail(`the timeline lists ${JSON.stringify(subjects)}, want “${sent.subject}” once`);
    await expectText(page, `${message} .subject`, sent.subject, 'its subject');
    await expectAttr(page, message, 'data-direction', 'out', 'the reminder, sent');
    await expectText(page, `${message} .who`, fmt(fr.filing.timeline.to, { name: mine.row.toName || elise }), 'to whom it went');
    // Filed because the automation sent it from the invoice, which the row says (not "by hand").
    if (mine.origin !== 'sent') fail(`the reminder's link is ${mine.origin}, want sent`);
    await expectText(page, `${message} ${tid('timeline-sent-from')}`, fr.filing.timeline.sentFrom, 'the reminder marked as sent from the invoice');
    await page.locator(tid('record-timeline')).scrollIntoViewIfNeeded();
    await shot(page, 'automations-filed-mail-fr');
    // Back to the automation, for the steps that follow.
    await page.click(tid('nav-automations'));
    await page.click(`${tid('automation-row')}[data-id="${auto.id}"]`);
    await visible(page, tid('automation-pause'), 'Mettre en pause');
  });

  await step('pause and resume; the invoice’s page says the reminder was sent, and that it does not apply to a paid invoice, why in words', async () => {
    await page.click(tid('automation-pause'));
    await visible(page, tid('automation-resume'), 'Reprendre');
    await page.click(tid('automation-resume'));
    await visible(page, tid('automation-pause'), 'Mettre en pause');
    const made = await backend(page, 'Automations.ForRecord', invoice.id);
    if (
      !made.ok ||
      !made.value.automations.some((a) => a.name === 'Relance J+3' && a.concern === 'sent' && a.at) ||
      !made.value.entries.some((e) => e.state === 'queued')
    )
      fail(`Automations.ForRecord: ${JSON.stringify(made)}`);
    const concern = `${tid('record-automation')}:has-text("Relance J+3") ${tid('record-automation-concern')}`;
    await openRecord(page, 'FAC-2026-0042');
    const sentPrefix = fr.automations.record.concern.sent.split('{')[0];
    const reads = () => page.locator(concern).first().innerText({ timeout: 1_000 }).catch(() => '');
    await waitFor(async () => norm(await reads()).startsWith(norm(sentPrefix)), `“${sentPrefix}…” on the page of FAC-2026-0042`);
    await page.locator(tid('record-automations')).scrollIntoViewIfNeeded();
    await shot(page, 'automations-record-sent');
    // FAC-2026-0050, paid meanwhile: the reminder no longer applies, and the page says why.
    await openRecord(page, 'FAC-2026-0050');
    const paid = await backend(page, 'Records.Update', otherId, { typeId: 0, values: { payee: true } });
    if (!paid.ok) fail(`Records.Update: ${JSON.stringify(paid)}`);
    const why = fmt(fr.automations.record.concern.unmet, { why: fmt(fr.automations.record.is, { field: 'Payée', value: fr.records.value.yes }) });
    await expectText(page, concern, why, 'why the reminder does not apply');
    await expectAttr(page, `${tid('record-automation')}:has-text("Relance J+3")`, 'data-concern', 'unmet', 'its concern');
    await page.locator(tid('record-automations')).scrollIntoViewIfNeeded();
    await shot(page, 'automations-record-unmet');
    const unpaid = await backend(page, 'Records.Update', otherId, { typeId: 0, values: { payee: false } });
    if (!unpaid.ok) fail(`Records.Update: ${JSON.stringify(unpaid)}`);
    await expectAttr(page, `${tid('record-automation')}:has-text("Relance J+3")`, 'data-concern', 'blocked', 'unpaid again: blocked, no contact');
    await page.click(tid('record-back'));
  });
}

// openRecord shows a Facture's page from the Records screen.
async function openRecord(page, title) {
  await page.click(tid('nav-records'));
  await page.click(`${tid('records-tab')}[data-tab="facture"]`);
  const row = page.locator(tid('record-row'), { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => fail(`no invoice row “${title}”`));
  await row.click();
  await expectText(page, tid('record-title'), title, `the page of ${title}`);
}
