import { afterEach, describe, expect, it, vi } from 'vitest';
import { detectLanguage, resolveLanguage, systemLanguage } from './index';

describe('detectLanguage', () => {
  it.each([
    ['fr', 'fr'],
    ['fr-FR', 'fr'],
    ['fr-CA', 'fr'],
    ['FR-be', 'fr'],
    ['en-US', 'en'],
    ['de-DE', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    [null, 'en'],
  ])('%s → %s', (tag, want) => {
    expect(detectLanguage(tag)).toBe(want);
  });
});

describe('systemLanguage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('follows navigator.language', () => {
    vi.stubGlobal('navigator', { language: 'fr-CH' });
    expect(systemLanguage()).toBe('fr');
    vi.stubGlobal('navigator', { language: 'en-GB' });
    expect(systemLanguage()).toBe('en');
  });

  it('is English without a navigator', () => {
    vi.stubGlobal('navigator', undefined);
    expect(systemLanguage()).toBe('en');
  });
});

describe('resolveLanguage', () => {
  it('prefers the language the user chose', () => {
    expect(resolveLanguage('en', 'fr')).toBe('en');
    expect(resolveLanguage('fr', 'en')).toBe('fr');
  });

  it('follows the system when none was chosen', () => {
    expect(resolveLanguage(null, 'fr')).toBe('fr');
    expect(resolveLanguage('', 'en')).toBe('en');
  });

  it('ignores a language the UI does not ship', () => {
    expect(resolveLanguage('de', 'fr')).toBe('fr');
  });
});
