#!/usr/bin/env bash
# The migration step's named lock against a real MariaDB with Debian's PHP (see migration_lock_check.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v php >/dev/null 2>&1 || ! php -m | grep -qx pdo_mysql \
  || { ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; }; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    mariadb-server mariadb-client php-cli php-mysql >/dev/null
fi
exec python3 .ci/migration_lock_check.py
