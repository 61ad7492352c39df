#!/usr/bin/env python3
"""Runs the Python runners without paying for Python's and the drivers' start-up each time.

    pyzygote.py MODULE...        (the driver modules to import once: psycopg asyncpg pymysql)

For every stdin line, a JSON object {"argv": [SCRIPT, ARG...], "env": {...}, "passwd": FILE},
it forks a child that enters its own mount namespace with FILE over /etc/passwd (as
sandbox.sh does), takes exactly that environment, and runs SCRIPT as `python3 SCRIPT ARG...`
would (runpy, as __main__); it answers with one JSON line {"exit": N, "stdout": TEXT,
"stderr": TEXT}. Every child starts from the same state: this process imports the modules
and never runs a runner itself. Used by matrix.py, where interpreter and driver start-up
were half of the matrix's CPU time (psycopg's binary wheel alone ~0.4 s a run).
"""

import ctypes
import importlib
import json
import os
import runpy
import selectors
import signal
import sys
import traceback

CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
TIMEOUT_S = 40


def child(request, out_w, err_w):
    """In the forked child: never returns."""
    code = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        signal.alarm(TIMEOUT_S)
        libc = ctypes.CDLL(None, use_errno=True)
        mount = libc.mount
        mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                          ctypes.c_void_p]
        # Private first, so that the bind mount stays in this child's namespace.
        if (libc.unshare(CLONE_NEWNS) != 0
                or mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0
                or mount(request["passwd"].encode(), b"/etc/passwd", None, MS_BIND, None) != 0):
            raise OSError(ctypes.get_errno(), "unshare/mount for /etc/passwd")
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
        try:
            runpy.run_path(sys.argv[0], run_name="__main__")
            code = 0
        except SystemExit as e:
            if e.code is None or isinstance(e.code, int):
                code = e.code or 0
            else:
                print(e.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - reported on the child's stderr
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def run(request):
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(err_r)
        child(request, out_w, err_w)
    os.close(out_w)
    os.close(err_w)
    chunks = {out_r: [], err_r: []}
    with selectors.DefaultSelector() as sel:
        for fd in chunks:
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            for key, _ in sel.select():
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd].append(data)
                else:
                    sel.unregister(key.fd)
                    os.close(key.fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    text = {fd: b"".join(c).decode("utf-8", "replace") for fd, c in chunks.items()}
    return {"exit": code, "stdout": text[out_r], "stderr": text[err_r]}


def main():
    for name in sys.argv[1:]:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # the runner itself reports a missing driver (exit 2)
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
