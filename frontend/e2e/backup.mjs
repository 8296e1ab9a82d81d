// End-to-end steps of backups and restore (F24), in French, run by run.mjs after the records
// steps: the super admin backs up from Settings › Sauvegardes while the mailbox syncs, turns
// automatic backups on, is refused a file that is not a backup (in words, nothing changed),
// then a second Mailroom — a "new computer": its own data directory and port — restores the
// backup from its first-run screen: the people sign in as before, every record is there, and
// the accounts wait for their passwords. No secret of the run is in any backup file.
//
// Where the app would open a native file dialog (Backups.ChooseSaveFile, ChooseBackupFile),
// the page's binding is given the path the person would have picked (window.go.api), so the
// rest of the flow — Inspect, the confirmation, BackupNow and Restore — is the real one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  absent,
  appEnv,
  backend,
  expectText,
  fail,
  freePort,
  frontendDir,
  noBackendEnglish,
  outDir,
  reasonText,
  shot,
  spawnApp,
  stopGroup,
  tempDirs,
  tid,
  visible,
  waitFor,
  waitForHttp,
} from './lib.mjs';

const fr = JSON.parse(readFileSync(join(frontendDir, 'src/lib/i18n/fr.json'), 'utf8'));
const RESTORE_TIMEOUT_MS = 60_000;

/** pickFile makes the next native dialog of method (a Backups method) answer path. */
async function pickFile(page, method, path) {
  await page.evaluate(({ method, path }) => {
    window.go.api.Backups[method] = async () => path;
  }, { method, path });
}

/** recordCounts is how many records each kind holds, as Records.List says, and how many
 * templates and automations there are. */
async function recordCounts(page) {
  const types = await backend(page, 'Records.Types');
  if (!types.ok) fail(`Records.Types: ${JSON.stringify(types)}`);
  const out = {};
  for (const t of types.value) {
    const list = await backend(page, 'Records.List', { typeId: t.id, search: '', sort: { field: '', desc: false }, filters: [], columns: [], cursor: '', limit: 500 });
    if (!list.ok) fail(`Records.List ${t.key}: ${JSON.stringify(list)}`);
    out[t.key] = list.value.total;
  }
  const templates = await backend(page, 'Templates.List');
  if (!templates.ok) fail(`Templates.List: ${JSON.stringify(templates)}`);
  out['(templates)'] = templates.value.length;
  const automations = await backend(page, 'Automations.List', 0);
  if (!automations.ok) fail(`Automations.List: ${JSON.stringify(automations)}`);
  out['(automations)'] = automations.value.length;
  return out;
}

/** leaks lists the secrets found in file, in the forms a file could hold them. */
function leaks(file, secrets) {
  const bytes = readFileSync(file);
  const found = [];
  for (const s of secrets) {
    for (const [label, value] of [
      ['password', s.password],
      ['token', s.token],
    ]) {
      if (!value) continue;
      for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(`\0${s.address}\0${value}`).toString('base64')]) {
        if (bytes.includes(Buffer.from(form, 'utf8'))) found.push(`${s.address}'s ${label} in ${file}`);
      }
    }
  }
  return found;
}

/**
 * backupSteps runs the backup and restore steps. ctx: step (run.mjs's runner), bin (the dev
 * binary), secrets (every password and token the run used: {address, password?, token?}),
 * owner ({name}) and ownerPassword (the super admin signed in now).
 */
