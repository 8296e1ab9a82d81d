// Signatures (F14) and each person's defaults on a shared account (F18), in French: the
// owner writes a signature in the rich-text editor (merge tags, source view, an image by its
// address), a hostile one is cleaned, a fourth is refused; she gives the account to Sophie
// with it as her default signature; Sophie sees only that account and writes a message that
// carries her signature, filled with her profile; then back to the owner, who takes the
// access back (the steps after these expect the account as they left it).
//
// Called from run.mjs's accountsSteps once the mailbox is connected and the owner is back
// in Settings with its details open; it ends there too.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  absent,
  backend,
  DELIVERY_TIMEOUT_MS,
  expectAttr,
  expectText,
  fail,
  filesUnder,
  fmt,
  frontendDir,
  noBackendEnglish,
  norm,
  reasonText,
  shot,
  sleep,
  tid,
  visible,
  waitFor,
} from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));

const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="44"><rect width="180" height="44" rx="8" fill="#1d4ed8"/>' +
  '<text x="90" y="28" font-family="sans-serif" font-size="16" fill="#fff" text-anchor="middle">Atelier Martin</text></svg>';

/** logoServer serves the signature's logo on 127.0.0.1 and counts who asked for it. */
function logoServer() {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      server.hits = (server.hits ?? 0) + 1;
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
      res.end(LOGO_SVG);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** frameText is the text of a mail frame's document (the signature previews). */
async function frameText(page, selector) {
  const handle = await page.locator(selector).first().elementHandle();
  const frame = handle && (await handle.contentFrame());
  if (!frame) fail(`${selector} has no document`);
  return norm(await frame.evaluate(() => document.body.innerText));
}

/** frameHTML is a mail frame's body as HTML (to check what it holds, never to show it). */
async function frameHTML(page, selector) {
  const handle = await page.locator(selector).first().elementHandle();
  const frame = handle && (await handle.contentFrame());
  if (!frame) fail(`${selector} has no document`);
  return frame.evaluate(() => document.body.innerHTML);
}

/** qpDecode undoes quoted-printable (soft breaks and =XX bytes) in a message file. */
function qpDecode(s) {
  const bytes = Buffer.from(s.replace(/=\r?\n/g, ''), 'latin1');
  const out = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes.toString('latin1', i + 1, i + 3);
    if (bytes[i] === 0x3d && /^[0-9A-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return Buffer.from(out).toString('utf8');
}

/** deliveredFile waits for the message holding marker in address's Maildir and returns it decoded. */
async function deliveredFile(mailDir, address, marker) {
  const box = join(mailDir, address, 'Maildir');
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const sub of ['new', 'cur']) {
      for (const f of filesUnder(join(box, sub))) {
        const raw = readFileSync(f, 'utf8');
        if (raw.includes(marker)) return qpDecode(raw);
      }
    }
    await sleep(200);
  }
  return null;
}

/** quiet waits until no message is being sent or copied to Sent, so that no outbox event
 * reaches the page while it reloads for the next user (the browser harness's runtime
 * script is not there yet for an event that arrives during a reload). */
async function quiet(page) {
  await waitFor(async () => {
    const busy = await backend(page, 'Outbox.List', { states: ['queued', 'sending'], accountId: 0, cursor: '', limit: 50 });
    const sent = await backend(page, 'Outbox.SentLog', { states: [], accountId: 0, cursor: '', limit: 20 });
    return busy.ok && sent.ok && busy.value.items.length === 0 && !sent.value.items.some((x) => x.copy === 'pending');
  }, 'the outbox at rest', 30_000);
  await sleep(1000);
}

async function switchTo(page, name, password) {
  await quiet(page);
  await page.click(tid('sidebar-user'));
  await visible(page, tid('user-menu'), 'the user menu');
  await page.click(tid('user-menu-switch'));
  await visible(page, tid('signin'), 'the sign-in screen');
  if (await page.locator(tid('signin-back')).isVisible()) await page.click(tid('signin-back'));
  await page.click(`${tid('signin-user')}[data-name="${name}"]`);
  await page.fill(tid('signin-password'), password);
  await page.click(tid('signin-submit'));
  await visible(page, tid('shell'), 'the app shell');
  await expectText(page, tid('sidebar-user-name'), name, 'the signed-in user');
}

async function openDetails(page, row) {
  await page.click(tid('nav-settings'));
  await visible(page, row, 'the account in Settings');
  if ((await page.getAttribute(`${row} ${tid('account-toggle')}`, 'aria-expanded')) !== 'true') {
    await page.click(`${row} ${tid('account-toggle')}`);
  }
  await visible(page, `${row} ${tid('account-details')}`, 'the account details');
}

/**
 * signaturesSteps runs the steps. ctx: step (the runner's), account (the mailbox's address),
 * recipient (another test address), mailDir (the test Maildirs, or ''), owner {name,
 * password} (signed in), sophie {name, email, password} (a collaborator).
 */
export async function signaturesSteps(page, ctx) {
  const { step, account, recipient, mailDir, owner, sophie } = ctx;
  const row = `${tid('account-row')}[data-email="${account}"]`;
  const logo = await logoServer();
  const logoUrl = `http://127.0.0.1:${logo.address().port}/logo.svg`;
  const state = { accountId: 0, sophieId: 0, mine: 0 };
  const signaturesOf = async () => {
    const res = await backend(page, 'Accounts.Signatures', state.accountId);
    if (!res.ok) fail(`Accounts.Signatures: ${JSON.stringify(res.error)}`);
    return res.value;
  };

  try {
    await step('signatures : le propriétaire en écrit une dans l’éditeur (balises, vue source <>, image par adresse) ; l’aperçu la remplit pour lui', async () => {
      await page.click(tid('lang-switch-fr'));
      await openDetails(page, row);
      const list = await backend(page, 'Accounts.List');
      const acc = list.ok && list.value.find((a) => a.email === account);
      const users = await backend(page, 'Users.List');
      const s = users.ok && users.value.find((u) => u.email === sophie.email);
      if (!acc || !s) fail(`Accounts.List / Users.List: ${JSON.stringify(list)} ${JSON.stringify(users)}`);
      state.accountId = acc.id;
      state.sophieId = s.id;

      await expectText(page, `${row} ${tid('account-signatures')} .none`, fr.settings.signatures.none, 'no signature yet');
      await page.click(`${row} ${tid('account-signature-add')}`);
      await visible(page, tid('signature-editor'), 'the signature editor');
      await page.fill(tid('signature-name'), 'Accueil');
      // The rich view: words, bold, the merge tags from their buttons.
      await page.click(tid('signature-html-content'));
      await page.keyboard.type('Bien cordialement,');
      await page.keyboard.press('Enter');
      await page.click(`${tid('signature-tag')}[data-tag="{{user.name}}"]`);
      await page.keyboard.press('Shift+Home');
      await page.click(tid('signature-html-bold'));
      await expectAttr(page, tid('signature-html-bold'), 'aria-pressed', 'true', 'the bold button on the name');
      await page.keyboard.press('End');
      await page.click(tid('signature-html-bold'));
      await expectAttr(page, tid('signature-html-bold'), 'aria-pressed', 'false', 'the bold button after the name');
      await page.keyboard.type(' — ');
      await page.click(`${tid('signature-tag')}[data-tag="{{user.title}}"]`);
      await expectAttr(page, tid('signature-html-bold'), 'aria-pressed', 'false', 'the bold button after the title');
      // An image by its address.
      await page.keyboard.press('Enter');
      await page.click(tid('signature-html-image'));
      await page.fill(tid('signature-html-url'), logoUrl);
      await page.click(tid('signature-html-url-ok'));
      await visible(page, `${tid('signature-html-content')} img[src="${logoUrl}"]`, 'the logo in the editor');
      // The source view shows the HTML; what is typed there comes back to the rich view.
      await page.click(tid('signature-html-source'));
      await expectAttr(page, tid('signature-html'), 'data-mode', 'source', 'the editor');
      const src = await page.inputValue(tid('signature-html-source-text'));
      for (const want of ['<strong>{{user.name}}</strong>', '{{user.title}}', `src="${logoUrl}"`, 'Bien cordialement,']) {
        if (!src.includes(want)) fail(`the source view lacks ${want}: ${src}`);
      }
      await page.fill(tid('signature-html-source-text'), src.replace('{{user.title}}', '{{user.title}}<br>Tél. {{user.phone}}'));
      await page.click(tid('signature-html-source'));
      await expectAttr(page, tid('signature-html'), 'data-mode', 'rich', 'the editor');
      await waitFor(async () => (await page.innerText(tid('signature-html-content'))).includes('Tél. {{user.phone}}'), 'the source edit in the rich view');
      // The preview: the owner's own profile in place of the tags, the logo loaded.
      await waitFor(async () => (await frameText(page, tid('signature-preview'))).includes('Tél. +33 1 23 45 67 89'), 'the preview with the source edit');
      const preview = await frameText(page, tid('signature-preview'));
      if (!preview.includes('Camille Martin — Gérante') || preview.includes('{{')) fail(`the preview reads: ${preview}`);
      if (!(await frameHTML(page, tid('signature-preview'))).includes(`src="${logoUrl}"`)) fail('the preview has no logo');
      await waitFor(async () => (logo.hits ?? 0) > 0, 'the logo fetched');
      await shot(page, 'signature-editor-fr');
      await page.click(tid('signature-html-source'));
      await shot(page, 'signature-source-fr');
      await page.click(tid('signature-save'));
      await absent(page, `${tid('signature-editor')}[open]`, 'the editor');
      await expectText(page, tid('accounts-notice'), fmt(fr.settings.signatures.saved, { name: 'Accueil' }), 'the confirmation');
      const saved = await signaturesOf();
      if (saved.length !== 1 || !saved[0].html.includes('{{user.name}}') || !saved[0].html.includes(logoUrl)) fail(`Accounts.Signatures: ${JSON.stringify(saved)}`);
      state.mine = saved[0].id;
    });

    await step('une signature piégée (script, onclick, lien javascript:) est nettoyée en Go à l’enregistrement', async () => {
      const hostile = '<p onclick="alert(1)">Service clients<script>alert(2)</script> <a href="javascript:alert(3)">site</a> <img src="x" onerror="alert(4)"></p>';
      await page.click(`${row} ${tid('account-signature-add')}`);
      await page.fill(tid('signature-name'), 'Piégée');
      await page.click(tid('signature-html-source'));
      await page.fill(tid('signature-html-source-text'), hostile);
      await page.click(tid('signature-save'));
      await absent(page, `${tid('signature-editor')}[open]`, 'the editor');
      const got = (await signaturesOf()).find((s) => s.name === 'Piégée');
      if (!got || !got.html.includes('Service clients')) fail(`the hostile signature: ${JSON.stringify(got)}`);
      for (const bad of ['onclick', '<script', 'alert(', 'javascript:', 'onerror']) {
        if (got.html.toLowerCase().includes(bad)) fail(`the saved signature keeps ${bad}: ${got.html}`);
      }
      // The same through the API directly, as a script in the page could send it.
      const direct = await backend(page, 'Accounts.SaveSignature', { id: 0, accountId: state.accountId, name: 'Directe', html: hostile });
      if (!direct.ok || /onclick|script|javascript:|onerror/i.test(direct.value.html)) fail(`SaveSignature: ${JSON.stringify(direct)}`);
    });

    await step('trois signatures au plus par compte : la quatrième est refusée, la raison dite en français', async () => {
      const fourth = await backend(page, 'Accounts.SaveSignature', { id: 0, accountId: state.accountId, name: 'Quatrième', html: '<p>4</p>' });
      if (fourth.ok || fourth.error?.reason !== 'signature_limit' || fourth.error?.params?.max !== 3) fail(`a fourth signature: ${JSON.stringify(fourth)}`);
      // The panel re-reads the list when the details open again.
      await page.click(`${row} ${tid('account-toggle')}`);
      await openDetails(page, row);
      await waitFor(async () => (await page.locator(`${row} ${tid('account-signature')}`).count()) === 3, 'three signatures listed');
      if (!(await page.isDisabled(`${row} ${tid('account-signature-add')}`))) fail('Add a signature is offered with three');
      await expectText(page, `${row} ${tid('account-signature-full')}`, fmt(fr.settings.signatures.full, { max: 3 }), 'why no more');
      if (!reasonText('fr', 'signature_limit', { max: 3 }).includes('3')) fail('the limit’s reason is not worded in French');
      await page.locator(`${row} ${tid('account-signatures')}`).scrollIntoViewIfNeeded();
      await shot(page, 'signatures-full-fr');
      // Deleting asks first.
      const direct = `${row} ${tid('account-signature')}:has-text("Directe") ${tid('account-signature-delete')}`;
      await page.click(direct);
      await expectText(page, tid('signature-delete-title'), fr.settings.signatures.deleteTitle, 'the confirmation');
      await page.click(tid('signature-delete-confirm'));
      await waitFor(async () => (await page.locator(`${row} ${tid('account-signature')}`).count()) === 2, 'two signatures left');
      if (await page.isDisabled(`${row} ${tid('account-signature-add')}`)) fail('Add a signature stays disabled with two');
      await noBackendEnglish(page, 'the signatures');
    });

    await step('le propriétaire donne le compte à Sophie : compte par défaut, signature « Accueil » par défaut', async () => {
      await page.selectOption(`${row} ${tid('account-access-choose')}`, String(state.sophieId));
      await page.click(`${row} ${tid('account-access-grant')}`);
      const her = `${row} ${tid('account-access-user')}[data-user-id="${state.sophieId}"]`;
      await visible(page, her, 'Sophie with access');
      await page.check(`${her} ${tid('account-access-default')}`);
      await expectText(page, tid('accounts-notice'), fmt(fr.settings.accounts.defaultsSaved, { name: sophie.name, account }), 'the confirmation');
      await page.selectOption(`${her} ${tid('account-access-signature')}`, String(state.mine));
      await waitFor(async () => {
        const g = await backend(page, 'Accounts.Grants', state.accountId);
        const x = g.ok && g.value.find((y) => y.userId === state.sophieId);
        return x && x.default && x.signatureId === state.mine;
      }, 'Sophie’s defaults saved');
      if (!(await page.isChecked(`${her} ${tid('account-access-default')}`))) fail('the default box is not checked');
      await page.locator(`${row} ${tid('account-access')}`).scrollIntoViewIfNeeded();
      await shot(page, 'signatures-access-fr');
    });

    await step('on passe à Sophie : elle ne voit que ce compte, dans la boîte de réception comme ailleurs', async () => {
      await switchTo(page, sophie.name, sophie.password);
      await page.click(tid('lang-switch-fr'));
      const list = await backend(page, 'Accounts.List');
      if (!list.ok || list.value.length !== 1 || list.value[0].id !== state.accountId) fail(`Sophie's Accounts.List: ${JSON.stringify(list)}`);
      const setup = await backend(page, 'Mail.ComposeSetup');
      if (!setup.ok || setup.value.length !== 1 || !setup.value[0].default || setup.value[0].signatureId !== state.mine) fail(`Mail.ComposeSetup: ${JSON.stringify(setup)}`);
      // Her profile gives the merge tags their values.
      await page.click(tid('sidebar-user'));
      await page.click(tid('user-menu-profile'));
      await visible(page, tid('settings-profile'), 'her profile');
      await page.fill(tid('profile-title'), 'Comptable');
      await page.fill(tid('profile-phone'), '06 12 34 56 78');
      await page.click(tid('profile-save'));
      await expectText(page, tid('profile-notice'), fr.settings.profile.saved, 'the profile confirmation');
      await page.click(tid('nav-inbox'));
      await waitFor(async () => (await page.locator(tid('folder-account')).count()) === 1, 'one account in the folder column');
      await expectAttr(page, tid('folder-account'), 'data-account', String(state.accountId), 'the account she sees');
      await shot(page, 'signatures-sophie-inbox-fr');
    });

    const marker = `sig-${Date.now().toString(36)}`;
    await step('Sophie écrit un nouveau message : sa signature par défaut est insérée, remplie avec son profil ; en changer remplace le bloc, pas son texte', async () => {
      await page.click(tid('compose-new'));
      await visible(page, tid('composer-form'), 'the composer');
      await expectText(page, tid('composer-title'), fr.mail.compose.title.new, 'the title');
      if ((await page.inputValue(tid('compose-from'))) !== String(state.accountId)) fail('the composer does not start from her default account');
      await expectAttr(page, tid('compose-signature'), 'data-signature-id', String(state.mine), 'her default signature');
      await waitFor(async () => (await frameText(page, tid('compose-signature-frame'))).includes(`${sophie.name} — Comptable`), 'her name and title in the signature');
      const sig = await frameText(page, tid('compose-signature-frame'));
      if (!sig.includes('Tél. 06 12 34 56 78') || sig.includes('Camille')) fail(`her signature reads: ${sig}`);
      if (!(await frameHTML(page, tid('compose-signature-frame'))).includes(logoUrl)) fail('the logo is not in the composer’s signature');
      await page.fill(tid('compose-to-input'), recipient);
      await page.keyboard.press('Enter');
      await page.fill(tid('compose-subject'), `Votre devis ${marker}`);
      await page.fill(tid('compose-body'), `Bonjour,\nvoici le devis demandé. ${marker}`);
      // Another of the account's signatures, then hers again: the text stays as typed.
      await page.selectOption(tid('compose-signature-choose'), { label: 'Piégée' });
      await waitFor(async () => (await frameText(page, tid('compose-signature-frame'))).includes('Service clients'), 'the other signature');
      await page.selectOption(tid('compose-signature-choose'), String(state.mine));
      await waitFor(async () => (await frameText(page, tid('compose-signature-frame'))).includes(sophie.name), 'her signature again');
      if ((await page.inputValue(tid('compose-body'))) !== `Bonjour,\nvoici le devis demandé. ${marker}`) fail('changing the signature changed the text');
      await shot(page, 'signatures-composer-fr');
      await page.click(tid('composer-send'));
      await absent(page, `${tid('composer')}[open]`, 'the composer');
      await expectText(page, tid('toast-text'), fr.mail.compose.queued, 'the “queued” toast');
    });

    if (mailDir) {
      await step('le message arrive chez le destinataire avec la signature de Sophie, remplie avec son profil', async () => {
        const got = await deliveredFile(mailDir, recipient, marker);
        if (!got) fail(`the message did not reach ${recipient}'s mailbox`);
        for (const want of [`<strong>${sophie.name}</strong> — Comptable`, 'Tél. 06 12 34 56 78', logoUrl, '-- ']) {
          if (!got.includes(want)) fail(`the message that arrived lacks ${want}`);
        }
        if (got.includes('{{user.') || got.includes('Gérante')) fail('the message carries a tag or the owner’s profile');
      });
    }

    await step('retour au propriétaire, qui retire l’accès de Sophie', async () => {
      await switchTo(page, owner.name, owner.password);
      await page.click(tid('lang-switch-fr'));
      await openDetails(page, row);
      const her = `${row} ${tid('account-access-user')}[data-user-id="${state.sophieId}"]`;
      await page.click(`${her} ${tid('account-access-remove')}`);
      await absent(page, her, 'Sophie’s access');
      const g = await backend(page, 'Accounts.Grants', state.accountId);
      if (!g.ok || g.value.some((x) => x.userId === state.sophieId)) fail(`Accounts.Grants: ${JSON.stringify(g)}`);
    });
  } finally {
    logo.close();
  }
}
