#!/bin/sh
# The mariadb command-line client behind the drivers' runner contract (tests/drivers/README.md):
#   mariadb_probe.sh string URL                   mariadb://[user[:password]@]host[:port][/db][?opts]
#   mariadb_probe.sh verify-full HOST PORT CAFILE --ssl --ssl-ca=CAFILE --ssl-verify-server-cert
#   mariadb_probe.sh verify-ca HOST PORT CAFILE   --ssl --ssl-ca=CAFILE
# In a URL each option is one of the client's long options: `a=b` becomes --a=b and a bare
# `a` becomes --a (ssl-ca=F, ssl-verify-server-cert, skip-ssl, ...); values are
# percent-decoded. User `probe` when the URL names none; the password goes through
# MYSQL_PWD, never the command line. No --no-defaults: ~/.my.cnf (from HOME) is read, as
# the client reads it for a user.
# One JSON line on stdout; exit 0 connected, 1 refused or failed, 2 harness problem. The
# client's stderr (warnings and the error) is passed on untouched.

client=${ROOTCERT_MARIADB:-mariadb}

json_str() {
  if [ -z "$1" ]; then printf 'null'; return; fi
  printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\010\013-\037' | tr '\n\t' '  ' \
    | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

version=
if command -v "$client" >/dev/null 2>&1; then
  # "mariadb  Ver 15.1 Distrib 10.11.19-MariaDB, for ..." -> 10.11.19
  version=$("$client" --version 2>/dev/null | sed -n 's/.*Distrib \([0-9.]*\).*/\1/p')
fi

report() { # connected error code [tls]
  printf '{"client":"mariadb","version":%s,"connected":%s,"error":%s,"tls":%s}\n' \
    "$(json_str "$version")" "$1" "$(json_str "$2")" "$(json_str "$4")"
  exit "$3"
}

[ -n "$version" ] || report false "the mariadb client ($client) was not found" 2

decode() {
  printf '%b' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')"
}

user=probe
password=
set_opts=
case "$1:$#" in
  string:2)
    url=$2
    case $url in
      mysql://* | mariadb://*) rest=${url#*://} ;;
      *) report false "expected mariadb://[user@]host[:port][/db][?options]" 2 ;;
    esac
    query=
    case $rest in *\?*) query=${rest#*\?}; rest=${rest%%\?*} ;; esac
    authority=${rest%%/*}
    database=
    case $rest in */*) database=$(decode "${rest#*/}") ;; esac
    case $authority in
      *@*)
        userinfo=${authority%@*}
        authority=${authority##*@}
        [ -n "${userinfo%%:*}" ] && user=$(decode "${userinfo%%:*}")
        case $userinfo in *:*) password=$(decode "${userinfo#*:}") ;; esac
        ;;
    esac
    port=3306
    case $authority in
      \[*\]*) host=${authority#\[}; host=${host%%\]*}; p=${authority##*\]}; [ -n "${p#:}" ] && port=${p#:} ;;
      *:*) host=${authority%%:*}; port=${authority##*:} ;;
      *) host=$authority ;;
    esac
    [ -n "$host" ] || report false "the URL names no host" 2
    set -- --protocol=tcp -h "$host" -P "$port"
    [ -n "$database" ] && set -- "$@" -D "$database"
    oldifs=$IFS
    IFS='&'
    for opt in $query; do
      IFS=$oldifs
      [ -n "$opt" ] || continue
      case $opt in
        *=*) set -- "$@" "--${opt%%=*}=$(decode "${opt#*=}")" ;;
        *) set -- "$@" "--$opt" ;;
      esac
    done
    IFS=$oldifs
    ;;
  verify-full:4 | verify-ca:4)
    mode=$1
    set -- --protocol=tcp -h "$2" -P "$3" --ssl "--ssl-ca=$4"
    [ "$mode" = verify-full ] && set -- "$@" --ssl-verify-server-cert
    ;;
  *) report false "usage: mariadb_probe.sh string URL | verify-full|verify-ca HOST PORT CAFILE" 2 ;;
esac

errfile=$(mktemp) || report false "mktemp failed" 2
trap 'rm -f "$errfile"' EXIT
# MYSQL_PWD, even empty, keeps the client from asking for a password.
out=$(MYSQL_PWD=$password timeout 10 "$client" "$@" -u "$user" --connect-timeout=10 -N -B \
  -e "SHOW SESSION STATUS LIKE 'Ssl_cipher'" 2>"$errfile")
status=$?
cat "$errfile" >&2
[ $status -eq 124 ] && report false "timed out after 10 s" 1
if [ $status -ne 0 ]; then
  message=$(grep '^ERROR' "$errfile" | tail -n 1)
  [ -n "$message" ] || message=$(tail -n 1 "$errfile")
  report false "${message:-exit status $status}" 1
fi
report true "" 0 "$(printf '%s' "$out" | cut -f2)"
