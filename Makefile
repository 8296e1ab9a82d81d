# Mailroom — the commands people use. `make run` opens the app; `make test` runs every test.
#
# One Go tag list everywhere (each distinct list recompiles SQLite's C code, ~1 min):
#   webkit2_41  — WebKitGTK 4.1 (Debian 12's)
#   sqlite_fts5 — SQLite full-text search for the inbox
TAGS    := webkit2_41,sqlite_fts5
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := build/bin/mailroom
DEVBIN  := build/bin/mailroom-dev
# golangci-lint, pinned in its own module (tools/lint/go.mod), built once into the Go cache
GOLANGCI := go tool -modfile=tools/lint/go.mod golangci-lint

export CGO_ENABLED := 1

.PHONY: run build dev-binary frontend deps test test-go test-frontend e2e smoke bench bench-sync bench-send crash-test vet fmt lint clean

## run: install what is missing, build, and open Mailroom
run: build
	./$(BIN)

## build: the production binary (build/bin/mailroom), frontend and bindings included
build: deps frontend/node_modules/.installed
	go tool wails build -tags $(TAGS) -m -ldflags "$(LDFLAGS)"

deps:
	@scripts/deps.sh run

frontend/node_modules/.installed: frontend/package-lock.json
	scripts/npm-ci.sh frontend
	@touch $@

## dev-binary: the dev-tagged app that serves the real frontend to a browser (end-to-end tests)
dev-binary: build
	go build -tags dev,$(TAGS) -ldflags "$(LDFLAGS)" -o $(DEVBIN) .

## test: everything — go vet, Go tests with -race against real Dovecot, Postfix and keyring,
## Vitest, browser end-to-end tests and the window smoke test
test:
	@scripts/test.sh

## bench: benchmarks against named peers (see docs/ARCHITECTURE.md); the sync one last
bench:
	@scripts/bench.sh

## bench-sync: Mailroom's IMAP sync against mbsync on a generated 10,000-message mailbox
bench-sync:
	@scripts/bench.sh sync

## bench-send: 1,000 personalised messages through the outbox to the test Postfix, against
## go-mail over one connection in the same run; last line: send: outbox_msgs_per_s=… ratio=…
bench-send:
	@scripts/bench.sh send

## crash-test: the outbox's SIGKILL test with more kills than make test's 20
## (MAILROOM_CRASH_KILLS, default here 100)
crash-test:
	MAILROOM_CRASH_KILLS=$${MAILROOM_CRASH_KILLS:-100} MAILROOM_REQUIRE_INTEGRATION=1 scripts/testenv/with-env.sh \
		go test -tags $(TAGS) -run 'TestSIGKILLLosesNothingAndDuplicatesAtMostOncePerKill' -count 1 -timeout 60m -v ./backend/outbox/

vet:
	go vet -tags $(TAGS) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## lint: go vet, golangci-lint (.golangci.yml), gofmt and svelte-check
lint: vet
	$(GOLANGCI) run ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	cd frontend && npm run check

clean:
	rm -rf build/bin build/e2e frontend/dist