export async function backupSteps(page, { step, bin, secrets, owner, ownerPassword }) {
  const temp = tempDirs();
  const folder = temp.make('mailroom-e2e-backups-');
  const autoFolder = temp.make('mailroom-e2e-auto-');
  const manual = join(folder, 'sauvegarde-atelier.sqlite');
  let counts = {};
  let sourceAccounts = [];
  let second = null;
  const tail = [];

  try {
    await step('Paramètres › Sauvegardes: a backup with the mail, taken while the mailbox syncs', async () => {
      const me = await backend(page, 'Session.Me');
      if (!me.ok || me.value.role !== 'super_admin') fail(`the backup steps need the super admin signed in: ${JSON.stringify(me)}`);
      await page.click(tid('lang-switch-fr'));
      await page.click(tid('nav-settings'));
      await visible(page, tid('settings-backups'), 'the Sauvegardes section');
      await page.locator(tid('settings-backups')).scrollIntoViewIfNeeded();
      await expectText(page, '#settings-backups-title', fr.backups.title, 'the section title');
      counts = await recordCounts(page);
      if (!counts['(templates)'] || !counts['(automations)']) fail(`nothing to bring back: ${JSON.stringify(counts)} (the templates and automations steps made none)`);
      // A sync under way: every account that syncs is asked to sync now.
      const accounts = await backend(page, 'Accounts.List');
      if (!accounts.ok) fail(`Accounts.List: ${JSON.stringify(accounts)}`);
      sourceAccounts = accounts.value.map((a) => a.email).sort();
      for (const a of accounts.value.filter((a) => a.imap?.host && !a.disabled)) await backend(page, 'Sync.Now', a.id);
      await pickFile(page, 'ChooseSaveFile', manual);
      await page.click(tid('backup-now-button'));
      await visible(page, `${tid('backup-now-notice')}.shown`, 'the saved notice', RESTORE_TIMEOUT_MS);
      const notice = (await page.locator(tid('backup-now-notice')).innerText()).trim();
      if (!notice.startsWith(fr.backups.now.saved.split('{')[0].trim())) fail(`the notice reads ${JSON.stringify(notice)}`);
      if (!notice.includes('sauvegarde-atelier.sqlite')) fail(`the notice does not name the file: ${notice}`);
      await noBackendEnglish(page, 'the Sauvegardes section');
      await page.locator(tid('settings-backups')).screenshot({ path: join(outDir, 'backup-now-fr.png') });
    });

    await step('automatic backups: a folder, keep 3, on — the first one is written at once and listed', async () => {
      await page.fill(tid('backup-auto-folder'), autoFolder);
      await page.fill(tid('backup-auto-keep'), '3');
      await page.check(tid('backup-auto-enabled'));
      await page.click(tid('backup-auto-save'));
      await expectText(page, tid('backup-auto-notice'), fr.backups.auto.savedOn, 'the saved notice');
      await waitFor(async () => {
        const list = await backend(page, 'Backups.List');
        return list.ok && list.value.some((f) => f.automatic);
      }, 'the first automatic backup', RESTORE_TIMEOUT_MS);
      // The list shows what is in the folder; reopening Settings reads it again.
      await page.click(tid('nav-inbox'));
      await page.click(tid('nav-settings'));
      await visible(page, tid('backup-file'), 'the automatic backup in the list');
      await visible(page, `${tid('backup-auto-status')}`, 'the last backup line');
      const status = (await page.locator(tid('backup-auto-status')).innerText()).trim();
      if (!status.startsWith(fr.backups.auto.lastAt.split('{')[0].trim())) fail(`the status reads ${JSON.stringify(status)}`);
      await page.locator(tid('settings-backups')).scrollIntoViewIfNeeded();
      await page.locator(tid('settings-backups')).screenshot({ path: join(outDir, 'backup-auto-fr.png') });
    });

    await step('no backup file holds a password or a token used in this run', async () => {
      const list = await backend(page, 'Backups.List');
      const files = [manual, ...list.value.map((f) => f.path)];
      const found = files.flatMap((f) => leaks(f, secrets));
      if (found.length) fail(`secrets found:\n${found.join('\n')}`);
      if (secrets.length === 0) fail('no secret to look for: the accounts steps did not run');
      console.log(`     searched ${files.length} backups for ${secrets.length} secrets`);
    });

    await step('a file that is not a backup is refused in French, before any confirmation; nothing changes', async () => {
      const bogus = join(folder, 'notes.sqlite');
      writeFileSync(bogus, 'Ceci n’est pas une base de données.\n');
      await pickFile(page, 'ChooseBackupFile', bogus);
      await page.click(tid('backup-restore-file-start'));
      await expectText(page, tid('backup-restore-file-error'), reasonText('fr', 'backup_not_a_backup', { file: 'notes.sqlite' }), 'the refusal');
      await absent(page, `${tid('backup-restore-file-confirm')}[open]`, 'a confirmation');
      await noBackendEnglish(page, 'the refusal');
      await page.locator(tid('backup-restore')).screenshot({ path: join(outDir, 'backup-refused-fr.png') });
      const after = await recordCounts(page);
      if (JSON.stringify(after) !== JSON.stringify(counts)) fail(`the records changed: ${JSON.stringify(counts)} → ${JSON.stringify(after)}`);
    });

    await step('a new computer: a second Mailroom on a fresh data directory restores the backup from its first-run screen', async () => {
      const port = await freePort();
      const app = appEnv(temp, 'restore');
      for (const k of ['MAILROOM_CA_FILE', 'MAILROOM_AUTOCONFIG_URLS', 'MAILROOM_POSTMARK_URL']) delete app.env[k];
      second = spawnApp(bin, port, app.env, join(outDir, 'mailroom-dev-restore.log'), tail);
      await waitForHttp(`http://127.0.0.1:${port}/`, second, tail);
      const ctx = await page.context().browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
      const p2 = await ctx.newPage();
      try {
        await p2.goto(`http://127.0.0.1:${port}/`);
        await visible(p2, tid('screen-onboarding'), 'the first-run screen');
        await expectText(p2, `${tid('onboarding-restore')} h2`, fr.backups.firstRun.title, 'the restore card');
        await pickFile(p2, 'ChooseBackupFile', manual);
        await p2.click(tid('onboarding-restore-start'));
        await visible(p2, tid('onboarding-restore-facts'), 'the backup’s facts');
        await expectText(p2, tid('onboarding-restore-confirm-title'), fr.backups.restore.confirmTitle, 'the confirmation');
        const facts = await p2.locator(tid('onboarding-restore-facts')).innerText();
        if (!facts.includes('sauvegarde-atelier.sqlite') || !facts.includes(fr.backups.restore.withMail)) fail(`the facts read ${JSON.stringify(facts)}`);
        await shot(p2, 'backup-restore-confirm-fr');
        await p2.click(tid('onboarding-restore-confirm-confirm'));
        // Restored, the window reloads: several users, passwords — Mailroom asks who you are.
        await visible(p2, tid('signin'), 'the sign-in screen after the restore', RESTORE_TIMEOUT_MS);
        const names = await p2.locator(tid('signin-user')).evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
        if (!names.includes(owner.name) || names.length < 2) fail(`the sign-in screen lists ${JSON.stringify(names)}`);
        await shot(p2, 'backup-restored-signin-fr');
        await p2.click(`${tid('signin-user')}[data-name="${owner.name}"]`);
        await p2.fill(tid('signin-password'), ownerPassword);
        await p2.click(tid('signin-submit'));
        await expectText(p2, tid('sidebar-user-name'), owner.name, 'the owner signed in with her password');
        const restored = await recordCounts(p2);
        if (JSON.stringify(restored) !== JSON.stringify(counts)) fail(`records ${JSON.stringify(restored)}, want ${JSON.stringify(counts)}`);
        const accounts = await backend(p2, 'Accounts.List');
        if (!accounts.ok) fail(`Accounts.List: ${JSON.stringify(accounts)}`);
        const emails = accounts.value.map((a) => a.email).sort();
        if (JSON.stringify(emails) !== JSON.stringify(sourceAccounts)) fail(`accounts ${JSON.stringify(emails)}, want ${JSON.stringify(sourceAccounts)}`);
        const live = accounts.value.filter((a) => !a.disabled);
        if (live.length) fail(`accounts restored enabled: ${live.map((a) => a.email).join(', ')}`);
        await p2.click(tid('nav-settings'));
        if (accounts.value.length) await visible(p2, tid('account-row'), 'the restored accounts');
        for (const a of accounts.value) {
          await visible(p2, `${tid('account-row')}[data-email="${a.email}"][data-status="disabled"]`, `${a.email}, disabled`);
        }
        await noBackendEnglish(p2, 'the restored app');
        if (accounts.value.length) await p2.locator(tid('account-row')).first().scrollIntoViewIfNeeded();
        await shot(p2, 'backup-restored-accounts-fr');
        console.log(`     restored ${JSON.stringify(restored)}, ${accounts.value.length} accounts waiting for their passwords`);

        // From Settings too, with the engines running: a confirmation that says what is
        // replaced, then Mailroom asks who is there again.
        await visible(p2, tid('settings-backups'), 'the Sauvegardes section on the new computer');
        await pickFile(p2, 'ChooseBackupFile', manual);
        await p2.click(tid('backup-restore-file-start'));
        await visible(p2, tid('backup-restore-file-facts'), 'the backup’s facts in Settings');
        const body = (await p2.locator(tid('backup-restore-file-confirm-body')).innerText()).trim();
        if (!body.startsWith(fr.backups.restore.confirmBody.split('{')[0].trim())) fail(`the confirmation reads ${JSON.stringify(body)}`);
        await shot(p2, 'backup-settings-restore-confirm-fr');
        await p2.click(tid('backup-restore-file-confirm-cancel'));
        await absent(p2, `${tid('backup-restore-file-confirm')}[open]`, 'the cancelled confirmation');
        const still = await backend(p2, 'Session.Me');
        if (!still.ok || still.value.name !== owner.name) fail(`cancelling changed the session: ${JSON.stringify(still)}`);
        await p2.click(tid('backup-restore-file-start'));
        await visible(p2, tid('backup-restore-file-facts'), 'the backup’s facts in Settings');
        await p2.click(tid('backup-restore-file-confirm-confirm'));
        await visible(p2, tid('signin'), 'the sign-in screen after a restore from Settings', RESTORE_TIMEOUT_MS);
      } catch (err) {
        await p2.screenshot({ path: join(outDir, 'failure-restore.png') }).catch(() => {});
        console.log(`     screenshot of the new computer: ${join(outDir, 'failure-restore.png')}; its binary's last lines:\n     ${tail.slice(-10).join('\n     ')}`);
        throw err;
      } finally {
        await ctx.close();
      }
    });
  } finally {
    if (second?.pid !== undefined) await stopGroup(second.pid);
    temp.removeAll();
  }
}
