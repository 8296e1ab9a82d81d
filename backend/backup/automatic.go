package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// Automatic backups: once a day, into a folder the user picks (a folder a sync client such
// as Nextcloud's copies elsewhere works well), keeping the last N. The settings are this
// computer's (SettingsPrefix): a restore keeps the current ones.

// The settings' keys and bounds.
const (
	keyFolder   = SettingsPrefix + "folder"
	keyEnabled  = SettingsPrefix + "enabled"
	keyKeep     = SettingsPrefix + "keep"
	keyWithMail = SettingsPrefix + "with_mail"
	keyLastAt   = SettingsPrefix + "last_at"    // unix seconds of the last automatic backup written
	keyLastErr  = SettingsPrefix + "last_error" // the reason of the last automatic backup's failure, "" when it worked
	keyLastFile = SettingsPrefix + "last_file"  // the last backup written, automatic or not

	DefaultKeep = 7
	MaxKeep     = 365
	// Interval is how often an automatic backup is written.
	Interval = 24 * time.Hour

	autoPrefix   = "mailroom-auto-"
	manualPrefix = "mailroom-backup-"
	nameTime     = "2006-01-02-150405"
)

var (
	ErrKeepInvalid = fault.Define("backup_keep_invalid", fault.InvalidInput,
		"keep between 1 and {max} backups")
	ErrFolderMissing = fault.Define("backup_folder_missing", fault.InvalidInput,
		"choose a folder for the automatic backups")
	ErrFolderNotFound = fault.Define("backup_folder_not_found", fault.InvalidInput,
		"the folder {folder} does not exist")
)

// Settings are the automatic backups' settings.
type Settings struct {
	Enabled  bool
	Folder   string
	Keep     int
	WithMail bool
}

// Status is the automatic backups' settings with what happened last.
type Status struct {
	Settings
	LastAt    time.Time // the last automatic backup; zero: none yet
	LastError string    // its failure's reason, "" when it worked
	LastFile  string    // the last backup written (automatic or not)
	NextAt    time.Time // when the next automatic one is due; zero when off
}

// Entry is a backup found in the automatic backups' folder.
type Entry struct {
	Path      string
	Name      string
	Size      int64
	ModTime   time.Time
	Automatic bool
}

// FileName is a backup's default name for the time t.
func FileName(t time.Time) string { return manualPrefix + t.Local().Format(nameTime) + Ext }

// Service runs the automatic backups of one database and keeps their settings.
type Service struct {
	db      *store.DB
	version string
	log     *slog.Logger
	now     func() time.Time
	// Progress and Written are told of each automatic backup (events for the UI); may be nil.
	progress func(Progress)
	written  func(Info, error)

	mu     sync.Mutex // one backup at a time, automatic or not
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{}
}

// Deps are the service's collaborators.
type Deps struct {
	DB       *store.DB
	Version  string
	Log      *slog.Logger
	Progress func(Progress)
	Written  func(Info, error)
}

// New builds the service; Start runs the automatic backups.
func New(d Deps) *Service {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d.DB, version: d.Version, log: log, now: time.Now, progress: d.Progress, written: d.Written,
		wake: make(chan struct{}, 1)}
}

// Write writes a backup to dest now (one at a time).
func (s *Service) Write(ctx context.Context, dest string, withMail bool) (Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := Write(ctx, s.db, dest, s.version, Options{WithMail: withMail, Progress: s.progress})
	if err == nil {
		_ = s.db.SetSetting(ctx, keyLastFile, info.Path)
	}
	return info, err
}

// Settings reads the automatic backups' settings and what happened last.
func (s *Service) Settings(ctx context.Context) (Status, error) {
	var st Status
	vals := map[string]string{}
	for _, k := range []string{keyFolder, keyEnabled, keyKeep, keyWithMail, keyLastAt, keyLastErr, keyLastFile} {
		v, _, err := s.db.Setting(ctx, k)
		if err != nil {
			return st, err
		}
		vals[k] = v
	}
	st.Folder, st.Enabled, st.WithMail = vals[keyFolder], vals[keyEnabled] == "1", vals[keyWithMail] == "1"
	st.Keep = DefaultKeep
	if n, err := strconv.Atoi(vals[keyKeep]); err == nil && n >= 1 && n <= MaxKeep {
		st.Keep = n
	}
	if n, err := strconv.ParseInt(vals[keyLastAt], 10, 64); err == nil && n > 0 {
		st.LastAt = time.Unix(n, 0)
	}
	st.LastError, st.LastFile = vals[keyLastErr], vals[keyLastFile]
	if st.Enabled && st.Folder != "" {
		st.NextAt = s.now()
		if !st.LastAt.IsZero() {
			st.NextAt = st.LastAt.Add(Interval)
		}
	}
	return st, nil
}

