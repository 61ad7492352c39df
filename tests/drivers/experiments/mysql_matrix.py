#!/usr/bin/env python3
"""Runs the MySQL-side runners against one MariaDB over the libpq matrix's certificate cases.

    in_netns.sh HOSTS python3 mysql_matrix.py MATRIX_DIR OUT_DIR [matrix|settings|all]

(as root; in_netns.sh gives the namespace its hosts file and 10.0.0.5 on lo). MATRIX_DIR is
a `ROOTCERT_MATRIX_DUMP` directory. One MariaDB serves every case: the case's chain and key,
then `FLUSH SSL`, then a wait until `openssl s_client -starttls mysql` shows the case's leaf.
Each runner runs with HOME set to an empty temporary directory. Results go to
OUT_DIR/matrix.tsv and OUT_DIR/settings.tsv (one JSON object a row, after the labels).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
RUNNERS = HERE.parent
PROBES = {
    "mariadb": [str(RUNNERS / "mariadb_probe.sh")],
    "mysql2": ["node", str(RUNNERS / "mysql2_probe.js")],
    "pymysql": [sys.executable, str(RUNNERS / "pymysql_probe.py")],
}
# Python 3.13's create_default_context adds VERIFY_X509_PARTIAL_CHAIN (and STRICT, which
# PyMySQL clears): the same PyMySQL under it, when that interpreter is given.
if os.environ.get("PYTHON313"):
    PROBES["pymysql-py3.13"] = [os.environ["PYTHON313"], str(RUNNERS / "pymysql_probe.py")]
if os.environ.get("CLIENTS"):  # e.g. CLIENTS=pymysql-py3.13 to run only that one
    PROBES = {k: v for k, v in PROBES.items() if k in os.environ["CLIENTS"].split(",")}
WEAK_OPENSSL = "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n" \
               "[sys]\nCipherString = DEFAULT:@SECLEVEL=0\n"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Server:
    def __init__(self, first_case: Path):
        self.dir = Path(tempfile.mkdtemp(prefix="h18-mariadb-"))
        os.chmod(self.dir, 0o755)
        (self.dir / "tmp").mkdir()
        shutil.chown(self.dir, "mysql", "mysql")
        shutil.chown(self.dir / "tmp", "mysql", "mysql")
        out = run(["mariadb-install-db", "--no-defaults", "--user=mysql",
                   "--auth-root-authentication-method=socket",
                   f"--datadir={self.dir}/data", f"--tmpdir={self.dir}/tmp"])
        assert out.returncode == 0, out
        self.port = 3306
        # bind-address=*: both 127.0.0.1 and ::1 (and 10.0.0.5), all inside the namespace.
        # max_connect_errors at its maximum: failed TLS handshakes are aborted connects.
        (self.dir / "my.cnf").write_text(
            f"[mariadbd]\ndatadir={self.dir}/data\ntmpdir={self.dir}/tmp\nport={self.port}\n"
            f"bind-address=*\nsocket={self.dir}/sock\npid-file={self.dir}/pid\nskip-log-bin\n"
            f"max_connect_errors=4294967295\ninnodb_buffer_pool_size=16M\n"
            f"log-error={self.dir}/log\nssl-cert={self.dir}/server.crt\n"
            f"ssl-key={self.dir}/server.key\n")
        # Security level 0 so that the server can load and serve weak certificates.
        (self.dir / "openssl.cnf").write_text(WEAK_OPENSSL)
        self.write_tls(first_case)
        env = dict(os.environ, OPENSSL_CONF=str(self.dir / "openssl.cnf"))
        self.child = subprocess.Popen(
            ["runuser", "-u", "mysql", "--", "/usr/sbin/mariadbd",
             f"--defaults-file={self.dir}/my.cnf"], env=env)
        for _ in range(300):
            if self.sql("select 1").returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise SystemExit("mariadbd did not start: " + (self.dir / "log").read_text())
        out = self.sql("CREATE USER 'probe'@'%' IDENTIFIED BY ''")
        assert out.returncode == 0, out

    def sql(self, query):
        return run(["mariadb", "--no-defaults", "-u", "root", "-N", "-B",
                    f"--socket={self.dir}/sock", "-e", query])

    def write_tls(self, case: Path):
        shutil.copy(case / "chain.pem", self.dir / "server.crt")
        shutil.copy(case / "key.pem", self.dir / "server.key")
        for f in ("server.crt", "server.key"):
            shutil.chown(self.dir / f, "mysql", "mysql")
        os.chmod(self.dir / "server.key", 0o600)

    def serve(self, case: Path):
        self.write_tls(case)
        out = self.sql("FLUSH SSL")
        assert out.returncode == 0, (case, out)
        self.sql("FLUSH HOSTS")
        want = leaf_fingerprint((case / "chain.pem").read_bytes())
        for _ in range(50):
            if served_fingerprint(self.port) == want:
                return
            time.sleep(0.1)
        raise SystemExit(f"{case}: the server does not serve the case's leaf")

    def stop(self):
        self.sql("SHUTDOWN")
        self.child.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def leaf_fingerprint(pem: bytes):
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
                         input=pem, capture_output=True)
    return out.stdout.strip()


def served_fingerprint(port):
    s = subprocess.run(["openssl", "s_client", "-starttls", "mysql", "-connect",
                        f"127.0.0.1:{port}"], input=b"", capture_output=True, timeout=10)
    return leaf_fingerprint(s.stdout)


def probe(client, args, env_extra=None, home_files=None):
    with tempfile.TemporaryDirectory(prefix="h18-home-") as home:
        for name, text in (home_files or {}).items():
            Path(home, name).write_text(text)
        env = {k: v for k, v in os.environ.items()
               if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS")}
        env["HOME"] = home
        env.update(env_extra or {})
        started = time.monotonic()
        out = run(PROBES[client] + args, env=env, timeout=30)
        took = time.monotonic() - started
    try:
        result = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"connected": None, "error": f"runner broke: {out!r}"}
    result["exit"] = out.returncode
    if out.returncode == 2:
        raise SystemExit(f"harness problem with {client} {args}: {result}")
    result["stderr"] = out.stderr.strip()
    result["seconds"] = round(took, 2)
    return result


def matrix(server, cases, out_dir):
    rows = []
    for case in cases:
        server.serve(case)
        host = (case / "host").read_text().strip()
        trust = str(case / "trust")
        row = {"case": case.name, "name": (case / "name").read_text().strip(), "host": host}
        for client in PROBES:
            for mode in ("verify-full", "verify-ca"):
                row[f"{client} {mode}"] = probe(client, [mode, host, str(server.port), trust])
        rows.append(row)
        verdicts = " ".join(
            f"{k.split()[0][:2]}{'F' if 'full' in k else 'C'}="
            f"{'ok' if v['connected'] else '--'}"
            for k, v in row.items() if isinstance(v, dict))
        print(f"{case.name} {row['name'][:45]:<45} {verdicts}", flush=True)
    suffix = "-" + "+".join(PROBES) if os.environ.get("CLIENTS") else ""
    with open(out_dir / f"matrix{suffix}.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def rootcert(server, cases, out_dir):
    """rootcert check's verdict today for the same cases, as mariadb:// and mysql:// targets
    (ROOTCERT_BIN names the binary): the models the lead's work starts from."""
    rows = []
    for case in cases:
        server.serve(case)
        host = (case / "host").read_text().strip()
        trust = quote(str(case / "trust"))
        at = f"[{host}]" if ":" in host else host
        targets = {
            "mariadb verify-full": f"mariadb://probe@{at}:{server.port}?ssl-ca={trust}"
                                   "&ssl-verify-server-cert=1",
            "mariadb verify-ca": f"mariadb://probe@{at}:{server.port}?ssl-ca={trust}",
            "mysql VERIFY_IDENTITY": f"mysql://probe@{at}:{server.port}?ssl-ca={trust}"
                                     "&ssl-mode=VERIFY_IDENTITY",
            "mysql VERIFY_CA": f"mysql://probe@{at}:{server.port}?ssl-ca={trust}"
                               "&ssl-mode=VERIFY_CA",
        }
        row = {"case": case.name, "name": (case / "name").read_text().strip(), "host": host}
        for label, target in targets.items():
            with tempfile.TemporaryDirectory(prefix="h18-home-") as home:
                out = run([os.environ["ROOTCERT_BIN"], "check", target, "--json"],
                          env={"HOME": home, "PATH": os.environ["PATH"]}, timeout=30)
            row[label] = {"exit": out.returncode,
                          "connected": {0: True, 4: False}.get(out.returncode),
                          "stdout": out.stdout.strip()[-600:], "stderr": out.stderr.strip()}
        rows.append(row)
        print(case.name, " ".join(f"{k}={v['exit']}" for k, v in row.items()
                                  if isinstance(v, dict)), flush=True)
    with open(out_dir / "rootcert.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def settings(server, matrix_dir, out_dir):
    """The TLS settings of each driver × right root / unrelated root / wrong host name."""
    served = matrix_dir / "20"  # the base chain; its trust is the right root
    right = str(served / "trust")
    other = str(matrix_dir / "25" / "trust")  # "only an unrelated root"
    right_pem = Path(right).read_text()
    other_pem = Path(other).read_text()
    server.serve(served)
    port = server.port
    good, wrong = "localhost", "db.example.test"
    rows = []

    def add(client, label, args, env=None, home=None):
        result = probe(client, args, env, home)
        rows.append({"client": client, "setting": label, **result})
        print(f"{client:<8} {label:<75} {'ok' if result['connected'] else '--'} "
              f"tls={result.get('tls')} {(result.get('error') or '')[:90]}", flush=True)

    def three(client, label, url_of, env_of=None, home_of=None):
        """url_of(host, ca_path, ca_pem) -> URL; right root, unrelated root, wrong name."""
        for tag, host, ca, pem in (("right root", good, right, right_pem),
                                   ("unrelated root", good, other, other_pem),
                                   ("wrong host name", wrong, right, right_pem)):
            env = env_of(ca) if env_of else None
            home = home_of(ca) if home_of else None
            add(client, f"{label} [{tag}]", ["string", url_of(host, ca, pem)], env, home)

    # mariadb: options as URL query (mariadb_probe.sh maps a=b to --a=b).
    m = lambda q: (lambda h, ca, pem: f"mariadb://probe@{h}:{port}" + (q(ca) and "?" + q(ca)))
    three("mariadb", "no TLS options (10.11 defaults)", m(lambda ca: ""))
    three("mariadb", "--skip-ssl", m(lambda ca: "skip-ssl"))
    three("mariadb", "--ssl", m(lambda ca: "ssl"))
    three("mariadb", "--ssl-ca=F", m(lambda ca: f"ssl-ca={quote(ca)}"))
    three("mariadb", "--ssl-ca=F --ssl-verify-server-cert",
          m(lambda ca: f"ssl-ca={quote(ca)}&ssl-verify-server-cert"))
    three("mariadb", "--ssl-verify-server-cert, SSL_CERT_FILE=F",
          m(lambda ca: "ssl-verify-server-cert"), env_of=lambda ca: {"SSL_CERT_FILE": ca})
    three("mariadb", "--ssl-verify-server-cert, no CA anywhere", m(lambda ca: "ssl-verify-server-cert"))
    three("mariadb", "~/.my.cnf [client] ssl-ca=F, ssl-verify-server-cert", m(lambda ca: ""),
          home_of=lambda ca: {".my.cnf": f"[client]\nssl-ca={ca}\nssl-verify-server-cert\n"})
    three("mariadb", "~/.my.cnf [client] ssl-ca=F", m(lambda ca: ""),
          home_of=lambda ca: {".my.cnf": f"[client]\nssl-ca={ca}\n"})
    add("mariadb", "--ssl-ca=MISSING --ssl-verify-server-cert",
        ["string", f"mariadb://probe@{good}:{port}?ssl-ca=/nonexistent.pem&ssl-verify-server-cert"])
    add("mariadb", "--ssl-ca=F --ssl-verify-server-cert --skip-ssl",
        ["string", f"mariadb://probe@{good}:{port}?ssl-ca={quote(right)}&ssl-verify-server-cert&skip-ssl"])

    # mysql2: the URL as ConnectionConfig.parseUrl reads it (values JSON-parsed when they can be).
    def n(ssl_of):
        return lambda h, ca, pem: f"mysql://probe@{h}:{port}/" + (
            "" if ssl_of(pem) is None else "?ssl=" + quote(ssl_of(pem), safe=""))
    three("mysql2", "no ssl option", n(lambda pem: None))
    three("mysql2", "ssl={} (Node's bundled roots)", n(lambda pem: "{}"))
    three("mysql2", "ssl={} with NODE_EXTRA_CA_CERTS=F", n(lambda pem: "{}"),
          env_of=lambda ca: {"NODE_EXTRA_CA_CERTS": ca})
    three("mysql2", "ssl={\"rejectUnauthorized\":false}",
          n(lambda pem: json.dumps({"rejectUnauthorized": False})))
    three("mysql2", "ssl={\"ca\":PEM}", n(lambda pem: json.dumps({"ca": pem})))
    three("mysql2", "ssl={\"ca\":PEM,\"verifyIdentity\":true}",
          n(lambda pem: json.dumps({"ca": pem, "verifyIdentity": True})))
    three("mysql2", "ssl={\"ca\":PEM,\"rejectUnauthorized\":false,\"verifyIdentity\":true}",
          n(lambda pem: json.dumps({"ca": pem, "rejectUnauthorized": False,
                                    "verifyIdentity": True})))
    three("mysql2", "ssl={\"ca\":PEM of the unrelated root} with NODE_EXTRA_CA_CERTS=F",
          n(lambda pem: json.dumps({"ca": other_pem})),
          env_of=lambda ca: {"NODE_EXTRA_CA_CERTS": ca})
    three("mysql2", "ssl=Amazon RDS (profile)", n(lambda pem: "Amazon RDS"))
    three("mysql2", "ssl=true", n(lambda pem: "true"))
    three("mysql2", "ssl-mode=VERIFY_IDENTITY&ssl-ca=F (MySQL's words)",
          lambda h, ca, pem: f"mysql://probe@{h}:{port}/?ssl-mode=VERIFY_IDENTITY&ssl-ca={quote(ca)}")
    three("mysql2", "sslmode=verify-full&sslrootcert=F (libpq's words)",
          lambda h, ca, pem: f"mysql://probe@{h}:{port}/?sslmode=verify-full&sslrootcert={quote(ca)}")
    for tag, host in (("right root", good), ("wrong host name", wrong)):
        add("mysql2", f"verify-full runner [{tag}]", ["verify-full", host, str(port), right])

    # PyMySQL: keywords through the runner's URL convention (pymysql_probe.py's docstring).
    p = lambda q: (lambda h, ca, pem: f"mysql://probe@{h}:{port}" + (q(ca) and "?" + q(ca)))
    three("pymysql", "no ssl keywords (PyMySQL default)", p(lambda ca: ""))
    three("pymysql", "ssl_disabled=True", p(lambda ca: "ssl_disabled=true"))
    three("pymysql", "ssl_ca=F", p(lambda ca: f"ssl_ca={quote(ca)}"))
    three("pymysql", "ssl_ca=F, ssl_verify_cert=True",
          p(lambda ca: f"ssl_ca={quote(ca)}&ssl_verify_cert=true"))
    three("pymysql", "ssl_ca=F, ssl_verify_identity=True",
          p(lambda ca: f"ssl_ca={quote(ca)}&ssl_verify_identity=true"))
    three("pymysql", "ssl_ca=F, ssl_verify_cert=True, ssl_verify_identity=True",
          p(lambda ca: f"ssl_ca={quote(ca)}&ssl_verify_cert=true&ssl_verify_identity=true"))
    three("pymysql", "ssl_ca=F, ssl_verify_cert=False, ssl_verify_identity=True",
          p(lambda ca: f"ssl_ca={quote(ca)}&ssl_verify_cert=false&ssl_verify_identity=true"))
    three("pymysql", "ssl_verify_cert=True, SSL_CERT_FILE=F (no ssl_ca)",
          p(lambda ca: "ssl_verify_cert=true"), env_of=lambda ca: {"SSL_CERT_FILE": ca})
    three("pymysql", "ssl_verify_identity=True, SSL_CERT_FILE=F (no ssl_ca)",
          p(lambda ca: "ssl_verify_identity=true"), env_of=lambda ca: {"SSL_CERT_FILE": ca})
    three("pymysql", "ssl={'ca': F}",
          p(lambda ca: "ssl=" + quote(json.dumps({"ca": ca}))))
    three("pymysql", "ssl={'ca': F, 'check_hostname': False}",
          p(lambda ca: "ssl=" + quote(json.dumps({"ca": ca, "check_hostname": False}))))
    three("pymysql", "ssl={'verify_mode': 'required'}, SSL_CERT_FILE=F",
          p(lambda ca: "ssl=" + quote(json.dumps({"verify_mode": "required"}))),
          env_of=lambda ca: {"SSL_CERT_FILE": ca})
    three("pymysql", "URL ssl-mode=VERIFY_IDENTITY&ssl-ca=F (runner convention)",
          p(lambda ca: f"ssl-mode=VERIFY_IDENTITY&ssl-ca={quote(ca)}"))
    three("pymysql", "URL ssl-mode=VERIFY_CA&ssl-ca=F (runner convention)",
          p(lambda ca: f"ssl-mode=VERIFY_CA&ssl-ca={quote(ca)}"))
    three("pymysql", "URL ssl-mode=REQUIRED&ssl-ca=F (runner convention)",
          p(lambda ca: f"ssl-mode=REQUIRED&ssl-ca={quote(ca)}"))
    three("pymysql", "read_default_file=~/.my.cnf holding [client] ssl-ca=F",
          p(lambda ca: "read_default_file=" + quote("~/.my.cnf")),
          home_of=lambda ca: {".my.cnf": f"[client]\nssl-ca={ca}\n"})
    add("pymysql", "ssl_ca=MISSING, ssl_verify_identity=True",
        ["string", f"mysql://probe@{good}:{port}?ssl_ca=/nonexistent.pem&ssl_verify_identity=true"])
    # An address as the host, and a certificate that names only localhost (DNS SAN): a
    # client that checks the address must refuse.
    for client in ("mariadb", "mysql2", "pymysql"):
        add(client, "verify-full runner, host 127.0.0.1, certificate for DNS:localhost only",
            ["verify-full", "127.0.0.1", str(port), right])
    with open(out_dir / "settings.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def main():
    matrix_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    what = sys.argv[3] if len(sys.argv) > 3 else "all"
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = sorted(p for p in matrix_dir.iterdir() if (p / "chain.pem").is_file())
    if os.environ.get("CASES"):  # e.g. CASES=00,21 for a quick look
        cases = [c for c in cases if c.name in os.environ["CASES"].split(",")]
    server = Server(cases[0])
    try:
        if what in ("matrix", "all"):
            matrix(server, cases, out_dir)
        if what == "rootcert":
            rootcert(server, cases, out_dir)
        if what in ("settings", "all"):
            settings(server, matrix_dir, out_dir)
    finally:
        server.stop()


main()
