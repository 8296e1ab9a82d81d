import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// The backend's events are simulated: the mocked eventsApi hands each listener to `emit`.
const listeners = new Set<(s: import('$lib/api').Step) => void>();
function emit(s: import('$lib/api').Step) {
  for (const l of [...listeners]) l(s);
}

vi.mock('$lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/api')>();
  return {
    ...actual,
    accountsApi: { test: vi.fn(), cancelTest: vi.fn(), trustCertificate: vi.fn() },
    eventsApi: {
      onProbeStep: vi.fn((fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      }),
    },
  };
});

import { accountsApi, ApiError, STEP_NAMES, type Step, type StepName, type StepStatus, type TestReport } from '$lib/api';
import { makeStep, testAccount, testCert } from '$lib/accounts/fixtures';
import {
  applyReport,
  applyStep,
  createConnectionTest,
  failedStep,
  initialSteps,
  planSteps,
  progress,
  untrustedStep,
} from './connectionTest';

// The steps of a test of 127.0.0.1, with the test certificate of the mail environment.
const step = (name: StepName, status: StepStatus, over: Partial<Step> = {}): Step =>
  makeStep(name, status, { host: '127.0.0.1', ...over });

const cert = { ...testCert, subject: 'CN=localhost', issuer: 'CN=localhost', dnsNames: ['localhost'] };

const account = testAccount;

const statuses = (steps: ReturnType<typeof initialSteps>) => steps.map((v) => `${v.name}:${v.status}`);

/** passing is a full passing report, streamed step by step before the call answers. */
function streamedReport(
  runId: string,
  upto: StepName | null = null,
  failure?: Partial<Step>,
  plan: StepName[] = planSteps(),
): TestReport {
  const steps: Step[] = [];
  let failedAt = -1;
  for (const [i, n] of plan.entries()) {
    if (failedAt >= 0) {
      steps.push(step(n, 'skipped', { runId }));
      continue;
    }
    emit(step(n, 'running', { runId }));
    if (n === upto) {
      failedAt = i;
      const s = step(n, 'failed', { runId, ...failure });
      emit(s);
      steps.push(s);
      continue;
    }
    const s = step(n, 'ok', { runId });
    emit(s);
    steps.push(s);
  }
  for (const s of steps.filter((s) => s.status === 'skipped')) emit(s);
  return { runId, ok: failedAt < 0, steps };
}

beforeEach(() => {
  vi.resetAllMocks();
  listeners.clear();
});

describe('the checklist from streamed steps', () => {
  it('starts with the six steps pending, in order', () => {
    expect(statuses(initialSteps())).toEqual(STEP_NAMES.slice(0, 6).map((n) => `${n}:pending`));
  });

  it('plans an API sender’s checks in place of the SMTP login, and only those for a send-only account', () => {
    const none = { host: '', port: 0, security: 'tls' as const, username: '' };
    const imap = { host: 'imap.example.test', port: 993, security: 'tls' as const, username: 'a' };
    const postmark = { kind: 'postmark' as const, domain: '', region: 'us' as const, stream: '' };
    const mailgun = { kind: 'mailgun' as const, domain: 'mg.example.test', region: 'eu' as const, stream: '' };
    expect(planSteps({ imap: none, sender: postmark })).toEqual(['postmark_sender']);
    expect(planSteps({ imap: none, sender: mailgun })).toEqual(['mailgun_domain', 'mailgun_from']);
    expect(planSteps({ imap, sender: mailgun })).toEqual(['dns', 'tcp', 'tls', 'imap_login', 'capabilities', 'mailgun_domain', 'mailgun_from']);
    expect(planSteps({ imap })).toEqual(['dns', 'tcp', 'tls', 'imap_login', 'capabilities', 'smtp_login']);
  });

  it('each event puts its step in its place', () => {
    let steps = initialSteps();
    steps = applyStep(steps, step('dns', 'running'));
    steps = applyStep(steps, step('dns', 'ok', { detail: '127.0.0.1' }));
    steps = applyStep(steps, step('tcp', 'running'));
    expect(statuses(steps).slice(0, 3)).toEqual(['dns:ok', 'tcp:running', 'tls:pending']);
    expect(steps[0].step?.detail).toBe('127.0.0.1');
  });

  it('a late "running" does not undo a finished step', () => {
    let steps = applyStep(initialSteps(), step('tls', 'failed', { code: 'tls_untrusted' }));
    steps = applyStep(steps, step('tls', 'running'));
    expect(steps[2].status).toBe('failed');
  });

  it('the final report wins over missed or out-of-order events', () => {
    const steps = applyStep(initialSteps(), step('dns', 'running'));
    const report: TestReport = { runId: 'r', ok: true, steps: planSteps().map((n) => step(n, 'ok')) };
    expect(statuses(applyReport(steps, report))).toEqual(planSteps().map((n) => `${n}:ok`));
  });

  it('finds the failed step, and whether its certificate may be trusted', () => {
    let steps = applyStep(initialSteps(), step('dns', 'ok'));
    expect(failedStep(steps)).toBeNull();
    steps = applyStep(steps, step('smtp_login', 'failed', { code: 'auth_failed' }));
    expect(failedStep(steps)?.name).toBe('smtp_login');
    expect(untrustedStep(steps)).toBeNull();
    steps = applyStep(steps, step('smtp_login', 'failed', { code: 'tls_untrusted', cert }));
    expect(untrustedStep(steps)?.cert?.sha256).toBe(cert.sha256);
    expect(progress(steps)).toEqual({ done: 2, total: 6 });
  });
});

