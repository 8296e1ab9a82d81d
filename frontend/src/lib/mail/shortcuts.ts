// The inbox's keyboard: what each key does, and the list the "Keyboard shortcuts" help
// shows. Keys act only when the focus is not in a field (there they type), except the
// ones that leave or find a field (Escape, Ctrl+F).

export const MAIL_ACTIONS = [
  'next',
  'previous',
  'first',
  'last',
  'pageDown',
  'pageUp',
  'open',
  'back',
  'toggleRead',
  'toggleFlag',
  'reply',
  'replyAll',
  'forward',
  'search',
  'help',
] as const;
export type MailAction = (typeof MAIL_ACTIONS)[number];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const plain: Record<string, MailAction> = {
  ArrowDown: 'next',
  j: 'next',
  ArrowUp: 'previous',
  k: 'previous',
  Home: 'first',
  End: 'last',
  PageDown: 'pageDown',
  PageUp: 'pageUp',
  Enter: 'open',
  Escape: 'back',
  u: 'toggleRead',
  s: 'toggleFlag',
  r: 'reply',
  a: 'replyAll',
  f: 'forward',
  '/': 'search',
  '?': 'help',
};

/** mailAction is what a key press does in the inbox, or null. inField: the focus is in a
 * text field, where keys type. */
export function mailAction(e: KeyLike, inField: boolean): MailAction | null {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'f') return 'search';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (inField) return null;
  // Shift only makes "?" (and capitals, which do nothing here).
  if (e.shiftKey && e.key !== '?') return null;
  return plain[e.key] ?? null;
}

/** A key as the help shows it: a symbol or letter as it is, or a catalogue key for a
 * key's name (keys.enter…). */
export type KeyCap = { text: string } | { name: 'enter' | 'escape' | 'home' | 'end' | 'pageUp' | 'pageDown' };

export interface Shortcut {
  action: MailAction;
  /** Alternatives; each alternative is keys pressed together. */
  keys: KeyCap[][];
}

const t = (text: string): KeyCap => ({ text });

/** SHORTCUTS is the help's list, in the order it shows them. */
export const SHORTCUTS: Shortcut[] = [
  { action: 'next', keys: [[t('↓')], [t('j')]] },
  { action: 'previous', keys: [[t('↑')], [t('k')]] },
  { action: 'first', keys: [[{ name: 'home' }]] },
  { action: 'last', keys: [[{ name: 'end' }]] },
  { action: 'pageDown', keys: [[{ name: 'pageDown' }]] },
  { action: 'pageUp', keys: [[{ name: 'pageUp' }]] },
  { action: 'open', keys: [[{ name: 'enter' }]] },
  { action: 'back', keys: [[{ name: 'escape' }]] },
  { action: 'toggleRead', keys: [[t('u')]] },
  { action: 'toggleFlag', keys: [[t('s')]] },
  { action: 'reply', keys: [[t('r')]] },
  { action: 'replyAll', keys: [[t('a')]] },
  { action: 'forward', keys: [[t('f')]] },
  { action: 'search', keys: [[t('/')], [t('Ctrl'), t('F')]] },
  { action: 'help', keys: [[t('?')]] },
];

/** isTextField says whether keys typed in el type text (so shortcuts must not act). */
export function isTextField(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return (el as HTMLElement).isContentEditable === true;
}
