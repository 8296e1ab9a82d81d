// How a record's page words whether an automation concerns the record: it applies and
// when it sends, it sent, it waits, or it does not apply and why — each condition the
// record does not meet said with the record's own value ("Payée est Oui").
import type { RecordFilter, RecordItem, RecordType } from '$lib/api';
import type { RecordAutomation } from '$lib/api/automations';
import { columnLabel, formatValue } from '$lib/components/records/fields';
import { errorText } from '$lib/i18n/keys';

type Translate = (key: string, opts?: { values?: Record<string, string | number> }) => string;

export interface ConcernContext {
  t: Translate;
  locale: string;
  /** A date and time as the page shows them. */
  dayTime: (iso: string) => string;
  /** A day as the page shows it. */
  day: (iso: string) => string;
}

/** unmetText says a condition the record does not meet, with the record's value. */
export function unmetText(f: RecordFilter, type: RecordType, record: RecordItem, c: ConcernContext): string {
  let value: string;
  if (f.field === 'title') value = record.title;
  else if (f.field === 'created_at' || f.field === 'updated_at') value = c.day(f.field === 'created_at' ? record.createdAt : record.updatedAt);
  else {
    const field = type.fields.find((x) => x.key === f.field);
    if (!field) return c.t('automations.record.gone', { values: { field: f.field } });
    value = formatValue(field, record.values[f.field], { t: c.t, locale: c.locale });
  }
  const field = columnLabel(c.t, type, f.field);
  return value ? c.t('automations.record.is', { values: { field, value } }) : c.t('automations.record.isEmpty', { values: { field } });
}

/** concernText words an automation's concern for the record (its name said apart). */
export function concernText(a: RecordAutomation, type: RecordType, record: RecordItem, c: ConcernContext): string {
  const key = `automations.record.concern.${a.concern}`;
  switch (a.concern) {
    case 'applies':
      return a.sendAt ? c.t(key, { values: { when: c.dayTime(a.sendAt) } }) : c.t('automations.record.concern.appliesPaused');
    case 'sent':
      return c.t(key, { values: { when: a.at ? c.dayTime(a.at) : '' } });
    case 'blocked':
      return c.t(key, { values: { why: a.problem ? errorText(c.t, a.problem) : '' } });
    case 'unmet':
      return c.t(key, { values: { why: a.unmet.map((f) => unmetText(f, type, record, c)).join(', ') } });
  }
  return c.t(key);
}
