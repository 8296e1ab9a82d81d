import { describe, expect, it } from 'vitest';
import { addEntries, displayName, formatAddress, isEmail, parseAddress, splitEntries } from './addresses';

describe('addresses', () => {
  it.each(['ann@example.com', 'a.b+tag@mail.example.fr', 'bob@example.test'])('%s is an address', (s) => {
    expect(isEmail(s)).toBe(true);
  });

  it.each(['', 'ann', 'ann@', '@example.com', 'ann@example', 'ann @example.com', 'ann@@example.com', 'ann@.example.com', 'a..b@x.com'])(
    '%j is not an address',
    (s) => expect(isEmail(s)).toBe(false),
  );

  it('reads a name and an address', () => {
    expect(parseAddress('Ann Lee <ann@example.com>')).toEqual({ name: 'Ann Lee', email: 'ann@example.com' });
    expect(parseAddress('"Lee, Ann" <ann@example.com>')).toEqual({ name: 'Lee, Ann', email: 'ann@example.com' });
    expect(parseAddress('<ann@example.com>')).toEqual({ name: '', email: 'ann@example.com' });
    expect(parseAddress('  ann@example.com ')).toEqual({ name: '', email: 'ann@example.com' });
  });

  it('cuts at commas, semicolons and line breaks, not inside quotes or brackets', () => {
    expect(splitEntries('a@x.fr, b@x.fr;c@x.fr\nd@x.fr')).toEqual(['a@x.fr', 'b@x.fr', 'c@x.fr', 'd@x.fr']);
    expect(splitEntries('"Lee, Ann" <ann@x.fr>, bob@x.fr')).toEqual(['"Lee, Ann" <ann@x.fr>', 'bob@x.fr']);
    expect(splitEntries(' , ;')).toEqual([]);
  });

  it('adds entries once, marking the invalid ones', () => {
    let e = addEntries([], 'ann@x.fr, nope');
    expect(e).toEqual([
      { name: '', email: 'ann@x.fr', valid: true },
      { name: '', email: 'nope', valid: false },
    ]);
    e = addEntries(e, 'ANN@x.fr, Bob <bob@x.fr>');
    expect(e.map((x) => x.email)).toEqual(['ann@x.fr', 'nope', 'bob@x.fr']);
  });

  it('writes addresses for people', () => {
    expect(formatAddress({ name: 'Ann', email: 'ann@x.fr' })).toBe('Ann <ann@x.fr>');
    expect(formatAddress({ name: '', email: 'ann@x.fr' })).toBe('ann@x.fr');
    expect(displayName({ name: ' ', email: 'ann@x.fr' })).toBe('ann@x.fr');
  });
});
