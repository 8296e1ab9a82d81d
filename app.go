package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"mailroom/backend/accounts"
	"mailroom/backend/api"
	"mailroom/backend/automations"
	"mailroom/backend/backup"
	"mailroom/backend/bulk"
	"mailroom/backend/config"
	"mailroom/backend/connect"
	"mailroom/backend/deliverability"
	"mailroom/backend/discovery"
	"mailroom/backend/filing"
	"mailroom/backend/mailbox"
	"mailroom/backend/oauth"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/senders"
	"mailroom/backend/setup"
	"mailroom/backend/store"
	"mailroom/backend/syncer"
	"mailroom/backend/templates"
	"mailroom/backend/templates/buttons"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// Files inside the data directory.
const (
	dbFile          = "mailroom.db"
	logDir          = "logs"
	appLogFile      = "mailroom.log"
	protocolLogFile = "protocol.log"
	logPerm         = 0o600
)

// App owns the backend's lifetime: it opens the store and the vault, builds the bound
// services, and closes everything at shutdown.
type App struct {
	backend  *api.Backend
	services *api.Services
	db       *store.DB
	closers  []io.Closer
	ctx      context.Context // Wails' context, set at start-up (for the browser)
	cfg      config.Config   // the settings, read once from the environment

	// Built once, used by build again after a restore.
	resolver interface {
		discovery.Resolver
		connect.Resolver
	}
	roots       *x509.CertPool
	protocolLog io.Writer
	oauth       oauth.Config
}

// NewApp opens the database in the data directory. A failure does not stop the app: the
// window opens and tells the user what is wrong (Backend.BootErr).
func NewApp(version string) *App {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)
	b := &api.Backend{Vault: vault.NewKeychain(), Version: version, Log: log}
	a := &App{backend: b, services: api.New(b)}

	// The environment is read here, once; the packages get what they need from cfg.
	cfg, err := config.Load()
	a.cfg = cfg
	dir := cfg.DataDir
	if err != nil {
		b.BootErr = store.CannotOpen(cfg.DataDir, fmt.Errorf("cannot find a data directory: %w", err))
		return a
	}
	b.DataDir = dir
	db, err := store.Open(context.Background(), filepath.Join(dir, dbFile))
	if err != nil {
		b.BootErr = err
		log.Error("cannot open the database", "dir", dir, "err", err)
		return a
	}
	a.db = db
	if f, err := a.openLog(appLogFile); err == nil {
		log = slog.New(slog.NewTextHandler(io.MultiWriter(os.Stderr, f), &slog.HandlerOptions{Level: slog.LevelInfo}))
		slog.SetDefault(log)
		b.Log = log
	}

	a.resolver = systemOr(cfg.DNSServer)
	roots, err := rootsWith(cfg.CAFile)
	if err != nil {
		log.Error("extra certificate authorities not loaded", "file", cfg.CAFile, "err", err)
	}
	a.roots = roots
	if cfg.ProtocolLog {
		if f, err := a.openLog(protocolLogFile); err == nil {
			a.protocolLog = f
		}
	}
	a.oauth = oauthConfig(cfg, log)
	b.Reopen = a.reopen
	a.build(db)
	log.Info("mailroom started", "version", version, "data", dir)
	return a
}

