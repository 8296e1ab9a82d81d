package api

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mailroom/backend/backup"
	"mailroom/backend/fault"
)

// Backups (F24): a backup now, the automatic backups' settings and files, a restore from a
// file (from Settings, or from the first-run screen before anyone is set up).
//
// The files are chosen in native dialogs (ChooseSaveFile, ChooseFolder, ChooseBackupFile);
// the methods then take the chosen path. Only a super admin may call them once Mailroom is
// set up (a backup holds everybody's data); before onboarding the restore is open, as the
// first-run screen's onboarding is, and only then.

// BackupProgressEvent streams a backup's or a restore's steps (BackupProgressDTO).
const BackupProgressEvent = "backup:progress"

// BackupsChangedEvent tells the UI an automatic backup was written or failed (no payload
// but null): the Backups section reloads its status and list.
const BackupsChangedEvent = "backup:changed"

// restoreLockWait is how long a restore waits for the calls under way to finish before it
// closes the store.
const restoreLockWait = 30 * time.Second

var (
	errBackupBusy = fault.Define("backup_busy", fault.Conflict,
		"Mailroom is busy with another task: wait until it ends, then restore again").Temporary()
	errRestoreUnavailable = fault.Define("backup_restore_unavailable", fault.Internal,
		"a restore is not possible in this window")
)

// BackupProgressDTO is BackupProgressEvent's payload.
type BackupProgressDTO struct {
	Op    string `json:"op"`    // backup | restore
	Phase string `json:"phase"` // copy | strip | compact | check | prepare | swap | done
	Step  int    `json:"step"`
	Steps int    `json:"steps"`
}

// BackupInfoDTO is a backup file: where, how big, what it holds.
type BackupInfoDTO struct {
	Path       string `json:"path"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	CreatedAt  string `json:"createdAt"` // RFC 3339
	AppVersion string `json:"appVersion"`
	Schema     int    `json:"schema"`
	WithMail   bool   `json:"withMail"`
	Automatic  bool   `json:"automatic"`
}

// BackupFileDTO is a backup found in the automatic backups' folder.
type BackupFileDTO struct {
	Path       string `json:"path"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	ModifiedAt string `json:"modifiedAt"` // RFC 3339
	Automatic  bool   `json:"automatic"`
}

// BackupSettingsInput are the automatic backups' settings.
type BackupSettingsInput struct {
	Enabled  bool   `json:"enabled"`
	Folder   string `json:"folder"`
	Keep     int    `json:"keep"`
	WithMail bool   `json:"withMail"`
}

// BackupSettingsDTO are the settings with what happened last.
type BackupSettingsDTO struct {
	Enabled   bool   `json:"enabled"`
	Folder    string `json:"folder"`
	Keep      int    `json:"keep"`
	WithMail  bool   `json:"withMail"`
	LastAt    string `json:"lastAt"`    // RFC 3339, "" when none yet
	LastError string `json:"lastError"` // the reason of the last automatic backup's failure
	LastFile  string `json:"lastFile"`
	NextAt    string `json:"nextAt"` // RFC 3339, "" when off
	MaxKeep   int    `json:"maxKeep"`
}

// RestoreResultDTO says what a restore brought back. The UI reloads: whoever signs in next
// is one of the restored users.
type RestoreResultDTO struct {
	Backup BackupInfoDTO `json:"backup"`
	Users  int           `json:"users"`
	// Accounts waiting for their password or sign-in (all of them: their secrets stay in the
	// old computer's keychain).
	Accounts int `json:"accounts"`
	Records  int `json:"records"`
}

// BackupDialogs are the native dialogs backups open (app.go's dialogs have them).
type BackupDialogs interface {
	// SaveBackup asks where to write a backup; "" means the user cancelled.
	SaveBackup(defaultName string) (string, error)
	// OpenBackup asks for a backup file to restore; "" means the user cancelled.
	OpenBackup() (string, error)
	// ChooseFolder asks for a folder; "" means the user cancelled.
	ChooseFolder() (string, error)
}

// Backups is the bound service.
type Backups struct{ b *Backend }

func (s *Backups) dialogs() (BackupDialogs, error) {
	d, ok := s.b.Dialogs.(BackupDialogs)
	if !ok {
		return nil, errFileDialog.New(nil)
	}
	return d, nil
}

