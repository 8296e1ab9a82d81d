// What the Outbox screen writes about a message: its recipients, the words for its failure,
// the server's answer, and what the user may do with it. Pure functions, tested alone.
import type { OutboxCounts, OutboxItem, OutboxState } from '$lib/api';

/** recipients shows the first max addresses; more counts the others. */
export function recipients(to: readonly string[], max = 3): { shown: string; more: number } {
  return { shown: to.slice(0, max).join(', '), more: Math.max(0, to.length - max) };
}

/** answer is the server's own words about the message: its acceptance when sent, its
 * refusal otherwise ("" when it said nothing, or was never reached). */
export function answer(it: Pick<OutboxItem, 'state' | 'reply' | 'error'>): string {
  return it.state === 'sent' ? it.reply : (it.error?.detail ?? '');
}

export interface Actions {
  retry: boolean;
  /** Retrying may deliver the message twice: ask first. */
  retryConfirm: boolean;
  cancel: boolean;
  markSent: boolean;
}

/** actions are what the user may do with a message in its state (the backend checks
 * again): send again what failed, may have been sent, or waits for a later attempt;
 * cancel what has not gone; mark as sent what may have gone. A message being sent is in
 * the server's hands. */
export function actions(it: Pick<OutboxItem, 'state' | 'nextAttempt'>): Actions {
  const s = it.state;
  return {
    retry: s === 'failed' || s === 'possibly_sent' || (s === 'queued' && it.nextAttempt !== ''),
    retryConfirm: s === 'possibly_sent',
    cancel: s === 'queued' || s === 'failed' || s === 'possibly_sent',
    markSent: s === 'possibly_sent',
  };
}

/** retryKey names the retry button: "Try now" for a message waiting for its next attempt. */
export function retryKey(state: OutboxState): string {
  return state === 'queued' ? 'outbox.actions.retryNow' : 'outbox.actions.retry';
}

/** attention is the sidebar's number: messages waiting to go, and those that need the user
 * (failed, possibly sent). */
export function attention(c: OutboxCounts): number {
  return c.queued + c.sending + c.failed + c.possibly_sent;
}

/** firstTab is the tab to open on: what needs the user first, then what waits, else the
 * sent log. */
export function firstTab(c: OutboxCounts): OutboxState {
  const order: OutboxState[] = ['failed', 'possibly_sent', 'queued', 'sending'];
  return order.find((s) => c[s] > 0) ?? 'sent';
}
