import { describe, expect, it } from 'vitest';
import { inputOf, toSummary, toTemplate } from './templates';

describe('templates api', () => {
  it('reads a template as Go sends it, nil lists included', () => {
    const t = toTemplate({ id: 4, name: 'Relance 1', language: 'fr', typeId: 3, subject: 'Facture {{facture.numero}}', html: '<p>x</p>', text: 'x', textEdited: false, attachments: null, updatedAt: '2026-12-06T08:00:00Z' });
    expect(t.attachments).toEqual([]);
    expect(inputOf(t)).toEqual({ id: 4, name: 'Relance 1', language: 'fr', typeId: 3, subject: 'Facture {{facture.numero}}', html: '<p>x</p>', text: 'x', textEdited: false });
  });

  it('reads an unknown language as French, the default of the app', () => {
    expect(toTemplate({ language: 'de' }).language).toBe('fr');
    expect(toTemplate({ language: 'en' }).language).toBe('en');
  });

  it('keeps a summary’s problem as an error the UI words', () => {
    const s = toSummary({
      id: 1,
      name: 'Relance',
      problem: { code: 'invalid_input', reason: 'template_field_unknown_bare', params: { placeholder: '{{facture.echeance}}' }, class: 'permanent', field: 'html' },
    });
    expect(s.problem?.reason).toBe('template_field_unknown_bare');
    expect(s.problem?.params).toEqual({ placeholder: '{{facture.echeance}}' });
    expect(toSummary({ id: 2, problem: null }).problem).toBeNull();
  });
});
