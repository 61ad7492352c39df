#!/usr/bin/env python3
"""psycopg 3 as an oracle: does this driver connect and log in?

    python3 psycopg_probe.py string CONNSTRING
    python3 psycopg_probe.py verify-full HOST PORT CAFILE

Prints one JSON line; exit 0 connected, 1 refused or failed, 2 harness problem.
psycopg comes from the interpreter's own site-packages: pip install 'psycopg[binary]', whose
wheel bundles its own libpq and OpenSSL (the "stack" field names them).
"""

import json
import os
import sys

TIMEOUT_S = 10


def stack(psycopg):
    if psycopg is None:
        return None
    pq = psycopg.pq
    v = pq.version()
    return f"libpq {v // 10000}.{v % 10000} ({pq.__impl__}), {bundled_openssl()}"


def bundled_openssl():
    """The OpenSSL inside the binary wheel (psycopg_binary.libs), which libpq uses."""
    import ctypes
    import glob

    try:
        import psycopg_binary
    except ImportError:
        return "system OpenSSL"
    libs = os.path.join(os.path.dirname(os.path.dirname(psycopg_binary.__file__)),
                        "psycopg_binary.libs")
    for path in glob.glob(os.path.join(libs, "libcrypto*.so*")):
        try:
            version = ctypes.CDLL(path).OpenSSL_version
        except (OSError, AttributeError):
            continue
        version.restype = ctypes.c_char_p
        return version(0).decode()
    return "unknown OpenSSL"


def report(psycopg, connected, error, tls):
    line = {
        "client": "psycopg",
        "version": None if psycopg is None else psycopg.__version__,
        "connected": connected,
        "error": None if error is None else " ".join(str(error).split()),
        "tls": tls,
        "stack": stack(psycopg),
    }
    print(json.dumps(line), flush=True)


def harness_problem(message, psycopg=None):
    report(psycopg, False, message, None)
    sys.exit(2)


def connect_arguments(args):
    if len(args) == 2 and args[0] == "string":
        return (args[1],), {}
    if len(args) == 4 and args[0] == "verify-full":
        host, port, cafile = args[1:]
        if not port.isdigit():
            harness_problem(f"bad port: {port}")
        # The keyword form psycopg's documentation shows; libpq reads the CA file itself.
        return (), {
            "host": host,
            "port": int(port),
            "dbname": "postgres",
            "user": "postgres",
            "sslmode": "verify-full",
            "sslrootcert": cafile,
        }
    harness_problem("usage: psycopg_probe.py string CONNSTRING | verify-full HOST PORT CAFILE")


def main():
    args, kwargs = connect_arguments(sys.argv[1:])
    try:
        import psycopg
    except ImportError as exc:
        harness_problem(f"cannot import psycopg ({sys.executable}): {exc}")
    # Defaults when the string names none; libpq and psycopg read these, the string wins.
    os.environ.setdefault("PGUSER", "postgres")
    os.environ.setdefault("PGDATABASE", "postgres")
    os.environ.setdefault("PGCONNECT_TIMEOUT", str(TIMEOUT_S))
    # A harness hook (see README.md), which here is libpq's own hostaddr keyword.
    if os.environ.get("ROOTCERT_PROBE_HOSTADDR"):
        kwargs["hostaddr"] = os.environ["ROOTCERT_PROBE_HOSTADDR"]
    try:
        with psycopg.connect(*args, **kwargs) as conn:
            row = conn.execute("select ssl from pg_stat_ssl where pid = pg_backend_pid()").fetchone()
    except Exception as exc:  # every driver failure is a verdict, not a crash
        report(psycopg, False, f"{type(exc).__name__}: {exc}", None)
        sys.exit(1)
    report(psycopg, True, None, None if row is None else bool(row[0]))
    sys.exit(0)


if __name__ == "__main__":
    main()
