#!/usr/bin/env python3
"""The live driver matrix: every driver runner, psql and `rootcert check` on the same cases.

    matrix.py --cases DIR --out OUT.json --rootcert BIN
              [--pgjdbc-classes DIR] [--pgx BIN] [--pg-bin DIR] [--only postgres|mysql]
              [--case NAME]... [--jobs N]

DIR is a matrix dump (`ROOTCERT_MATRIX_DUMP=DIR cargo test --test cli
rootcert_check_agrees_with_psql_verify_full`: one directory per case holding `name`, `host`,
`chain.pem`, `key.pem`, `trust`). Root only. The script re-executes itself in private
network and mount namespaces (`unshare -n -m`) where lo carries 127.0.0.1, ::1 and
10.0.0.5 and /etc/hosts names every case's host, so each driver connects to the very host
it verifies. There it starts one PostgreSQL 15 and one MariaDB, side by side, and:

1. matrix: for every case, swaps the server's certificate (`pg_ctl reload`, `FLUSH SSL`),
   waits until `openssl s_client` sees the new leaf, then runs each installed runner in
   `verify-full` mode and `rootcert check 127.0.0.1:PORT --sni HOST --ca TRUST --client all
   --json`;
2. settings: serves the base chain ("PEM root") and runs each driver's connection strings
   and TLS settings (sslmode × right root / unrelated root / wrong host name, default root
   files in the homes, driver keywords), each beside `rootcert check` on the same string
   with the same HOME, passwd home and environment.

Every driver run and every rootcert run gets a fresh HOME and its own mount namespace whose
/etc/passwd names the run's passwd home (pgjdbc and pgx take "home" from there, see
sandbox.sh). pgjdbc runs in one long-lived JVM (`Probe lines`) instead of one JVM a probe,
and the Python runners in forked children of pyzygote.py, which imports the drivers once.
OUT.json holds every result; tests/cases/driver_matrix.rs judges them.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

DRIVERS = Path(__file__).resolve().parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5432
MY_PORT = 3306
PG_CLIENTS = ["psql", "psycopg", "pgjdbc", "pgx", "node-postgres", "asyncpg"]
MY_CLIENTS = ["mariadb", "mysql2", "pymysql"]
# The server's certificate for the settings comes from this case; "unrelated" trusts only
# another CA's root.
BASE_CASE = "PEM root"
UNRELATED_CASE = "only an unrelated root"
RIGHT_HOST, WRONG_HOST = "localhost", "db.example.test"
WEAK_OPENSSL = ("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
                "[sys]\nCipherString = DEFAULT:@SECLEVEL=0\n")
TIMEOUT = 40
# Imported once by pyzygote.py, whose forked children run the Python runners.
PYTHON_DRIVERS = ["psycopg", "asyncpg", "pymysql"]


# ---- the namespace --------------------------------------------------------------------

def enter_namespace(case_dirs):
    """Re-runs this script in new network and mount namespaces, then sets them up."""
    if os.environ.get("ROOTCERT_MATRIX_NETNS") != "1":
        env = dict(os.environ, ROOTCERT_MATRIX_NETNS="1")
        os.execvpe("unshare", ["unshare", "-n", "-m", sys.executable, *sys.argv], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "10.0.0.5/32", "dev", "lo"], check=True)
    names = {RIGHT_HOST, WRONG_HOST}
    for case in case_dirs:
        host = (case / "host").read_text().strip()
        if not is_address(host):
            # glibc does not find "localhost." through a "localhost" line: list both.
            names.update({host, host.rstrip(".")})
    scratch = Path(tempfile.mkdtemp(prefix="rootcert-matrix-"))
    scratch.chmod(0o755)
    hosts = scratch / "hosts"
    hosts.write_text("127.0.0.1 " + " ".join(sorted(names)) + "\n::1 ip6-localhost\n")
    # A name missing from the hosts file must fail here, not become a DNS query.
    (scratch / "resolv.conf").write_text("nameserver 127.0.0.1\n")
    for src, dst in ((hosts, "/etc/hosts"), (scratch / "resolv.conf", "/etc/resolv.conf")):
        subprocess.run(["mount", "--bind", str(src), dst], check=True)
    return scratch


def is_address(host):
    """An address in any form a resolver reads as one, inet_aton's "127.1" included."""
    return ":" in host or all(ch.isdigit() or ch == "." for ch in host)


# ---- one run of a program, in its own homes ------------------------------------------

