#!/usr/bin/env python3
"""Benchmark rootcert against the manual routine it replaces (curl + openssl), same run.

Usage: python3 bench/run.py [--runs N]      (builds the release binary first)

Serves DigiCert Global Root G2 over HTTPS on 127.0.0.1 with a throwaway CA, then times:
  1. a download that verifies and saves:  rootcert fetch  vs  curl && openssl x509 -fingerprint
  2. the in-place re-run (provisioning):  rootcert fetch  vs  openssl x509 -fingerprint
Reports median and p90 wall time and peak RSS per process, and the ratios.
"""
import argparse, http.server, os, shutil, ssl, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
G2 = os.path.join(ROOT, "fixtures", "DigiCertGlobalRootG2.crt.pem")
PIN = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F"


def sh(*args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def make_pki(d, cn="127.0.0.1", san="IP:127.0.0.1"):
    """A throwaway P-256 CA (ca.pem) and a server certificate (srv.pem, srv.key) in `d`."""
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", "2", "-subj", "/CN=bench CA")
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", f"{d}/srv.key", "-out", f"{d}/srv.csr", "-subj", f"/CN={cn}")
    with open(f"{d}/ext", "w") as f:
        f.write(f"subjectAltName={san}\n")
    sh("openssl", "x509", "-req", "-in", f"{d}/srv.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
       "-CAcreateserial", "-out", f"{d}/srv.pem", "-days", "2", "-extfile", f"{d}/ext")


def serve(d):
    body = open(G2, "rb").read()

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Without this, Nagle's algorithm and delayed ACKs add ~40 ms to every response.
        disable_nagle_algorithm = True

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{d}/srv.pem", f"{d}/srv.key")
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"https://127.0.0.1:{httpd.server_address[1]}/DigiCertGlobalRootG2.crt.pem"


def measure(argv, runs, stdin_devnull=False):
    """Median and p90 wall ms over `runs` runs (after 3 warm-ups), and peak RSS in MiB.

    Peak RSS is read by GNU time in a separate run: a child forked from Python inherits
    Python's RSS high-water mark across exec, so wait4's ru_maxrss would report Python."""
    devnull = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    if stdin_devnull:
        # For tools that read stdin (openssl s_client): EOF at once, and no shell between.
        devnull += [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    times = []
    for i in range(runs + 3):
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=devnull)
        _, status = os.waitpid(pid, 0)
        elapsed = (time.perf_counter() - start) * 1000
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(argv)}")
        if i >= 3:
            times.append(elapsed)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], peak_rss_mib(argv)


def peak_rss_mib(argv):
    if not shutil.which("time") and not os.path.exists("/usr/bin/time"):
        return float("nan")
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    # For `sh -c 'a && b'` this is the largest of the processes, which is what a user waits on.
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    runs = ap.parse_args().runs
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "rootcert")
    with tempfile.TemporaryDirectory() as d:
        make_pki(d)
        url = serve(d)
        out = f"{d}/out.pem"
        env_clean = {"PATH": os.environ["PATH"], "HOME": d}
        os.environ.clear()
        os.environ.update(env_clean)
        fetch = [binary, "fetch", "-q", "--refresh", "--no-system", "--ca-file", f"{d}/ca.pem",
                 "--url", url, "--sha256", PIN, "-o", out]
        manual = ["sh", "-c", f"curl -sS --fail --cacert {d}/ca.pem -o {out}.curl {url} && "
                              f"openssl x509 -in {out}.curl -noout -sha256 -fingerprint >/dev/null"]
        rerun = [binary, "fetch", "-q", "--no-system", "--url", "http://127.0.0.1:9/unused", "-o", out]
        openssl_only = ["openssl", "x509", "-in", out, "-noout", "-sha256", "-fingerprint"]
        subprocess.run(fetch, check=True, stdout=subprocess.DEVNULL)
        rows = [
            ("download + verify + save", "rootcert fetch", measure(fetch, runs),
             "curl && openssl x509", measure(manual, runs)),
            ("in-place re-run", "rootcert fetch (unchanged)", measure(rerun, runs),
             "openssl x509 -fingerprint", measure(openssl_only, runs)),
        ]
    print(f"{runs} runs each, after 3 warm-ups; wall ms median (p90); peak RSS MiB\n")
    print(f"{'scenario':26} {'tool':28} {'median':>8} {'p90':>8} {'RSS':>6}   ratio (ours/theirs)")
    for scenario, ours, (om, op, orss), theirs, (tm, tp, trss) in rows:
        print(f"{scenario:26} {ours:28} {om:8.2f} {op:8.2f} {orss:6.1f}")
        print(f"{'':26} {theirs:28} {tm:8.2f} {tp:8.2f} {trss:6.1f}   time {om / tm:.2f}x, RSS {orss / trss:.2f}x")
    print(f"\nrelease binary: {os.path.getsize(binary) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
