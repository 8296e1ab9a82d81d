import { describe, expect, it } from 'vitest';
import { toPlan, toProgress } from './bulk';

describe('bulk api', () => {
  it('reads a plan as Go sends it, nil lists included', () => {
    const p = toPlan({
      total: 3,
      sendable: [{ recordId: 1, title: 'F-001', email: 'a@client.test', name: 'Élise', reason: '', missing: null, notBefore: '2026-12-06T09:00:00Z' }],
      excluded: [
        { recordId: 2, title: 'F-002', email: '', reason: 'no_address', missing: null, notBefore: '' },
        { recordId: 3, title: 'F-003', email: 'b@client.test', reason: 'missing_value', missing: ['{{facture.montant}}'], notBefore: '' },
      ],
      perDay: 500,
      usedToday: 0,
      lastSend: '2026-12-06T09:00:00Z',
      days: 1,
    });
    expect(p.sendable[0]).toMatchObject({ recordId: 1, name: 'Élise', reason: '', missing: [] });
    expect(p.excluded.map((r) => r.reason)).toEqual(['no_address', 'missing_value']);
    expect(p.excluded[1].missing).toEqual(['{{facture.montant}}']);
    expect(toPlan({}).sendable).toEqual([]);
  });

  it('never hides why a record is set aside: an unknown reason reads as a missing value', () => {
    expect(toPlan({ excluded: [{ recordId: 9, reason: 'something_new' }] }).excluded[0].reason).toBe('missing_value');
  });

  it('reads an unknown state as paused, which asks the user to look', () => {
    expect(toProgress({ id: 4, state: 'running', total: 2, sent: 1 })).toMatchObject({ id: 4, state: 'running', total: 2, sent: 1, failed: 0 });
    expect(toProgress({ state: 'exploded' }).state).toBe('paused');
  });
});
