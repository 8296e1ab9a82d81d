import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '$lib/api/errors';
import { LANGUAGES, ROLES, VAULT_REASONS } from '$lib/api/types';
import { SCREENS } from '$lib/stores/navigation';
import en from './en.json';
import fr from './fr.json';
import { flatten } from './keys';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../../..');
const srcDir = resolve(here, '../..');

const flat = { en: flatten(en), fr: flatten(fr) };

/** goConstants reads the string values of the constants of a Go type in a backend file. */
function goConstants(file: string, type: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  const re = new RegExp(`^\\s*\\w+\\s+${type}\\s*=\\s*"([^"]*)"`, 'gm');
  return [...text.matchAll(re)].map((m) => m[1]);
}

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
      tofile: 'À classer',
      records: 'Fiches',
      templates: 'Modèles',
      automations: 'Automatisations',
      outbox: 'Boîte d’envoi',
      settings: 'Réglages',
    });
    const same = [...flat.en].filter(([k, v]) => v === flat.fr.get(k)).map(([k]) => k);
    // Only names, examples and shortcuts may read the same in both languages.
    expect(same.sort()).toEqual([
      'app.name',
      'language.en',
      'language.fr',
      'nav.shortcut',
      'onboarding.namePlaceholder',
      'settings.about.version',
      'settings.users.columnActions',
    ]);
  });
});

describe('values from the backend are all translated', () => {
  it('the UI knows exactly the error codes the backend sends', () => {
    expect([...goConstants('backend/fault/fault.go', 'Code')].sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(ERROR_CODES)('error code %s has a message in both languages', (code) => {
    expect(flat.en.get(`errors.code.${code}`)).toBeTruthy();
    expect(flat.fr.get(`errors.code.${code}`)).toBeTruthy();
    expect(flat.fr.get(`errors.code.${code}`)).not.toEqual(flat.en.get(`errors.code.${code}`));
  });

  it('the UI knows exactly the vault reasons the backend sends', () => {
    const reasons = goConstants('backend/vault/vault.go', 'Reason').filter((r) => r !== '');
    expect(reasons.sort()).toEqual([...VAULT_REASONS].sort());
  });

  it.each(VAULT_REASONS)('vault reason %s has a cause and a fix in both languages', (reason) => {
    for (const lang of LANGUAGES) {
      expect(flat[lang].get(`vault.reason.${reason}`)).toBeTruthy();
      expect(flat[lang].get(`vault.fix.${reason}`)).toBeTruthy();
    }
  });

  it('the UI knows exactly the roles the backend has', () => {
    expect(goConstants('backend/users/users.go', 'Role').sort()).toEqual([...ROLES].sort());
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

  it('no component renders raw HTML', () => {
    const offenders = files.filter((f) => readFileSync(f, 'utf8').includes('{@html'));
    expect(offenders).toEqual([]);
  });

  it('only src/lib/api imports the generated Wails bindings', () => {
    const offenders = files.filter(
      (f) => /from\s+'[./]*wailsjs\//.test(readFileSync(f, 'utf8')) && !f.includes(join('src', 'lib', 'api')),
    );
    expect(offenders).toEqual([]);
  });
});
