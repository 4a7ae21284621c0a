#!/bin/sh
# Fake scheduler for the control-plane benchmark (bench/run.py, measure "scale").
#
# A gateway starts this instead of dask-scheduler: scheduler_cmd = [/bin/sh, fake-scheduler.sh,
# <spool dir>], followed by the usual scheduler arguments. It hands its cluster name, token, API
# URL and heartbeat period to the fake heartbeat generator (bench/fake-heartbeats.mjs) through a
# file in the spool directory, then becomes a sleeping process the gateway can watch and stop
# like a real scheduler. The generator then speaks the scheduler heartbeat protocol for it.
spool="$1"
shift
period=15
host=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --dg-heartbeat-period) period="$2"; shift ;;
    --host) host="$2"; shift ;;
  esac
  shift
done
name="$DASK_GATEWAY_CLUSTER_NAME"
token="$DASK_GATEWAY_API_TOKEN"
# A value with a slash names the file holding the token (spec 2.6; isolated clusters).
case "$token" in */*) token=$(cat "$token") ;; esac
# The host is the cluster's own address (an isolated cluster's loopback address); the gateway
# only takes heartbeat addresses that name it.
printf '%s %s %s %s %s %s\n' "$name" "$token" "$DASK_GATEWAY_API_URL" "$period" "$$" "$host" \
  > "$spool/.$name"
mv "$spool/.$name" "$spool/$name"
exec sleep 86400
