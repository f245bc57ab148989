"""Runs the generated playbook for real against a Debian bookworm root file system.

usage: harness.py PROJECT_DIR --cache DIR --ansible VENV_BIN

The host is a `debootstrap --variant=minbase --include=python3` bookworm (cached as a
tarball under DIR), reached through Ansible's community.general.chroot connection; Docker's
apt repository is a signed local stand-in (standin_repo.py) served on 127.0.0.1. Every task
runs for real, the `docker` tags included, except those tagged `start`: a chroot has no
init system and no Docker daemon (and the sandbox no image registry), so neither
`systemctl start docker` nor `docker compose up` can run here. Those two tasks and the
restart handlers are the only ones skipped (`--skip-tags start`); the test says so in its output.

Scenarios, each on a fresh copy of the root file system:
  fresh     whole playbook; a second run changes nothing; --check --diff after it changes nothing
  check     --check --diff on a fresh host passes and changes nothing on it
  repo      Docker's repository in /etc/apt/sources.list: clear failure, nothing changed;
            as docker.list with signed-by docker.gpg (Docker's older instructions): replaced,
            apt works afterwards
  distro    Debian's own docker.io (20.10): clear failure, nothing changed; with
            kimai_docker_replace_distribution=true: replaced by docker-ce
  keep      a distribution docker.io new enough (26.1, with Compose v2): kept, no repository added
  old       docker-ce 24.0 with Compose 2.21: clear failure before any change, on the `none`
            path and on the `docker` path
"""

import argparse
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import standin_repo  # noqa: E402

MIRROR = "http://deb.debian.org/debian"
DEBOOTSTRAP = ["--variant=minbase", "--include=python3", standin_repo.SUITE]
ADMIN_PASSWORD = "Adm1n/@:?#&%+ $x'\"!"  # 8 to 60 characters, as Kimai requires
VAULT_VALUE = "S3cr3t/@:?#&%+ $x'\"!"
IGNORED = ("proc", "sys", "dev", "tmp", "run", "root/.ansible", "var/cache", "var/log", "var/lib/apt/lists")

failures = []


def check(ok, what, detail=""):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)
        if detail:
            print("      " + detail.strip().replace("\n", "\n      ")[-4000:], flush=True)
    return ok


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], text=True, capture_output=True, **kw)


def rootfs_tarball(cache):
    """The bootstrapped root file system, made once and cached."""
    key = hashlib.sha256(" ".join(DEBOOTSTRAP + [MIRROR]).encode()).hexdigest()[:12]
    tar = cache / f"rootfs-{standin_repo.SUITE}-{key}.tar"
    if tar.exists():
        return tar
    build = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=cache))
    print(f"debootstrap {' '.join(DEBOOTSTRAP)} (first run only; cached as {tar})", flush=True)
    r = run(["debootstrap", *DEBOOTSTRAP, build / "root", MIRROR])
    if r.returncode != 0:
        sys.exit(f"debootstrap failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    partial = tar.with_suffix(".partial")
    subprocess.run(["tar", "-C", build / "root", "-cf", partial, "."], check=True)
    partial.rename(tar)
    shutil.rmtree(build)
    return tar


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Host:
    """A fresh root file system with /proc mounted; removed on exit."""

    def __init__(self, tarball, work, name, apt_cache):
        self.root = work / f"host-{name}"
        self.root.mkdir()
        subprocess.run(["tar", "-C", self.root, "-xf", tarball], check=True)
        # apt's own caches, shared by every host and kept between runs: downloaded .debs and
        # the package lists (apt-get update still runs; it finds them current).
        self.mounts = []
        for sub, inside in [("archives", "var/cache/apt/archives"), ("lists", "var/lib/apt/lists")]:
            (apt_cache / sub / "partial").mkdir(parents=True, exist_ok=True)
            subprocess.run(["mount", "--bind", apt_cache / sub, self.root / inside], check=True)
            self.mounts.append(self.root / inside)
        self.mounts.append(self.root / "proc")
        shutil.copy("/etc/resolv.conf", self.root / "etc/resolv.conf")
        # As in every chroot and container image: package scripts must not start services.
        policy = self.root / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        subprocess.run(["mount", "-t", "proc", "proc", self.root / "proc"], check=True)

    def close(self):
        for m in self.mounts:
            subprocess.run(["umount", m], check=False)
        still = [str(m) for m in self.mounts if os.path.ismount(m)]
        if still:  # never delete through a mount point
            sys.exit(f"cannot unmount {', '.join(still)}; left {self.root} in place")
        shutil.rmtree(self.root, ignore_errors=True)

    def sh(self, *cmd):
        return run(["chroot", self.root, *cmd], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})

    def install_debs(self, debs):
        for d in debs:
            shutil.copy(d, self.root / "tmp")
        r = self.sh("dpkg", "-i", *[f"/tmp/{Path(d).name}" for d in debs])
        if r.returncode != 0:
            sys.exit(f"setup: dpkg -i failed: {r.stdout}{r.stderr}")

    def packages(self):
        r = self.sh("dpkg-query", "--show", "--showformat=${db:Status-Abbrev} ${Package} ${Version}\\n")
        return {l.split()[1]: l.split()[2] for l in r.stdout.splitlines() if l.startswith("ii ")}

    def state(self):
        """The file system's metadata (mode, size, time, link target by path)."""
        seen = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            dirnames[:] = sorted(d for d in dirnames if os.path.normpath(os.path.join(rel, d)) not in IGNORED
                                 and d != "__pycache__")
            for name in filenames + dirnames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                link = os.readlink(p) if os.path.islink(p) else ""
                # A directory's own time and size change with its entries, which are compared anyway.
                is_dir = os.path.isdir(p) and not link
                seen[os.path.normpath(os.path.join(rel, name))] = (
                    st.st_mode, 0 if is_dir else st.st_size, 0 if is_dir else st.st_mtime_ns, link)
        return seen


