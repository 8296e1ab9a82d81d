import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { REASONS } from '$lib/api/generated/faults';
import english from '$lib/api/generated/faults.english.json';
import { reasonFiles, reasonTexts } from './reasons';

function argumentNames(elements: MessageFormatElement[]): string[] {
  const names: string[] = [];
  for (const el of elements) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) names.push(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      names.push(el.value);
      for (const opt of Object.values(el.options)) names.push(...argumentNames(opt.value));
    }
  }
  return [...new Set(names)].sort();
}

const reasons = Object.keys(REASONS) as (keyof typeof REASONS)[];

describe('every failure reason of the backend is worded in French and English', () => {
  it.each(reasons)('%s', (name) => {
    const info = REASONS[name];
    for (const lang of ['en', 'fr'] as const) {
      const text = reasonTexts[lang][name];
      expect(text, `${lang}: reason ${name} (backend: “${english[name as keyof typeof english]}”)`).toBeTruthy();
      // A translation may leave a parameter out, never use one the backend does not send.
      const used = argumentNames(parse(text));
      expect(used.filter((p) => !(info.params as readonly string[]).includes(p)), `${lang}: ${name} uses unknown params`).toEqual([]);
    }
    expect(reasonTexts.fr[name]).not.toEqual(reasonTexts.en[name]);
  });

  it('no area file words a reason the backend no longer has, and both languages have the same ones', () => {
    for (const [path, file] of Object.entries(reasonFiles)) {
      expect(Object.keys(file.en).sort(), path).toEqual(Object.keys(file.fr).sort());
      expect(Object.keys(file.en).filter((n) => !(n in REASONS)), path).toEqual([]);
    }
  });

  it('the generated English list holds exactly the reasons', () => {
    expect(Object.keys(english).sort()).toEqual([...reasons].sort());
  });
});
