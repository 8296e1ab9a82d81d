// Mailroom is a desktop app that connects a person's or a small office's email accounts
// to their business records. This file starts the window; app.go wires the backend.
package main

import (
	"embed"
	"log/slog"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"mailroom/backend/api"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	app := NewApp(version)
	err := wails.Run(&options.App{
		Title:            "Mailroom",
		Width:            1200,
		Height:           800,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 251, A: 1},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             app.services.Bound(),
		ErrorFormatter:   api.FormatError,
		Linux: &linux.Options{
			ProgramName:      "mailroom",
			WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand,
		},
	})
	if err != nil {
		slog.Error("mailroom stopped", "err", err)
		os.Exit(1)
	}
}
