#!/usr/bin/env python3
"""Runs a Dockerfile's instructions in a fresh Debian root, as `docker build` and `docker run`
would, where no container engine is at hand (tests; needs root, unshare and chroot).

  dockerfile-run.py build BASE_ROOT CONTEXT IMAGE_DIR   copy BASE_ROOT (the FROM image) to
                                                        IMAGE_DIR/root, then COPY, RUN, ENV...
  dockerfile-run.py run IMAGE_DIR [ARGS...]             ENTRYPOINT + (ARGS or CMD) there

RUN and the container run in their own mount, PID and network namespaces: no network at all,
so nothing a recipe does can reach beyond this machine. An instruction this runner does not
know fails the build rather than being skipped.
"""
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys

DEFAULT_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
}


def instructions(text):
    """(KEYWORD, arguments) per instruction: comments dropped, continuations joined."""
    logical = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") and not logical:
            continue
        if line.rstrip().endswith("\\"):
            logical += line.rstrip()[:-1] + " "
            continue
        logical += line
        if logical.strip():
            keyword, _, rest = logical.strip().partition(" ")
            yield keyword.upper(), rest.strip()
        logical = ""


def exec_form(rest):
    """A JSON array (exec form), or a shell-form string run by /bin/sh -c."""
    if rest.startswith("["):
        return json.loads(rest)
    return ["/bin/sh", "-c", rest]


def in_root(root, argv, env):
    # /proc and /dev/pts as a container has them (apt logs through a pseudo-terminal).
    setup = 'mount -t devpts -o newinstance,ptmxmode=0666 devpts "$0/dev/pts" && exec chroot "$0" "$@"'
    command = ["unshare", "--mount", "--pid", "--net", "--fork", f"--mount-proc={root}/proc",
               "/bin/sh", "-c", setup, root] + argv
    return subprocess.run(command, env=env).returncode


def build(base, context, image):
    root = os.path.join(image, "root")
    subprocess.run(["cp", "-a", base, root], check=True)
    config = {"env": dict(DEFAULT_ENV), "entrypoint": [], "cmd": []}
    with open(os.path.join(context, "Dockerfile")) as f:
        text = f.read()
    for keyword, rest in instructions(text):
        print(f"--> {keyword} {rest}", flush=True)
        if keyword == "FROM":
            if rest != "debian:bookworm-slim":
                sys.exit(f"the base root stands for debian:bookworm-slim, not {rest}")
        elif keyword == "COPY":
            *sources, dest = shlex.split(rest)
            paths = [p for s in sources for p in sorted(glob.glob(os.path.join(context, s)))]
            if not paths:
                sys.exit(f"COPY {rest}: nothing in the build context matches")
            target = os.path.join(root, dest.lstrip("/"))
            if dest.endswith("/") or len(paths) > 1:
                os.makedirs(target, exist_ok=True)
            for path in paths:
                shutil.copy2(path, target)
        elif keyword == "RUN":
            code = in_root(root, ["/bin/sh", "-c", rest], config["env"])
            if code != 0:
                sys.exit(f"RUN {rest}: exit code {code}")
        elif keyword == "ENV":
            words = shlex.split(rest)
            if words and "=" not in words[0]:
                config["env"][words[0]] = " ".join(words[1:])
            else:
                for word in words:
                    key, _, value = word.partition("=")
                    config["env"][key] = value
        elif keyword == "ENTRYPOINT":
            config["entrypoint"] = exec_form(rest)
        elif keyword == "CMD":
            config["cmd"] = exec_form(rest)
        else:
            sys.exit(f"{keyword}: not an instruction this runner knows")
    with open(os.path.join(image, "config.json"), "w") as f:
        json.dump(config, f)


def run(image, args):
    with open(os.path.join(image, "config.json")) as f:
        config = json.load(f)
    argv = config["entrypoint"] + (args or config["cmd"])
    if not argv:
        sys.exit("the image has neither ENTRYPOINT nor CMD")
    return in_root(os.path.join(image, "root"), argv, config["env"])


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "build":
        build(*sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2], sys.argv[3:]))
    else:
        sys.exit(__doc__)