def differences(before, after):
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    return "changed: " + ", ".join(changed[:20]) if changed else ""


class Playbook:
    def __init__(self, project, work, ansible_bin, repo_url, certs):
        self.project, self.work, self.bin = project, work, ansible_bin
        self.password_file = work / "vault-pass"
        self.password_file.write_text("ci-vault-password\n")
        example = project / "group_vars/all/vault.yml.example"
        keys = [l.split(":")[0] for l in example.read_text().splitlines() if l.startswith("vault_")]
        vault = example.with_name("vault.yml")
        vault.write_text("".join(
            f"{k}: !unsafe {json.dumps(ADMIN_PASSWORD if k == 'vault_admin_password' else VAULT_VALUE)}\n"
            for k in keys))
        r = run([ansible_bin / "ansible-vault", "encrypt", "--vault-password-file", self.password_file, vault])
        if r.returncode != 0:
            sys.exit(f"ansible-vault: {r.stderr}")
        self.extra = {"kimai_docker_apt_url": repo_url, "kimai_certs_dir": str(certs)}
        self.env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "False",
                    "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"), "ANSIBLE_FORCE_COLOR": "0",
                    "ANSIBLE_PIPELINING": "True"}

    def __call__(self, host, *args, extra=None, skip_start=True):
        inventory = self.work / f"inventory-{host.root.name}.yml"
        inventory.write_text(json.dumps({"kimai": {"hosts": {"debian": {
            "ansible_connection": "community.general.chroot", "ansible_host": str(host.root),
            "ansible_python_interpreter": "/usr/bin/python3"}}}}))
        extra_file = self.work / "extra.json"
        extra_file.write_text(json.dumps({**self.extra, **(extra or {})}))
        started = time.monotonic()
        r = run([self.bin / "ansible-playbook", "-i", inventory, "site.yml", "--vault-password-file",
                 self.password_file, "-e", f"@{extra_file}", *(["--skip-tags", "start"] if skip_start else []), *args],
                cwd=self.project, env=self.env)
        out = r.stdout + r.stderr
        if os.environ.get("KIMAI_PROFILE"):
            print(f"      ansible-playbook {' '.join(args)}: {time.monotonic() - started:.0f} s", flush=True)
            print("\n".join(l for l in out.splitlines() if re.search(r"-{5,} [0-9.]+s$", l))[:3000], flush=True)
        recap = out.split("PLAY RECAP")[-1]
        m = re.search(r"changed=(\d+)", recap)
        return r.returncode, out, int(m.group(1)) if m else -1


