#!/usr/bin/env python3
"""asyncpg as an oracle: does this driver connect and log in?

    python3 asyncpg_probe.py string CONNSTRING
    python3 asyncpg_probe.py verify-full HOST PORT CAFILE

Prints one JSON line; exit 0 connected, 1 refused or failed, 2 harness problem.
asyncpg comes from the interpreter's own site-packages (pip install asyncpg).
"""

import asyncio
import json
import os
import ssl
import sys

TIMEOUT_S = 10


def report(version, connected, error, tls):
    line = {
        "client": "asyncpg",
        "version": version,
        "connected": connected,
        "error": None if error is None else " ".join(str(error).split()),
        "tls": tls,
        "stack": f"Python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}",
    }
    print(json.dumps(line), flush=True)


def describe(exc):
    # The exception's type names the failure (SSLCertVerificationError, ...); keep it.
    return f"{type(exc).__name__}: {exc}"


def harness_problem(message, version=None):
    report(version, False, message, None)
    sys.exit(2)


def connect_arguments(args):
    if len(args) == 2 and args[0] == "string":
        return {"dsn": args[1]}
    if len(args) == 4 and args[0] == "verify-full":
        host, port, cafile = args[1:]
        if not port.isdigit():
            harness_problem(f"bad port: {port}")
        # The form asyncpg's documentation shows for verify-full: a context from
        # ssl.create_default_context with the CA file as its only root. Building it is the
        # user's program, so a missing file is a failure (exit 1): done in main's try.
        return {
            "host": host,
            "port": int(port),
            "user": "postgres",
            "database": "postgres",
            "ssl": lambda: ssl.create_default_context(cafile=cafile),
        }
    harness_problem("usage: asyncpg_probe.py string CONNSTRING | verify-full HOST PORT CAFILE")


class DialHostaddr(asyncio.SelectorEventLoop):
    """A harness hook like libpq's hostaddr (see README.md): every connection asyncpg opens
    goes to ROOTCERT_PROBE_HOSTADDR, while TLS still verifies the host it was given
    (asyncpg passes that host to start_tls as server_hostname)."""

    async def create_connection(self, protocol_factory, host=None, port=None, **kwargs):
        if host is not None and kwargs.get("sock") is None:
            if kwargs.get("ssl") and kwargs.get("server_hostname") is None:
                kwargs["server_hostname"] = host
            host = os.environ["ROOTCERT_PROBE_HOSTADDR"]
        return await super().create_connection(protocol_factory, host, port, **kwargs)


async def probe(asyncpg, kwargs):
    if callable(kwargs.get("ssl")):
        kwargs = dict(kwargs, ssl=kwargs["ssl"]())
    conn = await asyncpg.connect(timeout=TIMEOUT_S, **kwargs)
    try:
        return await conn.fetchval("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
    finally:
        await conn.close()


def main():
    kwargs = connect_arguments(sys.argv[1:])
    try:
        import asyncpg
    except ImportError as exc:
        harness_problem(f"cannot import asyncpg ({sys.executable}): {exc}")
    # The default user and database when the string names none, as for every runner.
    os.environ.setdefault("PGUSER", "postgres")
    os.environ.setdefault("PGDATABASE", "postgres")
    try:
        loop_factory = DialHostaddr if os.environ.get("ROOTCERT_PROBE_HOSTADDR") else None
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            tls = runner.run(asyncio.wait_for(probe(asyncpg, kwargs), TIMEOUT_S + 1))
    except asyncio.TimeoutError:
        report(asyncpg.__version__, False, f"no answer within {TIMEOUT_S} s", None)
        sys.exit(1)
    except Exception as exc:  # every driver failure is a verdict, not a crash
        report(asyncpg.__version__, False, describe(exc), None)
        sys.exit(1)
    report(asyncpg.__version__, True, None, tls)
    sys.exit(0)


if __name__ == "__main__":
    main()