describe('a connection test', () => {
  it('shows steps as they stream, only those of its own run, then passes', async () => {
    const test = createConnectionTest(() => 'run-1');
    const phases: string[] = [];
    test.subscribe((s) => phases.push(`${s.phase}:${s.steps.filter((v) => v.status === 'ok').length}`));
    vi.mocked(accountsApi.test).mockImplementation(async (runId) => {
      emit(step('dns', 'ok', { runId: 'someone-else' })); // another window's test
      expect(get(test).steps[0].status).toBe('pending');
      return streamedReport(runId);
    });
    const rep = await test.run({ accountId: 0, account }, 'pw', 'key-1');
    expect(rep?.ok).toBe(true);
    expect(get(test)).toMatchObject({
      phase: 'passed',
      testedKey: 'key-1',
      runId: 'run-1',
      security: { imap: 'tls', smtp: 'starttls' },
    });
    expect(statuses(get(test).steps)).toEqual(planSteps().map((n) => `${n}:ok`));
    // It was seen progressing, one step after the other.
    expect(phases).toContain('running:3');
    expect(accountsApi.test).toHaveBeenCalledWith('run-1', { accountId: 0, account }, 'pw', '');
    expect(listeners.size).toBe(0); // stopped listening
  });

  it('a failed step ends the test as failed, the rest skipped', async () => {
    const test = createConnectionTest(() => 'run-2');
    vi.mocked(accountsApi.test).mockImplementation(async (runId) =>
      streamedReport(runId, 'imap_login', { code: 'auth_failed', hintCode: 'auth_generic' }),
    );
    await test.run({ accountId: 0, account }, 'wrong');
    const st = get(test);
    expect(st.phase).toBe('failed');
    expect(statuses(st.steps)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:ok',
      'imap_login:failed',
      'capabilities:skipped',
      'smtp_login:skipped',
    ]);
  });

  it('a send-only Postmark account shows its one check and sends the token apart', async () => {
    const test = createConnectionTest(() => 'run-pm');
    const sendOnly = {
      ...account,
      imap: { host: '', port: 0, security: 'tls' as const, username: '' },
      sender: { kind: 'postmark' as const, domain: '', region: 'us' as const, stream: '' },
    };
    vi.mocked(accountsApi.test).mockImplementation(async (runId) =>
      streamedReport(runId, 'postmark_sender', { code: 'provider_rejected', hintCode: 'postmark_signature' }, ['postmark_sender']),
    );
    await test.run({ accountId: 0, account: sendOnly }, '', undefined, 'pm-token');
    expect(accountsApi.test).toHaveBeenCalledWith('run-pm', { accountId: 0, account: sendOnly }, '', 'pm-token');
    expect(statuses(get(test).steps)).toEqual(['postmark_sender:failed']);
    expect(JSON.stringify(get(test))).not.toContain('pm-token');
  });

  it('a refused test keeps the error (a field to fix, for instance)', async () => {
    const test = createConnectionTest(() => 'run-3');
    vi.mocked(accountsApi.test).mockRejectedValue(new ApiError('invalid_input', 'Enter a port', 'imap.port'));
    expect(await test.run({ accountId: 0, account }, 'pw')).toBeNull();
    expect(get(test).phase).toBe('error');
    expect(get(test).error).toMatchObject({ code: 'invalid_input', field: 'imap.port' });
  });

  it('trusting a certificate sends its server and fingerprint, then tests again', async () => {
    let n = 0;
    const test = createConnectionTest(() => `run-${++n}`);
    vi.mocked(accountsApi.test)
      .mockImplementationOnce(async (runId) =>
        streamedReport(runId, 'tls', { code: 'tls_untrusted', cert, host: '127.0.0.1', port: 10993 }),
      )
      .mockImplementationOnce(async (runId) => streamedReport(runId));
    vi.mocked(accountsApi.trustCertificate).mockResolvedValue();
    await test.run({ accountId: 0, account }, 'pw', 'k');
    const untrusted = untrustedStep(get(test).steps);
    expect(untrusted).not.toBeNull();
    await test.trust(untrusted!);
    expect(accountsApi.trustCertificate).toHaveBeenCalledWith('127.0.0.1', 10993, cert.sha256);
    expect(accountsApi.test).toHaveBeenCalledTimes(2);
    expect(vi.mocked(accountsApi.test).mock.calls[1]).toEqual(['run-2', { accountId: 0, account }, 'pw', '']);
    expect(get(test)).toMatchObject({ phase: 'passed', testedKey: 'k', trusting: false });
  });

  it('a refused trust keeps the failed test and says why', async () => {
    const test = createConnectionTest(() => 'run-4');
    vi.mocked(accountsApi.test).mockImplementation(async (runId) => streamedReport(runId, 'tls', { code: 'tls_untrusted', cert }));
    vi.mocked(accountsApi.trustCertificate).mockRejectedValue(new ApiError('not_found', 'Test again'));
    await test.run({ accountId: 0, account }, 'pw');
    await test.trust(untrustedStep(get(test).steps)!);
    expect(get(test)).toMatchObject({ phase: 'failed', trusting: false });
    expect(get(test).trustError?.code).toBe('not_found');
    expect(accountsApi.test).toHaveBeenCalledTimes(1);
  });

  it('stopping cancels the run on the backend and ignores its late answer', async () => {
    const test = createConnectionTest(() => 'run-5');
    let answer: (r: TestReport) => void = () => {};
    vi.mocked(accountsApi.test).mockImplementation(() => new Promise((r) => (answer = r)));
    vi.mocked(accountsApi.cancelTest).mockResolvedValue();
    const running = test.run({ accountId: 0, account }, 'pw');
    emit(step('dns', 'ok', { runId: 'run-5' }));
    await test.cancel();
    expect(accountsApi.cancelTest).toHaveBeenCalledWith('run-5');
    emit(step('tcp', 'ok', { runId: 'run-5' })); // after the stop: not shown
    answer({ runId: 'run-5', ok: false, steps: [step('tcp', 'failed', { runId: 'run-5', code: 'network' })] });
    await running;
    const st = get(test);
    expect(st.phase).toBe('cancelled');
    expect(statuses(st.steps).slice(0, 2)).toEqual(['dns:ok', 'tcp:pending']);
  });

  it('a new run replaces the one under way', async () => {
    let n = 0;
    const test = createConnectionTest(() => `run-${++n}`);
    let first: (r: TestReport) => void = () => {};
    vi.mocked(accountsApi.test)
      .mockImplementationOnce(() => new Promise((r) => (first = r)))
      .mockImplementationOnce(async (runId) => streamedReport(runId));
    vi.mocked(accountsApi.cancelTest).mockResolvedValue();
    const a = test.run({ accountId: 0, account }, 'pw');
    const b = test.run({ accountId: 0, account }, 'pw');
    await b;
    first({ runId: 'run-1', ok: false, steps: [] });
    expect(await a).toBeNull();
    expect(accountsApi.cancelTest).toHaveBeenCalledWith('run-1');
    expect(get(test)).toMatchObject({ runId: 'run-2', phase: 'passed' });
  });
});
