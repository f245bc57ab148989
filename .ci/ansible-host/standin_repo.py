"""A local stand-in for Docker's apt repository: packages with the real names, signed.

The packages carry no Docker: `dockerd --version`, `docker compose version --short` and the
plugins answer with the package's version, everything else says there is no daemon. The
repository layout is Docker's (`<url>/debian/dists/<suite>/stable`, key at `<url>/debian/gpg`),
its Release file is made by apt-ftparchive and signed with a throwaway GPG key.
"""

import gzip
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

SUITE = "bookworm"
CURRENT = {"engine": "27.5.1", "compose": "2.32.4", "buildx": "0.20.0", "containerd": "1.7.25"}
OLD = {"engine": "24.0.7", "compose": "2.21.0", "buildx": "0.11.2", "containerd": "1.6.24"}


def docker_version(v):
    return f"5:{v}-1~debian.12~{SUITE}"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def script(body):
    return "#!/bin/sh\n# Stand-in of the kimai-deploy CI: no Docker here.\n" + textwrap.dedent(body).lstrip()


def cli(engine):
    return script(f"""
        case "$1" in
          --version) echo "Docker version {engine}, build standin"; exit 0 ;;
          compose|buildx)
            plugin="/usr/libexec/docker/cli-plugins/docker-$1"
            [ -x "$plugin" ] && exec "$plugin" "$@"
            echo "docker: '$1' is not a docker command." >&2; exit 1 ;;
        esac
        echo "Cannot connect to the Docker daemon (stand-in CLI of the kimai-deploy CI)" >&2
        exit 1
        """)


def plugin(version):
    return script(f"""
        case " $* " in
          *" version "*) case " $* " in *" --short "*) echo "{version}" ;; *) echo "Docker Compose version v{version}" ;; esac; exit 0 ;;
        esac
        echo "no daemon (stand-in plugin of the kimai-deploy CI)" >&2
        exit 1
        """)


def deb(out, name, version, arch, files, depends="", conflicts="", replaces="", provides=""):
    """Builds NAME_VERSION_ARCH.deb with `files` ({path: (text, mode)}) under `out`."""
    root = out / f"build-{name}-{version.replace(':', '_')}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "DEBIAN").mkdir(parents=True)
    for path, (text, mode) in files.items():
        p = root / path.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        p.chmod(mode)
    fields = [("Package", name), ("Version", version), ("Architecture", arch),
              ("Maintainer", "kimai-deploy CI <ci@invalid>"), ("Depends", depends),
              ("Conflicts", conflicts), ("Replaces", replaces), ("Provides", provides),
              ("Section", "admin"), ("Priority", "optional"),
              ("Description", f"stand-in for {name} (kimai-deploy CI)")]
    (root / "DEBIAN" / "control").write_text("".join(f"{k}: {v}\n" for k, v in fields if v))
    target = out / f"{name}_{version.replace(':', '_')}_{arch}.deb"
    sh(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(target)])
    shutil.rmtree(root)
    return target


def docker_set(out, arch, v):
    """docker-ce, docker-ce-cli, containerd.io and the two plugins of one release."""
    d = docker_version
    return {
        "docker-ce": deb(out, "docker-ce", d(v["engine"]), arch,
                         {"/usr/bin/dockerd": (cli(v["engine"]), 0o755)},
                         depends="containerd.io (>= 1.6), docker-ce-cli",
                         conflicts="docker (<< 1.5~), docker-engine, docker.io",
                         replaces="docker-engine"),
        "docker-ce-cli": deb(out, "docker-ce-cli", d(v["engine"]), arch,
                             {"/usr/bin/docker": (cli(v["engine"]), 0o755)},
                             conflicts="docker (<< 1.5~), docker-engine, docker.io"),
        "containerd.io": deb(out, "containerd.io", f"{v['containerd']}-1", arch,
                             {"/usr/bin/containerd": (script("exit 1\n"), 0o755)},
                             conflicts="containerd, runc", replaces="containerd, runc",
                             provides="containerd, runc"),
        "docker-compose-plugin": deb(out, "docker-compose-plugin", f"{v['compose']}-1~debian.12~{SUITE}", arch,
                                     {"/usr/libexec/docker/cli-plugins/docker-compose": (plugin(v["compose"]), 0o755)}),
        "docker-buildx-plugin": deb(out, "docker-buildx-plugin", f"{v['buildx']}-1~debian.12~{SUITE}", arch,
                                    {"/usr/libexec/docker/cli-plugins/docker-buildx": (plugin(v["buildx"]), 0o755)}),
    }


def distribution_docker(out, arch):
    """A distribution docker.io new enough to keep (as Debian 13 ships it), with a Compose v2 plugin."""
    return {
        "docker.io": deb(out, "docker.io", "26.1.5+dfsg1-9", arch,
                         {"/usr/sbin/dockerd": (cli("26.1.5"), 0o755), "/usr/bin/docker": (cli("26.1.5"), 0o755)},
                         conflicts="docker-ce, docker-ce-cli"),
        "docker-compose": deb(out, "docker-compose", "2.26.1-4", arch,
                              {"/usr/libexec/docker/cli-plugins/docker-compose": (plugin("2.26.1"), 0o755)}),
    }


def build(work):
    """Builds the signed repository under work/repo (serve work/repo; its URL is kimai_docker_apt_url).
    Returns (arch, current packages, old packages, distribution packages)."""
    arch = sh(["dpkg", "--print-architecture"]).stdout.strip()
    debs = work / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    repo = work / "repo" / "debian"
    pool = repo / "pool" / "stable"
    pool.mkdir(parents=True, exist_ok=True)
    for sub in ("old", "distro"):
        (debs / sub).mkdir(exist_ok=True)
    current = docker_set(debs, arch, CURRENT)
    old = docker_set(debs / "old", arch, OLD)
    distro = distribution_docker(debs / "distro", arch)
    for f in list(current.values()) + list(old.values()):
        shutil.copy(f, pool)
    dist = repo / "dists" / SUITE
    binary = dist / "stable" / f"binary-{arch}"
    binary.mkdir(parents=True, exist_ok=True)
    packages = sh(["apt-ftparchive", "packages", "pool/stable"], cwd=repo).stdout
    (binary / "Packages").write_text(packages)
    (binary / "Packages.gz").write_bytes(gzip.compress(packages.encode(), mtime=0))
    release = sh(["apt-ftparchive",
                  "-o", "APT::FTPArchive::Release::Origin=Docker stand-in",
                  "-o", f"APT::FTPArchive::Release::Suite={SUITE}",
                  "-o", f"APT::FTPArchive::Release::Codename={SUITE}",
                  "-o", "APT::FTPArchive::Release::Components=stable",
                  "-o", f"APT::FTPArchive::Release::Architectures={arch}",
                  "release", "."], cwd=dist).stdout
    (dist / "Release").write_text(release)
    gnupg = work / "gnupg"
    gnupg.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "GNUPGHOME": str(gnupg)}
    sh(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "kimai-deploy CI stand-in <ci@invalid>",
        "ed25519", "sign", "1d"], env=env)
    sh(["gpg", "--batch", "--yes", "--clearsign", "-o", str(dist / "InRelease"), str(dist / "Release")], env=env)
    sh(["gpg", "--batch", "--yes", "-abs", "-o", str(dist / "Release.gpg"), str(dist / "Release")], env=env)
    (repo / "gpg").write_text(sh(["gpg", "--armor", "--export"], env=env).stdout)
    (work / "docker.gpg").write_bytes(subprocess.run(["gpg", "--export"], env=env, check=True,
                                                     capture_output=True).stdout)
    return arch, current, old, distro