def scenario_fresh(host, play, project):
    code, out, changed = play(host)
    if not check(code == 0, "fresh host: the whole playbook runs (docker tags included, start skipped)", out[-4000:]):
        return
    pk = host.packages()
    for p in ["docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin",
                                         "docker-buildx-plugin", "python3-apt", "python3-debian", "cron", "curl"]:
        check(p in pk, f"fresh host: {p} is installed")
    sources = host.root / "etc/apt/sources.list.d/docker.sources"
    check(sources.exists() and "Signed-By: /etc/apt/keyrings/docker.asc" in sources.read_text(),
          "fresh host: docker.sources points at the key the play stored", sources.read_text() if sources.exists() else "")
    check((host.root / "etc/apt/keyrings/docker.asc").exists(), "fresh host: the repository key is stored")
    deployed = host.root / "opt/kimai"
    compose = next((project / "files/compose").glob("compose.y*ml*"))
    check((deployed / "compose.yaml").read_bytes() == compose.read_bytes(), "fresh host: compose.yaml arrives byte-exact")
    env = deployed / ".env"
    check(env.exists() and oct(env.stat().st_mode & 0o777) == "0o600", "fresh host: .env is written with mode 0600")
    want = re.findall(r"^([A-Z0-9_]+)=", (project / "templates/env.j2").read_text(), re.M)
    got = re.findall(r"^([A-Z0-9_]+)=", env.read_text(), re.M) if env.exists() else []
    check(got == want and len(want) > 0, f"fresh host: .env sets {', '.join(want)}", f"got {got}")
    cron = list((host.root / "etc/cron.d").glob("*-backup"))
    check(len(cron) == 1 and "backup.sh" in cron[0].read_text(), "fresh host: the backup is scheduled in /etc/cron.d")
    r = host.sh("bash", "-n", "/opt/kimai/backup.sh")
    check(r.returncode == 0, "fresh host: backup.sh is valid bash", r.stderr)
    r = host.sh("apt-get", "update")
    check(r.returncode == 0 and "Conflicting" not in r.stderr, "fresh host: apt-get update works afterwards", r.stderr)
    r = host.sh("docker", "compose", "version", "--short")
    check(r.stdout.strip() == standin_repo.CURRENT["compose"], "fresh host: docker compose answers from the installed plugin")
    code, out, changed = play(host)
    check(code == 0 and changed == 0, f"fresh host: a second run changes nothing (changed={changed})", out[-3000:])
    before = host.state()
    code, out, changed = play(host, "--check", "--diff")
    after = host.state()
    check(code == 0 and changed == 0 and after == before,
          f"deployed host: --check --diff passes and reports no change (changed={changed})",
          differences(before, after) + "\n" + out[-3000:])
    # A changed proxy config must reach its service even when a later task fails
    # (force_handlers). Here the later failure is starting Docker, which a chroot cannot do;
    # the restart handler then runs (and fails too: no daemon), so the notification is not lost.
    if "vault_admin_password" in (project / "group_vars/all/vault.yml.example").read_text():
        before = env.read_bytes()
        code, out, changed = play(host, "--tags", "files", extra={"vault_admin_password": "short"})
        check(code != 0 and "must have 8 to 60 characters" in out and env.read_bytes() == before,
              "an admin password of 5 characters stops the play before .env is written", out[-2000:])
    conf = deployed / "nginx/kimai.conf"
    conf.write_text(conf.read_text() + "# drift\n")
    code, out, changed = play(host, "--tags", "files,start", "--start-at-task", "Create the compose project directory",
                              skip_start=False)
    check(code != 0 and "fatal:" in out and "RUNNING HANDLER [Restart compose service proxy]" in out,
          "a changed nginx/kimai.conf still notifies the proxy restart when a later task fails (force_handlers)",
          out[-3000:])


def scenario_check(host, play):
    before = host.state()
    code, out, changed = play(host, "--check", "--diff")
    check(code == 0, "fresh host: --check --diff passes", out[-4000:])
    check(changed > 0 and "check mode skips the apt, repository and package tasks" in out,
          f"fresh host: check mode reports changes (changed={changed}) and what it cannot predict", out[-2000:])
    after = host.state()
    check(after == before, "fresh host: --check changes nothing on the host", differences(before, after))


def expect_refusal(host, play, what, needle, *args, extra=None):
    before, pk = host.state(), host.packages()
    code, out, changed = play(host, *args, extra=extra)
    check(code != 0 and needle in out, f"{what}: stops with a clear message", out[-3000:])
    m = re.search(r'fatal: .*?"msg": "((?:[^"\\]|\\.)*)"', out)
    if m:
        print(f"      {m.group(1)}")
    after = host.state()
    check(after == before and host.packages() == pk, f"{what}: nothing on the host was changed",
          differences(before, after))
    check(not (host.root / "opt/kimai").exists(), f"{what}: no compose project was written")