// build makes every part of the backend over db: built again, over the restored database,
// after a restore (reopen).
func (a *App) build(db *store.DB) {
	b, cfg, log := a.backend, a.cfg, a.backend.Log
	a.db = db
	pins := connect.NewPins(db)
	dialer := &connect.Dialer{Resolver: a.resolver, RootCAs: a.roots, Pins: pins}
	if a.protocolLog != nil {
		dialer.Debug = a.protocolLog
	}
	reg := accounts.New(db, b.Vault)
	opts := discovery.Options{Presets: api.DiscoveryPresets{Registry: reg}, Resolver: a.resolver,
		HTTPClient: discovery.NewHTTPClient(a.resolver, a.roots), Log: log, AutoconfigURLs: cfg.AutoconfigURLs, ISPDBURL: cfg.ISPDBURL}

	b.DB, b.Users, b.Accounts, b.Pins, b.Dialer = db, users.New(db), reg, pins, dialer
	b.Discovery = discovery.New(opts)
	b.Mailbox = mailbox.New(db)
	// Filing runs beside the sync: the sync and the records tell it what changed; neither
	// knows it.
	// Its $MailroomFiled changes go out through the sync's workers (shared mailboxes, F11).
	b.Filing = filing.New(filing.Deps{DB: db, Emit: b.FilingEvents(), Log: log,
		Queued: func(ids ...int64) { b.Sync.FlagsQueued(ids...) }}, filing.Options{})
	b.Records = records.New(db, records.Options{Changed: b.RecordsChanged})
	b.Templates = templates.New(templates.Deps{DB: db, Records: b.Records}, templates.Options{})
	// A batch of flags from the server (another workstation's $MailroomFiled) is a Stored
	// notice too: filing counts "To file" again.
	b.Sync = syncer.New(syncer.Deps{DB: db, Accounts: reg, Dialer: dialer, Emit: b.SyncEvents(), Log: log,
		Stored: func(st syncer.Stored) {
			b.Filing.Stored(filing.Notice{IDs: st.MessageIDs, Bodies: st.Bodies, Drained: st.Drained})
			// A mail sent by a record's button reaches the record once its copy is stored.
			if len(st.MessageIDs) > 0 && b.Buttons != nil {
				if _, err := b.Buttons.FilePending(context.Background()); err != nil {
					log.Warn("buttons: file the sent copies", "err", err)
				}
			}
		}}, syncer.Options{})
	// An account sends through its SMTP server (a nil transport) or its Postmark or Mailgun
	// sender, whose endpoints the configuration may move.
	apiSenders := senders.New(reg, senders.Options{PostmarkURL: cfg.PostmarkURL, MailgunURL: cfg.MailgunURL})
	b.Outbox = outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: dialer, Transport: apiSenders.Transport,
		Emit: b.OutboxEvents(), Log: log}, outbox.Options{})
	// Automations queue through the outbox (their ledger in its transaction) and file what
	// they sent once the sync brings the copy back.
	b.Automations = automations.New(automations.Deps{DB: db, Records: b.Records, Templates: b.Templates, Outbox: b.Outbox,
		Accounts: reg, Users: b.Users, Filing: b.Filing, Emit: b.AutomationEvents(), Log: log}, automations.Options{})
	b.Buttons = buttons.New(buttons.Deps{DB: db, Records: b.Records, Templates: b.Templates, Accounts: reg,
		Outbox: b.Outbox, Filing: b.Filing, SyncNow: func(id int64) { b.Sync.SyncNow(id) }})
	b.Deliverability = deliverability.New(deliverability.Deps{DB: db, Accounts: reg,
		Resolver: deliverability.ResolverFor(a.resolver), Log: log}, deliverability.Options{})
	// Bulk sends queue through the outbox at the account's pace and file each sent mail to
	// its record (a manual link, marked as sent from it) once its Sent copy is synced.
	b.Bulk = bulk.New(bulk.Deps{DB: db, Records: b.Records, Templates: b.Templates, Outbox: b.Outbox, Accounts: reg,
		Deliverability: b.Deliverability, Emit: b.BulkEvents(), Log: log,
		File: func(ctx context.Context, by int64, ids []int64, recordID int64) error {
			return b.Filing.FileSent(ctx, by, ids, recordID)
		}}, bulk.Options{})
	b.Setup = setup.New(setup.Deps{Accounts: reg, Dialer: dialer, Pins: pins, Discovery: b.Discovery,
		Senders: apiSenders, Outbox: b.Outbox, Log: log}, setup.Options{})
	progress, written := b.BackupEvents()
	b.Backups = backup.New(backup.Deps{DB: db, Version: b.Version, Log: log, Progress: progress, Written: written})
	b.UseOAuth(oauth.New(a.oauth, oauth.Options{OpenURL: a.openURL, Logger: log}))
}