class Runs:
    """Runs programs with a fresh HOME and a passwd entry naming the passwd home."""

    def __init__(self, scratch):
        self.scratch = scratch
        self.lock = threading.Lock()
        self.count = 0
        self.local = threading.local()
        self.zygotes = []

    def home(self, files=None):
        """A new home directory holding `files` ({relative path: bytes or Path})."""
        with self.lock:
            self.count += 1
            home = self.scratch / f"home-{self.count}"
        home.mkdir(mode=0o755)
        for rel, data in (files or {}).items():
            path = home / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.read_bytes() if isinstance(data, Path) else data)
        return home

    def prepare(self, home, passwd_home=None, env=None):
        """The environment of a run (HOME=home) and a passwd file that gives root
        passwd_home (default: home) as its home."""
        passwd_home = passwd_home or home
        passwd = passwd_home.with_name(passwd_home.name + ".passwd")
        if not passwd.exists():
            lines = []
            for line in Path("/etc/passwd").read_text().splitlines():
                fields = line.split(":")
                if len(fields) > 5 and fields[2] == str(os.getuid()):
                    fields[5] = str(passwd_home)
                lines.append(":".join(fields))
            passwd.write_text("\n".join(lines) + "\n")
        full_env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8"}
        for name in ("ROOTCERT_NODE_MODULES",):
            if name in os.environ:
                full_env[name] = os.environ[name]
        full_env.update(env or {})
        return full_env, passwd

    def run(self, argv, home, passwd_home=None, env=None):
        """argv in a mount namespace with that passwd file over /etc/passwd. Returns
        (exit code, stdout, stderr, seconds)."""
        full_env, passwd = self.prepare(home, passwd_home, env)
        started = time.monotonic()
        try:
            out = subprocess.run(
                ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/passwd && exec "$@"',
                 str(passwd), *argv],
                env=full_env, capture_output=True, text=True, timeout=TIMEOUT)
            code, stdout, stderr = out.returncode, out.stdout, out.stderr
        except subprocess.TimeoutExpired as e:
            code, stdout, stderr = -1, "", f"timed out after {TIMEOUT} s: {e}"
        return code, stdout, stderr, round(time.monotonic() - started, 2)

    def run_python(self, argv, home, passwd_home=None, env=None):
        """A Python runner (argv without the interpreter) through this thread's pyzygote.py:
        the same run as `run`, without the interpreter's and the driver's start-up."""
        full_env, passwd = self.prepare(home, passwd_home, env)
        zygote = getattr(self.local, "zygote", None)
        if zygote is None:
            zygote = subprocess.Popen(
                [sys.executable, str(DRIVERS / "pyzygote.py"), *PYTHON_DRIVERS],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.local.zygote = zygote
            with self.lock:
                self.zygotes.append(zygote)
        started = time.monotonic()
        zygote.stdin.write(json.dumps({"argv": argv, "env": full_env,
                                       "passwd": str(passwd)}) + "\n")
        zygote.stdin.flush()
        answer = json.loads(zygote.stdout.readline())
        return (answer["exit"], answer["stdout"], answer["stderr"],
                round(time.monotonic() - started, 2))

    def stop(self):
        for zygote in self.zygotes:
            zygote.stdin.close()
            zygote.wait(timeout=30)


# ---- the drivers -----------------------------------------------------------------------

class Clients:
    """How to run each client's runner, and which are installed."""

    def __init__(self, runs, args):
        self.runs = runs
        py, node = sys.executable, shutil.which("node") or "node"
        self.argv = {
            "psycopg": [py, str(DRIVERS / "psycopg_probe.py")],
            "node-postgres": [node, str(DRIVERS / "node_postgres.js")],
            "asyncpg": [py, str(DRIVERS / "asyncpg_probe.py")],
            "mariadb": ["sh", str(DRIVERS / "mariadb_probe.sh")],
            "mysql2": [node, str(DRIVERS / "mysql2_probe.js")],
            "pymysql": [py, str(DRIVERS / "pymysql_probe.py")],
        }
        if args.pgx:
            self.argv["pgx"] = [args.pgx]
        self.jvm = None
        self.jvm_lock = threading.Lock()
        self.pgjdbc_classes = args.pgjdbc_classes
        self.missing = dict(m.split("=", 1) for m in args.missing)
        self.available = {}

    def check(self, names):
        """Which clients run here: a runner that exits 2 on a closed port lacks its driver."""
        def one(name):
            if name == "psql":
                if not (PG_BIN / "psql").is_file():
                    return {"available": False, "why": f"{PG_BIN}/psql not found"}
                # "psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
                said = subprocess.run([str(PG_BIN / "psql"), "--version"],
                                      capture_output=True, text=True).stdout.split()
                version = said[2] if len(said) > 2 else None
                return {"available": True, "why": None, "version": version}
            if name in self.missing:
                return {"available": False, "why": self.missing[name]}
            if name == "pgjdbc" and not self.pgjdbc_classes:
                return {"available": False, "why": "no --pgjdbc-classes"}
            if name == "pgx" and "pgx" not in self.argv:
                return {"available": False, "why": "no --pgx"}
            result = self.probe(name, ["verify-full", "127.0.0.1", "1", "/nonexistent"],
                                self.runs.home())
            if result.get("exit") == 2 or result.get("connected") is None:
                return {"available": False, "why": result.get("error")}
            return {"available": True, "why": None, "version": result.get("version")}
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for name, found in zip(names, pool.map(one, names)):
                self.available[name] = found
        return [n for n in names if self.available[n]["available"]]

    def probe(self, client, args, home, passwd_home=None, env=None):
        """One runner call: its JSON line plus exit, stderr and seconds."""
        if client == "psql":
            return self.psql(args, home, env)
        if client == "pgjdbc":
            return self.pgjdbc(args, passwd_home or home)
        argv = self.argv[client] + args
        if argv[0] == sys.executable:
            code, stdout, stderr, took = self.runs.run_python(argv[1:], home, passwd_home, env)
        else:
            code, stdout, stderr, took = self.runs.run(argv, home, passwd_home, env)
        return parse_line(code, stdout, stderr, took)

    def psql(self, args, home, env):
        if args[0] == "verify-full":
            host, port, ca = args[1:]
            conninfo = (f"host='{host}' port={port} dbname=postgres user=postgres "
                        f"sslmode=verify-full sslrootcert='{ca}' connect_timeout=10")
        else:
            conninfo = args[1]
        env = dict(env or {}, PGCONNECT_TIMEOUT="10")
        code, stdout, stderr, took = self.runs.run(
            [str(PG_BIN / "psql"), conninfo, "-X", "-A", "-t", "-c",
             "select ssl from pg_stat_ssl where pid = pg_backend_pid()"], home, None, env)
        ok = code == 0
        return {"client": "psql", "connected": ok, "exit": code, "seconds": took,
                "tls": (stdout.strip() == "t") if ok else None,
                "error": None if ok else " ".join(stderr.split()), "stderr": ""}

    def pgjdbc(self, args, user_home):
        """One line to the long-lived JVM (`Probe lines`); user.home is the passwd home,
        as the JVM takes it when no -Duser.home is given."""
        with self.jvm_lock:
            if self.jvm is None:
                env = {"PATH": os.environ["PATH"], "HOME": str(self.runs.home()),
                       "ROOTCERT_PGJDBC_CLASSES": self.pgjdbc_classes}
                self.jvm = subprocess.Popen(
                    ["sh", str(DRIVERS / "pgjdbc" / "probe.sh"), "lines"], env=env,
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    text=True)
            started = time.monotonic()
            self.jvm.stdin.write("\t".join([str(user_home), *args]) + "\n")
            self.jvm.stdin.flush()
            line = self.jvm.stdout.readline()
            took = round(time.monotonic() - started, 2)
        return parse_line(None, line, "", took)

    def stop(self):
        if self.jvm is not None:
            self.jvm.stdin.close()
            self.jvm.wait(timeout=30)


def parse_line(code, stdout, stderr, took):
    """The runner's one JSON line (the last line of stdout), with its exit code."""
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        result = {"connected": None, "error": f"no JSON line (exit {code}): {stdout!r}"}
    if code is None:
        code = result.get("exit")  # `Probe lines` says the exit code in its line
    result["exit"] = code
    if result.get("connected") is not None and (code == 0) != result["connected"]:
        result["error"] = f"exit {code} disagrees with the JSON line: {result.get('error')}"
        result["connected"] = None
    result["stderr"] = stderr.strip()[-2000:]
    result["seconds"] = took
    return result


def rootcert(runs, binary, args, home, passwd_home=None, env=None):
    """`rootcert check ARGS --json`: its exit code and what it said per client."""
    code, stdout, stderr, took = runs.run([binary, "check", *args, "--json"], home,
                                          passwd_home, env)
    result = {"exit": code, "seconds": took, "stderr": stderr.strip()[-2000:]}
    try:
        report = json.loads(stdout.strip().splitlines()[0])
    except (IndexError, ValueError):
        result["error"] = stdout.strip()[-2000:] or stderr.strip()[-2000:]
        return result
    if report.get("verdict", "error") == "error":
        result["error"] = report.get("error") or json.dumps(report)[:2000]
        return result
    keep = ("verdict", "mode", "problems", "fixes", "notes", "differs")
    if report.get("clients"):
        result["clients"] = {c["client"]: {k: c.get(k) for k in keep}
                             for c in report["clients"]}
    else:
        result["clients"] = {report["client"]: {k: report.get(k) for k in keep}}
    return result


# ---- the servers -----------------------------------------------------------------------

def as_user(user, *args, env=None):
    return subprocess.run(["runuser", "-u", user, "--", *args], env=env,
                          capture_output=True, text=True)


def leaf_sha256(chain_pem):
    pem = chain_pem.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem[pem.index("-----BEGIN"):])).hexdigest()