// SetSettings saves the automatic backups' settings; turning them on needs an existing
// folder, and writes the first backup soon after.
func (s *Service) SetSettings(ctx context.Context, in Settings) error {
	in.Folder = strings.TrimSpace(in.Folder)
	if in.Keep < 1 || in.Keep > MaxKeep {
		return ErrKeepInvalid.Field("keep", fault.P{"max": MaxKeep})
	}
	if in.Folder != "" && !filepath.IsAbs(in.Folder) {
		return ErrPathInvalid.Field("folder", nil)
	}
	if in.Enabled {
		if in.Folder == "" {
			return ErrFolderMissing.Field("folder", nil)
		}
		if st, err := os.Stat(in.Folder); err != nil || !st.IsDir() {
			return ErrFolderNotFound.Field("folder", fault.P{"folder": in.Folder})
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for k, v := range map[string]string{keyFolder: in.Folder, keyEnabled: flag(in.Enabled), keyKeep: strconv.Itoa(in.Keep), keyWithMail: flag(in.WithMail)} {
			if err := store.SetSettingTx(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// List returns the backups in the automatic backups' folder, newest first (none when no
// folder is chosen).
func (s *Service) List(ctx context.Context) ([]Entry, error) {
	st, err := s.Settings(ctx)
	if err != nil || st.Folder == "" {
		return nil, err
	}
	return list(st.Folder)
}

func list(folder string) ([]Entry, error) {
	des, err := os.ReadDir(folder)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ErrUnreadable.Wrap(err, fault.P{"file": folder}).WithDetail(innermost(err))
	}
	var out []Entry
	for _, de := range des {
		n := de.Name()
		auto := strings.HasPrefix(n, autoPrefix)
		if de.IsDir() || !strings.HasSuffix(n, Ext) || !(auto || strings.HasPrefix(n, manualPrefix)) {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		out = append(out, Entry{Path: filepath.Join(folder, n), Name: n, Size: fi.Size(), ModTime: fi.ModTime(), Automatic: auto})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ModTime.Equal(out[j].ModTime) {
			return out[i].ModTime.After(out[j].ModTime)
		}
		return out[i].Name > out[j].Name
	})
	return out, nil
}

// Start runs the automatic backups until Stop: a check at once, then every few minutes
// (and when the settings change) whether one is due.
func (s *Service) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			s.RunDue(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-s.wake:
			}
		}
	}()
}

// Stop ends the automatic backups; one being written is cancelled (its temporary file removed).
func (s *Service) Stop() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
		s.cancel = nil
	}
}

// RunDue writes an automatic backup when one is due, then removes the automatic backups
// beyond the number to keep. It reports whether one was written.
func (s *Service) RunDue(ctx context.Context) bool {
	st, err := s.Settings(ctx)
	if err != nil || !st.Enabled || st.Folder == "" || s.now().Before(st.NextAt) {
		return false
	}
	s.mu.Lock()
	dest := filepath.Join(st.Folder, autoPrefix+s.now().Local().Format(nameTime)+Ext)
	info, err := Write(ctx, s.db, dest, s.version, Options{WithMail: st.WithMail, Automatic: true, Progress: s.progress})
	s.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	if s.written != nil {
		s.written(info, err)
	}
	if err != nil {
		s.log.Warn("automatic backup failed", "folder", st.Folder, "err", err)
		reason := fault.ReasonOf(err)
		if reason == "" {
			reason = string(fault.Internal)
		}
		// Tried again at the next check, not in a loop: the failure's time counts as the last.
		_ = s.setAll(ctx, map[string]string{keyLastErr: reason, keyLastAt: strconv.FormatInt(s.now().Unix()-int64(Interval/time.Second)+3600, 10)})
		return false
	}
	_ = s.setAll(ctx, map[string]string{keyLastErr: "", keyLastAt: strconv.FormatInt(s.now().Unix(), 10), keyLastFile: info.Path})
	if err := prune(st.Folder, st.Keep); err != nil {
		s.log.Warn("old automatic backups not removed", "folder", st.Folder, "err", err)
	}
	s.log.Info("automatic backup written", "file", info.Path, "size", info.Size)
	return true
}

func (s *Service) setAll(ctx context.Context, kv map[string]string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for k, v := range kv {
			if err := store.SetSettingTx(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// prune removes the automatic backups beyond the keep newest; backups written by hand are
// never removed.
func prune(folder string, keep int) error {
	es, err := list(folder)
	if err != nil {
		return err
	}
	// By name, which is the time the scheduler wrote it (a sync client may touch mtimes).
	es = slices.DeleteFunc(es, func(e Entry) bool { return !e.Automatic })
	sort.Slice(es, func(i, j int) bool { return es[i].Name > es[j].Name })
	var errs []error
	for n, e := range es {
		if n >= keep {
			if err := os.Remove(e.Path); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", e.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}