// reopen replaces the database (a restore): the engines stop, the store closes, swap puts
// the new file in place, and the backend is built again over it and started. Whoever was
// signed in is signed out (a new users service, over the restored users). When the new
// database cannot be opened, the replaced one is put back and reopened.
func (a *App) reopen(swap func(dbPath string) (func() error, error)) error {
	ctx := a.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	path := a.db.Path
	a.stopEngines()
	if err := a.db.Close(); err != nil {
		slog.Error("closing the database before a restore", "err", err)
	}
	undo, swapErr := swap(path)
	var openErr error
	if swapErr == nil {
		var db *store.DB
		if db, openErr = store.Open(ctx, path); openErr == nil {
			a.build(db)
			a.startEngines(ctx)
			slog.Info("data restored from a backup", "data", path)
			return nil
		}
		slog.Error("the restored database does not open: the replaced one is put back", "err", openErr)
		if err := undo(); err != nil {
			slog.Error("putting the replaced database back", "err", err)
		}
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		// Nothing opens: the app says so, as at a start that cannot open its data.
		a.backend.BootErr, a.backend.DB = err, nil
		slog.Error("the database does not open after a failed restore", "err", err)
		return err
	}
	a.build(db)
	a.startEngines(ctx)
	if swapErr != nil {
		return swapErr
	}
	return openErr
}

// oauthConfig is the built-in sign-in settings with what the configuration replaces. An
// issuer's endpoints are read from its discovery document (network I/O, bounded).
func oauthConfig(cfg config.Config, log *slog.Logger) oauth.Config {
	oc := oauth.DefaultConfig()
	for _, p := range []struct {
		env  string
		from config.OAuthClient
		to   *oauth.Provider
	}{{config.GoogleIssuer, cfg.Google, &oc.Google}, {config.MicrosoftIssuer, cfg.Microsoft, &oc.Microsoft}} {
		if p.from.ClientID != "" {
			p.to.ClientID = p.from.ClientID
		}
		if p.from.HasClientSecret {
			p.to.ClientSecret = p.from.ClientSecret
		}
		if p.from.Issuer == "" {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := oauth.FromIssuer(ctx, nil, *p.to, p.from.Issuer)
		cancel()
		if err != nil {
			// Signing in then fails with the built-in endpoints' own error, in words.
			log.Error("sign-in provider settings not loaded", "env", p.env, "issuer", p.from.Issuer, "err", err)
			continue
		}
		*p.to = got
	}
	return oc
}

// openURL opens a sign-in page in the system browser, or with the program $BROWSER names.
func (a *App) openURL(url string) error {
	if b := a.cfg.Browser; b != "" {
		cmd := exec.Command(b, url)
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() { _ = cmd.Wait() }() // reaps the browser; how it exits is not ours to report
		return nil
	}
	if a.ctx == nil {
		return errors.New("the window is not open yet")
	}
	runtime.BrowserOpenURL(a.ctx, url)
	return nil
}

func (a *App) openLog(name string) (*os.File, error) {
	dir := filepath.Join(a.backend.DataDir, logDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, logPerm)
	if err == nil {
		a.closers = append(a.closers, f)
	}
	return f, err
}

// systemOr returns a resolver that asks the DNS server at addr, or the system's.
func systemOr(addr string) interface {
	discovery.Resolver
	connect.Resolver
} {
	if addr == "" {
		return discovery.SystemResolver()
	}
	return discovery.NewDNSServerResolver(addr)
}

// rootsWith returns the system's roots plus the authorities in file, or nil (the system's
// roots) when file is empty.
func rootsWith(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate found in %s", file)
	}
	return pool, nil
}

func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	a.backend.Emit = func(name string, data any) { runtime.EventsEmit(ctx, name, data) }
	a.backend.Dialogs = dialogs{ctx}
	a.backend.Startup(ctx)
	a.startEngines(ctx)
}

