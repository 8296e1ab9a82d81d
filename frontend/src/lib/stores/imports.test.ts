import { describe, expect, it } from 'vitest';
import { canImport, cellText, initialSettings, mapColumn, mappedCount, percent, separatorName } from './imports';
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
