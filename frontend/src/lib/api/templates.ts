// The templates (F12): mails written once with placeholders ({{facture.echeance}}) and
// rendered for a record. The only place that calls the Templates bindings.
import * as Templates from '../../../wailsjs/go/api/Templates';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { toApiError, type ApiError } from './errors';
import { TEMPLATES_CHANGED_EVENT } from './generated/events';
import type { Model, Wire } from './model';

export { TEMPLATES_CHANGED_EVENT };

/** The languages a template is written in (its dates and amounts follow it). */
export const TEMPLATE_LANGUAGES = ['fr', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export type TemplateInput = Model<api.TemplateInputDTO, { language: TemplateLanguage }>;
export type TemplateAttachment = Model<api.TemplateAttachmentDTO>;
export type Template = Model<api.TemplateDTO, { language: TemplateLanguage; attachments: TemplateAttachment[] }>;
/** A template in the list; problem says a placeholder no longer names a field. */
export type TemplateSummary = Model<api.TemplateSummaryDTO, { language: TemplateLanguage; problem: ApiError | null }>;
export type Placeholder = Model<api.PlaceholderDTO>;
/** A group of the placeholder picker: a kind of record, or the user or the account (typeId 0). */
export type PlaceholderGroup = Model<api.PlaceholderGroupDTO, { fields: Placeholder[] }>;
export type TemplatePreview = Model<api.TemplatePreviewDTO, { attachments: TemplateAttachment[]; missing: string[] }>;

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function lang(v: unknown): TemplateLanguage {
  return v === 'en' ? 'en' : 'fr';
}

function toAttachment(a: Wire<api.TemplateAttachmentDTO>): TemplateAttachment {
  return { id: num(a.id), name: text(a.name), contentType: text(a.contentType), size: num(a.size) };
}

export function toTemplate(t: Wire<api.TemplateDTO>): Template {
  return {
    id: num(t.id),
    name: text(t.name),
    language: lang(t.language),
    typeId: num(t.typeId),
    subject: text(t.subject),
    html: text(t.html),
    text: text(t.text),
    textEdited: Boolean(t.textEdited),
    attachments: (t.attachments ?? []).map(toAttachment),
    updatedAt: text(t.updatedAt),
  };
}

export function toSummary(t: Wire<api.TemplateSummaryDTO>): TemplateSummary {
  return {
    id: num(t.id),
    name: text(t.name),
    language: lang(t.language),
    typeId: num(t.typeId),
    subject: text(t.subject),
    attachments: num(t.attachments),
    updatedAt: text(t.updatedAt),
    problem: t.problem ? toApiError(t.problem) : null,
  };
}

function toGroup(g: Wire<api.PlaceholderGroupDTO>): PlaceholderGroup {
  return {
    key: text(g.key),
    label: text(g.label),
    typeId: num(g.typeId),
    fields: (g.fields ?? []).map((f) => ({ path: text(f?.path), key: text(f?.key), label: text(f?.label), kind: text(f?.kind) })),
  };
}

function toPreview(p: Wire<api.TemplatePreviewDTO>): TemplatePreview {
  return {
    subject: text(p.subject),
    html: text(p.html),
    document: text(p.document),
    text: text(p.text),
    attachments: (p.attachments ?? []).map(toAttachment),
    missing: (p.missing ?? []).map(text),
  };
}

function wire(t: TemplateInput): api.TemplateInputDTO {
  return api.TemplateInputDTO.createFrom({ ...t });
}

/** The input of a template as stored (what the editor starts from). */
export function inputOf(t: Template): TemplateInput {
  return { id: t.id, name: t.name, language: t.language, typeId: t.typeId, subject: t.subject, html: t.html, text: t.text, textEdited: t.textEdited };
}

/** base64 of a file's bytes, for AddAttachment. */
export async function fileBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export const templatesApi = {
  list: (): Promise<TemplateSummary[]> => call(async () => ((await Templates.List()) ?? []).map(toSummary)),
  get: (id: number): Promise<Template> => call(async () => toTemplate(await Templates.Get(id))),
  save: (t: TemplateInput): Promise<Template> => call(async () => toTemplate(await Templates.Save(wire(t)))),
  remove: (id: number): Promise<void> => call(() => Templates.Delete(id)),
  fields: (): Promise<PlaceholderGroup[]> => call(async () => ((await Templates.Fields()) ?? []).map(toGroup)),
  /** preview renders the template as edited for a record (0: none). */
  preview: (t: TemplateInput, recordId: number): Promise<TemplatePreview> =>
    call(async () => toPreview(await Templates.Preview(wire(t), recordId))),
  addAttachment: async (templateId: number, file: File): Promise<TemplateAttachment> => {
    const content = await fileBase64(file);
    return call(async () => toAttachment(await Templates.AddAttachment(templateId, file.name, content)));
  },
  removeAttachment: (templateId: number, id: number): Promise<void> => call(() => Templates.RemoveAttachment(templateId, id)),
};

export const templatesEventsApi = {
  /** onChanged calls fn with the id of every template changed; it returns the function that
   * stops listening. Without the runtime (tests, a plain browser) it listens to nothing. */
  onChanged(fn: (id: number) => void): () => void {
    try {
      const off = EventsOn(TEMPLATES_CHANGED_EVENT, (id: unknown) => fn(num(id)));
      return typeof off === 'function' ? off : () => {};
    } catch {
      return () => {};
    }
  },
};
