// The bulk send of the end-to-end test, in French, after the templates and filing steps: by
// then Factures holds FAC-2026-0042 and FAC-2026-0057 of Atelier Dupont (whose contact is
// Julien Dupont), FAC-2026-0043 without a client, and the template "Relance 1", whose
// placeholders {{facture.montant}} and {{facture.echeance}} have no default; the user's
// account is connected. One more invoice of Atelier Dupont, complete, is added; the list of
// Factures is filtered on its number; "Envoyer à ces 4 fiches" prepares the send: two can
// get it (two previews, switched one to the other), FAC-2026-0043 cannot (no address) nor
// FAC-2026-0057 (no due date and no default); the deliverability warning shows before this
// account's first bulk send, and does not block; the send goes through the outbox and its
// progress reaches "Terminé".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { absent, backend, expectText, fail, fmt, frontendDir, norm, shot, tid, visible, waitFor } from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const THIRD = { numero: 'FAC-2026-0061', montant: 2150, echeance: '2026-11-30' };
const SLOW_MS = 60_000; // a send through the outbox to the test Postfix
// How many invoices the filter finds: the four above, and any an earlier step made (the
// automations' FAC-2026-0050 of a company without a contact: set aside, no address).
let total = 4;
// The addresses of Atelier Dupont's contacts (Julien Dupont, and any an earlier step linked).
let dupontEmails = [];

async function frameText(page) {
  return norm(await page.frameLocator(tid('bulk-preview-frame')).locator('body').innerText());
}