def scenario_repo(host, play, repo_url, work):
    line = f"deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] {repo_url}/debian bookworm stable\n"
    main = host.root / "etc/apt/sources.list"
    original = main.read_text()
    main.write_text(original + line)
    expect_refusal(host, play, "Docker's repository in /etc/apt/sources.list", "Remove Docker's repository from those files")
    main.write_text(original)
    (host.root / "etc/apt/keyrings").mkdir(parents=True, exist_ok=True)
    shutil.copy(work / "docker.gpg", host.root / "etc/apt/keyrings/docker.gpg")
    (host.root / "etc/apt/sources.list.d/docker.list").write_text(line)
    r = host.sh("apt-get", "update")
    check(r.returncode == 0, "docker.list of Docker's older instructions works before the play", r.stderr)
    code, out, changed = play(host)
    check(code == 0, "docker.list + docker.gpg: the play replaces the definition and runs", out[-3000:])
    check(not (host.root / "etc/apt/sources.list.d/docker.list").exists(), "docker.list + docker.gpg: docker.list is removed")
    r = host.sh("apt-get", "update")
    check(r.returncode == 0 and "Conflicting values" not in r.stdout + r.stderr,
          "docker.list + docker.gpg: apt-get update works afterwards (no conflicting Signed-By)", r.stderr)
    check("docker-ce" in host.packages(), "docker.list + docker.gpg: docker-ce is installed")


def scenario_distro(host, play):
    r = host.sh("apt-get", "update")
    r = host.sh("apt-get", "install", "-y", "--no-install-recommends", "docker.io")
    if not check(r.returncode == 0, "setup: Debian's docker.io is installed from bookworm", r.stdout[-2000:] + r.stderr):
        return
    version = host.packages().get("docker.io", "")
    expect_refusal(host, play, f"Debian's docker.io {version}", "Set kimai_docker_replace_distribution: true")
    code, out, changed = play(host, extra={"kimai_docker_replace_distribution": True})
    pk = host.packages()
    check(code == 0 and "docker.io" not in pk and "docker-ce" in pk,
          "kimai_docker_replace_distribution=true: docker.io is replaced by docker-ce", out[-3000:])


def scenario_keep(host, play, distro):
    host.install_debs(list(distro.values()))
    code, out, changed = play(host)
    pk = host.packages()
    check(code == 0 and "docker.io" in pk and "docker-ce" not in pk,
          "a distribution docker.io 26.1 with Compose v2 is kept", out[-3000:])
    check(not (host.root / "etc/apt/sources.list.d/docker.sources").exists(),
          "a kept distribution docker.io: Docker's repository is not added")


def scenario_old(host, play, old):
    host.install_debs([old[p] for p in ["containerd.io", "docker-ce-cli", "docker-ce", "docker-compose-plugin"]])
    expect_refusal(host, play, "Docker Engine 24.0 on the `none` path", "Docker Engine 24.0.7",
                   extra={"kimai_docker_source": "none"})
    expect_refusal(host, play, "Docker Engine 24.0 on the `docker` path", "Docker Engine 24.0.7")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project", type=Path)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--ansible", type=Path, required=True, help="folder of ansible-playbook")
    ap.add_argument("--only", help="comma-separated scenarios")
    a = ap.parse_args()
    a.cache.mkdir(parents=True, exist_ok=True)
    tarball = rootfs_tarball(a.cache)
    work = Path(tempfile.mkdtemp(prefix="ansible-host-"))
    _, _, old, distro = standin_repo.build(work)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(work / "repo")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    repo_url = f"http://127.0.0.1:{server.server_address[1]}"
    certs = work / "certs"
    certs.mkdir()
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=kimai.example.com",
         "-keyout", certs / "privkey.pem", "-out", certs / "fullchain.pem"])
    project = work / "ansible"
    shutil.copytree(a.project, project)
    play = Playbook(project, work, a.ansible, repo_url, certs)
    print("Not run here: tasks tagged `start` (`systemctl start docker`, `docker compose up --wait`, the\n"
          "restart handlers): a chroot has no init system and no Docker daemon, the sandbox no image registry.")
    scenarios = {
        "fresh": lambda h: scenario_fresh(h, play, project),
        "check": lambda h: scenario_check(h, play),
        "repo": lambda h: scenario_repo(h, play, repo_url, work),
        "distro": lambda h: scenario_distro(h, play),
        "keep": lambda h: scenario_keep(h, play, distro),
        "old": lambda h: scenario_old(h, play, old),
    }
    only = a.only.split(",") if a.only else list(scenarios)
    try:
        for name in only:
            print(f"--- {name}", flush=True)
            started = time.monotonic()
            host = Host(tarball, work, name, a.cache / "apt")
            try:
                scenarios[name](host)
            finally:
                host.close()
            print(f"    ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        server.shutdown()
        mounted = [l.split()[1] for l in Path("/proc/mounts").read_text().splitlines()
                   if l.split()[1].startswith(str(work) + "/")]
        if mounted:
            print(f"still mounted, {work} left in place: {', '.join(mounted)}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"ansible host: {len(failures)} failed" + (": " + "; ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
