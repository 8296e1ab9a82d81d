// The step-by-step connection test (DNS → TCP → TLS → IMAP login → capabilities → SMTP
// login, or an API sender's checks in place of the SMTP login; only those for a send-only
// account). The backend streams each step as a "probe:step" event while Accounts.Test runs;
// this store turns those events into the checklist the UI shows. Each place that tests
// (the wizard, the edit form, an account's panel) makes its own with createConnectionTest.
import { get, writable, type Readable } from 'svelte/store';
import {
  accountsApi,
  eventsApi,
  toApiError,
  type AccountInput,
  type ApiError,
  type Security,
  type SignIn,
  type Step,
  type StepName,
  type StepStatus,
  type TestReport,
  type TestTarget,
} from '$lib/api';

/** A step not reached yet is pending. */
export type StepPhase = 'pending' | StepStatus;

export interface StepView {
  name: StepName;
  status: StepPhase;
  /** The latest report of this step; null while pending. */
  step: Step | null;
}

export type TestPhase = 'idle' | 'running' | 'passed' | 'failed' | 'cancelled' | 'error';

const IMAP_STEPS: readonly StepName[] = ['dns', 'tcp', 'tls', 'imap_login', 'capabilities'];

/** planSteps lists the steps the backend runs for an account, in order (backend/probe's
 * Target.plan): the IMAP steps when it has an IMAP server, then its API sender's checks,
 * or the SMTP login. Without an account, the IMAP+SMTP test. */
export function planSteps(account?: Pick<AccountInput, 'imap' | 'sender'>): StepName[] {
  const out: StepName[] = !account || account.imap.host.trim() !== '' ? [...IMAP_STEPS] : [];
  switch (account?.sender?.kind) {
    case 'postmark':
      return [...out, 'postmark_sender'];
    case 'mailgun':
      return [...out, 'mailgun_domain', 'mailgun_from'];
  }
  return [...out, 'smtp_login'];
}

export function initialSteps(account?: Pick<AccountInput, 'imap' | 'sender'>): StepView[] {
  return planSteps(account).map((name) => ({ name, status: 'pending', step: null }));
}

const FINAL: readonly StepPhase[] = ['ok', 'failed', 'skipped'];

/** applyStep puts one streamed step in its place. A step that has finished stays finished:
 * a late "running" for it (events may arrive out of order with the final report) is
 * ignored. */
export function applyStep(steps: readonly StepView[], step: Step): StepView[] {
  return steps.map((v) => {
    if (v.name !== step.name) return v;
    if (step.status === 'running' && FINAL.includes(v.status)) return v;
    return { name: v.name, status: step.status, step };
  });
}

/** applyReport replaces the steps with the finished test's, which is authoritative. */
export function applyReport(steps: readonly StepView[], report: TestReport): StepView[] {
  return report.steps.reduce<StepView[]>((acc, s) => {
    const i = acc.findIndex((v) => v.name === s.name);
    if (i >= 0) acc[i] = { name: s.name, status: s.status, step: s };
    return acc;
  }, [...steps]);
}

/** failedStep is the step that stopped the test, if any. */
export function failedStep(steps: readonly StepView[]): StepView | null {
  return steps.find((v) => v.status === 'failed') ?? null;
}

/** untrustedStep is the failed step whose certificate the user may choose to trust. */
export function untrustedStep(steps: readonly StepView[]): Step | null {
  const f = failedStep(steps);
  return f?.step && f.step.code === 'tls_untrusted' && f.step.cert ? f.step : null;
}

/** progress counts the finished steps, for a progress bar. */
export function progress(steps: readonly StepView[]): { done: number; total: number } {
  return { done: steps.filter((v) => FINAL.includes(v.status)).length, total: steps.length };
}

export interface ConnectionTestData {
  runId: string | null;
  phase: TestPhase;
  steps: StepView[];
  /** Why the test could not run at all (refused, invalid form…). */
  error: ApiError | null;
  /** What was tested (see inputKey in $lib/accounts/form), to tell whether it still holds. */
  testedKey: string | null;
  /** The encryption modes tested, which tell why a server could not encrypt. */
  security: { imap: Security; smtp: Security } | null;
  /** The sign-in service of the account tested, when it signs in with one. */
  signIn: SignIn | null;
  trusting: boolean;
  trustError: ApiError | null;
}