export async function bulkSendSteps(page, step) {
  await step('Factures filtrée (Numéro contient « FAC ») : « Envoyer à ces N fiches »', async () => {
    const types = (await backend(page, 'Records.Types')).value ?? [];
    const facture = types.find((t) => t.key === 'facture');
    const company = types.find((t) => t.builtin === 'company');
    if (!facture || !company) fail('the kinds are not there');
    const found = await backend(page, 'Records.List', { typeId: company.id, search: 'Atelier Dupont', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 5 });
    const companyId = found.ok ? (found.value.records.find((r) => r.title === 'Atelier Dupont')?.id ?? 0) : 0;
    if (!companyId) fail(`no company Atelier Dupont: ${JSON.stringify(found).slice(0, 300)}`);
    const contactType = types.find((t) => t.builtin === 'contact');
    const contacts = await backend(page, 'Records.List', { typeId: contactType.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 500 });
    dupontEmails = [];
    for (const r of contacts.value?.records ?? []) {
      const got = await backend(page, 'Records.Get', r.id);
      const v = got.ok ? got.value.record.values : {};
      if (Array.isArray(v.company) && v.company.some((c) => c.id === companyId)) dupontEmails.push(...(v.emails ?? []));
    }
    if (!dupontEmails.includes('julien@atelier-dupont.example')) fail(`Atelier Dupont's contacts' addresses: ${JSON.stringify(dupontEmails)}`);
    const made = await backend(page, 'Records.Create', { typeId: facture.id, values: { ...THIRD, client: [companyId] } });
    if (!made.ok) fail(`Records.Create: ${JSON.stringify(made.error)}`);

    const listed = await backend(page, 'Records.List', { typeId: facture.id, search: '', sort: { field: '', desc: false },
      filters: [{ field: 'numero', op: 'contains', value: 'FAC' }], columns: [], cursor: '', limit: 1 });
    if (!listed.ok || listed.value.total < 4) fail(`Records.List with the filter: ${JSON.stringify(listed).slice(0, 300)}`);
    total = listed.value.total;

    await page.keyboard.press('Escape');
    await page.click(tid('nav-records'));
    await visible(page, tid('screen-records'), 'the records screen');
    await page.click(`${tid('records-tab')}[data-tab="facture"]`);
    await visible(page, tid('record-list'), 'the invoices');
    await page.click(tid('record-filters-toggle'));
    await page.click(tid('filter-add'));
    await page.selectOption(`${tid('record-filter')} ${tid('filter-field')}`, 'numero');
    await page.selectOption(`${tid('record-filter')} ${tid('filter-op')}`, 'contains');
    await page.fill(`${tid('record-filter')} ${tid('filter-value')}`, 'FAC');
    await page.press(`${tid('record-filter')} ${tid('filter-value')}`, 'Enter');
    await page.locator(`${tid('record-filter')} ${tid('filter-value')}`).blur();
    await expectText(page, tid('record-count'), `${total} fiches`, 'the filtered count');
    await expectText(page, tid('record-bulk-send'), `Envoyer à ces ${total} fiches`, 'the bulk send button');
    await shot(page, 'bulk-list-filtered-fr');
    await page.click(tid('record-bulk-send'));
    await visible(page, tid('bulk-send'), 'the bulk send window');
    await expectText(page, tid('bulk-send-title'), `Envoyer à ${total} fiches`, 'its title');
  });

  await step('le modèle « Relance 1 » : 2 fiches le recevront, les autres ne peuvent pas et pourquoi', async () => {
    await waitFor(async () => (await page.locator(`${tid('bulk-template')} option`).count()) > 0, 'the templates');
    await page.selectOption(tid('bulk-template'), { label: 'Relance 1' });
    await page.click(tid('bulk-prepare'));
    await expectText(page, tid('bulk-summary'), `2 fiches recevront ce mail sur ${total}.`, 'the summary', SLOW_MS);
    const rows = (await page.locator(tid('bulk-excluded-row')).allInnerTexts()).map(norm);
    const want = [
      `FAC-2026-0043 — ${norm(fr.bulk.reason.no_address)}`,
      `FAC-2026-0057 — ${norm(fmt(fr.bulk.reason.missing_value, { fields: '{{facture.echeance}}' }))}`,
    ];
    for (const w of want) if (!rows.includes(w)) fail(`the records set aside read ${JSON.stringify(rows)}, want ${JSON.stringify(want)}`);
    if (rows.length !== total - 2) fail(`${rows.length} records set aside: ${JSON.stringify(rows)}`);
    // Any other one set aside is an earlier step's invoice with no one to write to.
    for (const r of rows) if (!want.includes(r) && !r.endsWith(norm(fr.bulk.reason.no_address))) fail(`set aside: ${r}`);
    await page.locator(tid('bulk-excluded')).scrollIntoViewIfNeeded();
    await shot(page, 'bulk-plan-excluded-fr');
  });

  await step('l’aperçu de deux mails, de l’un à l’autre', async () => {
    await expectText(page, tid('bulk-preview-index'), 'Mail 1 sur 2', 'the first preview');
    await expectText(page, tid('bulk-preview-subject'), 'Relance : facture FAC-2026-0042', 'its subject');
    // The recipient: a contact of Atelier Dupont, the invoice's company.
    const to = norm(await page.locator(tid('bulk-preview-to')).innerText());
    const m = /^.+ <([^>]+)> — FAC-2026-0042$/.exec(to);
    if (!m || !dupontEmails.includes(m[1])) fail(`the first mail goes to “${to}”, not a contact of Atelier Dupont (${dupontEmails.join(', ')})`);
    await waitFor(async () => (await frameText(page)).includes('FAC-2026-0042'), 'the first mail');
    await page.locator(tid('bulk-preview')).scrollIntoViewIfNeeded();
    await shot(page, 'bulk-preview-1-fr');
    await page.click(tid('bulk-preview-next'));
    await expectText(page, tid('bulk-preview-index'), 'Mail 2 sur 2', 'the second preview');
    await expectText(page, tid('bulk-preview-subject'), 'Relance : facture FAC-2026-0061', 'its subject');
    let got = '';
    await waitFor(async () => {
      got = await frameText(page);
      return got.includes('La facture FAC-2026-0061 de 2 150,00 € était due le 30 novembre 2026.');
    }, `the second mail (${got})`);
    if (got.includes('FAC-2026-0042')) fail(`the second preview still shows the first invoice: ${got}`);
    await shot(page, 'bulk-preview-2-fr');
    await expectText(page, tid('bulk-last-send'), fr.bulk.lastToday, 'when the last one goes');
  });

  await step('l’avertissement de délivrabilité avant le premier envoi groupé du compte, sans bloquer', async () => {
    // Shown when the backend says so: the account's domain has findings, or was never
    // checked (the deliverability steps may have left its zone fixed: then none is shown).
    const accountId = Number(await page.locator(tid('bulk-account')).inputValue().catch(() => '0'));
    const before = await backend(page, 'Bulk.DeliverabilityWarning', accountId);
    if (!before.ok) fail(`Bulk.DeliverabilityWarning: ${JSON.stringify(before)}`);
    if (!before.value.show) {
      await absent(page, tid('bulk-deliverability-warning'), 'a warning the backend does not ask for');
      if (await page.locator(tid('bulk-send-start')).isDisabled()) fail('the send is blocked');
      return;
    }
    await visible(page, tid('bulk-deliverability-warning'), 'the deliverability warning');
    await expectText(page, `${tid('bulk-deliverability-warning')} h3`, fr.bulk.warningTitle, 'its title');
    await page.locator(tid('bulk-deliverability-warning')).scrollIntoViewIfNeeded();
    await shot(page, 'bulk-deliverability-warning-fr');
    if (await page.locator(tid('bulk-send-start')).isDisabled()) fail('the warning blocks the send');
    await page.click(tid('bulk-warning-ack'));
    await visible(page, tid('bulk-warning-acknowledged'), 'the acknowledgement');
    const w = await backend(page, 'Bulk.DeliverabilityWarning', accountId);
    if (!w.ok || w.value.show || !w.value.acknowledgedAt) fail(`Bulk.DeliverabilityWarning after the acknowledgement: ${JSON.stringify(w)}`);
  });

  await step('envoi : la progression jusqu’à « Terminé », par la boîte d’envoi', async () => {
    await expectText(page, tid('bulk-send-start'), 'Envoyer 2 mails', 'the send button');
    // What the outbox had sent before (a button sent FAC-2026-0042's reminder already).
    const sentSubjects = async (accountId) => {
      const r = await backend(page, 'Outbox.List', { accountId, states: ['sent'], cursor: '', limit: 100 });
      return r.ok ? r.value.items.map((i) => i.subject) : [];
    };
    const accountId = Number(await page.locator(tid('bulk-account')).inputValue());
    // The dialog starts on the office sender's account, once one is chosen (F22).
    const office = await backend(page, 'Accounts.OfficeSender');
    if (!office.ok) fail(`Accounts.OfficeSender: ${JSON.stringify(office)}`);
    if (office.value.accountId && office.value.accountId !== accountId) fail(`the bulk send starts on account ${accountId}, not the office sender's ${office.value.accountId}`);
    const earlier = await sentSubjects(accountId);
    await page.click(tid('bulk-send-start'));
    await visible(page, tid('bulk-progress'), 'the progress');
    await shot(page, 'bulk-progress-fr');
    await expectText(page, tid('bulk-state'), fr.bulk.state.done, 'the state', SLOW_MS);
    await expectText(page, tid('bulk-progress-text'), '2 envoyés sur 2', 'the count');
    await visible(page, tid('bulk-done'), 'the closing words');
    await shot(page, 'bulk-done-fr');
    const jobs = await backend(page, 'Bulk.Jobs');
    const job = jobs.ok && jobs.value[0];
    if (!job || job.state !== 'done' || job.sent !== 2 || job.skipped !== total - 2) fail(`Bulk.Jobs: ${JSON.stringify(jobs)}`);
    if (job.accountId !== accountId) fail(`the job sent from account ${job.accountId}, want ${accountId}`);
    const subjects = await sentSubjects(accountId);
    const count = (list, x) => list.filter((y) => y === x).length;
    for (const x of ['Relance : facture FAC-2026-0042', 'Relance : facture FAC-2026-0061']) {
      if (count(subjects, x) !== count(earlier, x) + 1) fail(`the outbox's sent mails: ${JSON.stringify(subjects)}, before: ${JSON.stringify(earlier)}`);
    }
    await page.click(tid('bulk-close'));
  });
}
