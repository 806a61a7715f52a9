#!/usr/bin/env bash
# The command that starts the server from a checkout (README, Quick start): installs the
# Debian packages the build needs when they are missing (libuv1-dev, libedit-dev for
# skipkv-cli, pkg-config), then builds in release mode and runs skipkv-server with the given
# arguments, in the current directory (where `dir .` keeps the data):
#   scripts/run-server.sh --appendonly yes
#   scripts/run-server.sh /etc/redis/redis.conf --port 7380 --daemonize no
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/debian-packages.sh
. "$root/scripts/lib/debian-packages.sh"

need_build_packages
install_needed_packages
exec swift run --package-path "$root" -c release skipkv-server "$@"
