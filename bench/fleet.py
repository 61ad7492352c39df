#!/usr/bin/env python3
"""`rootcert check` on a fleet: 1,000 tls:// targets on distinct loopback listeners behind a
50 ms round trip, 100 of them accepting and never answering, --timeout 2, every other
setting default. The floor is one target's time plus the timeout.

    python3 bench/fleet.py [--runs N] [--targets N] [--hang-every N] [--delay-ms N]

Needs Go (Debian golang-go) for bench/delayserver, the listeners with the simulated round
trip; builds it and rootcert's release binary first. Peak RSS is read by GNU time.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, make_pki  # noqa: E402


def build_delayserver(d):
    out = f"{d}/delayserver"
    env = dict(os.environ, GO111MODULE="off", GOPATH=f"{d}/gopath", GOCACHE=f"{d}/gocache")
    subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(ROOT, "bench", "delayserver"),
                   env=env, check=True)
    return out


def timed(argv):
    """Wall seconds, exit code and peak RSS (MiB) of one run."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    rss = int(out.stderr.strip().splitlines()[-1]) / 1024
    return elapsed, out.returncode, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--hang-every", type=int, default=10)
    ap.add_argument("--delay-ms", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=2)
    ap.add_argument("--old-default", action="store_true",
                    help="also time --jobs 16 (the default before the fleet scheduler)")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "rootcert")
    with tempfile.TemporaryDirectory() as d:
        make_pki(d)
        server = subprocess.Popen(
            [build_delayserver(d), "-cert", f"{d}/srv.pem", "-key", f"{d}/srv.key",
             "-n", str(args.targets), "-hang-every", str(args.hang_every),
             "-delay", f"{args.delay_ms}ms"],
            stdout=subprocess.PIPE, text=True)
        try:
            listeners = []
            for line in server.stdout:
                if line.strip() == "ready":
                    break
                port, kind = line.split()
                listeners.append((int(port), kind))
            with open(f"{d}/targets.txt", "w") as f:
                f.writelines(f"tls://127.0.0.1:{port}\n" for port, _ in listeners)
            answering = next(port for port, kind in listeners if kind == "ok")
            one = [binary, "check", f"tls://127.0.0.1:{answering}", "--ca", f"{d}/ca.pem",
                   "--timeout", str(args.timeout)]
            for _ in range(3):
                timed(one)
            ones = [timed(one) for _ in range(10)]
            assert all(code == 0 for _, code, _ in ones), ones
            one_s = statistics.median(t for t, _, _ in ones)
            floor = one_s + args.timeout
            fleet = [binary, "check", "--targets", f"{d}/targets.txt", "--ca", f"{d}/ca.pem",
                     "--timeout", str(args.timeout)]
            runs = [timed(fleet) for _ in range(args.runs)]
            hanging = sum(1 for _, kind in listeners if kind == "hang")
            # Every silent server is an error (3); the rest pass.
            assert all(code == (3 if hanging else 0) for _, code, _ in runs), runs
            times = sorted(t for t, _, _ in runs)
            median = statistics.median(times)
            rss = max(r for _, _, r in runs)
            print(f"{len(listeners)} tls:// targets ({hanging} never answer), "
                  f"{args.delay_ms} ms round trip, --timeout {args.timeout:g}, {args.runs} runs")
            print(f"  one target:        {one_s * 1000:7.1f} ms (median of 10)")
            print(f"  floor:             {floor:7.3f} s (one target + the timeout)")
            print(f"  fleet, defaults:   {median:7.3f} s median (min {times[0]:.3f}, max "
                  f"{times[-1]:.3f}); {median / floor:.2f}x the floor; peak RSS {rss:.1f} MiB")
            if args.old_default:
                old, _, old_rss = timed(fleet + ["--jobs", "16"])
                print(f"  fleet, --jobs 16:  {old:7.3f} s; {old / floor:.2f}x the floor; "
                      f"peak RSS {old_rss:.1f} MiB")
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