def served_sha256(port, starttls):
    """The SHA-256 of the leaf the server sends now, read with openssl s_client."""
    out = subprocess.run(["openssl", "s_client", "-starttls", starttls, "-connect",
                          f"127.0.0.1:{port}", "-cipher", "DEFAULT:@SECLEVEL=0"],
                         input=b"", capture_output=True, timeout=10).stdout.decode("latin-1")
    if "-----BEGIN CERTIFICATE-----" not in out:
        return None
    return leaf_sha256(out[out.index("-----BEGIN CERTIFICATE-----"):])


class Server:
    """What PostgreSQL and MariaDB share: swap the certificate, wait until it is served."""

    starttls = ""
    port = 0

    def install(self, case):
        for src, dst, mode in (("chain.pem", "server.crt", 0o644),
                               ("key.pem", "server.key", 0o600)):
            shutil.copy(case / src, self.tls_dir / dst)
            (self.tls_dir / dst).chmod(mode)
            shutil.chown(self.tls_dir / dst, self.user, self.user)

    def serve(self, case):
        self.install(case)
        self.reload()
        want = leaf_sha256((case / "chain.pem").read_text())
        for _ in range(200):
            if served_sha256(self.port, self.starttls) == want:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.user}: the server never sent the leaf of {case.name}")


