#!/usr/bin/env python3
"""Runs psql and driver runners against rootcert's libpq matrix and a set of sslmode cases.

    tests/drivers/experiments/pg_netns_matrix.py MATRIX_DIR OUT.json [RUNNER ...]

MATRIX_DIR is what ROOTCERT_MATRIX_DUMP writes (one directory per case: host, chain.pem,
key.pem, trust). RUNNER names are files in tests/drivers/ (default: the three below), with
an optional interpreter: asyncpg_probe.py@/root/.pyenv/versions/3.13.0/bin/python. The
script re-executes itself inside a private network and mount namespace (unshare -n -m) where
lo carries 127.0.0.1, ::1 and 10.0.0.5 and /etc/hosts maps every case's host name to
127.0.0.1, so the drivers, which have no `hostaddr`, reach the one PostgreSQL 15 it starts.
Must run as root (initdb and the server run as the postgres user).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DRIVERS = HERE.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PORT = 5432
HOST_NAMES = [
    "localhost",
    "localhost.",
    "db.example.test",
    "a.db.example.test",
    "example.test",
    "db1.example.test",
    "db.elsewhere.test",
]
RUNNERS = {
    "node_postgres.js": ["node"],
    "asyncpg_probe.py": [sys.executable],
    "psycopg_probe.py": [sys.executable],
}


def enter_namespace():
    """Re-runs this script in new network and mount namespaces, then sets them up."""
    if os.environ.get("H18_IN_NAMESPACE") != "1":
        env = dict(os.environ, H18_IN_NAMESPACE="1")
        os.execvpe("unshare", ["unshare", "-n", "-m", sys.executable, *sys.argv], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "10.0.0.5/32", "dev", "lo"], check=True)
    hosts = Path(tempfile.mkdtemp(prefix="h18-hosts")) / "hosts"
    hosts.write_text("127.0.0.1 " + " ".join(HOST_NAMES) + "\n::1 ip6-localhost\n")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)


def as_postgres(*args, env=None):
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], env=env,
                          capture_output=True, text=True)


class Server:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="h18-pg"))
        self.dir.chmod(0o755)
        self.data = self.dir / "data"
        self.data.mkdir()
        shutil.chown(self.data, "postgres", "postgres")
        out = as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust",
                          "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
        assert out.returncode == 0, out.stderr
        # Security level 0, as tests/support/pg.rs does, so the server can load and send
        # weak certificates (RSA 1024, SHA-1) for the clients to judge.
        self.openssl_conf = self.dir / "openssl.cnf"
        self.openssl_conf.write_text(
            "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
            "[sys]\nCipherString = DEFAULT:@SECLEVEL=0\n")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {PORT}\nlisten_addresses = '127.0.0.1,::1,10.0.0.5'\n"
                       f"unix_socket_directories = '{self.data}'\nfsync = off\n"
                       "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                       "ssl_ciphers = 'DEFAULT:@SECLEVEL=0'\n")
        # host (not only hostssl) so that sslmode=disable/allow show what they do.
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
            "host all all 10.0.0.5/32 trust\n")
        first = sorted(p for p in MATRIX.iterdir() if p.is_dir())[0]
        self.write_tls(first)
        env = dict(os.environ, OPENSSL_CONF=str(self.openssl_conf))
        out = as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l",
                          str(self.data / "log"), "-w", "-t", "30", "start", env=env)
        assert out.returncode == 0, out.stderr + (self.data / "log").read_text()
        self.serving = None

    def write_tls(self, case):
        shutil.copy(case / "chain.pem", self.data / "server.crt")
        shutil.copy(case / "key.pem", self.data / "server.key")
        (self.data / "server.key").chmod(0o600)
        for name in ("server.crt", "server.key"):
            shutil.chown(self.data / name, "postgres", "postgres")

    def serve(self, case):
        """Swaps the certificate and waits until the server sends the new leaf."""
        if self.serving == case:
            return
        self.write_tls(case)
        out = as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "reload")
        assert out.returncode == 0, out.stderr
        want = leaf_fingerprint((case / "chain.pem").read_bytes())
        for _ in range(100):
            if served_fingerprint() == want:
                self.serving = case
                return
            time.sleep(0.1)
        raise RuntimeError(f"server never sent the leaf of {case}")

    def stop(self):
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")


def leaf_fingerprint(pem):
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
                         input=pem, capture_output=True)
    return out.stdout.strip()


def served_fingerprint():
    out = subprocess.run(["openssl", "s_client", "-starttls", "postgres", "-connect",
                          f"127.0.0.1:{PORT}", "-cipher", "DEFAULT:@SECLEVEL=0"],
                         input=b"", capture_output=True, timeout=10)
    return leaf_fingerprint(out.stdout)


def fresh_home(root_crt=None):
    home = Path(tempfile.mkdtemp(prefix="h18-home"))
    if root_crt is not None:
        (home / ".postgresql").mkdir()
        shutil.copy(root_crt, home / ".postgresql" / "root.crt")
    return home


def clean_env(home, extra=None):
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    if "ROOTCERT_NODE_MODULES" in os.environ:
        env["ROOTCERT_NODE_MODULES"] = os.environ["ROOTCERT_NODE_MODULES"]
    env.update(extra or {})
    return env


def run_psql(conninfo, home, extra_env=None):
    out = subprocess.run(
        [str(PG_BIN / "psql"), conninfo, "-X", "-A", "-t", "-c",
         "select ssl from pg_stat_ssl where pid = pg_backend_pid()"],
        env=clean_env(home, extra_env), capture_output=True, text=True, timeout=30)
    ok = out.returncode == 0
    return {"connected": ok, "tls": out.stdout.strip() == "t" if ok else None,
            "error": None if ok else " ".join(out.stderr.split()), "stderr": ""}


def run_runner(runner, args, home, extra_env=None):
    script, _, interpreter = runner.partition("@")
    cmd = [*([interpreter] if interpreter else RUNNERS[script]), str(DRIVERS / script), *args]
    out = subprocess.run(cmd, env=clean_env(home, extra_env), capture_output=True, text=True,
                         timeout=30)
    try:
        line = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        line = {"connected": False, "error": f"no JSON (exit {out.returncode}): {out.stderr}"}
    assert out.returncode in (0, 1), (runner, args, out.stdout, out.stderr)
    assert (out.returncode == 0) == line["connected"], (runner, out.returncode, line)
    line["stderr"] = out.stderr.strip()
    return line


def matrix_cases(runners):
    server = SERVER
    results = []
    for case in sorted(p for p in MATRIX.iterdir() if p.is_dir()):
        server.serve(case)
        host = (case / "host").read_text().strip()
        name = (case / "name").read_text().strip()
        trust = case / "trust"
        home = fresh_home()
        conninfo = (f"sslmode=verify-full sslrootcert='{trust}' host='{host}' "
                    f"hostaddr=127.0.0.1 port={PORT} dbname=postgres user=postgres "
                    "connect_timeout=10")
        row = {"case": case.name, "name": name, "host": host,
               "psql": run_psql(conninfo, home)}
        # The same case through the connection string a user would write instead.
        url_host = f"[{host}]" if ":" in host else host
        url = (f"postgresql://postgres@{url_host}:{PORT}/postgres"
               f"?sslmode=verify-full&sslrootcert={trust}")
        for runner in runners:
            row[runner] = run_runner(runner, ["verify-full", host, str(PORT), str(trust)], home)
            row[runner]["string"] = run_runner(runner, ["string", url], home)
        results.append(row)
        summary = " ".join(
            f"{k.split('_')[0][:6]}={'OK' if v['connected'] else 'FAIL'}"
            + ("" if "string" not in v or v["string"]["connected"] == v["connected"]
               else "(string:" + ("OK" if v["string"]["connected"] else "FAIL") + ")")
            for k, v in row.items() if isinstance(v, dict))
        print(f"{case.name} {name[:50]:50} {summary}", flush=True)
    return results


def sslmode_cases(runners):
    """The same URL for every client; the server sends matrix case 20 (root -> leaf for
    localhost). Right root: case 20's trust; unrelated root: case 25's."""
    SERVER.serve(MATRIX / "20")
    right = MATRIX / "20" / "trust"
    unrelated = MATRIX / "25" / "trust"
    modes = [None, "disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
    # (label, host, sslrootcert in the URL, ~/.postgresql/root.crt, extra environment)
    setups = [
        ("right root", "localhost", right, None, None),
        ("unrelated root", "localhost", unrelated, None, None),
        ("wrong host name", "db.example.test", right, None, None),
        ("no root file anywhere", "localhost", None, None, None),
        ("default root file: right", "localhost", None, right, None),
        ("default root file: unrelated", "localhost", None, unrelated, None),
        ("default root file right, wrong host", "db.example.test", None, right, None),
    ]
    cases = []
    for label, host, rootcert, home_root, env in setups:
        for mode in modes:
            query = []
            if mode:
                query.append(f"sslmode={mode}")
            if rootcert:
                query.append(f"sslrootcert={rootcert}")
            cases.append((f"{label}; sslmode={mode or '(none)'}", host, query, home_root, env))
    extra = [
        # sslrootcert=system: libpq 16+ uses the SSL library's default store, which
        # SSL_CERT_FILE names; older libpq and the others read a file called "system".
        ("sslrootcert=system, SSL_CERT_FILE=right root", "localhost",
         ["sslmode=verify-full", "sslrootcert=system"], None, {"SSL_CERT_FILE": str(right)}),
        ("sslrootcert=system, SSL_CERT_FILE=unrelated root", "localhost",
         ["sslmode=verify-full", "sslrootcert=system"], None,
         {"SSL_CERT_FILE": str(unrelated)}),
        ("sslrootcert=system, no sslmode, SSL_CERT_FILE=right root", "localhost",
         ["sslrootcert=system"], None, {"SSL_CERT_FILE": str(right)}),
        ("sslrootcert=system, sslmode=require, SSL_CERT_FILE=right root", "localhost",
         ["sslmode=require", "sslrootcert=system"], None, {"SSL_CERT_FILE": str(right)}),
        ("sslrootcert=system, SSL_CERT_FILE=right root, wrong host", "db.example.test",
         ["sslmode=verify-full", "sslrootcert=system"], None, {"SSL_CERT_FILE": str(right)}),
        # libpq 16+ makes verify-full the default sslmode under sslrootcert=system.
        ("sslrootcert=system, no sslmode, SSL_CERT_FILE=right root, wrong host",
         "db.example.test", ["sslrootcert=system"], None, {"SSL_CERT_FILE": str(right)}),
        ("sslrootcert=system, no SSL_CERT_FILE", "localhost",
         ["sslmode=verify-full", "sslrootcert=system"], None, None),
        # node-postgres keywords.
        ("ssl=true (node-postgres keyword)", "localhost", ["ssl=true"], None, None),
        ("ssl=true, sslrootcert=right", "localhost", ["ssl=true", f"sslrootcert={right}"],
         None, None),
        ("sslmode=no-verify, unrelated root", "localhost",
         ["sslmode=no-verify", f"sslrootcert={unrelated}"], None, None),
        ("ssl=no-verify", "localhost", ["ssl=no-verify"], None, None),
        ("NODE_EXTRA_CA_CERTS=right root, sslmode=verify-full", "localhost",
         ["sslmode=verify-full"], None, {"NODE_EXTRA_CA_CERTS": str(right)}),
        ("NODE_EXTRA_CA_CERTS=right root, sslmode=verify-full, sslrootcert=unrelated",
         "localhost", ["sslmode=verify-full", f"sslrootcert={unrelated}"], None,
         {"NODE_EXTRA_CA_CERTS": str(right)}),
        ("empty sslrootcert file, sslmode=verify-full", "localhost",
         ["sslmode=verify-full", f"sslrootcert={MATRIX / '26' / 'trust'}"], None, None),
        ("PGSSLMODE=verify-full, right default root file, no sslmode", "localhost", [], right,
         {"PGSSLMODE": "verify-full"}),
        ("PGSSLROOTCERT=right, sslmode=verify-full", "localhost", ["sslmode=verify-full"],
         None, {"PGSSLROOTCERT": str(right)}),
    ]
    for compat_mode in ["prefer", "require", "verify-ca", "verify-full"]:
        for label, rootcert, host in [("unrelated root", unrelated, "localhost"),
                                      ("wrong host name", right, "db.example.test"),
                                      ("no root file", None, "localhost")]:
            query = ["uselibpqcompat=true", f"sslmode={compat_mode}"]
            if rootcert:
                query.append(f"sslrootcert={rootcert}")
            extra.append((f"uselibpqcompat=true, sslmode={compat_mode}, {label}", host,
                          query, None, None))
    cases.extend(extra)
    results = []
    for label, host, query, home_root, env in cases:
        url = f"postgresql://postgres@{host}:{PORT}/postgres"
        if query:
            url += "?" + "&".join(query)
        row = {"case": label, "url": url}
        home = fresh_home(home_root)
        row["psql"] = run_psql(url, home, env)
        for runner in runners:
            row[runner] = run_runner(runner, ["string", url], home, env)
        results.append(row)
        summary = " ".join(f"{k.split('_')[0][:6]}={'OK' if v['connected'] else 'FAIL'}"
                           f"{'' if v.get('tls') is not False else '(plain)'}"
                           for k, v in row.items() if isinstance(v, dict))
        print(f"{label[:60]:60} {summary}", flush=True)
    return results


if __name__ == "__main__":
    enter_namespace()
    MATRIX = Path(sys.argv[1]).resolve()
    out_path = Path(sys.argv[2])
    runners = sys.argv[3:] or list(RUNNERS)
    SERVER = Server()
    try:
        results = {"matrix": matrix_cases(runners), "sslmode": sslmode_cases(runners)}
    finally:
        SERVER.stop()
    out_path.write_text(json.dumps(results, indent=1))
