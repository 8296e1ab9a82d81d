// End-to-end steps of the records' import and export, in French (run.mjs calls them after
// recordsSteps, which made the kind Factures — Numéro, Montant (€), Échéance, Payée, Client
// (an Entreprise) — the company "Atelier Dupont" and the invoice FAC-2026-0042 by hand).
//
// A shop owner's three files, written here as the programs that make them write them:
//  - the companies, from a French Excel ("CSV (séparateur : point-virgule)"): Windows-1252,
//    `;`, CRLF, dd/mm/yyyy dates and `1 234,56` amounts; two columns become NEW fields;
//  - the contacts, from Google Contacts (UTF-8, `,`, its own header, a multi-line note);
//  - the invoices, from a spreadsheet saved as "CSV UTF-8": a BOM, `;`, a "Client" column
//    naming the companies, and one row with an impossible due date (left out, with why).
// The files are "chosen" through the dev binary's dialog file (MAILROOM_TEST_DIALOG_FILE,
// backend/api/dialogs_dev.go): the test writes the path there before each Open or Export.
// The wizard's helpers are exported for the filing steps, which import contacts too.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { absent, backend, expectText, fail, fmt, frontendDir, noBackendEnglish, norm, reasonText, shot, tempDirs, tid, visible, waitFor } from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const NET = 30_000; // an import or a validation, with the binary's WebKit beside it

/** cp1252 encodes text as Excel's "CSV" does on a French Windows (Windows-1252): Latin-1,
 * but for 0x80–0x9F, which hold €, typographic quotes and dashes, œ… (Node has no encoder
 * for it; the 32 bytes are written out here, "\ufffd" for the five unused ones). */
const CP1252_HIGH = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';
function cp1252(text) {
  return Buffer.from(
    [...text].map((c) => {
      const high = CP1252_HIGH.indexOf(c);
      if (high >= 0 && c !== '\ufffd') return 0x80 + high;
      const code = c.codePointAt(0);
      if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
      throw new Error(`${c} has no Windows-1252 byte`);
    }),
  );
}

const COMPANIES = [
  'Raison sociale;Site web;Téléphone;Code postal;Ville;Client depuis;Chiffre d\'affaires;Remarques',
  'Atelier Dupont;atelier-dupont.fr;01 42 00 11 22;75011;Paris;15/03/2019;12 480,00;Ébénisterie – sur rendez-vous',
  'Boulangerie Lefèvre;boulangerie-lefevre.fr;04 78 12 34 56;69002;Lyon;02/09/2021;1 234,56;Remise de 5 € au-delà de 100 €',
  'Café de l\'Étoile;cafe-etoile.fr;05 56 98 76 54;33000;Bordeaux;28/02/2024;987,10;',
].join('\r\n') + '\r\n';
const COMPANY_COLUMNS = { name: 0, domains: 1, phone: 2, since: 5, turnover: 6 };

const GOOGLE_HEADER =
  'First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,' +
  'Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,' +
  'Phone 1 - Label,Phone 1 - Value';
const CONTACTS = [
  GOOGLE_HEADER,
  'Juliette,,Moreau,,,,,,,,Atelier Dupont,Gérante,,,,,* myContacts,* Work,juliette.moreau@atelier-dupont.fr,Mobile,+33 6 12 34 56 78',
  'Karim,,Benali,,,,,,,,Boulangerie Lefèvre,Boulanger,,,"Livraison le mardi.\nPréfère le téléphone.",,* myContacts,* Work,karim@boulangerie-lefevre.fr,Work,04 78 12 34 57',
  'Léa,,Fontaine,,,,,,,,Café de l\'Étoile,,,,,,* myContacts,* Home,lea.fontaine@gmail.com,,',
].join('\n') + '\n';

const INVOICES = [
  'N° facture;Client;Échéance;Montant TTC;Payée',
  'FAC-2026-0101;Boulangerie Lefèvre;04/02/2026;1 234,56;oui',
  'FAC-2026-0102;Café de l\'Étoile;11/02/2026;480,00;non',
  'FAC-2026-0103;Atelier Dupont;19/02/2026;2 300,00;non',
  'FAC-2026-0104;Boulangerie Lefèvre;31/02/2026;99,90;non',
].join('\r\n') + '\r\n';
const BAD_LINE = 5;
// A file long enough for its import to be under way when Cancel is pressed.
const BIG_ROWS = 60_000;
const BIG_TIMEOUT = 120_000; // FAC-2026-0104: there is no 31 February

