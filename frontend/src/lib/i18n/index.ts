// Translations: svelte-i18n with the catalogues fr.json and en.json. Components use
// `$_(key)`; this module chooses and applies the language.
import { derived, type Readable } from 'svelte/store';
import { addMessages, date, init, locale, time } from 'svelte-i18n';
import { isLanguage, type Language } from '$lib/api';
import en from './en.json';
import fr from './fr.json';
import { reasonTexts } from './reasons';

export { _, date, locale, time } from 'svelte-i18n';

/** day formats an RFC 3339 time as a date in the current language ("22 nov. 2026"); a
 * text that is not a time is shown as it is ("" stays ""). */
export const day: Readable<(iso: string) => string> = derived(date, ($date) => (iso: string) => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? $date(new Date(t), { format: 'medium' }) : iso;
});

/** dayTime is day with the time of day ("22 nov. 2026 10:05"). */
export const dayTime: Readable<(iso: string) => string> = derived([date, time], ([$date, $time]) => (iso: string) => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const d = new Date(t);
  return `${$date(d, { format: 'medium' })} ${$time(d, { format: 'short' })}`;
});

const full = { fr: { ...fr, reason: reasonTexts.fr }, en: { ...en, reason: reasonTexts.en } };

export const catalogues: Record<Language, Record<string, unknown>> = full;

/** detectLanguage follows the system's language: French for any fr* tag, else English. */
export function detectLanguage(tag: string | null | undefined): Language {
  return typeof tag === 'string' && tag.trim().toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** systemLanguage is the language of the system the UI runs on. */
export function systemLanguage(): Language {
  return detectLanguage(typeof navigator === 'undefined' ? undefined : navigator.language);
}

/** resolveLanguage prefers the language the user chose (remembered by the backend). */
export function resolveLanguage(remembered: string | null | undefined, detected: Language): Language {
  return isLanguage(remembered) ? remembered : detected;
}

let ready = false;

/** setupI18n loads the catalogues and starts in the given language. Call it once, before
 * the first component is mounted. */
export function setupI18n(initial: Language): void {
  if (!ready) {
    addMessages('fr', full.fr);
    addMessages('en', full.en);
    void init({ fallbackLocale: 'en', initialLocale: initial });
    ready = true;
  }
  applyLanguage(initial);
}

/** applyLanguage shows the UI in lang at once. */
export function applyLanguage(lang: Language): void {
  void locale.set(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
