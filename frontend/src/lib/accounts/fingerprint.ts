// Certificate fingerprints, written the way people compare them: upper-case byte pairs
// separated by colons (as `openssl x509 -fingerprint -sha256` prints them), in short lines.

/** BYTES_PER_LINE keeps a SHA-256 fingerprint to four lines of eight bytes. */
export const BYTES_PER_LINE = 8;

/** fingerprintPairs splits a hex fingerprint into upper-case byte pairs; it ignores
 * separators already there (colons, spaces) and returns [] for anything that is not
 * whole bytes of hex. */
export function fingerprintPairs(hex: string): string[] {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean === '' || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return [];
  return clean.toUpperCase().match(/../g) ?? [];
}

/** fingerprintLines groups a fingerprint for reading: lines of BYTES_PER_LINE pairs.
 * A malformed fingerprint is shown as it came, on one line, rather than hidden. */
export function fingerprintLines(hex: string, perLine = BYTES_PER_LINE): string[] {
  const pairs = fingerprintPairs(hex);
  if (pairs.length === 0) return hex ? [hex] : [];
  const lines: string[] = [];
  for (let i = 0; i < pairs.length; i += perLine) lines.push(pairs.slice(i, i + perLine).join(':'));
  return lines;
}

/** fingerprintText is the fingerprint on one line, for copying. */
export function fingerprintText(hex: string): string {
  const pairs = fingerprintPairs(hex);
  return pairs.length ? pairs.join(':') : hex;
}