/** choose makes the next file dialog answer path. */
function choose(dialogFile, path) {
  writeFileSync(dialogFile, path);
}

export async function typeId(page, key) {
  const res = await backend(page, 'Records.Types');
  if (!res.ok) fail(`Records.Types: ${JSON.stringify(res)}`);
  return { types: res.value, type: res.value.find((t) => t.key === key || t.builtin === key) };
}

/** find reads the records of a type whose search matches text. */
export async function find(page, typeIdValue, text) {
  const res = await backend(page, 'Records.List', { typeId: typeIdValue, search: text, sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 50 });
  if (!res.ok) fail(`Records.List: ${JSON.stringify(res)}`);
  return res.value.records ?? [];
}

export async function openTab(page, key) {
  await page.click(`${tid('records-tab')}[data-tab="${key}"]`);
  await visible(page, tid('record-list-pane'), `the ${key} list`);
}

/** openWizard opens the import on the tab shown (with button: the list's, or the empty
 * state's) and "chooses" path. */
export async function openWizard(page, dialogFile, path, button = 'record-import') {
  await page.click(tid(button));
  await visible(page, tid('import-wizard'), 'the import wizard');
  choose(dialogFile, path);
  await page.click(tid('import-choose'));
  await visible(page, tid('import-detected'), 'what was detected');
}

/** checkAndImport validates (then runs checked(), if given), then imports, and returns the
 * summary read. */
export async function checkAndImport(page, shotName, checked = async () => {}) {
  await page.click(tid('import-check'));
  await visible(page, tid('import-summary'), 'the check’s summary', NET);
  await checked();
  await shot(page, `${shotName}-check`);
  await page.click(tid('import-run'));
  await visible(page, tid('import-done'), 'the end of the import', NET);
  return norm(await page.locator(tid('import-done')).innerText());
}

export async function closeWizard(page) {
  await page.click(tid('import-close'));
  await absent(page, tid('import-wizard'), 'the import wizard');
}

