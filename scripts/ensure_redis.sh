#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:6379 (the lock store shared by several Rasa servers).
#
# Uses the one already running. Otherwise, as root on Debian/Ubuntu, installs the distribution's
# package and starts it in the background. Exits non-zero when no Redis can be had, so the
# scaled-out start fails clearly instead of running without shared locks.
set -uo pipefail

pong() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if pong; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_redis: no Redis on 127.0.0.1:6379 and cannot install one here" >&2
    exit 1
  fi
  echo "ensure_redis: installing Redis (Debian package)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >&2 || {
    echo "ensure_redis: install failed" >&2
    exit 1
  }
fi
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >&2
for _ in $(seq 1 20); do pong && exit 0; sleep 0.5; done
echo "ensure_redis: Redis did not answer after starting" >&2
exit 1
