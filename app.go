package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"mailroom/backend/api"
	"mailroom/backend/store"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// dbFile is the database's name inside the data directory.
const dbFile = "mailroom.db"

// App owns the backend's lifetime: it opens the store and the vault, builds the bound
// services, and closes everything at shutdown.
type App struct {
	backend  *api.Backend
	services *api.Services
	db       *store.DB
}

// NewApp opens the database in the data directory. A failure does not stop the app: the
// window opens and tells the user what is wrong (Backend.BootErr).
func NewApp(version string) *App {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)
	b := &api.Backend{Vault: vault.NewKeychain(), Version: version, Log: log}
	a := &App{backend: b, services: api.New(b)}

	dir, err := store.DataDir()
	if err != nil {
		b.BootErr = fmt.Errorf("cannot find a data directory: %w", err)
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
	b.DB = db
	b.Users = users.New(db)
	log.Info("mailroom started", "version", version, "data", dir)
	return a
}

func (a *App) startup(ctx context.Context) {
	a.backend.Startup(ctx)
}

func (a *App) shutdown(ctx context.Context) {
	if a.db != nil {
		if err := a.db.Close(); err != nil {
			slog.Error("closing the database", "err", err)
		}
	}
}