class Postgres(Server):
    user, starttls, port = "postgres", "postgres", PG_PORT

    def __init__(self, scratch, first_case):
        self.dir = scratch / "pg"
        self.dir.mkdir(mode=0o755)
        self.tls_dir = self.data = self.dir / "data"
        self.data.mkdir()
        shutil.chown(self.data, "postgres", "postgres")
        out = as_user("postgres", str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust",
                      "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
        assert out.returncode == 0, out.stderr
        # Security level 0 (tests/support/pg.rs does the same) so that the server can load
        # and send the weak certificates (RSA 1024, SHA-1) the clients are to judge.
        (self.dir / "openssl.cnf").write_text(WEAK_OPENSSL)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {PG_PORT}\nlisten_addresses = '127.0.0.1,::1,10.0.0.5'\n"
                       f"unix_socket_directories = '{self.data}'\nfsync = off\n"
                       "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                       "ssl_ciphers = 'DEFAULT:@SECLEVEL=0'\n")
        # host, not hostssl: sslmode=disable and allow connect in plaintext, as they do.
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            "host all all ::1/128 trust\nhost all all 10.0.0.5/32 trust\n")
        self.install(first_case)
        env = dict(os.environ, OPENSSL_CONF=str(self.dir / "openssl.cnf"))
        log = self.data / "log"
        out = as_user("postgres", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l",
                      str(log), "-w", "-t", "60", "start", env=env)
        assert out.returncode == 0, out.stderr + (log.read_text() if log.exists() else "")

    def reload(self):
        out = as_user("postgres", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "reload")
        assert out.returncode == 0, out.stderr

    def stop(self):
        as_user("postgres", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                "stop")


