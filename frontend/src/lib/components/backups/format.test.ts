import { describe, expect, it } from 'vitest';
import { size, when } from './format';

describe('backup words', () => {
  it('words sizes in each language', () => {
    expect(size(512, 'en')).toBe('512 B');
    expect(size(2_450_000, 'en')).toBe('2.5 MB');
    expect(size(2_450_000, 'fr')).toBe('2,5 Mo');
    expect(size(3_100_000_000, 'fr')).toBe('3,1 Go');
  });
  it('words times, and leaves none empty', () => {
    expect(when('', 'fr')).toBe('');
    expect(when('2026-12-06T07:35:00Z', 'fr')).toContain('2026');
    expect(when('2026-12-06T07:35:00Z', 'en')).toContain('December');
  });
});