// startEngines starts the background work over the current database: keychain and trash
// clean-ups, filing, the sync, the outbox, the automatic backups.
func (a *App) startEngines(ctx context.Context) {
	if a.backend.Accounts != nil {
		// Secrets a crash or a failing keychain left behind. In the background: the
		// keychain may wait for its unlock prompt, and nothing else waits for this.
		go func() {
			n, err := a.backend.Accounts.CleanOrphanedSecrets(ctx)
			if n > 0 {
				slog.Info("orphaned secrets removed from the keychain", "count", n)
			}
			if err != nil {
				slog.Warn("orphaned secrets left in the keychain until the next start", "err", err)
			}
		}()
	}
	if a.backend.Records != nil {
		// Records deleted more than 30 days ago leave the trash for good.
		if n, err := a.backend.Records.PurgeTrash(ctx); err != nil {
			slog.Warn("the records' trash was not purged", "err", err)
		} else if n > 0 {
			slog.Info("records purged from the trash", "count", n)
		}
	}
	if a.backend.Filing != nil {
		// Before the sync, so that no stored batch goes unheard; the first run files the
		// mail already there, in the background.
		if err := a.backend.Filing.Start(ctx); err != nil {
			slog.Error("filing did not start: messages are not filed into records", "err", err)
		}
	}
	if a.backend.Sync != nil {
		if err := a.backend.Sync.Start(ctx); err != nil {
			slog.Error("the sync engine did not start", "err", err)
		}
	}
	if a.backend.Outbox != nil {
		// Settles what a crash left half-sent, then sends what waits.
		if err := a.backend.Outbox.Start(ctx); err != nil {
			slog.Error("the outbox did not start: queued messages wait until the next start", "err", err)
		}
	}
	if a.backend.Backups != nil {
		a.backend.Backups.Start(ctx)
	}
	if a.backend.Automations != nil {
		// After the outbox: the first look catches up with what became due while closed.
		if err := a.backend.Automations.Start(ctx); err != nil {
			slog.Error("the automations did not start: nothing is sent by rule until the next start", "err", err)
		}
	}
	if a.backend.Bulk != nil {
		// After the outbox: bulk sends a stop or a crash interrupted go on.
		if err := a.backend.Bulk.Run(ctx); err != nil {
			slog.Error("bulk sends did not start: they wait until the next start", "err", err)
		}
	}
}

// dialogs are Wails' native dialogs.
type dialogs struct{ ctx context.Context }

func (d dialogs) SaveFile(name string) (string, error) {
	return runtime.SaveFileDialog(d.ctx, runtime.SaveDialogOptions{DefaultFilename: name, CanCreateDirectories: true})
}

func (d dialogs) OpenFile() (string, error) {
	return runtime.OpenFileDialog(d.ctx, runtime.OpenDialogOptions{Filters: []runtime.FileFilter{
		{DisplayName: "CSV, vCard (*.csv, *.txt, *.tsv, *.vcf)", Pattern: "*.csv;*.txt;*.tsv;*.vcf;*.vcard"}}})
}

// SaveBackup asks where to write a backup.
func (d dialogs) SaveBackup(name string) (string, error) {
	return runtime.SaveFileDialog(d.ctx, runtime.SaveDialogOptions{DefaultFilename: name, CanCreateDirectories: true,
		Filters: []runtime.FileFilter{{DisplayName: "Mailroom (*" + backup.Ext + ")", Pattern: "*" + backup.Ext}}})
}

// OpenBackup asks for a backup to restore.
func (d dialogs) OpenBackup() (string, error) {
	return runtime.OpenFileDialog(d.ctx, runtime.OpenDialogOptions{Filters: []runtime.FileFilter{
		{DisplayName: "Mailroom (*" + backup.Ext + ")", Pattern: "*" + backup.Ext}}})
}

// ChooseFolder asks for a folder (the automatic backups').
func (d dialogs) ChooseFolder() (string, error) {
	return runtime.OpenDirectoryDialog(d.ctx, runtime.OpenDialogOptions{CanCreateDirectories: true})
}

func (a *App) shutdown(ctx context.Context) {
	a.stopEngines()
	if a.db != nil {
		if err := a.db.Close(); err != nil {
			slog.Error("closing the database", "err", err)
		}
	}
	for _, c := range a.closers {
		c.Close()
	}
}

// stopEngines stops the background work, before the database closes.
func (a *App) stopEngines() {
	if a.backend.Automations != nil {
		// First: a run stops between two mails, each committed with its ledger row or not at all.
		a.backend.Automations.Stop()
	}
	if a.backend.Bulk != nil {
		// Before the outbox: nothing more is handed to it.
		a.backend.Bulk.Stop()
	}
	if a.backend.Buttons != nil {
		a.backend.Buttons.Stop()
	}
	if a.backend.Backups != nil {
		a.backend.Backups.Stop()
	}
	if a.backend.Outbox != nil {
		// Before the database closes: a message in flight is settled (queued again, or
		// possibly sent past its final dot) and recorded.
		a.backend.Outbox.Stop()
	}
	if a.backend.Sync != nil {
		a.backend.Sync.Stop()
	}
	if a.backend.Filing != nil {
		// After the sync: nothing tells it of new mail any more; a re-file stops between batches.
		a.backend.Filing.Stop()
	}
}
