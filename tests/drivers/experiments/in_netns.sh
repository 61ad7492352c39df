#!/bin/sh
# in_netns.sh HOSTS COMMAND...: COMMAND in private mount and network namespaces, with HOSTS
# bind-mounted over /etc/hosts and loopback up. 10.0.0.5 is added to lo so that a client can
# reach a server at an address other than 127.0.0.1 (the matrix's "IP SAN holding 10.0.0.5"
# case: MySQL clients have no libpq-style hostaddr). Nothing leaves the namespace.
# Must run as root.
[ $# -ge 2 ] || { echo "usage: $0 HOSTS COMMAND..." >&2; exit 2; }
exec unshare -m -n sh -c 'ip link set lo up && ip addr add 10.0.0.5/32 dev lo &&
  mount --bind "$0" /etc/hosts && exec "$@"' "$@"
