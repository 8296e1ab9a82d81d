import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return { ...actual, presetsApi: { list: vi.fn(), save: vi.fn(), remove: vi.fn() } };
});

import { ApiError, presetsApi, type Preset } from '$lib/api';
import { presets } from './presets';

const servers = (domain: string): Preset => ({
  kind: 'servers',
  domain,
  imap: { host: `imap.${domain}`, port: 993, security: 'tls' },
  smtp: { host: `smtp.${domain}`, port: 465, security: 'tls' },
  usernameForm: 'email',
  updatedAt: '',
});
const exchange = (domain: string): Preset => ({ kind: 'exchange', domain, exchangeUrl: `https://mail.${domain}/EWS`, updatedAt: '' });
const domains = () => get(presets).items.map((p) => p.domain);

beforeEach(async () => {
  vi.resetAllMocks();
  presets.reset();
  vi.mocked(presetsApi.list).mockResolvedValue([servers('zeta.test'), exchange('corp.test')]);
  await presets.load();
});

describe('presets', () => {
  it('lists presets by domain', () => {
    expect(domains()).toEqual(['corp.test', 'zeta.test']);
  });

  it('a saved preset appears in its place, replacing the same domain’s', async () => {
    vi.mocked(presetsApi.save).mockImplementation(async (p) => p);
    await presets.save(servers('alpha.test'));
    await presets.save(servers('corp.test')); // Exchange → servers
    expect(domains()).toEqual(['alpha.test', 'corp.test', 'zeta.test']);
    expect(get(presets).items.find((p) => p.domain === 'corp.test')?.kind).toBe('servers');
  });

  it('renaming a preset’s domain removes the old one once the new one is saved', async () => {
    vi.mocked(presetsApi.save).mockImplementation(async (p) => p);
    vi.mocked(presetsApi.remove).mockResolvedValue();
    await presets.save(servers('zeta2.test'), 'zeta.test');
    expect(presetsApi.remove).toHaveBeenCalledWith('zeta.test');
    expect(domains()).toEqual(['corp.test', 'zeta2.test']);
  });

  it('a refused save changes nothing and rejects with the field', async () => {
    vi.mocked(presetsApi.save).mockRejectedValue(new ApiError('invalid_input', 'Enter a domain', 'domain'));
    await expect(presets.save(servers('x'), 'zeta.test')).rejects.toMatchObject({ field: 'domain' });
    expect(presetsApi.remove).not.toHaveBeenCalled();
    expect(domains()).toEqual(['corp.test', 'zeta.test']);
  });

  it('a deleted preset disappears', async () => {
    vi.mocked(presetsApi.remove).mockResolvedValue();
    await presets.remove('corp.test');
    expect(domains()).toEqual(['zeta.test']);
  });
});
