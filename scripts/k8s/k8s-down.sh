#!/usr/bin/env bash
# Adapted from the measured reference scripts in the project brief (context/kubernetes), with
# Gatehouse defaults: binaries cached in /var/cache/gatehouse/k8s/<version> (outside any clone, so
# reruns and CI reuse them), state in /tmp/gatehouse-k8s, runtime files in /run/gatehouse-k8s.
# k8s-down.sh : stops what k8s-up.sh started (by the pids it recorded), kills the pod containers,
# unmounts what was mounted under the state/run dirs, removes the pod bridge and the kubepods
# cgroups, and deletes the state. Safe to run when nothing is up.
# Env: K8S_STATE (/tmp/gatehouse-k8s)  K8S_RUN (/run/gatehouse-k8s)  K8S_BRIDGE (k8sbr0)
#      K8S_KEEP_STATE=1 keeps logs and state for debugging (mounts and processes still go).
set -uo pipefail

T0=$(date +%s.%N)
since() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "[k8s-down +$(since)s] $*"; }

STATE=${K8S_STATE:-/tmp/gatehouse-k8s}
RUN=${K8S_RUN:-/run/gatehouse-k8s}
BRIDGE=${K8S_BRIDGE:-k8sbr0}
[ -d "$STATE" ] && STATE=$(cd "$STATE" && pwd)
CD_SOCK=$RUN/containerd/containerd.sock

running() { # pid: alive and not a zombie waiting to be reaped
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
stop() { # seconds-before-SIGKILL name...   (SIGTERM to all named, then wait)
  local t=$1 n pid pids=""; shift
  for n in "$@"; do
    [ -f "$STATE/pids/$n.pid" ] || continue
    pid=$(cat "$STATE/pids/$n.pid"); rm -f "$STATE/pids/$n.pid"
    running "$pid" && kill -TERM "$pid" 2>/dev/null && pids="$pids $pid" && log "stopping $n (pid $pid)"
  done
  [ -n "$pids" ] || return 0
  for _ in $(seq 1 $(( t * 10 ))); do
    for pid in $pids; do running "$pid" && break; pid=""; done
    [ -z "$pid" ] && return 0
    sleep 0.1
  done
  for pid in $pids; do running "$pid" && kill -KILL "$pid" 2>/dev/null && log "SIGKILL pid $pid"; done
  sleep 0.2
}

stop 10 kubelet

# pod containers: kill and delete every task of our containerd, while it still runs
if [ -S "$CD_SOCK" ] && command -v ctr >/dev/null; then
  CTR=(ctr --address "$CD_SOCK" --namespace k8s.io)
  tasks=$(timeout 10 "${CTR[@]}" tasks ls -q 2>/dev/null || true)
  for t in $tasks; do timeout 10 "${CTR[@]}" tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  for t in $tasks; do timeout 10 "${CTR[@]}" tasks delete -f "$t" >/dev/null 2>&1 || true; done
  [ -n "$tasks" ] && log "killed $(echo "$tasks" | wc -w) container tasks"
fi
stop 10 containerd

# leftover shims of our containerd (they outlive it): find them by our socket path, kill by pid
if [ -d "$RUN/containerd" ]; then
  for f in $(grep -alsF -- "$CD_SOCK" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [ "$pid" != $$ ] && kill -KILL "$pid" 2>/dev/null && log "killed leftover shim pid $pid"
  done
fi

# processes still in the kubepods cgroups are pod processes we started
for procs in /sys/fs/cgroup/*/kubepods/cgroup.procs /sys/fs/cgroup/*/kubepods/*/cgroup.procs /sys/fs/cgroup/*/kubepods/*/*/cgroup.procs /sys/fs/cgroup/*/kubepods/*/*/*/cgroup.procs; do
  [ -f "$procs" ] || continue
  for pid in $(cat "$procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null && log "killed pod process $pid"; done
done

stop 15 kube-scheduler kube-controller-manager kube-apiserver
stop 15 etcd

# mounts under our dirs (kubelet volumes, netns files, container rootfs, kubelet root bind), deepest first
for dir in "$RUN" "$STATE"; do
  [ -n "$dir" ] && [ "$dir" != / ] || continue
  awk -v d="$dir/" '{ if (index($5 "/", d) == 1) print $5 }' /proc/self/mountinfo | sort -r | uniq |
    while read -r m; do umount -l "$m" 2>/dev/null || umount -l "$(printf '%b' "$m")" 2>/dev/null; done
done

ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE" && log "removed bridge $BRIDGE"

# empty kubepods cgroups left by the kubelet (cgroupfs driver)
sleep 0.3
for top in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  [ -d "$top" ] && find "$top" -depth -type d -exec rmdir {} \; 2>/dev/null
done

# Paths outside our dirs that the kubelet (1.37) and containerd (1.6) hard-code: remove only our entries.
find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null
for f in /var/lib/cni/results/k8s-local-*-eth0; do   # libcni result cache (network name k8s-local)
  [ -e "$f" ] || continue
  id=${f#/var/lib/cni/results/k8s-local-}; id=${id%-eth0}
  rm -f "$f" "/var/lib/cni/results/cni-loopback-$id-lo"
done
rm -f /var/lib/kubelet/device-plugins/kubelet.sock
for d in /var/log/containers /var/lib/cni/results /var/lib/cni /var/lib/kubelet/device-plugins /var/lib/kubelet \
         /run/containerd/s /run/containerd /usr/libexec/kubernetes/kubelet-plugins/volume/exec \
         /usr/libexec/kubernetes/kubelet-plugins/volume /usr/libexec/kubernetes/kubelet-plugins /usr/libexec/kubernetes; do
  rmdir "$d" 2>/dev/null   # only if empty
done

rm -rf "$RUN"
if [ "${K8S_KEEP_STATE:-0}" != 1 ]; then rm -rf "$STATE"; else log "kept $STATE"; fi
log "down"
