#!/usr/bin/env python3
"""`rootcert check` against `openssl s_client -starttls postgres` on the same local
PostgreSQL, and 200 targets on it with --jobs 16 --per-server 16 (16 at once) and with the
defaults (at most 4 at once on one server) against one. Needs PostgreSQL's server binaries
(Debian's postgresql); run as root (the server runs as the postgres user) or as a user that
can run initdb.

    python3 bench/check.py [--runs N]
"""
import argparse, asyncio, glob, os, shutil, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, make_pki, measure, sh  # noqa: E402


def as_postgres(argv):
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def start_postgres(d):
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    os.chmod(d, 0o755)
    make_pki(d, "localhost", "DNS:localhost")
    data = f"{d}/data"
    os.mkdir(data)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    sh(*as_postgres([f"{bins}/initdb", "-D", data, "--auth=trust", "-U", "postgres", "--no-sync"]))
    shutil.copy(f"{d}/srv.pem", f"{data}/server.crt")
    shutil.copy(f"{d}/srv.key", f"{data}/server.key")
    port = 55432
    with open(f"{data}/postgresql.conf", "a") as f:
        f.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\n"
                "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nmax_connections = 300\n")
    os.chmod(f"{data}/server.key", 0o600)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", data], check=True)
    sh(*as_postgres([f"{bins}/pg_ctl", "-D", data, "-l", f"{data}/log", "-w", "start"]))
    return bins, data, port


def delaying_relay(upstream_port, one_way_ms):
    """A relay on 127.0.0.1 that forwards to PostgreSQL with `one_way_ms` of delay in each
    direction: a network with a round trip, which loopback lacks. Returns its port."""
    ready = threading.Event()
    port = []

    async def pump(reader, writer):
        try:
            while data := await reader.read(65536):
                await asyncio.sleep(one_way_ms / 1000)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(client_r, client_w):
        server_r, server_w = await asyncio.open_connection("127.0.0.1", upstream_port)
        await asyncio.gather(pump(client_r, server_w), pump(server_r, client_w))

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    ready.wait()
    return port[0]


def once_ms(argv):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    runs = ap.parse_args().runs
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "rootcert")
    with tempfile.TemporaryDirectory() as d:
        bins, data, port = start_postgres(d)
        try:
            ca = f"{d}/ca.pem"
            ours = [binary, "check", f"localhost:{port}", "--ca", ca]
            theirs = ["openssl", "s_client", "-starttls", "postgres", "-connect", f"localhost:{port}",
                      "-verify_return_error", "-verify_hostname", "localhost", "-CAfile", ca]
            targets = f"{d}/targets.txt"
            with open(targets, "w") as f:
                f.write(f"localhost:{port}\n" * 200)
            many = [binary, "check", "--targets", targets, "--jobs", "16", "--per-server", "16",
                    "--ca", ca]
            serial = [binary, "check", "--targets", targets, "--jobs", "1", "--ca", ca]
            # The defaults: 200 targets on one server run at most 4 at once (--per-server).
            default = [binary, "check", "--targets", targets, "--ca", ca]
            one = measure(ours, runs)
            few = max(5, runs // 5)
            rows = [("one server", "rootcert check", one,
                     "openssl s_client -starttls postgres", measure(theirs, runs, stdin_devnull=True)),
                    ("200 servers, --jobs 16", "rootcert check --targets", measure(many, few),
                     "rootcert check, one server", one),
                    ("200 servers, --jobs 16", "rootcert check --targets", measure(many, few),
                     "the same with --jobs 1", measure(serial, few)),
                    ("200 servers, defaults", "rootcert check --targets", measure(default, few),
                     "--jobs 16 --per-server 16", measure(many, few))]
            # 200 targets over a network with a 10 ms round trip (5 ms each way).
            relay = delaying_relay(port, 5)
            slow = f"{d}/slow.txt"
            with open(slow, "w") as f:
                f.write(f"localhost:{relay}\n" * 200)
            one_slow = measure([binary, "check", f"localhost:{relay}", "--ca", ca], 10)
            many_slow = measure([binary, "check", "--targets", slow, "--jobs", "16",
                                 "--per-server", "16", "--ca", ca], 5)
            default_slow = measure([binary, "check", "--targets", slow, "--ca", ca], 5)
            serial_slow = once_ms([binary, "check", "--targets", slow, "--jobs", "1", "--ca", ca])
        finally:
            sh(*as_postgres([f"{bins}/pg_ctl", "-D", data, "-m", "immediate", "stop"]))
    print(f"wall ms median (p90); peak RSS MiB; {runs} runs (200-server case: {max(5, runs // 5)})\n")
    print(f"{'scenario':24} {'tool':38} {'median':>8} {'p90':>8} {'RSS':>6}   ratio")
    for scenario, a, (am, ap90, arss), b, (bm, bp90, brss) in rows:
        print(f"{scenario:24} {a:38} {am:8.2f} {ap90:8.2f} {arss:6.1f}")
        print(f"{'':24} {b:38} {bm:8.2f} {bp90:8.2f} {brss:6.1f}   time {am / bm:.2f}x")
    print("\nover a relay adding a 10 ms round trip:")
    print(f"  one server:                       {one_slow[0]:8.1f} ms")
    print(f"  200 servers, --jobs 16:           {many_slow[0]:8.1f} ms ({many_slow[0] / one_slow[0]:.1f}x one; "
          f"the floor is 200/16 = 12.5x)")
    print(f"  200 servers, --jobs 1 (one run):  {serial_slow:8.1f} ms ({serial_slow / many_slow[0]:.1f}x --jobs 16)")
    print(f"  200 servers, defaults (4 at once on one server): {default_slow[0]:8.1f} ms")


if __name__ == "__main__":
    main()
