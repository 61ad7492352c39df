#!/bin/sh
# sandbox.sh HOSTS_FILE PROGRAM [ARGS...]
#
# Runs PROGRAM (as root) in a private mount namespace where
#  - /etc/hosts is HOSTS_FILE, so a case's host names reach the local server;
#  - /etc/resolv.conf names only 127.0.0.1, so a name missing from HOSTS_FILE fails here
#    instead of becoming a DNS query to some other machine;
#  - /etc/passwd gives the current user the home directory $HOME: pgx (Go's os/user) and
#    other getpwuid readers take "home" from there, not from the HOME variable.
# Exits with PROGRAM's status.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 HOSTS_FILE PROGRAM [ARGS...]" >&2; exit 2; }
hosts=$1
shift
: "${HOME:?HOME must be set}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "nameserver 127.0.0.1" >"$scratch/resolv.conf"
uid=$(id -u)
awk -F: -v OFS=: -v uid="$uid" -v home="$HOME" '$3 == uid { $6 = home } { print }' \
  /etc/passwd >"$scratch/passwd"
status=0
unshare -m sh -c '
  mount --bind "$1" /etc/hosts && mount --bind "$2/resolv.conf" /etc/resolv.conf &&
    mount --bind "$2/passwd" /etc/passwd && shift 2 && exec "$@"' \
  sandbox "$hosts" "$scratch" "$@" || status=$?
exit "$status"
