#!/usr/bin/env bash
# The generated playbook run for real on a Debian bookworm host (debootstrap + Ansible's chroot
# connection, a signed local stand-in for Docker's apt repository): .ci/ansible-host/harness.py.
# Needs root. The root file system is cached under $KIMAI_CI_TOOLS (default ~/.cache/kimai-deploy-ci).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${KIMAI_CI_TOOLS:-$HOME/.cache/kimai-deploy-ci}
mkdir -p "$TOOLS"
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v apt-ftparchive >/dev/null || missing+=(apt-utils)
command -v gpg >/dev/null || missing+=(gpg)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Ansible (with community.general's chroot connection) from the pinned requirements, as .ci/run does.
want=$(sha256sum .ci/requirements.txt | cut -d' ' -f1)
if [ ! -x "$TOOLS/venv/bin/python" ] || [ "$(cat "$TOOLS/venv.ok" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check -r .ci/requirements.txt
  echo "$want" > "$TOOLS/venv.ok"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# single-host-tls: TLS from files, a backup, every file the playbook can write.
cargo run --quiet --example generate -- --spec "${KIMAI_ANSIBLE_HOST_SPEC:-examples/specs/single-host-tls.yaml}" --target ansible --out "$out" >/dev/null
"$TOOLS/venv/bin/python" .ci/ansible-host/harness.py "$out/ansible" --cache "$TOOLS" --ansible "$TOOLS/venv/bin" "$@"
