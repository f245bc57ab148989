#!/usr/bin/env bash
# The Compose proxy config in real NGINX from Debian's package (see nginx_check.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx openssl >/dev/null
fi
exec python3 .ci/nginx_check.py "$(command -v nginx || echo /usr/sbin/nginx)"
