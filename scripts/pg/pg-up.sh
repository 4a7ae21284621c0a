#!/bin/bash
# Starts a private PostgreSQL cluster for the tests: initdb into a fresh directory, a Unix socket
# in that directory and 127.0.0.1 on a free port, a superuser `gatehouse` with a random
# password. Prints the URL and writes it to <dir>/url (the password also to <dir>/password).
# As root the server runs as the `postgres` user (initdb refuses root); Debian's `postgresql`
# package is installed when missing.
# Knobs: GATEHOUSE_PG_DIR (default /tmp/gatehouse-pg), GATEHOUSE_PG_PORT (default: a free port).
set -euo pipefail
DIR=${GATEHOUSE_PG_DIR:-/tmp/gatehouse-pg}
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  command -v initdb >/dev/null && dirname "$(readlink -f "$(command -v initdb)")"
}
BIN=$(bindir || true)
if [ -z "$BIN" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends postgresql >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends postgresql >/dev/null; }
  BIN=$(bindir)
fi
if [ -f "$DIR/data/postmaster.pid" ]; then bash "$(dirname "$0")/pg-down.sh" >/dev/null; fi
rm -rf "$DIR"
mkdir -p "$DIR/data" "$DIR/socket"
PORT=${GATEHOUSE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
printf '%s\n' "$PASSWORD" >"$DIR/password"
chmod 0600 "$DIR/password"
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  chown -R postgres: "$DIR"
  chmod 0755 "$DIR"
  as_owner() { runuser -u postgres -- "$@"; }
fi
as_owner "$BIN/initdb" -D "$DIR/data" -U gatehouse --pwfile="$DIR/password" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
  { cat "$DIR/initdb.log" >&2; exit 1; }
# Small and fast: tests make and drop many databases; durability is not what they check.
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start -o \
  "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB" >/dev/null ||
  { cat "$DIR/postgres.log" >&2; exit 1; }
URL="postgresql://gatehouse:$PASSWORD@127.0.0.1:$PORT/postgres"
printf '%s\n' "$URL" >"$DIR/url"
chmod 0600 "$DIR/url"
echo "$URL"
