import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '$lib/api/errors';
import {
  ACCOUNT_STATUSES,
  AUTOMATION_CONCERNS,
  CERT_REASONS,
  COPY_STATES,
  DELIVERABILITY_CHECKS,
  DRAFT_MODES,
  FOLDER_ROLES,
  LANGUAGES,
  OUTBOX_STATES,
  PROBLEM_CODES,
  ROLES,
  SECURITIES,
  SENDING_PATHS,
  SEVERITIES,
  SIGN_INS,
  SOURCES,
  STEP_NAMES,
  STEP_STATUSES,
  SYNC_PHASES,
  VAULT_REASONS,
} from '$lib/api/generated/enums';
import { HINT_CODES, NOTE_CODES } from '$lib/api/types';
import { MAIL_ACTIONS } from '$lib/mail/shortcuts';
import { SCREENS } from '$lib/stores/navigation';
import en from './en.json';
import fr from './fr.json';
import { flatten } from './keys';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../../..');
const srcDir = resolve(here, '../..');

const flat = { en: flatten(en), fr: flatten(fr) };

// The lists of values the backend sends (roles, statuses, phases…) are generated from the
// Go code into $lib/api/generated (go generate ./backend/api; a stale file fails the Go
// tests), so these tests only check that each value is worded. goStrings is left for the
// few lists that are not generated yet (hint codes, note codes, outbox reasons).

/** goStrings reads every first capture of re in a backend file. */
function goStrings(file: string, re: RegExp): string[] {
  return [...readFileSync(join(repo, file), 'utf8').matchAll(re)].map((m) => m[1]);
}

const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

