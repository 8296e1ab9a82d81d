// The words of every failure reason the backend sends (backend/fault), one file per area
// under ./reasons/, French and English side by side so they are kept in step. They are
// merged into the catalogues as reason.<name>; catalogues.test.ts checks them against the
// generated list (src/lib/api/generated/faults.ts): none missing, none stale, the same
// params.
type Side = Record<string, string>;
interface AreaFile {
  en: Side;
  fr: Side;
}

const files = import.meta.glob<AreaFile>('./reasons/*.json', { eager: true, import: 'default' });

function merge(lang: 'en' | 'fr'): Side {
  const out: Side = {};
  for (const [path, file] of Object.entries(files)) {
    for (const [name, text] of Object.entries(file[lang] ?? {})) {
      if (name in out) throw new Error(`reason ${name} is worded twice (${path})`);
      out[name] = text;
    }
  }
  return out;
}

/** reasonTexts holds each language's words for the reasons, keyed by reason name. */
export const reasonTexts = { en: merge('en'), fr: merge('fr') };

/** reasonFiles lists the area files, for the tests. */
export const reasonFiles = files;