// ChooseSaveFile opens the save dialog for a backup ("" when cancelled).
func (s *Backups) ChooseSaveFile() (string, error) {
	return run(s.b, "Backups.ChooseSaveFile", func(ctx context.Context, c caller) (string, error) {
		d, err := s.dialogs()
		if err != nil {
			return "", err
		}
		return d.SaveBackup(backup.FileName(time.Now()))
	})
}

// ChooseFolder opens the folder dialog for the automatic backups ("" when cancelled).
func (s *Backups) ChooseFolder() (string, error) {
	return run(s.b, "Backups.ChooseFolder", func(ctx context.Context, c caller) (string, error) {
		d, err := s.dialogs()
		if err != nil {
			return "", err
		}
		return d.ChooseFolder()
	})
}

// ChooseBackupFile opens the open dialog for a backup to restore ("" when cancelled).
func (s *Backups) ChooseBackupFile() (string, error) {
	return run(s.b, "Backups.ChooseBackupFile", func(ctx context.Context, c caller) (string, error) {
		d, err := s.dialogs()
		if err != nil {
			return "", err
		}
		return d.OpenBackup()
	})
}

// BackupNow writes a backup to path (chosen with ChooseSaveFile), with or without the
// synced mail. Progress is streamed as BackupProgressEvent.
func (s *Backups) BackupNow(path string, withMail bool) (BackupInfoDTO, error) {
	return run(s.b, "Backups.BackupNow", func(_ context.Context, c caller) (BackupInfoDTO, error) {
		path, err := backupPath(path)
		if err != nil {
			return BackupInfoDTO{}, err
		}
		// A large mailbox takes longer than a call's bound; the app's context still ends it.
		info, err := s.b.Backups.Write(s.b.appContext(), path, withMail)
		if err != nil {
			return BackupInfoDTO{}, err
		}
		return backupInfoDTO(info.Path, info.Size, info.Manifest), nil
	})
}

// backupPath checks a chosen path: absolute, and named as a backup (the extension added
// when the dialog left it out).
func backupPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" || !filepath.IsAbs(p) {
		return "", backup.ErrPathInvalid.Field("path", nil)
	}
	if !strings.EqualFold(filepath.Ext(p), backup.Ext) {
		p += backup.Ext
	}
	return filepath.Clean(p), nil
}

// Settings reads the automatic backups' settings and what happened last.
func (s *Backups) Settings() (BackupSettingsDTO, error) {
	return run(s.b, "Backups.Settings", func(ctx context.Context, c caller) (BackupSettingsDTO, error) {
		return s.settings(ctx)
	})
}

func (s *Backups) settings(ctx context.Context) (BackupSettingsDTO, error) {
	st, err := s.b.Backups.Settings(ctx)
	if err != nil {
		return BackupSettingsDTO{}, err
	}
	return BackupSettingsDTO{Enabled: st.Enabled, Folder: st.Folder, Keep: st.Keep, WithMail: st.WithMail,
		LastAt: rfc3339(st.LastAt), LastError: st.LastError, LastFile: st.LastFile, NextAt: rfc3339(st.NextAt), MaxKeep: backup.MaxKeep}, nil
}

// SetSettings saves the automatic backups' settings (on needs an existing folder).
func (s *Backups) SetSettings(in BackupSettingsInput) (BackupSettingsDTO, error) {
	return run(s.b, "Backups.SetSettings", func(ctx context.Context, c caller) (BackupSettingsDTO, error) {
		if err := s.b.Backups.SetSettings(ctx, backup.Settings{Enabled: in.Enabled, Folder: in.Folder, Keep: in.Keep, WithMail: in.WithMail}); err != nil {
			return BackupSettingsDTO{}, err
		}
		return s.settings(ctx)
	})
}

// List returns the backups in the automatic backups' folder, newest first.
func (s *Backups) List() ([]BackupFileDTO, error) {
	return run(s.b, "Backups.List", func(ctx context.Context, c caller) ([]BackupFileDTO, error) {
		es, err := s.b.Backups.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]BackupFileDTO, 0, len(es))
		for _, e := range es {
			out = append(out, BackupFileDTO{Path: e.Path, Name: e.Name, Size: e.Size, ModifiedAt: rfc3339(e.ModTime), Automatic: e.Automatic})
		}
		return out, nil
	})
}

