#!/bin/bash
# Stops the PostgreSQL cluster pg-up.sh started (fast shutdown) and removes its directory.
# Knobs: GATEHOUSE_PG_DIR (default /tmp/gatehouse-pg).
set -u
DIR=${GATEHOUSE_PG_DIR:-/tmp/gatehouse-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$BIN" ] || BIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
if [ -f "$DIR/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null
  else
    "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null
  fi
fi
rm -rf "$DIR"
echo "postgres: down"
