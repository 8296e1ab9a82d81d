// The composer: opened from a message (reply, reply all, forward) with the draft the
// backend prepares, queued in the outbox through Mail.Send. The form itself is the
// composer component's; this store prepares it and queues it. Once queued (committed to
// disk) the composer closes and a toast says so, with a link to the Outbox, which follows
// the sending. Nothing typed is lost when queueing fails: the form stays, with the error.
import { get, writable } from 'svelte/store';
import {
  buttonsApi,
  mailApi,
  toApiError,
  type Account,
  type ApiError,
  type ButtonContext,
  type ComposeAccount,
  type DraftMode,
} from '$lib/api';
import {
  changed,
  defaultAccount,
  defaultSignature,
  emptyForm,
  formForNew,
  formFromDraft,
  toSendInput,
  type ComposeForm,
  type ComposePrefill,
} from '$lib/mail/compose';
import { toasts } from './toasts';

/** loading: the draft is being prepared; unavailable: it could not be (error says why);
 * editing: the form (after a refused send too, with error); sending: being queued. Once
 * queued the composer closes. */
export type ComposerStatus = 'closed' | 'loading' | 'unavailable' | 'editing' | 'sending';

export interface ComposerData {
  status: ComposerStatus;
  /** Grows with each composer opened: the form is prefilled once per session. */
  session: number;
  /** new: a message written from scratch (or to a record, composeTo). */
  mode: DraftMode | 'new';
  /** The user's accounts to send from with their defaults and signatures (Mail.ComposeSetup). */
  setup: ComposeAccount[];
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
  return { status: 'closed', session, mode: 'reply', setup: [], sourceId: null, start: emptyForm(), error: null, button: null };
}

/** The user's accounts to send from with their defaults; without them (a failure) the
 * composer still works, without signatures. */
async function loadSetup(): Promise<ComposeAccount[]> {
  try {
    return (await mailApi.composeSetup()) ?? [];
  } catch {
    return [];
  }
}

const store = writable<ComposerData>(initial());

/** start opens the composer for a reply, a reply to all or a forward of message id, from
 * the account the message came to when the user may send from it (as every mail program
 * answers from the address written to), else from their default account, with the user's
 * default signature on that account. */
async function start(id: number, mode: DraftMode, usable: readonly Pick<Account, 'id'>[]): Promise<void> {
  const mine = ++session;
  store.set({ ...initial(), status: 'loading', mode, sourceId: id });
  try {
    const [draft, setup] = await Promise.all([mailApi.draft(id, mode), loadSetup()]);
    if (mine !== session) return;
    const form = formFromDraft(draft, usable);
    if (!usable.some((a) => a.id === draft.accountId)) form.accountId = defaultAccount(setup, usable) || form.accountId;
    form.signatureId = defaultSignature(setup, form.accountId);
    store.set({ ...initial(), status: 'editing', mode, setup, sourceId: id, start: form });
  } catch (e) {
    if (mine !== session) return;
    store.update((s) => ({ ...s, status: 'unavailable', error: toApiError(e) }));
  }
}

/** compose opens the composer for a new message, from the user's default account with
 * their default signature there; prefill gives recipients, a subject or a text. usable
 * narrows the accounts (default: every account the user may send from). */
async function compose(prefill: ComposePrefill = {}, usable?: readonly Pick<Account, 'id'>[]): Promise<void> {
  const mine = ++session;
  store.set({ ...initial(), status: 'loading', mode: 'new' });
  const setup = await loadSetup();
  if (mine !== session) return;
  const accounts = usable ?? setup.map((a) => ({ id: a.accountId }));
  store.set({ ...initial(), status: 'editing', mode: 'new', setup, start: formForNew(prefill, setup, accounts) });
}

/** composeTo starts a new message to a record's addresses (or anyone's) from any screen:
 * the composer lives in the shell, so it opens over whatever is shown. */
export function composeTo(to: ComposePrefill['to'], prefill: Omit<ComposePrefill, 'to'> = {}): Promise<void> {
  return compose({ ...prefill, to });
}

/** composeButton opens the composer with the mail a record's button rendered (recipients,
 * subject, text, its account), sent through that button: logged and filed to the record. */
async function composeButton(form: ComposeForm, button: ButtonContext): Promise<void> {
  const mine = ++session;
  store.set({ ...initial(), status: 'loading', mode: 'new', button });
  const setup = await loadSetup();
  if (mine !== session) return;
  store.set({ ...initial(), status: 'editing', mode: 'new', setup, start: form, button });
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

export const composer = { subscribe: store.subscribe, start, compose, composeButton, send, close, wouldLose, reset: close };
