#!/usr/bin/env bash
# up.sh DIR — start a private test mail environment inside DIR.
#
# Starts, from configuration generated under DIR (never /etc/dovecot or
# /etc/postfix, never standard ports):
#   * Dovecot 2.3: IMAP+STARTTLS, IMAPS, LMTP, plus a SASL auth socket for Postfix
#   * Postfix 3.7: submission (STARTTLS + AUTH required) and submissions
#     (implicit TLS + AUTH required); mail for the test domain is delivered
#     into Dovecot over LMTP, mail for any other domain is discarded.
#   * the test OAuth/OIDC provider (backend/internal/testkit/testoidc/cmd/testoidc, rebuilt
#     only when its sources change): Dovecot's passdb oauth2 validates XOAUTH2
#     and OAUTHBEARER logins by introspecting its tokens; tests get tokens from it.
# Everything listens on 127.0.0.1 on free high ports picked at start-up, so
# several environments can run side by side.
#
# Returns once the IMAP greetings and SMTP banners have been received, after
# writing DIR/env.sh (export lines; source it). Stop with down.sh DIR.
#
# Needs root (Postfix's master daemon insists on it), the Debian packages
# dovecot-imapd dovecot-lmtpd postfix openssl, and Go.
set -euo pipefail

readonly TEST_DOMAIN=example.test
# Test accounts, "address:password". Passwords must not contain spaces or colons.
readonly TEST_USERS=(
	"alice@${TEST_DOMAIN}:secret-alice"
	"bob@${TEST_DOMAIN}:secret-bob"
	"carol@${TEST_DOMAIN}:secret-carol"
)
readonly MAIL_USER=mailtest # non-root owner of all mailboxes
readonly LOCK_FILE=/run/lock/mailroom-testenv.lock
readonly READY_TIMEOUT=15 # seconds

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
src=$(cd "$here/../.." && pwd -P) # the repository, for go build

