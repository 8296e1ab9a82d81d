// Words for backups: sizes and times in the user's language.

/** size words a file's size (kB, MB, GB) in the locale. */
export function size(bytes: number, locale: string): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v);
  return `${n} ${locale.startsWith('fr') ? units[u].replace('B', 'o') : units[u]}`;
}

/** when words an RFC 3339 time as a date and a time in the locale ("" stays ""). */
export function when(rfc3339: string, locale: string): string {
  if (!rfc3339) return '';
  const t = Date.parse(rfc3339);
  return Number.isFinite(t) ? new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(t) : rfc3339;
}
