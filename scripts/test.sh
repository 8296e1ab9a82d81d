#!/usr/bin/env bash
# `make test`: installs what the tests need, builds the app, starts the real servers the
# tests use (Dovecot, Postfix, a gnome-keyring on a private D-Bus, Xvfb) once, runs every
# suite, stops the servers even on failure, and exits non-zero if anything failed.
#
# Suites: go vet and golangci-lint (any finding fails); Go tests with -race (integration tests
# required, never skipped); svelte-check and Vitest; browser end-to-end tests in Chromium against
# the real app; a smoke test of the production binary's window; the Debian package installed,
# opened and removed (make package-test).
set -euo pipefail
cd "$(dirname "$0")/.."

export TAGS=${TAGS:-webkit2_41,sqlite_fts5}
export CGO_ENABLED=1
mkdir -p build/logs build/e2e
t0=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - t0))"; }

step "system packages"
scripts/deps.sh test

step "frontend packages"
make -s frontend/node_modules/.installed

step "production binary (bindings, frontend, app)"
make -s build dev-binary >build/logs/build.log 2>&1 || { tail -n 60 build/logs/build.log; exit 1; }
ls -l build/bin/

if [ "${CI:-}" = "true" ] && ! git diff --quiet -- frontend/wailsjs frontend/src/lib/generated; then
  echo "The generated bindings (frontend/wailsjs) or the licences list (frontend/src/lib/generated) are out of date: run 'make build' and commit them." >&2
  git diff --stat -- frontend/wailsjs frontend/src/lib/generated >&2
  exit 1
fi

step "go vet"
go vet -tags "$TAGS" ./...

step "golangci-lint (.golangci.yml; the first run builds it from tools/lint/go.mod)"
go tool -modfile=tools/lint/go.mod golangci-lint run ./...

step "frontend: svelte-check and Vitest"
(cd frontend && npm run -s check && NO_COLOR=1 npm run -s test) 2>&1 | tee build/logs/vitest.log

step "Go tests (-race), end-to-end and smoke tests against real servers"
scripts/testenv/with-env.sh scripts/test-session.sh

step "done"
