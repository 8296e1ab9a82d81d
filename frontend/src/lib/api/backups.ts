// Backups (F24): back up now, automatic backups, restore. Files are chosen in native
// dialogs on the Go side (choose* return a path, "" when the user cancelled); the other
// calls take that path. Progress comes as BACKUP_PROGRESS_EVENT.
import * as Backups from '../../../wailsjs/go/api/Backups';
import { api } from '../../../wailsjs/go/models';
import { EventsOn } from '../../../wailsjs/runtime/runtime';
import { call } from './client';
import { BACKUP_PROGRESS_EVENT, BACKUPS_CHANGED_EVENT, type BackupProgressDTO } from './generated/events';

export type BackupInfo = api.BackupInfoDTO;
export type BackupFile = api.BackupFileDTO;
export type BackupSettings = api.BackupSettingsDTO;
export type BackupSettingsInput = api.BackupSettingsInput;
export type RestoreResult = api.RestoreResultDTO;
export type BackupProgress = BackupProgressDTO;

export const backupsApi = {
  chooseSaveFile: () => call(() => Backups.ChooseSaveFile()),
  chooseFolder: () => call(() => Backups.ChooseFolder()),
  chooseBackupFile: () => call(() => Backups.ChooseBackupFile()),
  backupNow: (path: string, withMail: boolean) => call(() => Backups.BackupNow(path, withMail)),
  settings: () => call(() => Backups.Settings()),
  setSettings: (input: BackupSettingsInput) => call(() => Backups.SetSettings(api.BackupSettingsInput.createFrom(input))),
  list: () => call(() => Backups.List()),
  inspect: (path: string) => call(() => Backups.Inspect(path)),
  restore: (path: string) => call(() => Backups.Restore(path)),
  onProgress: (fn: (p: BackupProgress) => void): (() => void) => EventsOn(BACKUP_PROGRESS_EVENT, (p: BackupProgress) => fn(p)),
  onChanged: (fn: () => void): (() => void) => EventsOn(BACKUPS_CHANGED_EVENT, () => fn()),
};