class Mariadb(Server):
    user, starttls, port = "mysql", "mysql", MY_PORT

    def __init__(self, scratch, first_case):
        self.dir = self.tls_dir = scratch / "mariadb"
        self.dir.mkdir(mode=0o755)
        (self.dir / "tmp").mkdir()
        for d in (self.dir, self.dir / "tmp"):
            shutil.chown(d, "mysql", "mysql")
        out = subprocess.run(["mariadb-install-db", "--no-defaults", "--user=mysql",
                              "--auth-root-authentication-method=socket",
                              f"--datadir={self.dir}/data", f"--tmpdir={self.dir}/tmp"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        # bind-address=*: 127.0.0.1, ::1 and 10.0.0.5, all inside the namespace. Failed
        # handshakes count as connect errors: allow as many as there can be.
        (self.dir / "my.cnf").write_text(
            f"[mariadbd]\ndatadir={self.dir}/data\ntmpdir={self.dir}/tmp\nport={MY_PORT}\n"
            f"bind-address=*\nsocket={self.dir}/sock\npid-file={self.dir}/pid\nskip-log-bin\n"
            "max_connect_errors=4294967295\ninnodb_buffer_pool_size=16M\n"
            f"log-error={self.dir}/log\nssl-cert={self.dir}/server.crt\n"
            f"ssl-key={self.dir}/server.key\n")
        (self.dir / "openssl.cnf").write_text(WEAK_OPENSSL)
        self.install(first_case)
        env = dict(os.environ, OPENSSL_CONF=str(self.dir / "openssl.cnf"))
        self.child = subprocess.Popen(["runuser", "-u", "mysql", "--", "/usr/sbin/mariadbd",
                                       f"--defaults-file={self.dir}/my.cnf"], env=env)
        for _ in range(600):
            if self.sql("select 1").returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("mariadbd did not start: " + (self.dir / "log").read_text())
        out = self.sql("CREATE USER 'probe'@'%' IDENTIFIED BY ''")
        assert out.returncode == 0, out.stderr

    def sql(self, query):
        return subprocess.run(["mariadb", "--no-defaults", "-u", "root", "-N", "-B",
                               f"--socket={self.dir}/sock", "-e", query],
                              capture_output=True, text=True)

    def reload(self):
        out = self.sql("FLUSH SSL")
        assert out.returncode == 0, out.stderr

    def stop(self):
        self.sql("SHUTDOWN")
        self.child.wait(timeout=60)


# ---- phase 1: the certificate cases ----------------------------------------------------

def matrix(server, protocol, clients, names, cases, ctx):
    rows = []
    for case in cases:
        server.serve(case)
        host = (case / "host").read_text().strip()
        trust = str(case / "trust")
        check = [f"127.0.0.1:{server.port}", "--sni", host, "--ca", trust, "--client", "all"]
        if protocol == "mysql":
            check[1:1] = ["--protocol", "mysql"]
        jobs = {name: (clients.probe, name, ["verify-full", host, str(server.port), trust],
                       ctx.runs.home()) for name in names}
        jobs["rootcert"] = (rootcert, ctx.runs, ctx.binary, check, ctx.runs.home())
        done = run_all(ctx.pool, jobs)
        row = {"case": (case / "name").read_text().strip(), "dir": case.name, "host": host,
               "protocol": protocol, "drivers": {n: done[n] for n in names},
               "rootcert": done["rootcert"]}
        rows.append(row)
        print(f"{protocol[:2]} {case.name} {row['case'][:48]:<48} " + " ".join(
            f"{n}={verdict_word(done[n])}/{said(done['rootcert'], n)}" for n in names),
            flush=True)
    return rows


def run_all(pool, jobs):
    futures = {key: pool.submit(*job) for key, job in jobs.items()}
    return {key: f.result() for key, f in futures.items()}


def verdict_word(result):
    return {True: "ok", False: "--", None: "??"}[result.get("connected")]


def said(result, client):
    verdict = result.get("clients", {}).get(client, {}).get("verdict")
    return {"pass": "ok", "fail": "--", "unverified": "uv"}.get(verdict, "??")


# ---- phase 2: connection strings and settings ------------------------------------------

class Setting:
    """One driver setting, run in three setups: trusting the server's root, trusting only
    an unrelated root, and the server's root with the wrong host name. A setting that
    connects with the unrelated root does not verify the server: rootcert must call it
    unverified. `make(host, root_path)` gives (runner args, rootcert args or None); `env`, `home` and `passwd_home` (functions of the root path) add the
    environment and the files in each home ({relative path: Path})."""

    def __init__(self, client, label, make, env=None, home=None, passwd_home=None,
                 split=False, why_not=None, setups=("right root", "unrelated root",
                                                    "wrong host name")):
        self.client, self.label, self.make = client, label, make
        self.env, self.home, self.passwd_home = env, home, passwd_home
        # split: HOME and the passwd home are different directories.
        self.split = split or passwd_home is not None
        self.why_not = why_not
        self.setups = setups


def setups(ctx):
    return {
        "right root": (RIGHT_HOST, ctx.right, True),
        "unrelated root": (RIGHT_HOST, ctx.unrelated, False),
        "wrong host name": (WRONG_HOST, ctx.right, True),
        # Nothing trusts the server's root: connecting means not verifying.
        "no root anywhere": (RIGHT_HOST, None, False),
    }


def pg_url(client, host, params):
    if client == "pgjdbc":
        base = f"jdbc:postgresql://{host}:{PG_PORT}/postgres"
    else:
        base = f"postgresql://postgres@{host}:{PG_PORT}/postgres"
    params = [p for p in params if p]
    return base + ("?" + "&".join(params) if params else "")


def pg_settings(client):
    """The connection-string cases of one PostgreSQL driver."""
    out = []

    def string(*params):
        def make(host, root):
            url = pg_url(client, host, [p.format(root=quote(str(root or ""), safe="/"))
                                        for p in params])
            return ["string", url], [url, "--client", client]
        return make

    for mode in (None, "disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
        mode_param = f"sslmode={mode}" if mode else ""
        out.append(Setting(client, f"{mode_param or 'no sslmode'}, sslrootcert=ROOT",
                           string(mode_param, "sslrootcert={root}")))
    for mode in (None, "require", "verify-ca", "verify-full"):
        mode_param = f"sslmode={mode}" if mode else ""
        root_crt = lambda root: {".postgresql/root.crt": root}
        out.append(Setting(client, f"{mode_param or 'no sslmode'}, ~/.postgresql/root.crt=ROOT",
                           string(mode_param), home=root_crt))
        if mode != "verify-ca":
            out.append(Setting(client, f"{mode_param or 'no sslmode'}, no root file anywhere",
                               string(mode_param), setups=("no root anywhere",)))
    # Which home the default root file comes from: $HOME or the passwd entry's.
    out.append(Setting(client, "sslmode=verify-full, root.crt=ROOT only in $HOME",
                       string("sslmode=verify-full"), home=lambda r: {".postgresql/root.crt": r},
                       split=True))
    out.append(Setting(client, "sslmode=verify-full, root.crt=ROOT only in the passwd home",
                       string("sslmode=verify-full"),
                       passwd_home=lambda r: {".postgresql/root.crt": r}))
    # libpq 16+ reads "system" as OpenSSL's default store (SSL_CERT_FILE); others a file.
    out.append(Setting(client, "sslmode=verify-full, sslrootcert=system, SSL_CERT_FILE=ROOT",
                       string("sslmode=verify-full", "sslrootcert=system"),
                       env=lambda r: {"SSL_CERT_FILE": str(r)}))
    if client == "pgjdbc":
        out.append(Setting(client, "ssl=true, sslrootcert=ROOT",
                           string("ssl=true", "sslrootcert={root}")))
        out.append(Setting(client, "sslfactory=NonValidatingFactory, sslmode=verify-full, "
                           "sslrootcert=ROOT",
                           string("sslfactory=org.postgresql.ssl.NonValidatingFactory",
                                  "sslmode=verify-full", "sslrootcert={root}")))
    if client == "node-postgres":
        out.append(Setting(client, "sslmode=no-verify, sslrootcert=ROOT",
                           string("sslmode=no-verify", "sslrootcert={root}")))
        for mode in ("require", "verify-ca"):
            out.append(Setting(client, f"uselibpqcompat=true, sslmode={mode}, sslrootcert=ROOT",
                               string("uselibpqcompat=true", f"sslmode={mode}",
                                      "sslrootcert={root}")))
        out.append(Setting(client, "ssl=true, sslrootcert=ROOT",
                           string("ssl=true", "sslrootcert={root}")))
    return out


def my_settings():
    """The TLS settings of the MySQL-side drivers, and how rootcert spells each."""
    out = []

    def url(scheme, query, client, express=True):
        def make(host, root):
            q = query.format(root=quote(str(root), safe="/"))
            target = f"{scheme}://probe@{host}:{MY_PORT}" + ("?" + q if q else "")
            return ["string", target], ([target, "--client", client] if express else None)
        return make

    def mode(runner_mode, client):
        def make(host, root):
            return ([runner_mode, host, str(MY_PORT), str(root)],
                    [f"{host}:{MY_PORT}", "--protocol", "mysql", "--ca", str(root), "--client",
                     client])
        return make

    def unexpressed(runner_mode):
        return lambda host, root: ([runner_mode, host, str(MY_PORT), str(root)], None)

    out.append(Setting("mariadb", "--ssl --ssl-ca=ROOT --ssl-verify-server-cert (runner)",
                       mode("verify-full", "mariadb")))
    out.append(Setting("mariadb", "--ssl-ca=ROOT", url("mariadb", "ssl-ca={root}", "mariadb")))
    out.append(Setting("mariadb", "--ssl-ca=ROOT --ssl-verify-server-cert",
                       url("mariadb", "ssl-ca={root}&ssl-verify-server-cert", "mariadb")))
    out.append(Setting("mariadb", "no TLS options", url("mariadb", "", "mariadb")))
    out.append(Setting("mariadb", "--ssl-verify-server-cert, SSL_CERT_FILE=ROOT",
                       url("mariadb", "ssl-verify-server-cert", "mariadb"),
                       env=lambda r: {"SSL_CERT_FILE": str(r)}))
    for label, query in [
        ("--ssl", "ssl"),
        ("--skip-ssl", "skip-ssl"),
        ("--ssl-ca=ROOT --ssl-verify-server-cert=0", "ssl-ca={root}&ssl-verify-server-cert=0"),
        ("--ssl-ca=ROOT --ssl-verify-server-cert=1", "ssl-ca={root}&ssl-verify-server-cert=1"),
        ("--ssl --ssl-ca=ROOT --ssl-verify-server-cert",
         "ssl&ssl-ca={root}&ssl-verify-server-cert"),
    ]:
        out.append(Setting("mariadb", label, url("mariadb", query, "mariadb")))
    out.append(Setting("mariadb", "~/.my.cnf: ssl-ca=ROOT, ssl-verify-server-cert",
                       url("mariadb", "", "mariadb", express=False),
                       home=lambda r: {".my.cnf": f"[client]\nssl-ca={r}\n"
                                                  "ssl-verify-server-cert\n".encode()},
                       why_not="rootcert reads no ~/.my.cnf"))

    out.append(Setting("mysql2", "ssl: {ca: ROOT, verifyIdentity: true} (runner)",
                       mode("verify-full", "mysql2")))
    out.append(Setting("mysql2", "ssl: {ca: ROOT} (runner)", unexpressed("verify-ca"),
                       why_not="mysql2's ssl option holds the CA as PEM text, which rootcert "
                               "does not read from a URL; HOST:PORT --client mysql2 is "
                               "verifyIdentity: true"))
    out.append(Setting("mysql2", "URL ?ssl-mode=VERIFY_IDENTITY&ssl-ca=ROOT (ignored)",
                       url("mysql", "ssl-mode=VERIFY_IDENTITY&ssl-ca={root}", "mysql2")))
    out.append(Setting("mysql2", "URL ?ssl={}, NODE_EXTRA_CA_CERTS=ROOT",
                       url("mysql", "ssl=%7B%7D", "mysql2"),
                       env=lambda r: {"NODE_EXTRA_CA_CERTS": str(r)}))
    out.append(Setting("mysql2", "URL ?ssl={}, Node's own roots only",
                       url("mysql", "ssl=%7B%7D", "mysql2"), setups=("no root anywhere",)))
    # Options of the other clients that mysql2 ignores ("Ignoring invalid configuration
    # option"): plaintext, whatever they ask.
    out.append(Setting("mysql2", "URL without options", url("mysql", "", "mysql2")))
    for query in ("ssl-ca={root}", "ssl-ca={root}&ssl-verify-server-cert", "ssl-mode=REQUIRED",
                  "ssl-mode=VERIFY_CA&ssl-ca={root}", "sslmode=verify-full&sslrootcert={root}"):
        label = "URL ?" + query.replace("{root}", "ROOT") + " (ignored)"
        out.append(Setting("mysql2", label, url("mysql", query, "mysql2")))

    out.append(Setting("pymysql", "ssl_ca, ssl_verify_cert, ssl_verify_identity (runner)",
                       mode("verify-full", "pymysql")))
    out.append(Setting("pymysql", "ssl_ca=ROOT alone (URL ?ssl-ca=)",
                       url("mysql", "ssl-ca={root}", "pymysql")))
    out.append(Setting("pymysql", "ssl_ca=ROOT, ssl_verify_cert=True (URL ?ssl-mode=VERIFY_CA)",
                       url("mysql", "ssl-mode=VERIFY_CA&ssl-ca={root}", "pymysql")))
    out.append(Setting("pymysql", "ssl_ca=ROOT, ssl_verify_cert=True, ssl_verify_identity=True"
                       " (URL ?ssl-mode=VERIFY_IDENTITY)",
                       url("mysql", "ssl-mode=VERIFY_IDENTITY&ssl-ca={root}", "pymysql")))
    out.append(Setting("pymysql", "ssl_ca=ROOT, ssl_verify_identity=True "
                       "(URL ?ssl-verify-server-cert)",
                       url("mysql", "ssl-ca={root}&ssl-verify-server-cert", "pymysql")))
    for label, query in [
        ("no keywords (URL without options)", ""),
        ("ssl_disabled=True (URL ?ssl-mode=DISABLED)", "ssl-mode=DISABLED"),
        ("nothing (URL ?ssl-mode=PREFERRED)", "ssl-mode=PREFERRED"),
        ("ssl_verify_cert=False (URL ?ssl-mode=REQUIRED)", "ssl-mode=REQUIRED"),
    ]:
        out.append(Setting("pymysql", label, url("mysql", query, "pymysql")))
    out.append(Setting("pymysql", "ssl_verify_cert=True, ssl_verify_identity=True, "
                       "SSL_CERT_FILE=ROOT (URL ?ssl-mode=VERIFY_IDENTITY)",
                       url("mysql", "ssl-mode=VERIFY_IDENTITY", "pymysql"),
                       env=lambda r: {"SSL_CERT_FILE": str(r)}))
    return out


def settings(server, protocol, clients, names, ctx):
    server.serve(ctx.base)
    all_settings = [s for n in names for s in (pg_settings(n) if protocol == "postgres"
                                               else my_settings()) if s.client == n]
    futures = []
    for setting in all_settings:
        for setup in setting.setups:
            futures.append(ctx.pool.submit(one_setting, setting, setup, clients, ctx))
    rows = [f.result() for f in futures]
    for row in rows:
        print(f"{protocol[:2]} {row['client']:<13} {row['setting'][:62]:<62} "
              f"{row['setup']:<16} {verdict_word(row['driver'])}/"
              f"{said(row['rootcert'], row['client']) if row['rootcert'] else 'n/a'}",
              flush=True)
    return rows


def one_setting(setting, setup, clients, ctx):
    host, root, trusted = setups(ctx)[setup]
    driver_args, check_args = setting.make(host, root)
    files = setting.home(root) if setting.home and root else {}
    home = ctx.runs.home(files)
    passwd_files = setting.passwd_home(root) if setting.passwd_home and root else {}
    passwd_home = ctx.runs.home(passwd_files) if setting.split else None
    env = setting.env(root) if setting.env and root else {}
    driver = clients.probe(setting.client, driver_args, home, passwd_home, env)
    checked = None
    if check_args is not None:
        checked = rootcert(ctx.runs, ctx.binary, check_args, home, passwd_home, env)
    return {"client": setting.client, "setting": setting.label, "setup": setup,
            "trusted": trusted, "host": host, "driver_args": driver_args, "driver": driver,
            "rootcert_args": check_args, "rootcert": checked, "why_not": setting.why_not}


# ---- main ------------------------------------------------------------------------------

class Context:
    pass


def phase(protocol, server_class, names, cases, clients, ctx):
    started = time.monotonic()
    server = server_class(ctx.runs.scratch, cases[0])
    try:
        rows = matrix(server, protocol, clients, names, cases, ctx)
        rows_settings = settings(server, protocol, clients, names, ctx)
    finally:
        server.stop()
    return rows, rows_settings, round(time.monotonic() - started, 1)


def main():
    global PG_BIN
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--rootcert", required=True)
    parser.add_argument("--pgjdbc-classes")
    parser.add_argument("--pgx")
    parser.add_argument("--missing", action="append", default=[],
                        help="CLIENT=WHY: a runner the caller could not build")
    parser.add_argument("--pg-bin", type=Path, default=PG_BIN,
                        help="PostgreSQL's bin directory (initdb, pg_ctl, psql)")
    parser.add_argument("--only", choices=["postgres", "mysql"])
    parser.add_argument("--case", action="append", help="only the case with this name")
    parser.add_argument("--jobs", type=int, default=4, help="runs at once, per server")
    args = parser.parse_args()
    PG_BIN = args.pg_bin
    cases = sorted(p for p in args.cases.resolve().iterdir() if (p / "chain.pem").is_file())
    by_name = {(p / "name").read_text().strip(): p for p in cases}
    scratch = enter_namespace(cases)
    started = time.monotonic()
    ctx = Context()
    ctx.runs = Runs(scratch)
    ctx.binary = str(Path(args.rootcert).resolve())
    ctx.base = by_name[BASE_CASE]
    ctx.right = scratch / "right-root.crt"
    ctx.unrelated = scratch / "unrelated-root.crt"
    shutil.copy(by_name[BASE_CASE] / "trust", ctx.right)
    shutil.copy(by_name[UNRELATED_CASE] / "trust", ctx.unrelated)
    if args.case:
        cases = [by_name[n] for n in args.case]
    clients = Clients(ctx.runs, args)
    wanted = {"postgres": PG_CLIENTS, "mysql": MY_CLIENTS}
    if args.only:
        wanted = {args.only: wanted[args.only]}
    installed = {p: clients.check(names) for p, names in wanted.items()}
    for name, found in clients.available.items():
        if not found["available"]:
            print(f"not installed: {name}: {found['why']}", flush=True)
    result = {"clients": clients.available, "matrix": [], "settings": [], "seconds": {}}
    servers = {"postgres": Postgres, "mysql": Mariadb}
    try:
        # One pool per server, each phase in its own thread: the servers work side by side.
        with concurrent.futures.ThreadPoolExecutor(len(installed)) as phases:
            futures = {}
            for protocol, names in installed.items():
                ctx_p = Context()
                ctx_p.__dict__.update(ctx.__dict__)
                ctx_p.pool = concurrent.futures.ThreadPoolExecutor(args.jobs)
                futures[protocol] = phases.submit(phase, protocol, servers[protocol], names,
                                                  cases, clients, ctx_p)
            for protocol, future in futures.items():
                rows, rows_settings, seconds = future.result()
                result["matrix"] += rows
                result["settings"] += rows_settings
                result["seconds"][protocol] = seconds
    finally:
        clients.stop()
        ctx.runs.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    result["seconds"]["total"] = round(time.monotonic() - started, 1)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"done in {result['seconds']}", flush=True)


if __name__ == "__main__":
    main()
