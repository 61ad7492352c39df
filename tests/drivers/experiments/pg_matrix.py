#!/usr/bin/env python3
"""Runs psql and driver runners on every case of a matrix dump against one PostgreSQL.

usage: pg_matrix.py DUMP_DIR PGDATA PORT OUT.json RUNNER_NAME=COMMAND...

For each case directory (name, host, chain.pem, key.pem, trust) it installs the chain and
key in PGDATA, reloads, waits until the server sends the new leaf, then runs psql
(verify-full, hostaddr=127.0.0.1) and each runner (`COMMAND verify-full HOST PORT TRUST`)
through sandbox.sh with a hosts file mapping every case's names to 127.0.0.1. A host that
is an IP address not on this machine is reached with ROOTCERT_PROBE_HOSTADDR=127.0.0.1.
Runs as root (pg_ctl as the postgres user, sandbox.sh); PGDATA is a PostgreSQL 15 data
directory with ssl on, served by the server the caller started. MATRIX_ONLY=00,12 picks
cases; MATRIX_TMP sets where temporary homes and the hosts file go.
"""
import ipaddress, json, os, shlex, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = os.path.join(HERE, "..", "sandbox.sh")
PG_BIN = "/usr/lib/postgresql/15/bin"


def sh(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def fingerprint(pem_text):
    return sh(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem_text).stdout


def served(port):
    # Security level 0: s_client must accept the weak certificates some cases serve.
    out = subprocess.run(["openssl", "s_client", "-starttls", "postgres", "-connect",
                          f"127.0.0.1:{port}", "-cipher", "DEFAULT:@SECLEVEL=0"],
                         input=b"", capture_output=True, timeout=10).stdout
    return fingerprint(out.decode("latin-1"))


def serve(case, pgdata, port):
    for src, dst, mode in (("key.pem", "server.key", 0o600), ("chain.pem", "server.crt", 0o644)):
        with open(os.path.join(case, src), "rb") as f:
            data = f.read()
        path = os.path.join(pgdata, dst)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        subprocess.run(["chown", "postgres:postgres", path], check=True)
    subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", pgdata,
                    "reload"], check=True, capture_output=True)
    want = fingerprint(open(os.path.join(case, "chain.pem")).read())
    for _ in range(100):
        if served(port) == want:
            return
        time.sleep(0.1)
    raise SystemExit(f"server did not pick up {case}")


def psql(host, port, trust, home):
    conninfo = (f"sslmode=verify-full sslrootcert='{trust}' host='{host}' hostaddr=127.0.0.1 "
                f"port={port} dbname=postgres user=postgres connect_timeout=10")
    out = sh(["psql", conninfo, "-X", "-A", "-t", "-c", "select 1"],
             env={"PATH": os.environ["PATH"], "HOME": home})
    ok = out.returncode == 0 and out.stdout.strip() == "1"
    return {"connected": ok, "error": None if ok else " ".join(out.stderr.split())}


def local(host):
    """Whether the host reaches this machine without ROOTCERT_PROBE_HOSTADDR."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return not _is_ip(host) or host.startswith("127.")


def run(command, host, port, trust, hosts, home):
    env = dict(os.environ, HOME=home)
    if not local(host):
        env["ROOTCERT_PROBE_HOSTADDR"] = "127.0.0.1"
    out = sh([SANDBOX, hosts] + shlex.split(command) + ["verify-full", host, str(port), trust],
             env=env, timeout=60)
    try:
        verdict = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        verdict = {"connected": None, "error": f"no JSON (exit {out.returncode}): {out.stdout!r}"}
    verdict["exit"] = out.returncode
    verdict["stderr"] = out.stderr.strip()
    return verdict


def main():
    dump, pgdata, port, out_path = sys.argv[1:5]
    runners = dict(arg.split("=", 1) for arg in sys.argv[5:])
    cases = sorted(d for d in os.listdir(dump) if os.path.isdir(os.path.join(dump, d)))
    only = os.environ.get("MATRIX_ONLY")
    if only:
        cases = [c for c in cases if c in only.split(",")]
    work = tempfile.mkdtemp(prefix="matrix-", dir=os.environ.get("MATRIX_TMP"))
    os.chmod(work, 0o755)
    names = {open(os.path.join(dump, c, "host")).read().strip() for c in cases}
    hosts = os.path.join(work, "hosts")
    with open(hosts, "w") as f:
        # Every case's name as written (a trailing dot too, so that the case measures the
        # name check rather than the resolver), and no address forms such as 127.1.
        f.write("127.0.0.1 " + " ".join(sorted({m for n in names if not _is_ip(n)
                                                 for m in (n, n.rstrip("."))})) + "\n")
    results = []
    for c in cases:
        case = os.path.join(dump, c)
        name = open(os.path.join(case, "name")).read().strip()
        host = open(os.path.join(case, "host")).read().strip()
        trust = os.path.join(case, "trust")
        serve(case, pgdata, port)
        home = tempfile.mkdtemp(dir=work)
        row = {"id": c, "name": name, "host": host,
               "psql": psql(host, port, trust, home)}
        for runner, command in runners.items():
            row[runner] = run(command, host, port, trust, hosts, home)
        results.append(row)
        print(c, name, " ".join(f"{k}={'OK' if row[k]['connected'] else 'FAIL'}"
                                for k in ["psql", *runners]), flush=True)
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)


def _is_ip(name):
    """An address in any form a resolver reads as one, inet_aton's "127.1" included."""
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return all(ch.isdigit() or ch == "." for ch in name)


if __name__ == "__main__":
    main()