export interface ConnectionTest extends Readable<ConnectionTestData> {
  /** run starts a test; a test already under way is cancelled first. senderSecret is the
   * API sender's token or key ("" for a saved account's stored one). */
  run(target: TestTarget, password: string, key?: string, senderSecret?: string): Promise<TestReport | null>;
  /** cancel stops the test under way. */
  cancel(): Promise<void>;
  /** trust trusts the certificate a failed step showed, for its host and port only, then
   * runs the same test again. */
  trust(step: Step): Promise<void>;
  reset(): void;
  /** destroy cancels a test under way and stops listening (when the component goes). */
  destroy(): void;
  readonly current: ConnectionTestData;
}

export function newRunId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function idle(): ConnectionTestData {
  return {
    runId: null,
    phase: 'idle',
    steps: initialSteps(),
    error: null,
    testedKey: null,
    security: null,
    signIn: null,
    trusting: false,
    trustError: null,
  };
}

export function createConnectionTest(makeRunId: () => string = newRunId): ConnectionTest {
  const store = writable<ConnectionTestData>(idle());
  let stopListening: () => void = () => {};
  // The last test, to run it again after a certificate is trusted. Held here, never in
  // the store's state, so it is never rendered.
  let last: { target: TestTarget; password: string; key?: string; senderSecret: string } | null = null;

  function listen(runId: string) {
    stopListening();
    stopListening = eventsApi.onProbeStep((step) => {
      if (step.runId !== runId) return;
      store.update((s) => (s.runId === runId && s.phase === 'running' ? { ...s, steps: applyStep(s.steps, step) } : s));
    });
  }

  async function run(target: TestTarget, password: string, key?: string, senderSecret = ''): Promise<TestReport | null> {
    if (get(store).phase === 'running') await cancel();
    last = { target, password, key, senderSecret };
    const runId = makeRunId();
    const security = { imap: target.account.imap.security, smtp: target.account.smtp.security };
    const signIn = target.account.auth === 'oauth' ? (target.account.oauthProvider ?? null) : null;
    store.set({ ...idle(), steps: initialSteps(target.account), runId, phase: 'running', testedKey: key ?? null, security, signIn });
    listen(runId);
    try {
      const report = await accountsApi.test(runId, target, password, senderSecret);
      if (get(store).runId !== runId) return null; // replaced by a newer run
      store.update((s) =>
        s.phase === 'cancelled'
          ? s
          : { ...s, steps: applyReport(s.steps, report), phase: report.ok ? 'passed' : 'failed' },
      );
      return report;
    } catch (e) {
      if (get(store).runId === runId) store.update((s) => ({ ...s, phase: 'error', error: toApiError(e) }));
      return null;
    } finally {
      if (get(store).runId === runId) {
        stopListening();
        stopListening = () => {};
      }
    }
  }

  async function cancel(): Promise<void> {
    const s = get(store);
    if (s.phase !== 'running' || !s.runId) return;
    store.update((st) => ({ ...st, phase: 'cancelled' }));
    stopListening();
    stopListening = () => {};
    await accountsApi.cancelTest(s.runId).catch(() => undefined);
  }

  async function trust(step: Step): Promise<void> {
    if (!step.cert) return;
    store.update((s) => ({ ...s, trusting: true, trustError: null }));
    try {
      await accountsApi.trustCertificate(step.host, step.port, step.cert.sha256);
    } catch (e) {
      store.update((s) => ({ ...s, trusting: false, trustError: toApiError(e) }));
      return;
    }
    store.update((s) => ({ ...s, trusting: false }));
    if (last) await run(last.target, last.password, last.key, last.senderSecret);
  }

  function reset(): void {
    void cancel();
    stopListening();
    stopListening = () => {};
    last = null;
    store.set(idle());
  }

  function destroy(): void {
    void cancel();
    stopListening();
    stopListening = () => {};
    last = null;
  }

  return {
    subscribe: store.subscribe,
    run,
    cancel,
    trust,
    reset,
    destroy,
    get current() {
      return get(store);
    },
  };
}
