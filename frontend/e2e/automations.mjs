// The Automations screen, in French: an admin sets up the overdue-invoice reminder —
// "3 days after the Échéance of a Facture, if Payée is not checked, send Relance 1 to the
// client's accounting contact" — on the kind Factures (recordsSteps) with the template
// Relance 1 (templatesSteps, or made here when absent). The dry run says who gets it today
// and why not the others; Run now queues it; the run log shows it with its outbox state;
// running again sends nothing more; the invoice's page says the reminder was sent, and a
// paid invoice's page that it does not apply, and why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { absent, backend, expectAttr, expectText, fail, fmt, frontendDir, norm, reasonText, shot, tid, visible, waitFor } from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));

export async function automationsSteps(page, step) {
  let factures = null;
  let account = null;
  let invoice = null;
  let otherId = 0;

  await step('Automatisations: the data of an overdue invoice, its client and its accounting contact', async () => {
    const types = await backend(page, 'Records.Types');
    factures = types.ok && types.value.find((t) => t.key === 'facture');
    const companies = types.ok && types.value.find((t) => t.builtin === 'company');
    const contacts = types.ok && types.value.find((t) => t.builtin === 'contact');
    if (!factures || !companies || !contacts) fail(`no kinds Factures, companies, contacts: ${JSON.stringify(types)}`);
    const accs = await backend(page, 'Accounts.List');
    account = accs.ok && accs.value.find((a) => !a.disabled);
    if (!account) fail(`no account to send from: ${JSON.stringify(accs)}`);
    // The invoice due on 31 March 2026, unpaid, of Atelier Dupont (recordsSteps).
    const list = await backend(page, 'Records.List', { typeId: factures.id, search: 'FAC-2026-0042', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 5 });
    invoice = list.ok && list.value.records.find((r) => r.title === 'FAC-2026-0042');
    if (!invoice) fail(`no invoice FAC-2026-0042: ${JSON.stringify(list)}`);
    const client = (invoice.values.client ?? [])[0];
    if (!client) fail(`FAC-2026-0042 has no client: ${JSON.stringify(invoice.values)}`);
    const made = await backend(page, 'Records.Create', {
      typeId: contacts.id,
      values: { first_name: 'Élise', last_name: 'Garnier', emails: [account.email], job_title: 'Comptable', company: [client.id] },
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
    if (!ok.includes(account.email) || !ok.includes('Relance : facture FAC-2026-0042')) fail(`the dry run's row reads "${ok}"`);
    const bad = norm(await page.innerText(rowOf('FAC-2026-0050')));
    if (!bad.includes(norm(reasonText('fr', 'automation_no_contact')))) fail(`the blocked row reads "${bad}"`);
    await shot(page, 'automations-dry-run');
  });

  await step('Exécuter maintenant queues the reminder; the run log shows it with its outbox state; again sends nothing', async () => {
    await page.click(tid('automation-run'));
    await visible(page, `${tid('automation-log-row')}[data-state="queued"]:has-text("FAC-2026-0042")`, 'the queued reminder in the run log');
    await visible(page, `${tid('automation-log-row')}[data-state="blocked"]:has-text("FAC-2026-0050")`, 'the blocked invoice in the run log');
    const list = await backend(page, 'Automations.List', 0);
    const auto = list.ok && list.value.find((a) => a.name === 'Relance J+3');
    if (!auto) fail(`Automations.List: ${JSON.stringify(list)}`);
    await waitFor(async () => {
      const log = await backend(page, 'Automations.Log', auto.id, 0, 10);
      return log.ok && log.value.some((l) => l.title === 'FAC-2026-0042' && l.outboxState === 'sent');
    }, 'the reminder was not sent by the outbox', 30_000);
    await page.click(tid('automation-tab-log'));
    await expectText(page, `${tid('automation-log-row')}[data-state="queued"] ${tid('automation-log-outbox')}`, fr.outbox.badge.sent, 'the outbox state');
    await shot(page, 'automations-run-log');
    const again = await backend(page, 'Automations.RunNow', auto.id);
    if (!again.ok || again.value.queued !== 0) fail(`a second run queued ${JSON.stringify(again)}; want nothing`);
    const log = await backend(page, 'Automations.Log', auto.id, 0, 10);
    if (!log.ok || log.value.filter((l) => l.state === 'queued').length !== 1) fail(`the run log after a second run: ${JSON.stringify(log)}`);
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
