#!/usr/bin/env python3
"""Connection-string cases for psql, pgjdbc and pgx against one PostgreSQL.

usage: pg_connstrings.py DUMP_DIR PGDATA PORT OUT.json
env:   PGJDBC (probe.sh command), PGX (pgx-probe path), ROOTCERT_PGJDBC_CLASSES

Serves case 00 of the matrix dump (DNS:localhost via an intermediate; its trust file holds
the root) or case 17 (IP:::1), and runs each row's string per client through sandbox.sh,
with a hosts file mapping localhost and db.example.test (the wrong name) to 127.0.0.1.
"""
import json, os, shlex, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_matrix import SANDBOX, serve, sh  # noqa: E402

dump, pgdata, port, out_path = sys.argv[1:5]
P = port
RIGHT = os.path.join(dump, "00", "trust")
WRONG = os.path.join(dump, "25", "trust")
work = tempfile.mkdtemp(prefix="sslmodes-", dir=os.environ.get("MATRIX_TMP"))
os.chmod(work, 0o755)
hosts = os.path.join(work, "hosts")
with open(hosts, "w") as f:
    f.write("127.0.0.1 localhost db.example.test\n")
stores = {}
for name, pem in (("right", RIGHT), ("wrong", WRONG)):
    store = os.path.join(work, f"{name}.p12")
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "root", "-file", pem,
                    "-keystore", store, "-storetype", "PKCS12", "-storepass", "changeit"],
                   check=True, capture_output=True)
    stores[name] = store


def trust_store(name):
    return (f"-Djavax.net.ssl.trustStore={stores[name]} -Djavax.net.ssl.trustStoreType=PKCS12 "
            "-Djavax.net.ssl.trustStorePassword=changeit")


def lq(mode, root, host="localhost", extra=""):
    s = f"host={host} port={P} dbname=postgres user=postgres connect_timeout=10"
    if mode:
        s += f" sslmode={mode}"
    if root:
        s += f" sslrootcert={root}"
    return (s + " " + extra).strip()


def jdbc(host, params):
    return f"jdbc:postgresql://{host}:{P}/postgres" + ("?" + params if params else "")


def jp(mode, root):
    parts = []
    if mode:
        parts.append(f"sslmode={mode}")
    if root:
        parts.append(f"sslrootcert={root}")
    return "&".join(parts)


ROWS = []


def row(rid, desc, psql=None, pgjdbc=None, pgx=None, **kw):
    ROWS.append(dict(id=rid, desc=desc, psql=psql, pgjdbc=pgjdbc, pgx=pgx, **kw))


roots = (("right root", RIGHT, "localhost"), ("unrelated root", WRONG, "localhost"),
         ("wrong host name", RIGHT, "db.example.test"))
for mode in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
    for label, root, host in roots:
        row(f"{mode}/{label}", f"sslmode={mode}, sslrootcert={label}",
            psql=lq(mode, root, host), pgjdbc=jdbc(host, jp(mode, root)), pgx=lq(mode, root, host))
for label, root, host in roots:
    row(f"no sslmode/{label}", f"no sslmode, sslrootcert={label}",
        psql=lq(None, root, host), pgjdbc=jdbc(host, jp(None, root)), pgx=lq(None, root, host))
for home in ("right", "wrong", None):
    for mode in (None, "require", "verify-ca", "verify-full"):
        label = {"right": "right root", "wrong": "unrelated root", None: "absent"}[home]
        row(f"home root.crt {label}/{mode or 'no sslmode'}",
            f"no sslrootcert, ~/.postgresql/root.crt {label}, sslmode={mode or '(none)'}",
            psql=lq(mode, None), pgjdbc=jdbc("localhost", jp(mode, None)), pgx=lq(mode, None),
            home=home)
for mode in ("require", "verify-full"):
    row(f"sslrootcert missing file/{mode}", f"sslmode={mode}, sslrootcert names no file",
        psql=lq(mode, "/nonexistent/root.crt"), pgjdbc=jdbc("localhost", jp(mode, "/nonexistent/root.crt")),
        pgx=lq(mode, "/nonexistent/root.crt"))
row("sslrootcert=system", "sslmode=verify-full sslrootcert=system (no file named system)",
    psql=lq("verify-full", "system"), pgjdbc=jdbc("localhost", jp("verify-full", "system")),
    pgx=lq("verify-full", "system"))
row("sslmode upper case", "sslmode=VERIFY-FULL, right root",
    psql=lq("VERIFY-FULL", RIGHT), pgjdbc=jdbc("localhost", jp("VERIFY-FULL", RIGHT)),
    pgx=lq("VERIFY-FULL", RIGHT))
row("PGSSLMODE env", "no sslmode in the string, PGSSLMODE=verify-full, unrelated root",
    psql=lq(None, WRONG), pgjdbc=jdbc("localhost", jp(None, WRONG)), pgx=lq(None, WRONG),
    env={"PGSSLMODE": "verify-full"})
# pgjdbc's own keywords.
for label, root, host in roots:
    row(f"pgjdbc ssl=true/{label}", f"ssl=true, sslrootcert={label}",
        pgjdbc=jdbc(host, f"ssl=true&sslrootcert={root}"))
row("pgjdbc ssl (no value)", "ssl with no value, unrelated root",
    pgjdbc=jdbc("localhost", f"ssl&sslrootcert={WRONG}"))
row("pgjdbc ssl=false", "ssl=false, unrelated root", pgjdbc=jdbc("localhost", f"ssl=false&sslrootcert={WRONG}"))
row("pgjdbc ssl=true sslmode=require", "ssl=true&sslmode=require, unrelated root",
    pgjdbc=jdbc("localhost", f"ssl=true&sslmode=require&sslrootcert={WRONG}"))
