import { describe, expect, it } from 'vitest';
import {
  canImport,
  cellText,
  decimalChoice,
  decimalSetting,
  initialSettings,
  mapColumn,
  mappedCount,
  mappedTargets,
  NEW_FIELD,
  NEW_FIELD_KINDS,
  newFieldDraft,
  percent,
  separatorName,
} from './imports';
import type { ImportFile, ImportReport } from '$lib/api/imports';

const file = { fileId: 't', typeId: 1, suggested: ['last_name', 'first_name', '', 'emails'] } as unknown as ImportFile;
const multiple = (k: string) => k === 'emails' || k === 'phones';

describe('the import wizard', () => {
  it('starts from the suggested mapping, updating duplicates and creating linked companies', () => {
    const s = initialSettings(file);
    expect(s.columns).toEqual(['last_name', 'first_name', '', 'emails']);
    expect(s.dedupe).toBe('update');
    expect(s.createLinked).toBe(true);
    expect(mappedCount(s)).toBe(3);
  });

  it('gives a single field one column, but lets several columns hold emails', () => {
    let s = initialSettings(file);
    s = mapColumn(s, 2, 'last_name', multiple);
    expect(s.columns).toEqual(['', 'first_name', 'last_name', 'emails']);
    s = mapColumn(s, 0, 'emails', multiple);
    expect(s.columns).toEqual(['emails', 'first_name', 'last_name', 'emails']);
    s = mapColumn(s, 5, 'phones', multiple);
    expect(s.columns).toEqual(['emails', 'first_name', 'last_name', 'emails', '', 'phones']);
  });

  it('refuses to import with nothing mapped or nothing left to import', () => {
    let s = initialSettings(file);
    for (const i of [0, 1, 3]) s = mapColumn(s, i, '', multiple);
    expect(canImport(s, null)).toBe(false);
    s = mapColumn(s, 0, 'last_name', multiple);
    expect(canImport(s, null)).toBe(true);
    const allFail = { created: 0, updated: 0, skipped: 0, failed: 4 } as ImportReport;
    expect(canImport(s, allFail)).toBe(false);
    expect(canImport(s, { ...allFail, created: 1 } as ImportReport)).toBe(true);
  });

  it('shows progress, separators and previewed values', () => {
    expect(percent(0.456)).toBe(46);
    expect(percent(2)).toBe(100);
    expect(percent(Number.NaN)).toBe(0);
    expect(separatorName(';')).toBe('semicolon');
    expect(separatorName('\t')).toBe('tab');
    expect(separatorName('#')).toBe('other');
    expect(cellText(['a@b.fr', 'c@d.fr'])).toBe('a@b.fr, c@d.fr');
    expect(cellText(true)).toBe('✓');
    expect(cellText(1234.56)).toBe('1234.56');
    expect(cellText(null)).toBe('');
  });
});

describe('a new field from a column', () => {
  const f = {
    fileId: 't',
    typeId: 1,
    header: ['Raison sociale', 'Chiffre d’affaires', '', 'Lien'],
    kinds: ['text', 'number', 'date', 'link'],
    suggested: ['name', '', '', ''],
  } as unknown as ImportFile;

  it('is named after its header and of the kind its values suggest', () => {
    expect(newFieldDraft(f, 1, 'Colonne 2')).toEqual({ column: 1, label: 'Chiffre d’affaires', kind: 'number', currency: 'EUR' });
    // A column without a header is named as the wizard names it.
    expect(newFieldDraft(f, 2, 'Colonne 3')).toMatchObject({ label: 'Colonne 3', kind: 'date' });
    // A link needs a target the column cannot say: text, to be changed.
    expect(newFieldDraft(f, 3, 'Colonne 4').kind).toBe('text');
    expect(NEW_FIELD_KINDS).not.toContain('link');
    expect(NEW_FIELD).not.toMatch(/^[a-z0-9_]+$/); // never a field's key
  });

  it('previews each target once and reads the decimal mark override both ways', () => {
    let s = initialSettings(f);
    s = mapColumn(s, 1, 'emails', multiple);
    s = mapColumn(s, 3, 'emails', multiple);
    expect(mappedTargets(s)).toEqual(['name', 'emails']);
    // The parts of an address show as the address they make; a full name as its two names.
    s = mapColumn(mapColumn(s, 2, 'postal_code', multiple), 4, 'city', multiple);
    expect(mappedTargets(s)).toEqual(['name', 'emails', 'address']);
    expect(mappedTargets(mapColumn(s, 0, 'full_name', multiple))).toEqual(['first_name', 'last_name', 'emails', 'address']);
    expect(decimalChoice(s)).toBe('');
    for (const v of ['comma', 'point', '']) {
      s = { ...s, decimalComma: decimalSetting(v) } as typeof s;
      expect(decimalChoice(s)).toBe(v);
    }
  });
});
