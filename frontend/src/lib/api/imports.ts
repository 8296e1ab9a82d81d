// Imports and exports of records: the file is chosen in a native dialog on the Go side
// (Open returns a token, never a path); preview and validation are dry runs of the import;
// Run imports in one transaction with progress events (IMPORT_PROGRESS_EVENT) and Cancel.
import * as Imports from '../../../wailsjs/go/api/Imports';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { IMPORT_PROGRESS_EVENT, type ImportProgressDTO } from './generated/events';

export type ImportSettings = api.ImportSettingsDTO;
export type ImportFile = api.ImportFileDTO;
export type ImportReport = api.ImportReportDTO;
export type ImportProgress = ImportProgressDTO;
export type ImportRecord = api.ImportDTO;
export type ExportFormat = 'csv' | 'vcard';
/** The list's query, as Records.List takes it. */
export type RecordQuery = api.RecordQueryDTO;

export const importsApi = {
  open: (typeId: number) => call(() => Imports.Open(typeId)),
  inspect: (token: string, s: ImportSettings) => call(() => Imports.Inspect(token, s)),
  preview: (token: string, s: ImportSettings) => call(() => Imports.Preview(token, s)),
  validate: (token: string, s: ImportSettings) => call(() => Imports.Validate(token, s)),
  run: (token: string, s: ImportSettings) => call(() => Imports.Run(token, s)),
  cancel: (token: string) => call(() => Imports.Cancel(token)),
  close: (token: string) => call(() => Imports.Close(token)),
  history: (typeId: number) => call(() => Imports.History(typeId)),
  undo: (id: number) => call(() => Imports.Undo(id)),
  /** exportList writes the list the screen shows (every page) to a file the user picks;
   * "" when they cancelled. */
  exportList: (query: RecordQuery, format: ExportFormat) =>
    call(() => Imports.Export(api.ExportDTO.createFrom({ query, format }))),
  onProgress: (fn: (p: ImportProgress) => void): (() => void) =>
    EventsOn(IMPORT_PROGRESS_EVENT, (p: ImportProgress) => fn(p)),
};