log() { printf 'testenv: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

[[ $# -eq 1 ]] || {
	echo "usage: $0 DIR" >&2
	exit 2
}
[[ $EUID -eq 0 ]] || die "must run as root (Postfix's master daemon requires it)"
for cmd in dovecot postfix postconf openssl flock setsid timeout useradd; do
	command -v "$cmd" >/dev/null || die "$cmd not found; install: dovecot-imapd dovecot-lmtpd postfix openssl"
done
command -v go >/dev/null || die "go not found (needed to build the test OAuth provider)"
for acct in dovecot dovenull postfix; do
	id -u "$acct" >/dev/null 2>&1 || die "system user $acct missing (are the dovecot/postfix packages installed?)"
done
getent group postdrop >/dev/null || die "group postdrop missing (is postfix installed?)"

start_ns=$(date +%s%N)

mkdir -p "$1"
DIR=$(cd "$1" && pwd -P)
# The path ends up unquoted in Dovecot and Postfix configuration files.
[[ $DIR =~ ^/[A-Za-z0-9._/-]+$ ]] || die "DIR must be a plain path ([A-Za-z0-9._/-]): $DIR"
# Unix socket paths are limited to 107 bytes; the longest ones Dovecot creates
# (DIR/dovecot/run/token-login/imap-urlauth...) take about 40 bytes after DIR.
((${#DIR} <= 60)) || die "DIR path too long for unix sockets (max 60 chars): $DIR"
[[ -z $(ls -A "$DIR") ]] || die "DIR must be empty: $DIR"

# Stop whatever was started if we do not make it to the end.
ok=
build_pid=
on_exit() {
	[[ -n $ok ]] && return
	log "start-up failed; logs are in $DIR"
	[[ -z $build_pid ]] || kill "$build_pid" 2>/dev/null || true
	"$here/down.sh" "$DIR" >/dev/null 2>&1 || true
}
trap on_exit EXIT

# The OAuth provider's binary is cached under the repository's .cache/testenv,
# named after a hash of everything it is built from (it imports no other
# package of this repository), so it is built only when that changed: a build
# takes seconds on a busy machine, a cached start a tenth of one. A build runs
# while the rest is set up, outside the lock below (parallel start-ups would
# wait for it), into a temporary name renamed when complete.
oidc=$DIR/oidc
mkdir -p "$oidc"
oidc_cache=$src/.cache/testenv
oidc_key=$(
	cd "$src"
	{
		# The toolchain (cheaper than "go version"), the modules, the sources.
		stat -L -c '%n %s %Y' "$(command -v go)"
		cat go.mod go.sum
		find backend/internal/testkit/testoidc -name '*.go' -print0 | sort -z | xargs -0 cat
	} | sha256sum
)
oidc_bin=$oidc_cache/testoidc-${oidc_key:0:16}
if [[ ! -x $oidc_bin ]]; then
	mkdir -p "$oidc_cache"
	(
		cd "$src"
		go build -o "$oidc_bin.$$" ./backend/internal/testkit/testoidc/cmd/testoidc &&
			mv -f "$oidc_bin.$$" "$oidc_bin" &&
			find "$oidc_cache" -maxdepth 1 -name 'testoidc-*' ! -name "${oidc_bin##*/}*" -mmin +60 -delete
	) </dev/null >"$oidc/build.log" 2>&1 &
	build_pid=$!
fi

# Mail is owned by, and Postfix/Dovecot children run as, unprivileged users:
# every directory on the way to DIR must be traversable by them. mktemp -d
# and Go's t.TempDir() create 0700 directories, hence the chmod.
chmod 0755 "$DIR"
p=$(dirname "$DIR")
while [[ $p != / ]]; do
	[[ $(stat -c %A "$p") == ?????????[xt] ]] ||
		die "$p is not traversable by other users; choose a DIR under e.g. /tmp"
	p=$(dirname "$p")
done

# Serialize start-ups on this machine: from picking ports until the servers
# listen on them, and creating the mail user. The servers must not inherit
# the lock descriptor (fd 9), see "9>&-" below.
mkdir -p "$(dirname "$LOCK_FILE")"
exec 9>"$LOCK_FILE"
flock -w 60 9 || die "timed out waiting for $LOCK_FILE"

if ! id -u "$MAIL_USER" >/dev/null 2>&1; then
	log "creating system user $MAIL_USER"
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --comment "Mailroom test mail owner" "$MAIL_USER"
fi
mail_uid=$(id -u "$MAIL_USER")
mail_gid=$(id -g "$MAIL_USER")

# --- ports ------------------------------------------------------------------
# Pick random ports below the kernel's ephemeral range that nothing on this
# machine uses (listening or connected), according to /proc/net/tcp{,6}.
declare -A used=()
for f in /proc/net/tcp /proc/net/tcp6; do
	[[ -r $f ]] || continue
	while read -r _ local _; do
		[[ $local == *:* ]] || continue # header line
		used[$((16#${local##*:}))]=1
	done <"$f"
done
pick_port() { # VAR: store a free port in VAR
	local port
	while :; do
		port=$((20000 + RANDOM % 12000)) # 20000-31999, below 32768
		[[ -z ${used[$port]:-} ]] && break
	done
	used[$port]=1
	printf -v "$1" '%s' "$port"
}
pick_port imap_port
pick_port imaps_port
pick_port lmtp_port
pick_port smtp_port
pick_port smtps_port
pick_port smtp_notls_port
pick_port oidc_port

# start_oidc: start the OAuth provider (after its build, if one runs), in its
# own session like the servers. Its -url-file argument names DIR/oidc/, which
# is how down.sh recognises it. Dovecot asks it only when someone logs in with
# a token, so it may start before or after Dovecot.
oidc_pid=
start_oidc() {
	if [[ -n $build_pid ]]; then
		wait "$build_pid" || die "go build of the test OAuth provider failed: $(tail -n 20 "$oidc/build.log")"
		build_pid=
	fi
	setsid "$oidc_bin" -addr "127.0.0.1:$oidc_port" -url-file "$oidc/url" \
		-email "${TEST_USERS[0]%%:*}" </dev/null >"$oidc/testoidc.log" 2>&1 9>&- &
	oidc_pid=$!
	echo "$oidc_pid" >"$oidc/testoidc.pid"
}
# A cached binary starts now, in parallel with the rest; a build is given until
# the servers have started.
[[ -n $build_pid ]] || start_oidc

# --- TLS --------------------------------------------------------------------
# One self-signed certificate for every service. It is marked as a CA so that
# clients (Go's crypto/x509 in particular) can use it directly as a trust root.
mkdir -p "$DIR/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 3650 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,digitalSignature,keyCertSign" \
	-addext "extendedKeyUsage=serverAuth" \
	-keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" 2>"$DIR/tls/openssl.log" ||
	die "openssl failed: $(cat "$DIR/tls/openssl.log")"
chmod 0600 "$DIR/tls/key.pem" # both servers read it while still root
chmod 0644 "$DIR/tls/cert.pem"

oidc_url=http://127.0.0.1:$oidc_port

# --- Dovecot ----------------------------------------------------------------
dc=$DIR/dovecot
mkdir -p "$dc" "$dc/state"
install -d -o "$mail_uid" -g "$mail_gid" -m 0750 "$DIR/mail"

: >"$dc/users"
for entry in "${TEST_USERS[@]}"; do
	user=${entry%%:*} pass=${entry#*:}
	# passwd-file: user:password:uid:gid:gecos:home:shell:extra_fields
	printf '%s:{PLAIN}%s::::::\n' "$user" "$pass" >>"$dc/users"
	install -d -o "$mail_uid" -g "$mail_gid" -m 0700 "$DIR/mail/$user"
done
chown root:dovecot "$dc/users"
chmod 0640 "$dc/users"

dh_setting=
[[ -r /usr/share/dovecot/dh.pem ]] && dh_setting="ssl_dh = </usr/share/dovecot/dh.pem"

cat >"$dc/dovecot.conf" <<EOF
# Generated by scripts/testenv/up.sh — private test instance, do not edit.
instance_name = mailroom-test-$imap_port
base_dir = $dc/run
state_dir = $dc/state
log_path = $dc/dovecot.log
info_log_path = $dc/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
auth_verbose = yes

protocols = imap lmtp
listen = 127.0.0.1
hostname = localhost
postmaster_address = postmaster@$TEST_DOMAIN

ssl = yes
ssl_cert = <$DIR/tls/cert.pem
ssl_key = <$DIR/tls/key.pem
ssl_min_protocol = TLSv1.2
$dh_setting

disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
auth_username_format = %Lu

default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
first_valid_gid = $mail_gid
last_valid_gid = $mail_gid

# Bearer tokens are checked by the test OAuth provider (RFC 7662 introspection),
# passwords by the passwd-file. Each passdb is restricted to its mechanisms so
# that neither sees the other's secrets: without that, a refused token would fall
# through to the passwd-file and be compared with the password.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dc/dovecot-oauth2.conf.ext
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $dc/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dc/users
  default_fields = uid=$mail_uid gid=$mail_gid home=$DIR/mail/%u
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  prefix =
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

# Connections from 127.0.0.3 are offered no TLS at all: a real IMAP server without
# STARTTLS, for the tests that prove Mailroom then refuses rather than send a password
# in the clear (127.0.0.3 is not "secured" loopback to Dovecot, so LOGINDISABLED too).
remote 127.0.0.3 {
  ssl = no
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
# No growing delays after repeated failed logins from 127.0.0.1 (wrong-password
# tests); a failure is still answered on Dovecot's 500 ms failure tick.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  # SASL for the private Postfix (smtpd_sasl_path points here).
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
EOF

# passdb oauth2: POST token=... to the provider; the token is valid when the
# answer has "active": true, and only for the account named in its "username"
# (Dovecot compares it with the login name: another account's token is refused).
cat >"$dc/dovecot-oauth2.conf.ext" <<EOF
# Generated by scripts/testenv/up.sh — private test instance, do not edit.
introspection_mode = post
introspection_url = $oidc_url/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
EOF

dovecot -n -c "$dc/dovecot.conf" >"$dc/config-check.log" 2>&1 ||
	die "invalid Dovecot configuration: $(cat "$dc/config-check.log")"

# Foreground master in its own session (and process group), so that down.sh
# can signal the whole tree.
setsid dovecot -F -c "$dc/dovecot.conf" </dev/null >"$dc/stderr.log" 2>&1 9>&- &
dovecot_pid=$!
echo "$dovecot_pid" >"$dc/dovecot.pid"

# --- Postfix ----------------------------------------------------------------
pf=$DIR/postfix
mkdir -p "$pf/etc"
install -d -o postfix -g postfix -m 0700 "$pf/data"
# Create the queue directory tree as listed in Postfix's own postfix-files
# (what "postfix start" would do through its slower installation checks).
meta_dir=$(postconf -dh meta_directory)
daemon_dir=$(postconf -dh daemon_directory)
while IFS=: read -r path type owner group mode _; do
	[[ $type == d && $path == '$queue_directory'* ]] || continue
	owner=${owner//'$mail_owner'/postfix}
	group=${group//'$setgid_group'/postdrop}
	[[ $group == - ]] && group=root
	install -d -o "$owner" -g "$group" -m "$mode" "$pf/queue${path#'$queue_directory'}"
done <"$meta_dir/postfix-files"
[[ -d $pf/queue/pid && -d $pf/queue/private && -d $pf/queue/maildrop ]] ||
	die "could not create the Postfix queue directories from $meta_dir/postfix-files"
: >"$pf/postfix.log"

# Valid recipients of the test domain (texthash: needs no postmap), plus the
# pattern of the accounts that tests add while the servers run (NewUser in
# backend/internal/testkit/testenv appends them to Dovecot's passwd-file, which Dovecot rereads).
for entry in "${TEST_USERS[@]}"; do
	printf '%s OK\n' "${entry%%:*}"
done >"$pf/etc/virtual_mailboxes"
printf '/^tmp-[0-9a-f]+@%s$/ OK\n' "${TEST_DOMAIN//./\\.}" >"$pf/etc/virtual_mailboxes_added"

cat >"$pf/etc/main.cf" <<EOF
# Generated by scripts/testenv/up.sh — private test instance, do not edit.
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = mailroom-test/postfix
maillog_file = $pf/postfix.log
maillog_file_prefixes = $pf

myhostname = mail.$TEST_DOMAIN
mydomain = $TEST_DOMAIN
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_banner = \$myhostname ESMTP Mailroom test server
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:local delivery is disabled
relayhost =

# Only the test domain exists; it is delivered into Dovecot over LMTP/TCP.
# user+tag@ goes to user's INBOX.
recipient_delimiter = +
virtual_mailbox_domains = $TEST_DOMAIN
virtual_mailbox_maps = texthash:$pf/etc/virtual_mailboxes, regexp:$pf/etc/virtual_mailboxes_added
virtual_transport = lmtp:inet:127.0.0.1:$lmtp_port
virtual_alias_maps =
# Authenticated users may send anywhere, but nothing leaves this machine.
default_transport = discard:the test environment does not deliver outside $TEST_DOMAIN
relay_transport = \$default_transport

# Submission only: every message needs TLS and SASL authentication.
smtpd_tls_chain_files = $DIR/tls/key.pem, $DIR/tls/cert.pem
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dc/run/auth-postfix
smtpd_sasl_authenticated_header = yes
smtpd_client_restrictions = permit_sasl_authenticated, reject
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtp_tls_security_level = none
lmtp_tls_security_level = none
in_flow_delay = 0

# Retry quickly when Dovecot is briefly unavailable; give up after an hour.
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0
EOF

# Nothing runs chrooted: the queue directory is private to this instance.
cat >"$pf/etc/master.cf" <<EOF
# Generated by scripts/testenv/up.sh — private test instance, do not edit.
# service          type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$smtp_port  inet  n       -       n       -       -       smtpd
  -o syslog_name=mailroom-test/submission
127.0.0.1:$smtps_port  inet  n       -       n       -       -       smtpd
  -o syslog_name=mailroom-test/submissions
  -o smtpd_tls_wrappermode=yes
127.0.0.1:$smtp_notls_port  inet  n       -       n       -       -       smtpd
  -o syslog_name=mailroom-test/no-tls
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
lmtp       unix  -       -       n       -       -       lmtp
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF

# Postfix lets a configuration file "cool down" (waits up to ~2 s) when its
# mtime is within the last second or so; these files are complete already.
touch -d '-1 minute' "$pf/etc/main.cf" "$pf/etc/master.cf" "$pf/etc/virtual_mailboxes"*

# Start the master daemon directly, as "postfix start" does after its
# installation checks (which cost about a second). With -w the master detaches
# into its own session (and process group) and we return once it has
# initialized.
"$daemon_dir/master" -c "$pf/etc" -w </dev/null >"$pf/start.log" 2>&1 9>&- ||
	die "Postfix master failed to start: $(cat "$pf/start.log")"
read -r postfix_pid <"$pf/queue/pid/master.pid"

# --- OAuth provider ---------------------------------------------------------
[[ -n $oidc_pid ]] || start_oidc

# --- readiness ----------------------------------------------------------------
# Read the first line a plain-text server sends (greeting or banner).
plain_greeting() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && IFS= read -r line <&3 && printf "%s\n" "$line"' _ "$1" 2>/dev/null
}
# Same over implicit TLS, verifying the certificate against our CA.
tls_greeting() {
	printf '%s\r\n' "$2" |
		timeout 3 openssl s_client -quiet -connect "127.0.0.1:$1" -verify_return_error \
			-CAfile "$DIR/tls/cert.pem" -verify_hostname localhost 2>/dev/null | head -n 1 || true
}
# running PID: true if the process exists and is not a zombie.
running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}
# servers_alive: fail at once if a master daemon died during start-up.
servers_alive() {
	running "$dovecot_pid" ||
		die "Dovecot exited during start-up (see $dc/dovecot.log and $dc/stderr.log)"
	running "$postfix_pid" ||
		die "Postfix exited during start-up (see $pf/postfix.log)"
	running "$oidc_pid" ||
		die "the test OAuth provider exited during start-up (see $oidc/testoidc.log)"
}
# oidc_url_written: print the provider's URL once it listens (it writes the file then).
oidc_url_written() {
	[[ -s $oidc/url ]] && cat "$oidc/url"
	return 0
}
# await_greeting DESCRIPTION PREFIX COMMAND [ARGS...]: retry COMMAND until it
# prints a greeting, which must start with PREFIX.
await_greeting() {
	local what=$1 prefix=$2 deadline=$((SECONDS + READY_TIMEOUT)) out
	shift 2
	while :; do
		out=$("$@") || out=
		[[ -n $out ]] && break
		servers_alive
		((SECONDS < deadline)) || die "$what not ready after ${READY_TIMEOUT}s"
		sleep 0.05
	done
	[[ $out == "$prefix"* ]] || die "unexpected $what greeting: $out"
}
await_greeting "Dovecot IMAP" '* OK' plain_greeting "$imap_port"
await_greeting "Dovecot IMAPS" '* OK' tls_greeting "$imaps_port" "a LOGOUT"
await_greeting "Dovecot LMTP" '220 ' plain_greeting "$lmtp_port"
await_greeting "Postfix submission" '220 ' plain_greeting "$smtp_port"
await_greeting "Postfix submissions" '220 ' tls_greeting "$smtps_port" "QUIT"
await_greeting "Postfix without TLS" '220 ' plain_greeting "$smtp_notls_port"
await_greeting "test OAuth provider" "$oidc_url" oidc_url_written

exec 9>&- # release the start-up lock

# --- env.sh -------------------------------------------------------------------
users_var=${TEST_USERS[*]}
first=${TEST_USERS[0]}
cat >"$DIR/env.sh" <<EOF
# Test mail environment started by scripts/testenv/up.sh; source this file.
export MAILROOM_TEST_DIR=$DIR
export MAILROOM_TEST_IMAP_ADDR=127.0.0.1:$imap_port
export MAILROOM_TEST_IMAPS_ADDR=127.0.0.1:$imaps_port
export MAILROOM_TEST_LMTP_ADDR=127.0.0.1:$lmtp_port
export MAILROOM_TEST_SMTP_ADDR=127.0.0.1:$smtp_port
export MAILROOM_TEST_SMTPS_ADDR=127.0.0.1:$smtps_port
export MAILROOM_TEST_SMTP_NOTLS_ADDR=127.0.0.1:$smtp_notls_port
export MAILROOM_TEST_IMAP_NOTLS_FROM=127.0.0.3
export MAILROOM_TEST_CA=$DIR/tls/cert.pem
export MAILROOM_TEST_DOMAIN=$TEST_DOMAIN
# Space-separated "address:password" pairs; the first is also in USER/PASSWORD.
export MAILROOM_TEST_USERS='$users_var'
export MAILROOM_TEST_USER=${first%%:*}
export MAILROOM_TEST_PASSWORD=${first#*:}
# For tests that fill mailboxes directly: DIR/mail/<address>/Maildir, owned by uid:gid.
export MAILROOM_TEST_MAIL_DIR=$DIR/mail
export MAILROOM_TEST_MAIL_UID=$mail_uid
export MAILROOM_TEST_MAIL_GID=$mail_gid
export MAILROOM_TEST_DOVECOT_CONF=$dc/dovecot.conf
# Dovecot's passwd-file; tests may append accounts named tmp-<hex>@$TEST_DOMAIN.
export MAILROOM_TEST_PASSWD_FILE=$dc/users
# The test OAuth/OIDC provider (backend/internal/testkit/testoidc). Dovecot accepts XOAUTH2 and
# OAUTHBEARER with its access tokens; POST username=<address> to
# \$MAILROOM_TEST_OIDC_URL/testing/mint for one.
export MAILROOM_TEST_OIDC_URL=$oidc_url
EOF

ok=1
log "ready in $((($(date +%s%N) - start_ns) / 1000000)) ms: IMAP $imap_port, IMAPS $imaps_port, LMTP $lmtp_port, SMTP $smtp_port, SMTPS $smtps_port, OAuth $oidc_port ($DIR)"
