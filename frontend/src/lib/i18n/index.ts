// Translations: svelte-i18n with the catalogues fr.json and en.json. Components use
// `$_(key)`; this module chooses and applies the language.
import { addMessages, init, locale } from 'svelte-i18n';
import { isLanguage, type Language } from '$lib/api';
import en from './en.json';
import fr from './fr.json';

export { _, date, locale, time } from 'svelte-i18n';

export const catalogues: Record<Language, Record<string, unknown>> = { fr, en };

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
    addMessages('fr', fr);
    addMessages('en', en);
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