function argumentNames(elements: MessageFormatElement[]): string[] {
  const names: string[] = [];
  for (const el of elements) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) {
      names.push(el.value);
    }
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      names.push(el.value);
      for (const opt of Object.values(el.options)) names.push(...argumentNames(opt.value));
    }
  }
  return names.sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('catalogues', () => {
  it('French and English have exactly the same keys', () => {
    const enKeys = [...flat.en.keys()].sort();
    const frKeys = [...flat.fr.keys()].sort();
    expect(frKeys.filter((k) => !flat.en.has(k))).toEqual([]);
    expect(enKeys.filter((k) => !flat.fr.has(k))).toEqual([]);
  });

  it.each(LANGUAGES)('%s has only non-empty strings', (lang) => {
    const bad = [...flat[lang]].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it.each(LANGUAGES)('every %s message is valid ICU and formats with its placeholders', (lang) => {
    for (const [key, value] of flat[lang]) {
      const ast = parse(value as string);
      const values = Object.fromEntries(argumentNames(ast).map((n) => [n, 'X']));
      expect(() => new IntlMessageFormat(value as string, lang).format(values), key).not.toThrow();
    }
  });

  it('a message uses the same placeholders in both languages', () => {
    const mismatched = [...flat.en.keys()].filter((key) => {
      const a = argumentNames(parse(flat.en.get(key) as string));
      const b = argumentNames(parse(flat.fr.get(key) as string));
      return JSON.stringify(a) !== JSON.stringify(b);
    });
    expect(mismatched).toEqual([]);
  });

  it('uses typographic apostrophes, so ICU quoting never swallows text', () => {
    for (const lang of LANGUAGES) {
      const withQuote = [...flat[lang]].filter(([, v]) => String(v).includes("'")).map(([k]) => `${lang}:${k}`);
      expect(withQuote).toEqual([]);
    }
  });

  it('French puts a no-break space before high punctuation', () => {
    const bad = [...flat.fr].filter(([, v]) => / [:;?!]/.test(String(v))).map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('the French catalogue is really French', () => {
    expect(fr.nav).toMatchObject({
      inbox: 'Boîte de réception',
      outbox: 'Boîte d’envoi',
      settings: 'Réglages',
    });
    const same = [...flat.en].filter(([k, v]) => v === flat.fr.get(k)).map(([k]) => k);
    // Only names (of products and protocols), examples, units, shortcuts and words French
    // shares with English may read the same in both languages.
    expect(same.sort()).toEqual([
      'accounts.security.starttls',
      'accounts.security.tls',
      'accounts.server.line',
      'accounts.server.port',
      'accounts.stepDetail.elapsed',
      'app.name',
      'deliverability.checks.dkim',
      'deliverability.checks.dmarc',
      'deliverability.checks.spf',
      'deliverability.paths.google',
      'deliverability.paths.infomaniak',
      'deliverability.paths.microsoft365',
      'deliverability.paths.ovh',
      'deliverability.paths.postmark',
      'deliverability.record.type',
      'deliverability.severity.ok',
      'language.en',
      'language.fr',
      'mail.compose.cc',
      'mail.list.label',
      'mail.message.cc',
      'mail.message.date',
      'mail.message.folderIn',
      'nav.shortcut',
      'onboarding.namePlaceholder',
      'records.builtin.company.fields.notes',
      'records.builtin.contact.fields.notes',
      'records.builtin.contact.plural',
      'records.builtin.contact.singular',
      'records.value.none',
      'settings.about.licenses.license',
      'settings.about.licenses.version',
      'settings.about.version',
      'settings.locking.minutes',
      'settings.presets.kindExchange',
      'settings.presets.summaryImap',
      'settings.presets.summarySmtp',
      'settings.users.columnActions',
      'testEmail.body',
      'toasts.label',
      'wizard.attemptSource',
      'wizard.elapsed',
    ]);
  });
});

describe('values from the backend are all translated', () => {
  it.each(ERROR_CODES)('error code %s has a message in both languages', (code) => {
    expect(flat.en.get(`errors.code.${code}`)).toBeTruthy();
    expect(flat.fr.get(`errors.code.${code}`)).toBeTruthy();
    expect(flat.fr.get(`errors.code.${code}`)).not.toEqual(flat.en.get(`errors.code.${code}`));
  });

  it.each([
    ...SEVERITIES.map((v) => `deliverability.severity.${v}`),
    ...DELIVERABILITY_CHECKS.map((v) => `deliverability.checks.${v}`),
    ...SENDING_PATHS.map((v) => `deliverability.paths.${v}`),
  ])('the deliverability panel words %s in both languages', (key) => {
    expect(flat.en.get(key)).toBeTruthy();
    expect(flat.fr.get(key)).toBeTruthy();
  });

  it.each(VAULT_REASONS)('vault reason %s has a cause and a fix in both languages', (reason) => {
    for (const lang of LANGUAGES) {
      expect(flat[lang].get(`vault.reason.${reason}`)).toBeTruthy();
      expect(flat[lang].get(`vault.fix.${reason}`)).toBeTruthy();
    }
  });

  it.each(ROLES)('role %s has a name and a description in both languages', (role) => {
    for (const lang of LANGUAGES) {
      expect(flat[lang].get(`roles.${role}`)).toBeTruthy();
      expect(flat[lang].get(`roleHints.${role}`)).toBeTruthy();
    }
  });

  it.each(SCREENS)('screen %s has a name and a title', (screen) => {
    for (const lang of LANGUAGES) {
      expect(flat[lang].get(`nav.${screen}`)).toBeTruthy();
      expect(flat[lang].get(`screens.${screen}.title`)).toBeTruthy();
    }
  });
});

describe('email accounts: every value the backend sends is translated', () => {
  const both = (key: string) => {
    for (const lang of LANGUAGES) expect(flat[lang].get(key), `${lang}: ${key}`).toBeTruthy();
  };

  it.each(STEP_NAMES)('step %s has a name and, when passed, a detail', (name) => {
    both(`accounts.steps.${name}`);
    // A passed TLS step shows its certificate.
    both(name === 'tls' ? 'accounts.stepDetail.cert' : `accounts.stepDetail.${name}`);
  });

  it.each(['pending', ...STEP_STATUSES])('step status %s is translated', (status) => {
    both(`accounts.stepStatus.${status}`);
  });

  it('the UI knows exactly the hint codes of failed steps', () => {
    const codes = [
      // authHints' values ("gmail": "auth_gmail"), hint's and apiHint's returns.
      ...goStrings('backend/probe/hints.go', /^\t"[a-z]+":\s+"([a-z_]+)",$/gm),
      ...goStrings('backend/probe/hints.go', /return "([a-z_]+)"(?:, params)?$/gm),
    ];
    expect(sorted(codes)).toEqual(sorted(HINT_CODES));
  });

  it.each(HINT_CODES)('hint %s says how to fix it in both languages', (code) => {
    both(`accounts.hints.${code}`);
    expect(flat.fr.get(`accounts.hints.${code}`)).not.toEqual(flat.en.get(`accounts.hints.${code}`));
  });

  it.each(CERT_REASONS)('a certificate refused as %s says what happened, in French too', (reason) => {
    both(`accounts.failure.cert.${reason}`);
    expect(flat.fr.get(`accounts.failure.cert.${reason}`)).not.toEqual(flat.en.get(`accounts.failure.cert.${reason}`));
  });

  it.each(STEP_NAMES)('a network failure at step %s says what happened', (name) => {
    both(`accounts.failure.network.${name}`);
  });

  it.each(['auth_failed', 'provider_rejected', 'network.refused', 'network.timeout', 'cert.notYetValid'])(
    'failure %s says what happened',
    (what) => both(`accounts.failure.${what}`),
  );

  it.each([...SECURITIES, 'login', 'other'])('a server that cannot encrypt (%s) says what happened', (c) => {
    both(`accounts.failure.tls_required.${c}`);
  });

  it.each(['tls', 'tlsTrusted', 'trusted'])('a passed TLS handshake says %s', (k) => both(`accounts.stepDetail.${k}`));

  it('the UI knows exactly the note codes of discovery', () => {
    expect(sorted(goStrings('backend/discovery/discovery.go', /^\s*Note\w+\s*=\s*"([^"]+)"/gm))).toEqual(sorted(NOTE_CODES));
  });

  it.each(NOTE_CODES)('note %s is translated', (code) => both(`accounts.notes.${code}`));

  it.each([...SOURCES, 'manual', 'unknown'])('source %s is named', (source) => both(`accounts.sources.${source}`));

  it.each(['preset', 'guess'])('the origin of %s settings (an English sentence from the backend) is translated', (source) => {
    both(`accounts.origin.${source}`);
    expect(flat.fr.get(`accounts.origin.${source}`)).not.toEqual(flat.en.get(`accounts.origin.${source}`));
  });

  it.each(SIGN_INS)('sign-in %s is explained, and its app-password alternative too', (s) => {
    both(`accounts.signIn.${s}.title`);
    both(`accounts.signIn.${s}.body`);
    both(`accounts.signIn.${s}.passwordTitle`);
    both(`accounts.signIn.${s}.passwordBody`);
  });

  it.each(SECURITIES)('security %s is named and explained', (s) => {
    both(`accounts.security.${s}`);
    both(`accounts.securityHint.${s}`);
  });

  it.each(ACCOUNT_STATUSES)('account status %s has a badge and an explanation', (status) => {
    both(`accounts.status.${status}`);
    both(`accounts.statusHelp.${status}`);
  });

  it.each(['ok', ...ERROR_CODES])('a discovery attempt ending in %s has a short result', (code) => {
    both(`accounts.attemptResult.${code}`);
  });
});

describe('mail: every value the backend sends is translated', () => {
  const both = (key: string) => {
    for (const lang of LANGUAGES) expect(flat[lang].get(key), `${lang}: ${key}`).toBeTruthy();
  };

  it.each(SYNC_PHASES)('sync phase %s is said in words', (phase) => {
    both(`mail.sync.phase.${phase}`);
    expect(flat.fr.get(`mail.sync.phase.${phase}`)).not.toEqual(flat.en.get(`mail.sync.phase.${phase}`));
  });

  it.each([...PROBLEM_CODES, 'unknown'])('parse problem %s is said in words', (code) => {
    both(`mail.problems.${code}`);
    expect(flat.fr.get(`mail.problems.${code}`)).not.toEqual(flat.en.get(`mail.problems.${code}`));
  });

  it.each(FOLDER_ROLES)('folder %s has a name', (role) => both(`mail.folders.${role}`));

  it.each(DRAFT_MODES)('the composer has a title for %s', (mode) => both(`mail.compose.title.${mode}`));

  it.each(OUTBOX_STATES)('outbox state %s has a name and a badge', (state) => {
    both(`outbox.state.${state}`);
    both(`outbox.badge.${state}`);
  });

  it.each(COPY_STATES.filter((c) => c !== 'none'))('a sent copy %s says where it is', (copy) => both(`outbox.row.copy.${copy}`));

  it.each(MAIL_ACTIONS)('the shortcut help explains %s', (action) => both(`mail.shortcuts.actions.${action}`));
});

describe('automations: every value the backend sends is translated', () => {
  it.each(AUTOMATION_CONCERNS)('a record’s page says in words that an automation %s', (c) => {
    for (const lang of LANGUAGES) expect(flat[lang].get(`automations.record.concern.${c}`), `${lang}: ${c}`).toBeTruthy();
  });
});

describe('source code', () => {
  const files = sourceFiles(srcDir);

  it('every key the components ask for exists', () => {
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\$_\(\s*'([^'$`]+)'/g)) {
        if (!flat.en.has(m[1])) missing.push(`${file.slice(srcDir.length)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every key a component keeps for later (a Message) exists', () => {
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bkey: '([a-z][\w.]+)'/g)) {
        if (!flat.en.has(m[1])) missing.push(`${file.slice(srcDir.length)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no component renders raw HTML', () => {
    const offenders = files.filter((f) => readFileSync(f, 'utf8').includes('{' + '@html'));
    expect(offenders).toEqual([]);
  });

  it('mail is rendered only by MailFrame, in a frame sandboxed with popups only', () => {
    const frames = files.filter((f) => /<iframe|srcdoc/i.test(readFileSync(f, 'utf8')));
    expect(frames.map((f) => f.slice(srcDir.length))).toEqual([join('/lib/components/mail/MailFrame.svelte')]);
    const text = readFileSync(frames[0], 'utf8');
    expect(text).toContain('sandbox={MAIL_FRAME_SANDBOX}');
    // The forbidden tokens are built, not spelled, so the tree holds them nowhere.
    expect(text).not.toMatch(new RegExp(['scripts', 'same-origin'].map((t) => 'allow-' + t).join('|')));
  });

  it('only src/lib/api imports the generated Wails bindings', () => {
    const offenders = files.filter(
      (f) => /from\s+'[./]*wailsjs\//.test(readFileSync(f, 'utf8')) && !f.includes(join('src', 'lib', 'api')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('records wording', () => {
  it('the backlinks heading agrees with the kind in French', () => {
    const heading = (kind: string, name: string, field: string) =>
      new IntlMessageFormat(flat.fr.get('records.page.linked') as string, 'fr').format({ kind, name, field });
    expect(heading('contact', 'Contacts', 'Société')).toBe('Contacts liés par « Société »');
    expect(heading('company', 'Sociétés', 'Maison mère')).toBe('Sociétés liées par « Maison mère »');
    // A type of your own has no known gender: the heading needs none.
    expect(heading('other', 'Devis', 'Client')).toBe('Devis (champ « Client »)');
    expect(new IntlMessageFormat(flat.en.get('records.page.linked') as string, 'en').format({ kind: 'contact', name: 'Contacts', field: 'Company' })).toBe(
      'Contacts linked by “Company”',
    );
  });
});
