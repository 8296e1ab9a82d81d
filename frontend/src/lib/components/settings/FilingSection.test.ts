// Settings → Email filing, rendered server-side (the markup and its texts): a re-file of all
// mail running when the page opens shows with Stop from what Filing.Settings says, before
// any event of it.
import { render } from 'svelte/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    filingApi: { ...actual.filingApi, settings: vi.fn() },
    sessionApi: { ...actual.sessionApi, state: vi.fn() },
  };
});

import { filingApi, sessionApi, type RefileProgress, type User } from '$lib/api';
import { setupI18n } from '$lib/i18n';
import { toFile } from '$lib/stores/filing';
import { session } from '$lib/stores/session';
import FilingSection from './FilingSection.svelte';

const admin: User = { id: 1, name: 'Camille Martin', email: 'camille@example.com', role: 'admin', language: 'fr', title: '', phone: '', protected: false, createdAt: '' };
const progress = (over: Partial<RefileProgress>): RefileProgress => ({ kind: 'all', running: false, done: 0, total: 0, records: 0, cancelled: false, ...over });

beforeEach(async () => {
  vi.resetAllMocks();
  setupI18n('fr');
  toFile.reset();
  vi.mocked(sessionApi.state).mockResolvedValue({ onboarded: true, user: admin, language: 'fr', userCount: 1, lastUserId: 0, lockedIdle: false, idleLockSeconds: 0 });
  await session.load();
});

describe('FilingSection', () => {
  it('shows Stop from the initial state of a re-file under way', async () => {
    vi.mocked(filingApi.settings).mockResolvedValue({ types: [], domains: [], progress: progress({ running: true, done: 1200, total: 5000 }) });
    await toFile.settings(); // what the section's load does
    const { body } = render(FilingSection);
    expect(body).toContain('data-testid="filing-refile-cancel"');
    expect(body).toContain('Reclassement\u00a0: 1\u202f200 sur 5\u202f000');
    expect(body).not.toContain('data-testid="filing-refile"');
  });

  it('offers a re-file when none runs', async () => {
    vi.mocked(filingApi.settings).mockResolvedValue({ types: [], domains: [], progress: progress({ done: 5000, total: 5000 }) });
    await toFile.settings();
    const { body } = render(FilingSection);
    expect(body).toContain('data-testid="filing-refile"');
    expect(body).not.toContain('data-testid="filing-refile-cancel"');
  });
});
