#!/usr/bin/env bash
# down.sh DIR — stop the test mail environment that up.sh started in DIR.
#
# Sends SIGTERM to the Dovecot and Postfix master daemons and to the test
# OAuth provider, and waits; then
# SIGTERM to anything of DIR still running (children, strays); SIGKILL after
# STOP_TIMEOUT seconds in all. Idempotent: succeeds when nothing is running
# (or DIR does not exist). DIR itself is left in place (logs, mailboxes).
set -euo pipefail

readonly STOP_TIMEOUT=5 # seconds before SIGKILL

[[ $# -eq 1 ]] || {
	echo "usage: $0 DIR" >&2
	exit 2
}
if [[ -d $1 ]]; then
	DIR=$(cd "$1" && pwd -P)
else
	# Already deleted: its servers can still be found by their command lines.
	DIR=${1%/}
	[[ $DIR == /* ]] || exit 0
fi

# Directories that processes of this environment run in: Postfix daemons
# chdir to the queue directory, Dovecot's to its base_dir (and chroots below).
workdirs=()
for d in "$DIR/postfix/queue" "$DIR/dovecot/run" "$DIR/dovecot/run/login" "$DIR/dovecot/run/empty"; do
	[[ -d $d ]] && workdirs+=("$d")
done

# inspect PID: set $state, $ppid and $pgid of a process and $ours to 1 if it
# refers to DIR by its command line (dovecot|doveadm -c DIR/dovecot/..., the
# Postfix master -c DIR/postfix/etc) or working directory. Fails if the process is gone. Builtins only: this runs
# for every process on the machine, several times.
inspect() {
	local stat rest d
	local -a args=()
	ours=
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	rest=${stat##*) } # the command name in parentheses may contain spaces
	read -r state ppid pgid _ <<<"$rest"
	{ mapfile -d '' args <"/proc/$1/cmdline"; } 2>/dev/null || true
	# The OAuth provider is started with -url-file DIR/oidc/url.
	if [[ " ${args[*]-} " == *" -c $DIR/dovecot/"* || " ${args[*]-} " == *" -c $DIR/postfix/"* ||
		" ${args[*]-} " == *" $DIR/oidc/"* ]]; then
		ours=1
		return 0
	fi
	for d in ${workdirs[@]+"${workdirs[@]}"}; do
		if [[ /proc/$1/cwd -ef $d ]]; then
			ours=1
			return 0
		fi
	done 2>/dev/null
	return 0
}

# Never signal ourselves or our callers (up.sh, a shell whose cwd is in DIR).
protected=" "
pid=$$
while [[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]] && inspect "$pid"; do
	protected+="$pid "
	pid=$ppid
done

# Master PIDs from the pid files. Both masters run in their own session, so
# each leads a process group that holds all of its children.
leaders=" "
for pidfile in "$DIR/dovecot/dovecot.pid" "$DIR/dovecot/run/master.pid" "$DIR/postfix/queue/pid/master.pid" \
	"$DIR/oidc/testoidc.pid"; do
	[[ -r $pidfile ]] || continue
	read -r pid _ <"$pidfile" || true
	[[ $pid =~ ^[0-9]+$ ]] || continue
	# Only trust a pid file if the process still looks like ours.
	inspect "$pid" && [[ $state != Z && -n $ours ]] && leaders+="$pid "
done
# Also masters found by their command line (pid files gone or never written).
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	[[ $protected != *" $pid "* && $leaders != *" $pid "* ]] || continue
	inspect "$pid" && [[ $state != Z && -n $ours && $pgid == "$pid" ]] && leaders+="$pid "
done

# remaining: print the live (non-zombie) processes of this environment:
# members of the masters' process groups and anything else referring to DIR.
remaining() {
	local p pid
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ $protected != *" $pid "* && $pid != "$BASHPID" ]] || continue
		inspect "$pid" || continue
		[[ $state != Z ]] || continue
		if [[ -n $ours || $leaders == *" $pgid "* ]]; then
			echo "$pid"
		fi
	done
	return 0
}

# wait_gone SECONDS: wait until no process of this environment is left.
wait_gone() {
	local deadline=$((SECONDS + $1))
	while [[ -n $(remaining) ]]; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

# reaped: wait (briefly) until the exited masters have been reaped by their
# parent (init, as up.sh has exited), so that no <defunct> entry is left for
# callers checking with ps/pgrep. Instant with a normal init.
reaped() {
	local pid deadline=$((SECONDS + 3))
	for pid in $leaders; do
		while [[ -e /proc/$pid ]] && ((SECONDS < deadline)); do
			sleep 0.05
		done
	done
	exit 0
}
trap reaped EXIT

[[ -n $(remaining) ]] || exit 0

# 1. SIGTERM to the masters only: each shuts its children down cleanly.
for pid in $leaders; do
	kill -TERM "$pid" 2>/dev/null || true
done
wait_gone $((STOP_TIMEOUT - 2)) && exit 0

# 2. SIGTERM to everything left (masters' groups, strays, orphans).
for pid in $leaders; do
	kill -TERM -- "-$pid" 2>/dev/null || true
done
for pid in $(remaining); do
	kill -TERM "$pid" 2>/dev/null || true
done
wait_gone 2 && exit 0

# 3. SIGKILL.
echo "testenv: processes in $DIR still running after ${STOP_TIMEOUT}s, killing them" >&2
for pid in $leaders; do
	kill -KILL -- "-$pid" 2>/dev/null || true
done
for pid in $(remaining); do
	kill -KILL "$pid" 2>/dev/null || true
done
wait_gone 2 || echo "testenv: could not stop: $(remaining | tr '\n' ' ')" >&2
exit 0
