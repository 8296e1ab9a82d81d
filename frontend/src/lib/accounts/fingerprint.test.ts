import { describe, expect, it } from 'vitest';
import { fingerprintLines, fingerprintPairs, fingerprintText } from './fingerprint';

const sha256 = '6126e21985cbddaea5f6cb366835c6fddcf8fa0852f4e54743e9bb14c91d671d';

describe('certificate fingerprints', () => {
  it('are upper-case byte pairs joined by colons, as openssl prints them', () => {
    expect(fingerprintText(sha256)).toBe(
      '61:26:E2:19:85:CB:DD:AE:A5:F6:CB:36:68:35:C6:FD:DC:F8:FA:08:52:F4:E5:47:43:E9:BB:14:C9:1D:67:1D',
    );
  });

  it('are grouped in four lines of eight bytes for reading', () => {
    expect(fingerprintLines(sha256)).toEqual([
      '61:26:E2:19:85:CB:DD:AE',
      'A5:F6:CB:36:68:35:C6:FD',
      'DC:F8:FA:08:52:F4:E5:47',
      '43:E9:BB:14:C9:1D:67:1D',
    ]);
  });

  it('read the same whatever separators they came with', () => {
    const withColons = fingerprintText(sha256);
    expect(fingerprintPairs(withColons)).toEqual(fingerprintPairs(sha256));
    expect(fingerprintPairs(sha256.toUpperCase().match(/.{4}/g)!.join(' '))).toEqual(fingerprintPairs(sha256));
  });

  it('a short last line keeps what remains', () => {
    expect(fingerprintLines('0102030405', 2)).toEqual(['01:02', '03:04', '05']);
  });

  it.each(['xyz', 'abc', ''])('a malformed fingerprint "%s" is shown as it came, never hidden', (bad) => {
    expect(fingerprintPairs(bad)).toEqual([]);
    expect(fingerprintLines(bad)).toEqual(bad ? [bad] : []);
    expect(fingerprintText(bad)).toBe(bad);
  });
});