// Inspect reads a backup's manifest without restoring it (what the confirmation shows); a
// file that cannot be restored is refused here already.
func (s *Backups) Inspect(path string) (BackupInfoDTO, error) {
	return run(s.b, "Backups.Inspect", func(ctx context.Context, c caller) (BackupInfoDTO, error) {
		if !filepath.IsAbs(path) {
			return BackupInfoDTO{}, backup.ErrPathInvalid.Field("path", nil)
		}
		m, err := backup.Inspect(ctx, path)
		if err != nil {
			return BackupInfoDTO{}, err
		}
		return backupInfoDTO(path, fileSize(path), m), nil
	})
}

// Restore replaces the current data with the backup at path (chosen with
// ChooseBackupFile, confirmed by the user). The backup is copied and checked whole first:
// a damaged file, a file that is not a backup or a backup from a newer Mailroom are refused
// and the current data stays as it was. Then the engines stop, the database is swapped
// and reopened, and they start again; everybody is signed out (the UI reloads and asks who
// is there, or opens as the only user when they have no password). The accounts come back
// disabled, each waiting for its password or sign-in.
func (s *Backups) Restore(path string) (RestoreResultDTO, error) {
	var prepared *backup.Prepared
	_, err := run(s.b, "Backups.Restore", func(_ context.Context, c caller) (struct{}, error) {
		if !filepath.IsAbs(path) {
			return struct{}{}, backup.ErrPathInvalid.Field("path", nil)
		}
		if s.b.Reopen == nil {
			return struct{}{}, errRestoreUnavailable.New(nil)
		}
		var err error
		prepared, err = backup.Prepare(s.b.appContext(), path, s.b.DB.Path, s.b.DB, s.progress)
		return struct{}{}, err
	})
	if err != nil {
		return RestoreResultDTO{}, err
	}
	// Outside run: the swap waits for the calls under way, then holds every other call.
	if !s.b.lockAll(restoreLockWait) {
		prepared.Discard()
		return RestoreResultDTO{}, errBackupBusy.New(nil)
	}
	s.progress(backup.Progress{Op: "restore", Phase: backup.PhaseSwap, Step: 4, Steps: 4})
	err = s.b.Reopen(func(dbPath string) (func() error, error) { return backup.Swap(prepared, dbPath) })
	s.b.gate.Unlock()
	if err != nil {
		prepared.Discard()
		return RestoreResultDTO{}, err
	}
	s.progress(backup.Progress{Op: "restore", Phase: backup.PhaseDone, Step: 4, Steps: 4})
	ctx, cancel := s.b.context()
	defer cancel()
	out := RestoreResultDTO{Backup: backupInfoDTO(path, fileSize(path), prepared.Manifest)}
	for _, q := range []struct {
		n   *int
		sql string
	}{{&out.Users, `SELECT count(*) FROM users`}, {&out.Accounts, `SELECT count(*) FROM accounts`},
		{&out.Records, `SELECT count(*) FROM records WHERE deleted_at IS NULL`}} {
		if err := s.b.DB.R.QueryRowContext(ctx, q.sql).Scan(q.n); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (s *Backups) progress(p backup.Progress) {
	s.b.emit(BackupProgressEvent, BackupProgressDTO{Op: p.Op, Phase: string(p.Phase), Step: p.Step, Steps: p.Steps})
}

// BackupEvents are the automatic backups' progress and results, for backup.Deps.
func (b *Backend) BackupEvents() (func(backup.Progress), func(backup.Info, error)) {
	s := &Backups{b: b}
	return s.progress, func(backup.Info, error) { b.emit(BackupsChangedEvent, nil) }
}

func backupInfoDTO(path string, size int64, m backup.Manifest) BackupInfoDTO {
	return BackupInfoDTO{Path: path, Name: filepath.Base(path), Size: size, CreatedAt: rfc3339(m.CreatedAt),
		AppVersion: m.AppVersion, Schema: m.SchemaVersion(), WithMail: m.WithMail, Automatic: m.Automatic}
}

func fileSize(path string) int64 {
	if st, err := os.Stat(path); err == nil {
		return st.Size()
	}
	return 0
}
