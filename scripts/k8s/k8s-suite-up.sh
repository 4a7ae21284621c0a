#!/usr/bin/env bash
# Prepares and brings up the real single-node Kubernetes for the `kubernetes` test suite
# (scripts/test-all.mjs), as root: installs the Debian packages it runs on when one is missing
# (containerd, runc, the CNI plugins, static busybox for the base image), builds the Kubernetes
# binaries into the cache outside the clone (k8s-build.sh: a no-op once built, ~11-27 min cold
# on 2 cores), then starts the cluster (k8s-up.sh) and writes its admin kubeconfig to
# $K8S_STATE/admin.kubeconfig, which the suite's tests read from GATEHOUSE_KUBECONFIG.
# The suite always runs k8s-down.sh afterwards, whatever happened here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
need=()
for pkg in containerd runc containernetworking-plugins busybox-static; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "k8s-suite-up: installing ${need[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
fi
t0=$(date +%s)
K8S_BUILD_NICE=${K8S_BUILD_NICE:-10} bash "$here/k8s-build.sh"
echo "k8s-suite-up: binaries ready in $(( $(date +%s) - t0 )) s"
# A cluster left by an interrupted run (or a developer's) would hold the ports and the bridge.
bash "$here/k8s-down.sh" >/dev/null 2>&1 || true
bash "$here/k8s-up.sh"
