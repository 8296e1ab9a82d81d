import { describe, expect, it } from 'vitest';
import { goModules, licenseCounts, npmPackages } from './licenses';

describe('the shipped components list', () => {
  it('names the app’s own foundations with a version and a licence each', () => {
    const go = goModules.map((c) => c.name);
    expect(go).toContain('github.com/wailsapp/wails/v2');
    expect(go).toContain('github.com/mattn/go-sqlite3');
    expect(go[0]).toBe('Go'); // its runtime and standard library, in every Go program
    expect(npmPackages.map((c) => c.name)).toEqual(expect.arrayContaining(['svelte', 'svelte-i18n']));
    for (const c of [...goModules, ...npmPackages]) {
      expect(c.version, c.name).not.toBe('');
      expect(c.license, c.name).toMatch(/^[A-Za-z0-9.+-]+( AND [A-Za-z0-9.+-]+)*$/);
    }
  });

  it('leaves out the build and test tools', () => {
    const names = [...goModules, ...npmPackages].map((c) => c.name);
    for (const tool of ['vite', 'vitest', 'typescript', 'svelte-check', 'github.com/goreleaser/nfpm/v2']) {
      expect(names).not.toContain(tool);
    }
  });
});

describe('licenseCounts', () => {
  it('counts each licence, most used first, ties by name', () => {
    const counts = licenseCounts([
      { name: 'a', version: '1', license: 'MIT' },
      { name: 'b', version: '1', license: 'ISC' },
      { name: 'c', version: '1', license: 'MIT' },
      { name: 'd', version: '1', license: 'Apache-2.0' },
    ]);
    expect(counts).toEqual([
      { license: 'MIT', count: 2 },
      { license: 'Apache-2.0', count: 1 },
      { license: 'ISC', count: 1 },
    ]);
  });
});
