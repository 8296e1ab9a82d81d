#!/usr/bin/env bash
# with-env.sh CMD [ARGS...] — run CMD inside a fresh test mail environment.
#
# Creates a temporary directory, starts the environment there (up.sh),
# runs CMD with the MAILROOM_TEST_* variables of DIR/env.sh exported, and
# always stops the environment afterwards (down.sh), also when CMD fails or
# the script is interrupted. Exits with CMD's exit status.
#
#   scripts/testenv/with-env.sh go test ./...
#
# Set MAILROOM_TEST_KEEP=1 to keep the directory (logs, mailboxes) afterwards.
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
dir=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-testenv.XXXXXX")

cleanup() {
	"$here/down.sh" "$dir" || echo "testenv: down.sh failed for $dir" >&2
	if [[ ${MAILROOM_TEST_KEEP:-} == 1 ]]; then
		echo "testenv: kept $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
# Until CMD runs, turn signals into a normal exit so that the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM

# show_logs: print the end of the servers' logs, for start-up failures.
show_logs() {
	local f
	for f in "$dir/dovecot/dovecot.log" "$dir/dovecot/stderr.log" \
		"$dir/postfix/postfix.log" "$dir/postfix/start.log"; do
		[[ -s $f ]] || continue
		echo "----- tail of $f" >&2
		tail -n 30 "$f" >&2
	done
}

if ! "$here/up.sh" "$dir"; then
	echo "testenv: the test mail environment failed to start" >&2
	show_logs
	[[ ${MAILROOM_TEST_KEEP:-} == 1 ]] || echo "testenv: set MAILROOM_TEST_KEEP=1 to keep $dir" >&2
	exit 1
fi

# shellcheck source=/dev/null
source "$dir/env.sh"

# Run CMD in its own session and process group, in the background, so that
# this script reacts to INT/TERM at once (a foreground command would delay
# the traps until it ends) and can pass the signal on to everything CMD
# started. stdin stays connected. (Background commands ignore SIGINT, so
# SIGTERM is what is passed on.)
setsid "$@" <&0 &
child=$!
stop_child() { # EXIT-STATUS
	local i
	trap '' INT TERM
	kill -TERM -- "-$child" 2>/dev/null || kill -TERM "$child" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do # up to 10 s, then SIGKILL
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$child" 2>/dev/null || true
	wait "$child" 2>/dev/null || true
	exit "$1"
}
trap 'stop_child 130' INT
trap 'stop_child 143' TERM

status=0
wait "$child" || status=$?
exit "$status"
