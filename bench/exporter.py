#!/usr/bin/env python3
"""`rootcert exporter` beside blackbox_exporter (Debian prometheus-blackbox-exporter), on
the same plain-TLS target: sequential probes over one keep-alive HTTP connection each,
latency per probe, and each exporter's resident memory (now and at its peak).

    python3 bench/exporter.py [--probes N] [--rounds N]

The target is bench/delayserver with no delay (Go's crypto/tls, P-256), on 127.0.0.1.
blackbox_exporter probes it with its tcp prober and `tls: true` against the same CA, the
closest it has to what rootcert checks.
"""
import argparse, http.client, os, shutil, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleet import build_delayserver  # noqa: E402
from run import ROOT, make_pki  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"exited: {proc.args}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"not listening: {proc.args}")


def memory_mib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def probe_times(port, path, probes, expect):
    """Milliseconds per probe, sequential, over one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for _ in range(probes):
        start = time.perf_counter()
        conn.request("GET", path)
        body = conn.getresponse().read().decode()
        times.append((time.perf_counter() - start) * 1000)
        if expect not in body:
            sys.exit(f"unexpected probe answer from :{port}:\n{body}")
    conn.close()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probes", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    blackbox = shutil.which("prometheus-blackbox-exporter")
    if not blackbox:
        sys.exit("apt-get install prometheus-blackbox-exporter")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "rootcert")
    procs = []
    with tempfile.TemporaryDirectory() as d:
        try:
            make_pki(d)
            target = subprocess.Popen(
                [build_delayserver(d), "-cert", f"{d}/srv.pem", "-key", f"{d}/srv.key",
                 "-n", "1", "-hang-every", "0", "-delay", "0"],
                stdout=subprocess.PIPE, text=True)
            procs.append(target)
            target_port = int(target.stdout.readline().split()[0])
            with open(f"{d}/rootcert.toml", "w") as f:
                f.write(f'[modules.tls]\nprotocol = "tls"\nca = "{d}/ca.pem"\n')
            with open(f"{d}/blackbox.yml", "w") as f:
                f.write("modules:\n  tls:\n    prober: tcp\n    timeout: 5s\n    tcp:\n"
                        f"      tls: true\n      tls_config:\n        ca_file: {d}/ca.pem\n")
            ours_port, theirs_port = free_port(), free_port()
            ours = subprocess.Popen([binary, "exporter", "--config", f"{d}/rootcert.toml",
                                     "--listen", f"127.0.0.1:{ours_port}"],
                                    stderr=subprocess.DEVNULL)
            theirs = subprocess.Popen([blackbox, f"--config.file={d}/blackbox.yml",
                                       f"--web.listen-address=127.0.0.1:{theirs_port}"],
                                      stderr=subprocess.DEVNULL)
            procs += [ours, theirs]
            wait_listening(ours_port, ours)
            wait_listening(theirs_port, theirs)
            path = f"/probe?module=tls&target=127.0.0.1:{target_port}"
            passed = 'rootcert_check_success{protocol="tls",client="openssl"} 1'
            sides = [("rootcert exporter", ours, ours_port, passed),
                     ("blackbox_exporter 0.23", theirs, theirs_port, "probe_success 1")]
            times = {name: [] for name, *_ in sides}
            for name, _, port, expect in sides:
                probe_times(port, path, 200, expect)  # warm-up
            for _ in range(args.rounds):
                for name, _, port, expect in sides:
                    times[name] += probe_times(port, path, args.probes, expect)
            print(f"{args.rounds} x {args.probes} sequential probes each, one keep-alive "
                  "connection, plain TLS target on 127.0.0.1\n")
            print(f"{'exporter':24} {'median ms':>10} {'mean ms':>8} {'p90 ms':>8} "
                  f"{'RSS MiB':>8} {'peak RSS':>9}")
            for name, proc, _, _ in sides:
                t = sorted(times[name])
                rss, peak = memory_mib(proc.pid)
                print(f"{name:24} {statistics.median(t):10.3f} {statistics.mean(t):8.3f} "
                      f"{t[int(len(t) * 0.9)]:8.3f} {rss:8.1f} {peak:9.1f}")
        finally:
            for p in procs:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
