#!/usr/bin/env bash
# down.sh DIR — stop the test mail environment that up.sh started in DIR.
#
# Sends SIGTERM to the Dovecot and Postfix masters' process groups and to any
# other process still referring to DIR, waits up to STOP_TIMEOUT seconds, then
# sends SIGKILL. Idempotent: succeeds when nothing is running (or DIR does not
# exist). DIR itself is left in place (logs, mailboxes) for inspection.
set -euo pipefail

readonly STOP_TIMEOUT=5 # seconds before SIGKILL

[[ $# -eq 1 ]] || {
	echo "usage: $0 DIR" >&2
	exit 2
}
[[ -d $1 ]] || exit 0
DIR=$(cd "$1" && pwd -P)

# proc_info PID: print "STATE PGID" of a process; fails if it does not exist.
proc_info() {
	local stat rest state pgid
	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
	rest=${stat##*) } # the command name in parentheses may contain spaces
	read -r state _ pgid _ <<<"$rest"
	echo "$state $pgid"
}

# refers_to_dir PID: true if the command line (dovecot -c DIR/...) or the
# working directory (Postfix daemons live in DIR/postfix/queue) is in DIR.
refers_to_dir() {
	local cmdline cwd
	cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || cmdline=
	cwd=$(readlink "/proc/$1/cwd" 2>/dev/null) || cwd=
	[[ $cmdline == *"$DIR/"* || $cwd == "$DIR" || $cwd == "$DIR/"* ]]
}

# Master PIDs from the pid files. Both masters run in their own session, so
# each is the leader of a process group holding all of its children.
leaders=" "
for pidfile in "$DIR/dovecot/dovecot.pid" "$DIR/dovecot/run/master.pid" "$DIR/postfix/queue/pid/master.pid"; do
	[[ -r $pidfile ]] || continue
	pid=$(tr -dc '0-9' <"$pidfile" | head -c 10)
	[[ -n $pid ]] || continue
	info=$(proc_info "$pid") || continue
	# Only trust a pid file if the process still looks like ours.
	[[ $info == "Z "* ]] && continue
	refers_to_dir "$pid" && leaders+="$pid "
done

# remaining: print the live (non-zombie) processes of this environment.
remaining() {
	local p pid info state pgid
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
		info=$(proc_info "$pid") || continue
		read -r state pgid <<<"$info"
		[[ $state != Z ]] || continue
		if [[ $leaders == *" $pgid "* ]] || refers_to_dir "$pid"; then
			echo "$pid"
		fi
	done
	return 0
}

signal_all() { # SIG
	local pid
	for pid in $leaders; do
		kill "-$1" -- "-$pid" 2>/dev/null || kill "-$1" "$pid" 2>/dev/null || true
	done
	for pid in $(remaining); do
		kill "-$1" "$pid" 2>/dev/null || true
	done
}

[[ -n $(remaining) ]] || exit 0

signal_all TERM
deadline=$((SECONDS + STOP_TIMEOUT))
while [[ -n $(remaining) ]]; do
	if ((SECONDS >= deadline)); then
		echo "testenv: processes in $DIR still running after ${STOP_TIMEOUT}s, killing them" >&2
		signal_all KILL
		sleep 0.2
		break
	fi
	sleep 0.05
done
exit 0
