import { describe, expect, it } from 'vitest';
import { accountSharing, toFilingSettings, toFolderSharing, toMessageRecords, toTimelinePage, toToFilePage } from './filing';

describe('filing results read safely', () => {
  it('"To file" groups with their messages; Go nils are empty lists', () => {
    const p = toToFilePage({
      total: 2,
      groups: [{ email: 'hugo@client.example', name: 'Hugo Petit', domain: 'client.example', freemail: false, count: 3, latest: '2026-12-01T10:00:00Z', messages: [{ id: 7, subject: 'Devis' }] }, { email: 'x@gmail.com', messages: null }],
    });
    expect(p.total).toBe(2);
    expect(p.groups[0]).toMatchObject({ email: 'hugo@client.example', count: 3, freemail: false });
    expect(p.groups[0].messages[0]).toMatchObject({ id: 7, subject: 'Devis' });
    expect(p.groups[1]).toMatchObject({ name: '', freemail: false, messages: [] });
    expect(toToFilePage(null)).toEqual({ groups: [], total: 0 });
  });

  it('a message’s links: an unknown origin reads as automatic', () => {
    const m = toMessageRecords({ links: [{ recordId: 4, typeId: 1, title: 'Claire', origin: 'manual' }, { recordId: 5, typeId: 2, title: 'X', origin: 'later' }], suggestions: null });
    expect(m.links.map((l) => l.origin)).toEqual(['manual', 'auto']);
    expect(m.suggestions).toEqual([]);
  });

  it('a timeline by thread', () => {
    const t = toTimelinePage({ total: 1, threads: [{ latest: '2026-12-01T10:00:00Z', messages: [{ row: { id: 9, subject: 'Re: Devis' }, origin: 'auto' }] }] });
    expect(t.threads[0].messages[0].row).toMatchObject({ id: 9, subject: 'Re: Devis' });
  });

  it('settings: an unknown operator is dropped', () => {
    const s = toFilingSettings({ types: [{ typeId: 3, openFieldId: 8, openOp: 'unchecked', openValue: '', keyFieldId: 0 }, { typeId: 4, openOp: 'weird' }], domains: [{ domain: 'orange.fr', free: false, listed: true }], progress: null });
    expect(s.types.map((t) => t.openOp)).toEqual(['unchecked', '']);
    expect(s.domains[0]).toEqual({ domain: 'orange.fr', free: false, listed: true });
    expect(s.progress).toEqual({ kind: 'all', running: false, done: 0, total: 0, records: 0, cancelled: false });
  });

  it('sharing: an unknown state reads as unknown', () => {
    expect(toFolderSharing({ accountId: 1, folderId: 2, name: 'INBOX', role: 'inbox', state: 'shared' })).toEqual({ accountId: 1, folderId: 2, name: 'INBOX', role: 'inbox', state: 'shared' });
    expect(toFolderSharing({ accountId: 1, folderId: 3, state: 'later' })).toMatchObject({ name: '', state: 'unknown' });
  });

  it('an account’s sharing in one word, with the folders kept here only', () => {
    const f = (accountId: number, folderId: number, state: 'shared' | 'local' | 'unknown') => ({ accountId, folderId, name: `F${folderId}`, role: '' as const, state });
    const all = [f(1, 1, 'shared'), f(1, 2, 'unknown'), f(2, 3, 'local'), f(2, 4, 'local'), f(3, 5, 'shared'), f(3, 6, 'local'), f(4, 7, 'unknown')];
    expect(accountSharing(all, 1)).toEqual({ state: 'shared', local: [] });
    expect(accountSharing(all, 2).state).toBe('local');
    expect(accountSharing(all, 2).local.map((x) => x.folderId)).toEqual([3, 4]);
    expect(accountSharing(all, 3)).toMatchObject({ state: 'mixed', local: [f(3, 6, 'local')] });
    expect(accountSharing(all, 4).state).toBe('unknown');
    expect(accountSharing(all, 9).state).toBe('unknown'); // no synced folder yet
  });
});
