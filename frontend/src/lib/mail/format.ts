// Dates and sizes as the inbox writes them, in the language shown.

function parse(iso: string): Date | null {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t) : null;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    formats.set(key, f);
  }
  return f;
}

/** listDate is a message's date in the list: the time today, the day and month this year,
 * the full date before. A missing date is "". */
export function listDate(iso: string, now: Date, locale: string): string {
  const d = parse(iso);
  if (!d || d.getTime() <= 0) return '';
  if (d.toDateString() === now.toDateString()) return format(locale, { timeStyle: 'short' }).format(d);
  if (d.getFullYear() === now.getFullYear()) return format(locale, { day: 'numeric', month: 'short' }).format(d);
  return format(locale, { day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

/** fullDate is a message's date in its view: "samedi 22 novembre 2026 à 10:05". */
export function fullDate(iso: string, locale: string): string {
  const d = parse(iso);
  if (!d || d.getTime() <= 0) return '';
  return format(locale, { dateStyle: 'full', timeStyle: 'short' }).format(d);
}

export type SizeUnit = 'b' | 'kb' | 'mb' | 'gb';

/** sizeParts is a size in the largest unit that keeps it ≥ 1 (1 KB = 1024 bytes), rounded
 * to one decimal below 10 and to a whole number above. */
export function sizeParts(bytes: number): { value: number; unit: SizeUnit } {
  const units: SizeUnit[] = ['b', 'kb', 'mb', 'gb'];
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const value = i === 0 ? Math.round(v) : v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  return { value, unit: units[i] };
}

/** number writes a number in the language shown (a decimal comma in French). */
export function number(n: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
}