export async function recordsImportSteps(page, step, dialogFile) {
  if (!dialogFile) fail('the app was started without MAILROOM_TEST_DIALOG_FILE (lib.mjs appEnv)');
  const temp = tempDirs();
  const dir = temp.make('mailroom-e2e-import-');
  const files = { companies: join(dir, 'Entreprises.csv'), contacts: join(dir, 'contacts.csv'), invoices: join(dir, 'Factures impayées.csv') };
  writeFileSync(files.companies, cp1252(COMPANIES));
  writeFileSync(files.contacts, CONTACTS, 'utf8');
  writeFileSync(files.invoices, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(INVOICES, 'utf8')]));
  const made = {}; // the new fields' keys
  let invoiceImport = 0;

  try {
    await step('import: the Excel file of companies is read as Windows-1252 with “;”, its columns mapped by their French names', async () => {
      await page.click(tid('nav-records'));
      await openTab(page, 'company');
      await openWizard(page, dialogFile, files.companies);
      const detected = norm(await page.locator(tid('import-detected')).innerText());
      const want = fmt(fr.imports.detected.replace(/\{rows, plural.*?\}\}/, '3 lignes'), {
        name: 'Entreprises.csv',
        encoding: 'windows-1252',
        separator: fr.imports.separators.semicolon,
      });
      if (!detected.startsWith(norm(want))) fail(`the wizard says "${detected}", want "${norm(want)}…"`);
      // What was detected is in the menus, to be changed.
      const enc = norm(await page.locator(`${tid('import-encoding')} option[value=""]`).innerText());
      if (!enc.includes('windows-1252')) fail(`the encoding menu reads "${enc}"`);
      const sep = norm(await page.locator(`${tid('import-separator')} option[value=""]`).innerText());
      if (!sep.includes(';')) fail(`the separator menu reads "${sep}"`);
      for (const [col, key] of [
        [COMPANY_COLUMNS.name, 'name'],
        [COMPANY_COLUMNS.domains, 'domains'],
        [COMPANY_COLUMNS.phone, 'phone'],
      ]) {
        const v = await page.locator(tid(`import-map-${col}`)).inputValue();
        if (v !== key) fail(`the column ${col} goes to "${v}", want ${key}`);
      }
      const v = await page.locator(tid(`import-map-${COMPANY_COLUMNS.turnover}`)).inputValue();
      if (v !== '') fail(`"Chiffre d'affaires" goes to "${v}" before a field exists for it`);
      await shot(page, 'records-import-companies-mapping-fr');
    });

    await step('import: two columns become new fields, named from their headers, of the kind their values suggest', async () => {
      // Chiffre d'affaires: read as a number (1 234,56), made a money field in euros.
      await page.selectOption(tid(`import-map-${COMPANY_COLUMNS.turnover}`), ':new');
      await visible(page, tid('import-new-field'), 'the new field form');
      const label = await page.locator(tid('import-new-field-label')).inputValue();
      if (label !== "Chiffre d'affaires") fail(`the new field is named "${label}"`);
      const kind = await page.locator(tid('import-new-field-kind')).inputValue();
      if (kind !== 'number') fail(`the new field's kind is ${kind}, want number`);
      await page.selectOption(tid('import-new-field-kind'), 'money');
      const cur = await page.locator(tid('import-new-field-currency')).inputValue();
      if (cur !== 'EUR') fail(`the currency is ${cur}`);
      await shot(page, 'records-import-new-field-fr');
      await page.click(tid('import-new-field-create'));
      await absent(page, tid('import-new-field'), 'the new field form');
      // Client depuis: dates (dd/mm/yyyy), kept as the date it suggests.
      await page.selectOption(tid(`import-map-${COMPANY_COLUMNS.since}`), ':new');
      const since = await page.locator(tid('import-new-field-label')).inputValue();
      const sinceKind = await page.locator(tid('import-new-field-kind')).inputValue();
      if (since !== 'Client depuis' || sinceKind !== 'date') fail(`the second new field is "${since}" (${sinceKind})`);
      await page.click(tid('import-new-field-create'));
      await absent(page, tid('import-new-field'), 'the new field form');
      const { type } = await typeId(page, 'company');
      const turnover = type.fields.find((f) => f.label === "Chiffre d'affaires");
      const sinceField = type.fields.find((f) => f.label === 'Client depuis');
      if (turnover?.kind !== 'money' || turnover.currency !== 'EUR' || sinceField?.kind !== 'date') fail(`the companies' fields: ${JSON.stringify(type.fields)}`);
      made.turnover = turnover.key;
      made.since = sinceField.key;
      for (const [col, key] of [
        [COMPANY_COLUMNS.turnover, made.turnover],
        [COMPANY_COLUMNS.since, made.since],
      ]) {
        const v = await page.locator(tid(`import-map-${col}`)).inputValue();
        if (v !== key) fail(`the column ${col} goes to "${v}", want the new field ${key}`);
      }
      if ((await page.locator(tid('import-new-badge')).count()) !== 2) fail('the new fields are not marked as new');
    });

    await step('import: the preview shows the rows as stored; Atelier Dupont (made by hand) is updated, not doubled', async () => {
      await page.click(tid('import-check'));
      await visible(page, tid('import-summary'), 'the check’s summary', NET);
      await expectText(page, tid('import-summary'), fmt(fr.imports.summary.replace(/\{created, plural.*?\}\}/, '2 fiches').replace(/\{failed, plural.*?\}\}/, '0 ligne'), { updated: 1, skipped: 0 }), 'the summary');
      const row = `${tid('import-preview-row')}[data-line="3"]`;
      await expectText(page, `${row} td[data-key="${made.turnover}"]`, '1 234,56 €', 'the turnover as stored');
      await expectText(page, `${row} td[data-key="${made.since}"]`, '2 sept. 2021', 'the date as stored');
      await expectText(page, `${row} td[data-key="name"]`, 'Boulangerie Lefèvre', 'the name');
      const notes = norm(await page.locator(`${row} td[data-key="notes"]`).innerText());
      if (notes !== 'Remise de 5 € au-delà de 100 €') fail(`the notes read "${notes}" (Windows-1252's € lost?)`);
      const first = norm(await page.locator(`${tid('import-preview-row')}[data-line="2"] td`).first().innerText());
      if (first !== `2 · ${fr.imports.action.update}`) fail(`Atelier Dupont's row reads "${first}"`);
      await shot(page, 'records-import-companies-check-fr');
      await page.click(tid('import-run'));
      await visible(page, tid('import-done'), 'the end of the import', NET);
      await closeWizard(page);
      const boulangerie = (await find(page, (await typeId(page, 'company')).type.id, 'Boulangerie'))[0];
      const got = await backend(page, 'Records.Get', boulangerie?.id);
      const v = got.ok ? got.value.record.values : {};
      if (v[made.turnover] !== 1234.56 || v[made.since] !== '2021-09-02' || !String(v.domains).includes('boulangerie-lefevre.fr')) fail(`Boulangerie Lefèvre: ${JSON.stringify(got)}`);
      const dupont = await find(page, (await typeId(page, 'company')).type.id, 'Atelier Dupont');
      if (dupont.length !== 1) fail(`${dupont.length} companies "Atelier Dupont"`);
    });

    await step('import: the Google Contacts file is recognised; each contact is linked to its company by name', async () => {
      await openTab(page, 'contact');
      // With no contact yet, the empty list leads to the import; the steps before may have
      // made some (automations, filing), and then the list's own button does.
      await page.waitForSelector(`${tid('records-empty-import')}, ${tid('record-import')}`, { state: 'visible' });
      const empty = (await page.locator(tid('records-empty-import')).count()) > 0;
      await openWizard(page, dialogFile, files.contacts, empty ? 'records-empty-import' : 'record-import');
      const detected = norm(await page.locator(tid('import-detected')).innerText());
      for (const want of ['contacts.csv', '3 lignes', 'utf-8', fr.imports.separators.comma, fr.imports.layouts.google_contacts]) {
        if (!detected.includes(norm(want))) fail(`the wizard says "${detected}", without "${want}"`);
      }
      const summary = await checkAndImport(page, 'records-import-contacts-fr', async () => {
        // The company reads as the file says it, found among the companies just imported.
        await expectText(page, `${tid('import-preview-row')}[data-line="3"] td[data-key="company"]`, 'Boulangerie Lefèvre', 'Karim’s company');
        await expectText(page, `${tid('import-preview-row')}[data-line="3"] td[data-key="first_name"]`, 'Karim', 'Karim’s first name');
      });
      if (!summary.includes('3 fiches créées')) fail(`the import says "${summary}"`);
      await closeWizard(page);
      const { type: contact } = await typeId(page, 'contact');
      const { type: company } = await typeId(page, 'company');
      const karim = (await find(page, contact.id, 'karim'))[0];
      const got = await backend(page, 'Records.Get', karim?.id);
      if (!got.ok) fail(`Records.Get: ${JSON.stringify(got)}`);
      const v = got.value.record.values;
      const boulangerie = (await find(page, company.id, 'Boulangerie'))[0];
      if (v.first_name !== 'Karim' || v.last_name !== 'Benali' || JSON.stringify(v.emails) !== '["karim@boulangerie-lefevre.fr"]') fail(`Karim: ${JSON.stringify(v)}`);
      if (!Array.isArray(v.company) || v.company[0]?.id !== boulangerie.id) fail(`Karim's company: ${JSON.stringify(v.company)}, want ${boulangerie.id}`);
      if (!String(v.notes).includes('\n')) fail(`the multi-line note: ${JSON.stringify(v.notes)}`);
    });

    await step('import: the invoices link to their companies; the row with 31/02/2026 is listed with its reason', async () => {
      await openTab(page, 'facture');
      await openWizard(page, dialogFile, files.invoices);
      const detected = norm(await page.locator(tid('import-detected')).innerText());
      for (const want of ['4 lignes', 'utf-8', fr.imports.separators.semicolon, fr.imports.bom]) {
        if (!detected.includes(norm(want))) fail(`the wizard says "${detected}", without "${want}"`);
      }
      const want = ['numero', 'client', 'echeance', 'montant', 'payee'];
      for (const [i, key] of want.entries()) {
        const v = await page.locator(tid(`import-map-${i}`)).inputValue();
        if (v !== key) fail(`the column ${i} goes to "${v}", want ${key}`);
      }
      await page.click(tid('import-check'));
      await visible(page, tid('import-summary'), 'the check’s summary', NET);
      const failure = page.locator(`${tid('import-failure')}[data-line="${BAD_LINE}"]`);
      await visible(page, `${tid('import-failure')}[data-line="${BAD_LINE}"]`, 'the failing row');
      const reason = await failure.getAttribute('data-reason');
      const text = norm(await failure.innerText());
      const why = reasonText('fr', reason, { value: '31/02/2026', field: 'Échéance' });
      if (!reason?.startsWith('importer_date') && !reason?.startsWith('records_value')) fail(`the row fails for ${reason}`);
      if (text !== norm(`Ligne ${BAD_LINE}, Échéance : ${why}`)) fail(`the failure reads "${text}", want "Ligne ${BAD_LINE}, Échéance : ${why}"`);
      await expectText(page, `${tid('import-preview-row')}[data-line="2"] td[data-key="montant"]`, '1 234,56 €', 'the amount as stored');
      await expectText(page, `${tid('import-preview-row')}[data-line="2"] td[data-key="echeance"]`, '4 févr. 2026', 'the due date as stored');
      await expectText(page, `${tid('import-preview-row')}[data-line="2"] td[data-key="payee"]`, 'Oui', 'paid');
      await expectText(page, `${tid('import-preview-row')}[data-line="2"] td[data-key="client"]`, 'Boulangerie Lefèvre', 'the client');
      await noBackendEnglish(page, 'the invoices’ check');
      await shot(page, 'records-import-invoices-check-fr');
      await page.click(tid('import-run'));
      await visible(page, tid('import-done'), 'the end of the import', NET);
      const done = norm(await page.locator(tid('import-done')).innerText());
      if (!done.includes('3 fiches créées') || !done.includes('1 ligne écartée')) fail(`the import says "${done}"`);
      await shot(page, 'records-import-invoices-done-fr');
      await closeWizard(page);
      const { type: invoice } = await typeId(page, 'facture');
      const { type: company } = await typeId(page, 'company');
      const [inv] = await find(page, invoice.id, 'FAC-2026-0101');
      const got = await backend(page, 'Records.Get', inv?.id);
      const boulangerie = (await find(page, company.id, 'Boulangerie'))[0];
      const v = got.ok ? got.value.record.values : {};
      if (v.montant !== 1234.56 || v.echeance !== '2026-02-04' || v.payee !== true || v.client?.[0]?.id !== boulangerie.id) fail(`FAC-2026-0101: ${JSON.stringify(got)}`);
      if ((await find(page, invoice.id, 'FAC-2026-0104')).length) fail('the failing row was imported');
      const hist = await backend(page, 'Imports.History', invoice.id);
      invoiceImport = hist.ok ? hist.value[0]?.id : 0;
      if (!invoiceImport) fail(`Imports.History: ${JSON.stringify(hist)}`);
    });

    await step('the search finds an imported invoice; its amount is edited in place', async () => {
      const found = async () => (await page.locator(tid('record-row')).allInnerTexts()).map(norm);
      // The list shows the imported invoices beside those made by hand.
      await waitFor(async () => {
        const rows = await found();
        return rows.length > 1 && rows.some((r) => r.startsWith('FAC-2026-0103'));
      }, 'the imported invoices listed');
      await page.fill(tid('record-search'), '0103');
      await waitFor(async () => {
        const rows = await found();
        return rows.length === 1 && rows[0].startsWith('FAC-2026-0103');
      }, 'FAC-2026-0103 found alone');
      const row = (await found())[0];
      if (!row.includes('Atelier Dupont')) fail(`the row does not show its client: "${row}"`);
      await shot(page, 'records-import-search-fr');
      await page.locator(tid('record-row')).click();
      await expectText(page, tid('record-title'), 'FAC-2026-0103', 'the invoice’s page');
      await expectText(page, `${tid('record-field')}[data-key="client"] ${tid('record-link')}`, 'Atelier Dupont', 'the client link');
      await page.click(tid('record-value-montant'));
      await page.fill(tid('record-input-montant'), '2 350');
      await page.keyboard.press('Enter');
      await expectText(page, tid('record-value-montant'), '2 350,00 € ✎', 'the new amount');
      await page.click(tid('record-back'));
      await page.fill(tid('record-search'), '');
    });

    await step('Annuler cet import: after a confirmation, the invoices it created are gone (the one edited too)', async () => {
      await page.click(tid('record-import'));
      await visible(page, `${tid('import-history-item')}[data-id="${invoiceImport}"]`, 'the import in the list of imports');
      await page.click(`${tid('import-history-item')}[data-id="${invoiceImport}"] ${tid('import-history-undo')}`);
      await visible(page, tid('import-undo-dialog'), 'the confirmation');
      await expectText(page, tid('import-undo-dialog-title'), fmt(fr.imports.undoTitle, { name: 'Factures impayées.csv' }), 'the confirmation’s title');
      await shot(page, 'records-import-undo-confirm-fr');
      await page.click(tid('import-undo-dialog-confirm'));
      await visible(page, tid('import-undone'), 'what the undo did', NET);
      const said = norm(await page.locator(tid('import-undone')).innerText());
      if (!said.startsWith('Import annulé : 3 fiches supprimées')) fail(`the wizard says "${said}"`);
      await visible(page, `${tid('import-history-item')}[data-id="${invoiceImport}"] .muted`, 'the import marked undone');
      await shot(page, 'records-import-undone-fr');
      await page.keyboard.press('Escape');
      await absent(page, tid('import-wizard'), 'the import wizard');
      const { type: invoice } = await typeId(page, 'facture');
      for (const n of ['FAC-2026-0101', 'FAC-2026-0102', 'FAC-2026-0103']) {
        if ((await find(page, invoice.id, n)).length) fail(`${n} is still there`);
      }
      if ((await find(page, invoice.id, 'FAC-2026-0042')).length !== 1) fail('the invoice made by hand is gone too');
      await waitFor(async () => !(await page.locator(tid('record-row')).allInnerTexts()).some((t) => t.includes('FAC-2026-010')), 'the list without the imported invoices');
    });

    await step('Exporter: a saved view of the companies (by turnover, highest first) is written as a CSV for Excel', async () => {
      await openTab(page, 'company');
      // The view: sorted by the new field, highest first (a click sorts up, a second down), saved.
      const rowsNow = async () => (await page.locator(tid('record-row')).allInnerTexts()).map(norm);
      await page.click(tid(`record-sort-${made.turnover}`));
      await waitFor(async () => (await rowsNow())[0]?.startsWith('Café de l'), 'the companies by turnover, lowest first');
      await page.click(tid(`record-sort-${made.turnover}`));
      await waitFor(async () => (await rowsNow())[0]?.startsWith('Atelier Dupont'), 'the companies by turnover, highest first');
      await page.click(tid('record-view-save'));
      await page.fill(tid('record-view-name'), 'Meilleurs clients');
      await page.click(tid('record-view-name-save'));
      await waitFor(async () => norm(await page.locator(`${tid('record-views')} option:checked`).innerText()) === 'Meilleurs clients', 'the view saved and shown');
      const out = join(dir, 'export', 'Sociétés.csv');
      mkdirSync(join(dir, 'export'));
      choose(dialogFile, out);
      await page.click(tid('record-export'));
      await visible(page, tid('records-export-dialog'), 'the export dialog');
      await page.click(tid('export-csv'));
      await expectText(page, `${tid('records-export-dialog')} [role=status]`, fmt(fr.imports.export.saved, { path: out }), 'where it was saved');
      await shot(page, 'records-export-fr');
      await page.keyboard.press('Escape');
      const raw = readFileSync(out);
      if (raw[0] !== 0xef || raw[1] !== 0xbb || raw[2] !== 0xbf) fail(`the file starts with ${raw.subarray(0, 3).toString('hex')}, not a UTF-8 BOM`);
      const lines = raw.subarray(3).toString('utf8').split(/\r?\n/).filter(Boolean);
      const header = lines[0].split(';');
      for (const h of ['Nom', "Chiffre d'affaires (EUR)", 'Client depuis']) if (!header.includes(h)) fail(`the header is ${JSON.stringify(header)}, without ${h}`);
      // Every company, one line each (steps before may have made some without a turnover:
      // they come last in both orders).
      const { type: companyType } = await typeId(page, 'company');
      const all = await backend(page, 'Records.List', { typeId: companyType.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 1 });
      if (!all.ok || lines.length !== all.value.total + 1) fail(`the file has ${lines.length} lines for ${all.value?.total} companies:\n${lines.join('\n')}`);
      const order = lines.slice(1, 4).map((l) => l.split(';')[0]);
      if (JSON.stringify(order) !== JSON.stringify(['Atelier Dupont', 'Boulangerie Lefèvre', "Café de l'Étoile"])) fail(`the file's order is ${JSON.stringify(order)}, not the view's`);
      const line = lines.find((l) => l.startsWith('Boulangerie Lefèvre;'));
      if (!line) fail(`no line for Boulangerie Lefèvre:\n${lines.join('\n')}`);
      const cells = line.split(';');
      const at = (h) => norm(cells[header.indexOf(h)]);
      if (!/^1\s?234,56/.test(at("Chiffre d'affaires (EUR)")) || at('Client depuis') !== '02/09/2021') fail(`the line reads ${line}`);
      console.log(`     ${out}: ${lines.length} lines, ${header.join(';')}`);
    });

    await step('a long import shows its progress and Annuler l’import stops it: nothing of it is kept', async () => {
      const big = join(dir, 'clients-2019-2026.csv');
      const rows = ['Nom;Prénom;E-mail;Téléphone;Ville'];
      for (let i = 0; i < BIG_ROWS; i++) rows.push(`Client${i};Prénom${i % 97};client${i}@exemple-${i % 50}.fr;01 23 ${String(i % 100).padStart(2, '0')} 45 67;Lyon`);
      writeFileSync(big, cp1252(rows.join('\r\n') + '\r\n'));
      const { type: contact } = await typeId(page, 'contact');
      const before = await backend(page, 'Records.List', { typeId: contact.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 1 });
      await openTab(page, 'contact');
      await openWizard(page, dialogFile, big);
      let t0 = Date.now();
      await page.click(tid('import-check'));
      await visible(page, tid('import-progress'), 'the check’s progress');
      await visible(page, tid('import-summary'), 'the check’s summary', BIG_TIMEOUT);
      const checkMs = Date.now() - t0;
      // The desktop app runs each call in its own goroutine, so the button's Imports.Cancel
      // reaches the import under way; the dev server behind this browser runs one page's
      // calls one after the other, so that call waits behind Imports.Run. A second window
      // (its own connection), opened before the import starts so that it answers at once,
      // makes the same call as the desktop app would.
      const other = await page.context().newPage();
      try {
        await other.goto(page.url());
        await visible(other, tid('shell'), 'the second window');
        t0 = Date.now();
        await page.click(tid('import-run'));
        await visible(page, tid('import-progress'), 'the import’s progress');
        // Cancel is offered once the import is heard from (its first progress).
        await visible(page, `${tid('import-cancel')}:not([disabled])`, 'Annuler l’import', BIG_TIMEOUT);
        const fileId = await page.locator(tid('import-progress')).getAttribute('data-file-id');
        const res = await backend(other, 'Imports.Cancel', fileId);
        if (!res.ok) fail(`Imports.Cancel: ${JSON.stringify(res)}`);
        await shot(page, 'records-import-progress-fr');
        // The button too, while it is there (its call answers once the import has stopped).
        await page.click(tid('import-cancel'), { timeout: 2_000 }).catch(() => {});
      } finally {
        await other.close();
      }
      const cancelMs = Date.now() - t0;
      await expectText(page, tid('import-error'), reasonText('fr', 'imports_cancelled'), 'the cancellation', BIG_TIMEOUT);
      await visible(page, tid('import-summary'), 'the check’s summary, to import again');
      await noBackendEnglish(page, 'a cancelled import');
      await shot(page, 'records-import-cancelled-fr');
      await page.keyboard.press('Escape');
      await absent(page, tid('import-wizard'), 'the import wizard');
      const after = await backend(page, 'Records.List', { typeId: contact.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 1 });
      if (!before.ok || !after.ok || after.value.total !== before.value.total) fail(`contacts before: ${JSON.stringify(before.value?.total)}, after: ${JSON.stringify(after.value?.total)}`);
      const hist = await backend(page, 'Imports.History', contact.id);
      if (!hist.ok || hist.value.some((h) => h.fileName === 'clients-2019-2026.csv')) fail(`the cancelled import is listed: ${JSON.stringify(hist)}`);
      console.log(`     ${BIG_ROWS} rows checked in ${checkMs} ms; the import cancelled after ${cancelMs} ms`);
    });
  } finally {
    temp.removeAll();
  }
}
