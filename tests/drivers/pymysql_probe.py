#!/usr/bin/env python3
"""PyMySQL behind the drivers' runner contract (tests/drivers/README.md).

    pymysql_probe.py string URL                   URL mapped to connect() keywords (below)
    pymysql_probe.py verify-full HOST PORT CAFILE ssl_ca, ssl_verify_cert, ssl_verify_identity
    pymysql_probe.py verify-ca HOST PORT CAFILE   ssl_ca, ssl_verify_cert=True

PyMySQL reads no URL. The runner's convention for `string`:
mysql://[user[:password]@]host[:port][/database][?options], user `probe` when absent;
each option becomes connect() keywords:
  ssl-mode=DISABLED          ssl_disabled=True
  ssl-mode=PREFERRED         nothing (PyMySQL's default: TLS when offered, unverified)
  ssl-mode=REQUIRED          ssl_verify_cert=False (alone it adds nothing: see the docs)
  ssl-mode=VERIFY_CA         ssl_verify_cert=True
  ssl-mode=VERIFY_IDENTITY   ssl_verify_cert=True, ssl_verify_identity=True
  ssl-ca=FILE                ssl_ca=FILE
  ssl-verify-server-cert     ssl_verify_identity=True (the mariadb client's option)
  ssl_ca, ssl_verify_cert, ssl_verify_identity, ssl_disabled   passed as they are
  ssl=JSON                   ssl=<that dict> (the older dict form)
  read_default_file=PATH     read_default_file=PATH (an option file; `~` is PyMySQL's to expand)
ssl_mode and sslMode are read as ssl-mode. Any other option is a harness error (exit 2).
One JSON line on stdout; exit 0 connected, 1 refused or failed, 2 harness problem.
"""

import json
import re
import sys
import warnings
from urllib.parse import parse_qsl, unquote, urlsplit

# Warnings the driver emits (DeprecationWarning included) reach stderr untouched.
warnings.simplefilter("default")

VERSION = None


def report(connected, error, code, tls=None):
    if error is not None:
        error = re.sub(r"\s*[\r\n]+\s*", " ", str(error))
    line = {
        "client": "pymysql",
        "version": VERSION,
        "connected": connected,
        "error": error,
        "tls": tls,
    }
    print(json.dumps(line), flush=True)
    sys.exit(code)


try:
    import pymysql
    from importlib.metadata import version

    # pymysql.__version__ is the MySQLdb-compatible "2.2.x"; the package's is the real one.
    VERSION = version("PyMySQL")
except Exception as e:  # noqa: BLE001 - any import problem is the harness's
    report(False, f"PyMySQL not found: {e}", 2)

BOOL = {"1": True, "true": True, "on": True, "yes": True, "": True,
        "0": False, "false": False, "off": False, "no": False}
MODES = {
    "DISABLED": {"ssl_disabled": True},
    "PREFERRED": {},
    "REQUIRED": {"ssl_verify_cert": False},
    "VERIFY_CA": {"ssl_verify_cert": True},
    "VERIFY_IDENTITY": {"ssl_verify_cert": True, "ssl_verify_identity": True},
}


def from_url(raw):
    url = urlsplit(raw)
    if url.scheme not in ("mysql", "mariadb") or not url.hostname:
        raise ValueError("expected mysql://[user@]host[:port][/db][?options]")
    kwargs = {
        "host": url.hostname,
        "port": url.port or 3306,
        "user": unquote(url.username) if url.username else "probe",
        "password": unquote(url.password) if url.password else "",
    }
    if url.path.strip("/"):
        kwargs["database"] = unquote(url.path.lstrip("/"))
    for key, value in parse_qsl(url.query, keep_blank_values=True):
        if key in ("ssl-mode", "ssl_mode", "sslMode"):
            if value.upper() not in MODES:
                raise ValueError(f"unknown ssl-mode {value!r}")
            kwargs.update(MODES[value.upper()])
        elif key in ("ssl-ca", "ssl_ca"):
            kwargs["ssl_ca"] = value
        elif key == "ssl-verify-server-cert":
            kwargs["ssl_verify_identity"] = BOOL[value.lower()]
        elif key in ("ssl_verify_cert", "ssl_verify_identity", "ssl_disabled"):
            kwargs[key] = BOOL[value.lower()]
        elif key == "ssl":
            kwargs["ssl"] = json.loads(value)
        elif key == "read_default_file":
            kwargs[key] = value
        else:
            raise ValueError(f"option {key!r} has no PyMySQL keyword in this runner")
    return kwargs


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "string":
        try:
            kwargs = from_url(args[1])
        except (ValueError, KeyError) as e:
            report(False, f"bad URL: {e}", 2)
    elif len(args) == 4 and args[0] in ("verify-full", "verify-ca"):
        kwargs = {
            "host": args[1],
            "port": int(args[2]),
            "user": "probe",
            "password": "",
            "ssl_ca": args[3],
            "ssl_verify_cert": True,
        }
        if args[0] == "verify-full":
            kwargs["ssl_verify_identity"] = True
    else:
        report(False, "usage: pymysql_probe.py string URL | verify-full|verify-ca HOST PORT CAFILE", 2)
    kwargs.update(connect_timeout=10, read_timeout=10, write_timeout=10)
    try:
        conn = pymysql.connect(**kwargs)
        with conn.cursor() as cur:
            cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            row = cur.fetchone()
        conn.close()
    except Exception as e:  # noqa: BLE001 - every driver error is a refusal
        report(False, e, 1)
    report(True, None, 0, row[1] if row and row[1] else None)


main()