NV = "sslfactory=org.postgresql.ssl.NonValidatingFactory"
row("pgjdbc NonValidatingFactory/unrelated root", "NonValidatingFactory, sslmode=verify-full, unrelated root",
    pgjdbc=jdbc("localhost", f"{NV}&sslmode=verify-full&sslrootcert={WRONG}"))
row("pgjdbc NonValidatingFactory/wrong host name", "NonValidatingFactory, sslmode=verify-full, wrong host",
    pgjdbc=jdbc("db.example.test", f"{NV}&sslmode=verify-full"))
DJ = "sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory"
for mode in ("require", "verify-full"):
    for store, host in (("right", "localhost"), ("wrong", "localhost"), ("right", "db.example.test")):
        row(f"pgjdbc DefaultJavaSSLFactory/{mode}/{store} store/{host}",
            f"DefaultJavaSSLFactory, sslmode={mode}, truststore={store} root, host {host}",
            pgjdbc=jdbc(host, f"{DJ}&sslmode={mode}"), java_opts=trust_store(store))
row("pgjdbc DefaultJavaSSLFactory/JDK cacerts", "DefaultJavaSSLFactory, verify-full, the JDK's own cacerts",
    pgjdbc=jdbc("localhost", f"{DJ}&sslmode=verify-full"))
# pgx's own forms.
row("pgx URL verify-full", "postgres:// URL, verify-full, right root",
    psql=f"postgresql://postgres@localhost:{P}/postgres?sslmode=verify-full&sslrootcert={RIGHT}",
    pgx=f"postgres://postgres@localhost:{P}/postgres?sslmode=verify-full&sslrootcert={RIGHT}")
row("pgx HOME only", "root.crt only in $HOME/.postgresql, passwd home elsewhere, verify-full",
    pgx=lq("verify-full", None), home="right", split_home=True)
row("pgx passwd home only", "root.crt only in the passwd home, $HOME elsewhere, verify-full",
    pgx=lq("verify-full", None), home="right", split_home="passwd")
for label, bundle in (("right root", RIGHT), ("unrelated root", WRONG)):
    for mode in ("verify-ca", "verify-full"):
        row(f"SSL_CERT_FILE {label}/{mode}",
            f"no sslrootcert and no default file, sslmode={mode}, SSL_CERT_FILE={label}",
            psql=lq(mode, None), pgx=lq(mode, None), env={"SSL_CERT_FILE": bundle})
# IPv6: case 17 serves IP:::1.
for host, note in (("::1", "short"), ("0:0:0:0:0:0:0:1", "full")):
    row(f"IPv6 {note} form", f"host {host}, IP SAN ::1, verify-full",
        psql=lq("verify-full", os.path.join(dump, "17", "trust"), host),
        pgjdbc=jdbc(f"[{host}]", jp("verify-full", os.path.join(dump, "17", "trust"))),
        pgx=lq("verify-full", os.path.join(dump, "17", "trust"), host), serve="17")
row("IPv6 URL form", "postgres://[::1]:port URL, verify-full",
    psql=f"postgresql://postgres@[::1]:{P}/postgres?sslmode=verify-full&sslrootcert={dump}/17/trust",
    pgx=f"postgres://postgres@[::1]:{P}/postgres?sslmode=verify-full&sslrootcert={dump}/17/trust",
    serve="17")


def run_client(client, target, r, home):
    env = dict(os.environ, HOME=home, **r.get("env", {}))
    if client == "psql":
        # libpq's HOME is the variable itself.
        cmd = ["psql", target, "-X", "-A", "-t", "-c", "select 1"]
        out = sh([SANDBOX, hosts] + cmd, env=env, timeout=60)
        ok = out.returncode == 0 and out.stdout.strip() == "1"
        return {"connected": ok, "error": None if ok else " ".join(out.stderr.split()),
                "stderr": ""}
    cmd = shlex.split(os.environ["PGJDBC" if client == "pgjdbc" else "PGX"]) + ["string", target]
    if client == "pgjdbc" and r.get("java_opts"):
        env["ROOTCERT_JAVA_OPTS"] = r["java_opts"]
    if r.get("split_home"):
        # The sandbox makes the passwd home equal HOME; then the runner sees another HOME.
        other = tempfile.mkdtemp(dir=work)
        if r["split_home"] == "passwd":
            cmd = ["env", f"HOME={other}"] + cmd
        else:
            env["HOME"] = other
            cmd = ["env", f"HOME={home}"] + cmd
    out = sh([SANDBOX, hosts] + cmd, env=env, timeout=60)
    try:
        v = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        v = {"connected": None, "error": f"no JSON (exit {out.returncode}): {out.stdout!r}"}
    v["exit"] = out.returncode
    v["stderr"] = out.stderr.strip()
    return v


results = []
serving = None
for r in ROWS:
    case = r.get("serve", "00")
    if case != serving:
        serve(os.path.join(dump, case), pgdata, port)
        serving = case
    home = tempfile.mkdtemp(dir=work)
    if r.get("home"):
        os.makedirs(os.path.join(home, ".postgresql"))
        src = RIGHT if r["home"] == "right" else WRONG
        with open(src, "rb") as f, open(os.path.join(home, ".postgresql", "root.crt"), "wb") as g:
            g.write(f.read())
    res = {"id": r["id"], "desc": r["desc"]}
    for client in ("psql", "pgjdbc", "pgx"):
        if r.get(client):
            res[client] = run_client(client, r[client], r, home)
            res[client]["string"] = r[client]
    results.append(res)
    print(r["id"], " ".join(f"{c}={'OK' if res[c]['connected'] else 'FAIL'}"
                            for c in ("psql", "pgjdbc", "pgx") if c in res), flush=True)
with open(out_path, "w") as f:
    json.dump(results, f, indent=1)
