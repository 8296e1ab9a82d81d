# Mailroom — the commands people use. `make run` opens the app; `make test` runs every test.
#
# One Go tag list everywhere (each distinct list recompiles SQLite's C code, ~1 min):
#   webkit2_41  — WebKitGTK 4.1 (Debian 12's)
#   sqlite_fts5 — SQLite full-text search for the inbox
TAGS    := webkit2_41,sqlite_fts5
# From `git describe`, as a Debian version (0.0~git20260412.abc1234 until the first v* tag):
# the app's About panel, the .deb and the Windows installer show the same string.
VERSION ?= $(shell scripts/version.sh)
LDFLAGS := -X main.version=$(VERSION)
BIN     := build/bin/mailroom
DEVBIN  := build/bin/mailroom-dev
DIST    := build/dist
APPID   := app.mailroom.Mailroom
# golangci-lint, pinned in its own module (tools/lint/go.mod), built once into the Go cache
GOLANGCI := go tool -modfile=tools/lint/go.mod golangci-lint

export CGO_ENABLED := 1
# SQLite as the store builds it: without the allocator's statistics, which take a global mutex
# on every allocation SQLite makes (with the connections' own mutex, which the store turns off,
# 5.7% of an import's CPU samples under perf; 0.2% without). And without the page cache's
# initial bulk allocation: every temporary b-tree (an INSERT … RETURNING's buffer, an IN list,
# a sort) is a pager of its own, and each one malloc'd and touched 20 pages up front, then
# freed them, which glibc handed back to the kernel (madvise) — 9% of the templated send's
# CPU samples, in the writer's every queued and sent mail. Pages come one at a time instead.
# And with the query planner's stability guarantee (QPSG): otherwise a statement whose plan
# looked at a bound value (any `col = ?` the index does not cover) is marked to be prepared
# again when that value changes, and the driver clears the bindings before each run, which
# SQLite takes as such a change — the search index's insert was parsed and planned again for
# every message synced (5% of a sync's CPU), a record's read for every mail rendered.
# backend/store's TestSQLiteCompileOptions checks these reach the build. Go's defaults first.
export CGO_CFLAGS := -O2 -g -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_DEFAULT_PCACHE_INITSZ=0 -DSQLITE_ENABLE_QPSG

.PHONY: run build licenses package package-test package-windows dev-binary frontend deps test test-go test-frontend e2e smoke bench bench-sync bench-send bench-records bench-filing bench-automations crash-test vet fmt lint clean

## run: install what is missing, build, and open Mailroom
run: build
	./$(BIN)

## build: the production binary (build/bin/mailroom), frontend and bindings included
build: deps frontend/node_modules/.installed licenses
	go tool wails build -tags $(TAGS) -m -ldflags "$(LDFLAGS)"

## licenses: the dependencies' licences for Settings → About (frontend/src/lib/generated/licenses.json)
licenses:
	go run ./scripts/licenses

## package: the Debian package build/dist/mailroom_<version>_amd64.deb (binary, menu entry,
## icons, AppStream metadata). nfpm is a Go tool in go.mod: v2.48.0 is the release that
## builds with Go 1.26 here. The icons are made from build/appicon.png with ImageMagick.
package: build
	@scripts/deps.sh package
	rm -rf build/package && mkdir -p build/package $(DIST)
	cp $(BIN) build/package/mailroom
	umask 022; for s in 16 24 32 48 64 128 256 512; do \
		mkdir -p build/package/icons/hicolor/$${s}x$${s}/apps && \
		convert build/appicon.png -resize $${s}x$${s} -depth 8 -strip \
			PNG32:build/package/icons/hicolor/$${s}x$${s}/apps/$(APPID).png || exit 1; \
	done
	sed -e 's/@VERSION@/$(VERSION)/' -e "s/@DATE@/$$(git log -1 --format=%cd --date=format:%Y-%m-%d 2>/dev/null || date +%F)/" \
		build/linux/$(APPID).metainfo.xml >build/package/$(APPID).metainfo.xml
	rm -f $(DIST)/mailroom_*_amd64.deb
	MAILROOM_VERSION=$(VERSION) go tool nfpm package --config build/linux/nfpm.yaml --packager deb \
		--target $(DIST)/mailroom_$(VERSION)_amd64.deb

## package-windows: the Windows installer build/dist/Mailroom-<version>-setup.exe, cross-built
## here: MinGW-w64 compiles SQLite's C code, `wails build -nsis` builds the app and runs Debian's
## makensis on build/windows/installer/project.nsi. The Wails CLI (go.mod's) is built first for
## Linux, so that CC names the Windows compiler for the app only; the bindings come from the
## Linux build (-skipbindings: generating them runs a host binary).
package-windows: frontend/node_modules/.installed licenses
	@scripts/deps.sh package-windows
	v='$(VERSION)'; n=$$(echo "$$v" | grep -oE '^[0-9]+(\.[0-9]+){0,2}'); \
	while [ "$$(echo "$$n" | tr -cd . | wc -c)" -lt 2 ]; do n=$$n.0; done; \
	printf '!define MAILROOM_VERSION "%s"\n!define INFO_PRODUCTVERSION "%s"\n' "$$v" "$$n" >build/windows/installer/version.nsh
	go build -o build/tools/wails github.com/wailsapp/wails/v2/cmd/wails
	CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ build/tools/wails build -platform windows/amd64 \
		-nsis -skipbindings -tags $(TAGS) -ldflags "$(LDFLAGS)"
	mkdir -p $(DIST) && rm -f $(DIST)/Mailroom-*-setup.exe
	cp build/bin/Mailroom-amd64-installer.exe $(DIST)/Mailroom-$(VERSION)-setup.exe
	@ls -l $(DIST)/Mailroom-$(VERSION)-setup.exe

## package-test: lint the menu entry and metadata, install the .deb with apt, open the installed
## app under Xvfb, remove the package and check the user's data is still there
package-test: package
	@scripts/package-test.sh $(DIST)/mailroom_$(VERSION)_amd64.deb

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

## bench-records: 10,000 companies and 50,000 contacts imported from French Excel files,
## against sqlite3's .import; a 100,000-record list and its search
bench-records:
	@scripts/bench.sh records

## bench-filing: a re-file of 100,000 messages against 10,000 contacts and 2,000 companies,
## and what filing adds to a first sync (filing on against off in the same run)
bench-filing:
	@scripts/bench.sh filing

## bench-automations: the overdue-invoice automation evaluated over 100,000 invoices;
## last line: automations: automation_eval_ms=… (target < 1000)
bench-automations:
	@scripts/bench.sh automations

## bench-send: 1,000 personalised messages through the outbox to the test Postfix, against
## go-mail over one connection in the same run (send: outbox_msgs_per_s=… ratio=…), then the
## templated bulk run; last line: templated: outbox_msgs_per_s=… raw_msgs_per_s=… ratio=… automation_eval_ms=…
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
	rm -rf build/bin build/e2e build/package build/dist build/tools frontend/dist
