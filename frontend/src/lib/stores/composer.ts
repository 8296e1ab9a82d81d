// The composer: opened from a message (reply, reply all, forward) with the draft the
// backend prepares, queued in the outbox through Mail.Send. The form itself is the
// composer component's; this store prepares it and queues it. Once queued (committed to
// disk) the composer closes and a toast says so, with a link to the Outbox, which follows
// the sending. Nothing typed is lost when queueing fails: the form stays, with the error.
import { get, writable } from 'svelte/store';
import { buttonsApi, mailApi, toApiError, type Account, type ApiError, type ButtonContext, type DraftMode } from '$lib/api';
import { changed, emptyForm, formFromDraft, toSendInput, type ComposeForm } from '$lib/mail/compose';
import { toasts } from './toasts';

/** loading: the draft is being prepared; unavailable: it could not be (error says why);
 * editing: the form (after a refused send too, with error); sending: being queued. Once
 * queued the composer closes. */
export type ComposerStatus = 'closed' | 'loading' | 'unavailable' | 'editing' | 'sending';

export interface ComposerData {
  status: ComposerStatus;
  /** Grows with each composer opened: the form is prefilled once per session. */
  session: number;
  /** new: a message written from scratch (to a record, from its page). */
  mode: DraftMode | 'new';
  /** The message replied to or forwarded. */
  sourceId: number | null;
  /** The form as prefilled, to tell whether the user changed it. */
  start: ComposeForm;
  /** Why the draft could not be prepared, or why the last send failed. */
  error: ApiError | null;
  /** A mail from a record's button: sent through it (logged and filed to the record). */
  button: ButtonContext | null;
}

let session = 0;

function initial(): ComposerData {
  return { status: 'closed', session, mode: 'reply', sourceId: null, start: emptyForm(), error: null, button: null };
}

const store = writable<ComposerData>(initial());

/** start opens the composer for a reply, a reply to all or a forward of message id,
 * from one of the accounts the user may send from. */
async function start(id: number, mode: DraftMode, usable: readonly Pick<Account, 'id'>[]): Promise<void> {
  const mine = ++session;
  store.set({ ...initial(), status: 'loading', mode, sourceId: id });
  try {
    const draft = await mailApi.draft(id, mode);
    if (mine !== session) return;
    store.set({ ...initial(), status: 'editing', mode, sourceId: id, start: formFromDraft(draft, usable) });
  } catch (e) {
    if (mine !== session) return;
    store.update((s) => ({ ...s, status: 'unavailable', error: toApiError(e) }));
  }
}

/** compose opens the composer for a new message, prefilled (recipients, the account);
 * with button, the mail a record's button rendered, sent through that button. */
function compose(form: ComposeForm, button: ButtonContext | null = null): void {
  ++session;
  store.set({ ...initial(), status: 'editing', mode: 'new', start: form, button });
}

/** send queues the form in the outbox; it resolves to whether it was queued. */
async function send(form: ComposeForm): Promise<boolean> {
  const s = get(store);
  if (s.status !== 'editing') return false;
  const mine = session;
  store.update((x) => ({ ...x, status: 'sending', error: null }));
  try {
    if (s.button) await buttonsApi.send(s.button, toSendInput(form));
    else await mailApi.send(toSendInput(form));
    if (mine !== session) return false;
    // The message is safe on disk: the composer's job is done.
    close();
    toasts.info({ key: 'mail.compose.queued' }, { label: { key: 'mail.compose.openOutbox' }, screen: 'outbox' });
    return true;
  } catch (e) {
    if (mine !== session) return false;
    store.update((x) => ({ ...x, status: 'editing', error: toApiError(e) }));
    return false;
  }
}

function close(): void {
  session++;
  store.set(initial());
}

/** wouldLose says whether closing now would lose something the user did to form (pending:
 * what is typed in an address field and not added yet). */
function wouldLose(form: ComposeForm, pending = ''): boolean {
  const s = get(store);
  if (s.status !== 'editing' && s.status !== 'sending') return false;
  return changed(form, s.start, pending);
}

export const composer = { subscribe: store.subscribe, start, compose, send, close, wouldLose, reset: close };
