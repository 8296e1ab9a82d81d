// The Templates screen, in French: an admin writes a payment reminder for the kind Factures
// (made by recordsSteps, with the invoice FAC-2026-0042 of Atelier Dupont), with a
// placeholder typo that the save refuses in words, naming it and the right one; fixes it in
// the HTML source; then previews it on two real invoices, whose values differ, with dates
// and amounts written the French way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  backend,
  expectAttr,
  expectText,
  fail,
  frontendDir,
  noBackendEnglish,
  norm,
  reasonText,
  shot,
  tid,
  visible,
  waitFor,
} from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));

const SECOND = { numero: 'FAC-2026-0043', montant: 1234.56, echeance: '2026-12-05' };

/** frameText is the text of the preview's sandboxed frame. */
async function frameText(page) {
  return norm(await page.frameLocator(tid('template-preview-frame')).locator('body').innerText());
}

async function expectFrame(page, wants, what) {
  let got = '';
  try {
    await waitFor(async () => {
      got = await frameText(page);
      return wants.every((w) => got.includes(norm(w)));
    }, what);
  } catch {
    fail(`${what}: the preview reads "${got}", want ${JSON.stringify(wants)}`);
  }
  return got;
}

export async function templatesSteps(page, step) {
  let factures = null;

  await step('Modèles: an admin opens the editor from the empty screen, for Factures', async () => {
    const types = await backend(page, 'Records.Types');
    factures = types.ok && types.value.find((t) => t.key === 'facture');
    if (!factures) fail(`no kind Factures: ${JSON.stringify(types)}`);
    // A second invoice, due on another day, for another amount, without a company.
    const made = await backend(page, 'Records.Create', { typeId: factures.id, values: SECOND });
    if (!made.ok) fail(`Records.Create: ${JSON.stringify(made)}`);
    await page.click(tid('lang-switch-fr')).catch(() => {});
    await page.click(tid('nav-templates'));
    await visible(page, tid('screen-templates'), 'the templates screen');
    await expectText(page, tid('screen-title'), fr.screens.templates.title, 'the title');
    await page.click(tid('empty-state-action'));
    await visible(page, tid('template-editor'), 'the template editor');
    await visible(page, tid('template-rich'), 'the rich-text editor');
  });

  await step('a reminder written with the formatting editor and the field picker; a typo in a placeholder', async () => {
    await page.fill(tid('template-name'), 'Relance 1');
    await page.selectOption(tid('template-language'), 'fr');
    await page.selectOption(tid('template-type'), String(factures.id));
    await page.fill(tid('template-subject'), 'Relance : facture {{facture.numero}}');
    await page.click(tid('template-rich'));
    await page.keyboard.type('Bonjour {{company.name | default: "Madame, Monsieur"}},');
    await page.keyboard.press('Enter');
    await page.keyboard.type('La facture {{facture.numreo}} de ');
    await page.selectOption(tid('template-picker'), 'facture.montant');
    // The field goes in at the cursor and the focus returns to the text.
    await waitFor(() => page.evaluate(() => document.activeElement?.closest('[data-testid="template-rich"]') != null), 'the focus back in the text');
    await page.keyboard.type(' était due le ');
    await page.click(tid('template-tool-bold'));
    await page.keyboard.type('{{facture.echeance}}');
    await page.click(tid('template-tool-bold'));
    await page.keyboard.type('.');
    const html = await page.locator(`${tid('template-rich')}`).innerHTML();
    if (!html.includes('{{facture.montant}} était due le ') || !html.includes('<strong>{{facture.echeance}}</strong>.</p>')) {
      fail(`the editor holds ${html}`);
    }
    await page.click(tid('template-save'));
    const want = reasonText('fr', 'template_field_unknown', { placeholder: '{{facture.numreo}}', suggestion: '{{facture.numero}}' });
    await expectText(page, tid('template-error-notice-text'), want, 'the refusal');
    await expectAttr(page, tid('template-error'), 'data-field', 'html', 'the refused part');
    await noBackendEnglish(page, 'a placeholder typo');
    const list = await backend(page, 'Templates.List');
    if (!list.ok || list.value.length !== 0) fail(`a refused template was stored: ${JSON.stringify(list)}`);
    await shot(page, 'templates-typo-fr');
  });

  await step('fixed in the HTML source, it is saved; the plain text follows the message', async () => {
    await page.click(tid('template-view-source'));
    const source = await page.inputValue(tid('template-source'));
    if (!source.includes('{{facture.numreo}}') || !source.includes('<strong>{{facture.echeance}}</strong>.</p>')) fail(`the source reads ${source}`);
    await page.fill(tid('template-source'), source.replace('{{facture.numreo}}', '{{facture.numero}}'));
    await shot(page, 'templates-source-fr');
    await page.click(tid('template-save'));
    await expectText(page, tid('template-saved'), fr.templates.editor.saved, 'the saved note');
    await visible(page, `${tid('template-row')}`, 'the template in the list');
    await page.click(tid('template-view-text'));
    const text = await page.inputValue(tid('template-text'));
    if (!text.includes('La facture {{facture.numero}} de {{facture.montant}}')) fail(`the plain text reads ${text}`);
    await expectText(page, tid('template-text-state'), fr.templates.editor.textFollows, 'the plain text’s state');
    const list = await backend(page, 'Templates.List');
    if (!list.ok || list.value.length !== 1 || list.value[0].name !== 'Relance 1') fail(`Templates.List: ${JSON.stringify(list)}`);
  });

  await step('preview on FAC-2026-0042: Atelier Dupont, 1 300,00 €, 31 mars 2026', async () => {
    await page.selectOption(tid('template-preview-record'), { label: 'FAC-2026-0042' });
    await expectText(page, tid('template-preview-subject'), 'Relance : facture FAC-2026-0042', 'the subject');
    await expectFrame(page, ['Bonjour Atelier Dupont,', 'La facture FAC-2026-0042 de 1 300,00 € était due le 31 mars 2026.'], 'the first invoice');
    await page.locator(tid('template-preview')).scrollIntoViewIfNeeded();
    await shot(page, 'templates-preview-1-fr');
  });

  await step('the switcher moves to FAC-2026-0043: other values, the default where the company is missing', async () => {
    await page.selectOption(tid('template-preview-record'), { label: SECOND.numero });
    await expectText(page, tid('template-preview-subject'), `Relance : facture ${SECOND.numero}`, 'the subject');
    const got = await expectFrame(page, ['Bonjour Madame, Monsieur,', `La facture ${SECOND.numero} de 1 234,56 € était due le 5 décembre 2026.`], 'the second invoice');
    if (got.includes('Atelier Dupont') || got.includes('31 mars')) fail(`the second preview still shows the first invoice: ${got}`);
    await page.locator(tid('template-preview')).scrollIntoViewIfNeeded();
    await shot(page, 'templates-preview-2-fr');
  });
}
