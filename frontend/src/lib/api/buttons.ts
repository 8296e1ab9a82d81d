// Send by button (F13): the buttons an admin adds to a record type, and on a record's page
// each button ready or saying why not, its rendered mail for the composer, the send, and
// the record's sends log. The office sender (F22) too. The only place that calls the
// Buttons bindings and the office sender's.
import * as Accounts from '../../../wailsjs/go/api/Accounts';
import * as Buttons from '../../../wailsjs/go/api/Buttons';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { toApiError, type ApiError } from './errors';
import { BUTTONS_CHANGED_EVENT } from './generated/events';
import { toWireSend } from './mail';
import type { Model, Wire } from './model';
import type { Address, SendInput, SendResult } from './types';

export { BUTTONS_CHANGED_EVENT };

/** Who a button writes to: the record's email field (field:<key>), its contacts, or its
 * company's contacts. */
export const FIELD_RECIPIENTS = 'field:';
export const CONTACTS = 'contacts';
export const COMPANY_CONTACTS = 'company_contacts';

export type SendButton = Model<api.ButtonDTO>;
export type RecordButton = Model<api.RecordButtonDTO, { problem: ApiError | null }>;
export type RecordSend = Model<api.RecordSendDTO>;
export type RecordButtons = { buttons: RecordButton[]; sends: RecordSend[] };
export type ButtonMail = Model<api.ButtonMailDTO, { to: Address[]; attachments: string[] }>;
export type OfficeSender = Model<api.OfficeSenderDTO>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function toButton(b: Wire<api.ButtonDTO>): SendButton {
  return {
    id: num(b.id),
    typeId: num(b.typeId),
    label: text(b.label),
    sentLabel: text(b.sentLabel),
    templateId: num(b.templateId),
    accountId: num(b.accountId),
    recipients: text(b.recipients),
    position: num(b.position),
  };
}

export function toRecordButtons(r: Wire<api.RecordButtonsDTO>): RecordButtons {
  return {
    buttons: (r.buttons ?? []).map((b) => ({ id: num(b?.id), label: text(b?.label), problem: b?.problem ? toApiError(b.problem) : null })),
    sends: (r.sends ?? []).map((s) => ({
      id: num(s?.id),
      buttonId: num(s?.buttonId),
      label: text(s?.label),
      subject: text(s?.subject),
      recipients: text(s?.recipients),
      sentAt: text(s?.sentAt),
      sentBy: text(s?.sentBy),
      outboxId: num(s?.outboxId),
      state: text(s?.state),
      filed: Boolean(s?.filed),
    })),
  };
}

export function toButtonMail(m: Wire<api.ButtonMailDTO>): ButtonMail {
  return {
    buttonId: num(m.buttonId),
    recordId: num(m.recordId),
    accountId: num(m.accountId),
    office: Boolean(m.office),
    to: (m.to ?? []).map((a) => ({ name: text(a?.name), email: text(a?.email) })),
    subject: text(m.subject),
    html: text(m.html),
    text: text(m.text),
    attachments: (m.attachments ?? []).map(text),
  };
}

/** What the composer keeps of a button's mail: where it goes on Send, and the template's
 * HTML part, sent as long as the text is left as rendered. */
export interface ButtonContext {
  buttonId: number;
  recordId: number;
  html: string;
  text: string;
}

export const buttonsApi = {
  list: (typeId: number): Promise<SendButton[]> => call(async () => ((await Buttons.List(typeId)) ?? []).map(toButton)),
  save: (b: SendButton): Promise<SendButton> => call(async () => toButton(await Buttons.Save(api.ButtonDTO.createFrom({ ...b })))),
  remove: (id: number): Promise<void> => call(() => Buttons.Delete(id)),
  forRecord: (recordId: number): Promise<RecordButtons> => call(async () => toRecordButtons(await Buttons.ForRecord(recordId))),
  prepare: (buttonId: number, recordId: number): Promise<ButtonMail> =>
    call(async () => toButtonMail(await Buttons.Prepare(buttonId, recordId))),
  /** send queues the mail as edited; the template's HTML goes with it when the text is as rendered. */
  send: (ctx: ButtonContext, input: SendInput): Promise<SendResult> =>
    call(async () => {
      const html = input.text === ctx.text ? ctx.html : '';
      const r = await Buttons.Send(api.ButtonSendDTO.createFrom({ buttonId: ctx.buttonId, recordId: ctx.recordId, mail: toWireSend(input), html }));
      return { outboxId: num(r?.outboxId), messageId: text(r?.messageId) };
    }),
  officeSender: (): Promise<OfficeSender> =>
    call(async () => {
      const o = await Accounts.OfficeSender();
      return { accountId: num(o?.accountId), userId: num(o?.userId), address: text(o?.address), fromName: text(o?.fromName), forMe: Boolean(o?.forMe) };
    }),
  setOfficeSender: (o: Pick<OfficeSender, 'accountId' | 'userId'>): Promise<void> => call(() => Accounts.SetOfficeSender(api.OfficeSenderDTO.createFrom({ ...o }))),
};

export const buttonsEventsApi = {
  /** onChanged calls fn with the id of a record type whose buttons changed. */
  onChanged(fn: (typeId: number) => void): () => void {
    try {
      const off = EventsOn(BUTTONS_CHANGED_EVENT, (id: unknown) => fn(num(id)));
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
