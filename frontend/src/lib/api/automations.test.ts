import { describe, expect, it } from 'vitest';
import { inputOf, toAutomation, toEntry } from './automations';

describe('automations api', () => {
  it('reads an automation, with what Go sends as null made safe', () => {
    const a = toAutomation({
      id: 3,
      name: 'Relance J+3',
      typeId: 7,
      trigger: 'date',
      fieldKey: 'echeance',
      offsetDays: 3,
      value: null,
      conditions: [{ field: 'payee', op: 'is_empty', value: null }, { field: 'x', op: 'nonsense', value: 1 }],
      templateId: 2,
      recipientField: 'societe',
      recipientRole: 'comptab',
      accountId: 0,
      hour: 9,
      timezone: 'Europe/Paris',
      threshold: 20,
      enabled: true,
      pending: 0,
      lastRunAt: null,
      updatedAt: '2026-12-06T09:00:00Z',
    });
    expect(a.conditions).toEqual([{ field: 'payee', op: 'is_empty', value: null }]);
    expect(a.lastRunAt).toBeNull();
    expect(inputOf(a)).toMatchObject({ id: 3, offsetDays: 3, recipientRole: 'comptab', timezone: 'Europe/Paris' });
    expect(toAutomation({ trigger: 'weird' }).trigger).toBe('date');
  });

  it('reads a ledger row with its problem in the UI’s error shape', () => {
    const e = toEntry({
      state: 'blocked',
      title: 'F-001',
      problem: { code: 'invalid_input', reason: 'automation_do_not_email', params: { name: 'Zoé' }, class: 'permanent', field: '', detail: '' },
    });
    expect(e.state).toBe('blocked');
    expect(e.problem?.reason).toBe('automation_do_not_email');
    expect(toEntry({ state: 'queued', problem: null }).problem).toBeNull();
    expect(toEntry({ state: '??' }).state).toBe('blocked');
  });
});
