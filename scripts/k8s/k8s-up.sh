#!/usr/bin/env bash
# Adapted from the measured reference scripts in the project brief (context/kubernetes), with
# Gatehouse defaults: binaries cached in /var/cache/gatehouse/k8s/<version> (outside any clone, so
# reruns and CI reuse them), state in /tmp/gatehouse-k8s, runtime files in /run/gatehouse-k8s.
# k8s-up.sh [KUBECONFIG_OUT]
# Brings up a single-node Kubernetes on this host, listening on 127.0.0.1 (the kubelet on its own bridge IP):
#   etcd -> kube-apiserver -> kube-controller-manager + kube-scheduler
#   and (K8S_NODE=1, default) containerd + runc + bridge CNI + kubelet, which runs real Pods.
# Writes an admin kubeconfig (cluster-admin, certs embedded) to KUBECONFIG_OUT and prints timings.
# Needs root. Binaries come from k8s-build.sh; containerd/runc/CNI/busybox from Debian:
#   apt-get install -y --no-install-recommends containerd runc containernetworking-plugins busybox-static
#
# Env (all optional):
#   K8S_BIN       dir with kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl, etcd, pause
#                 (default /var/cache/gatehouse/k8s/$K8S_VERSION); etcd falls back to /usr/bin/etcd (Debian etcd-server)
#   K8S_STATE     state dir: pki, etcd data, logs, pid files, kubelet + containerd roots (default /tmp/gatehouse-k8s)
#   K8S_RUN       runtime dir: sockets, runc state, netns (default /run/gatehouse-k8s)
#   K8S_NODE      1: run containerd+kubelet (default); 0: control plane only (no Node: Pods stay Pending)
#   K8S_API_PORT  (6443)  K8S_ETCD_PORT (2379, peer port +1)  K8S_KCM_PORT (10257)  K8S_SCHED_PORT (10259)
#   K8S_KUBELET_PORT (10250)  K8S_KUBELET_HEALTHZ_PORT (10248)
#   K8S_POD_CIDR  (10.88.0.0/16; the host gets .1 on bridge K8S_BRIDGE=k8sbr0, which is also the node IP)
#   K8S_SERVICE_CIDR (10.96.0.0/16; ClusterIPs are allocated but not routed: there is no kube-proxy)
#   K8S_NODE_NAME (hostname)  K8S_UP_TIMEOUT (180 s)  K8S_EXTRA_APISERVER_FLAGS  K8S_EXTRA_KUBELET_FLAGS
# Images created locally at bring-up (no registry is used): localhost/k8s-local/pause:1 (sandbox) and
# localhost/k8s-local/base:1 (static busybox in /bin; /lib,/lib64 -> usr/...; mount the host /usr with a
# hostPath volume to run host programs such as Python from a host venv).
set -euo pipefail

T0=$(date +%s.%N)
since() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "[k8s-up +$(since)s] $*"; }
die() { echo "[k8s-up] ERROR: $*  (logs: $STATE/logs; clean up with k8s-down.sh)" >&2; exit 1; }

BIN=${K8S_BIN:-/var/cache/gatehouse/k8s/${K8S_VERSION:-v1.37.2}}
STATE=${K8S_STATE:-/tmp/gatehouse-k8s}
RUN=${K8S_RUN:-/run/gatehouse-k8s}
KCFG_OUT=${1:-${K8S_KUBECONFIG:-$STATE/admin.kubeconfig}}
WITH_NODE=${K8S_NODE:-1}
API_PORT=${K8S_API_PORT:-6443}
ETCD_PORT=${K8S_ETCD_PORT:-2379}
ETCD_PEER_PORT=$((ETCD_PORT + 1))
KCM_PORT=${K8S_KCM_PORT:-10257}
SCHED_PORT=${K8S_SCHED_PORT:-10259}
KUBELET_PORT=${K8S_KUBELET_PORT:-10250}
KUBELET_HZ_PORT=${K8S_KUBELET_HEALTHZ_PORT:-10248}
POD_CIDR=${K8S_POD_CIDR:-10.88.0.0/16}
SERVICE_CIDR=${K8S_SERVICE_CIDR:-10.96.0.0/16}
BRIDGE=${K8S_BRIDGE:-k8sbr0}
NODE_NAME=${K8S_NODE_NAME:-$(hostname | tr 'A-Z_' 'a-z-')}
TIMEOUT=${K8S_UP_TIMEOUT:-180}
CNI_BIN=${K8S_CNI_BIN:-/usr/lib/cni}
BUSYBOX=${K8S_BUSYBOX:-/bin/busybox}
PAUSE_IMAGE=localhost/k8s-local/pause:1
BASE_IMAGE=localhost/k8s-local/base:1

[ "$(id -u)" = 0 ] || die "must run as root"
[ -d "$BIN" ] || die "K8S_BIN=$BIN is not a directory: run k8s-build.sh $BIN"
BIN=$(cd "$BIN" && pwd)
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  [ -x "$BIN/$b" ] || die "$BIN/$b missing: run k8s-build.sh $BIN"
done
ETCD=$BIN/etcd; [ -x "$ETCD" ] || ETCD=$(command -v etcd || true)
[ -x "$ETCD" ] || die "no etcd: build it (k8s-build.sh) or apt-get install etcd-server"
if [ "$WITH_NODE" = 1 ]; then
  [ -x "$BIN/kubelet" ] && [ -x "$BIN/pause" ] || die "$BIN/kubelet or $BIN/pause missing"
  for c in containerd containerd-shim-runc-v2 ctr runc; do command -v $c >/dev/null || die "$c missing (apt-get install containerd runc)"; done
  [ -x "$CNI_BIN/bridge" ] || die "$CNI_BIN/bridge missing (apt-get install containernetworking-plugins)"
  file_out=$(LC_ALL=C ldd "$BUSYBOX" 2>&1 || true)
  echo "$file_out" | grep -q 'not a dynamic executable' || die "$BUSYBOX is not static (apt-get install busybox-static)"
fi
for f in "$STATE"/pids/*.pid; do
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && die "already running ($f); run k8s-down.sh first"
done
for p in $API_PORT $ETCD_PORT $ETCD_PEER_PORT $KCM_PORT $SCHED_PORT; do
  ss -Hltn "sport = :$p" | grep -q . && die "port $p is in use"
done

for d in "$STATE" "$RUN"; do
  awk -v d="$d/" 'index($5 "/", d) == 1 {found=1} END {exit !found}' /proc/self/mountinfo &&
    die "mounts left under $d by an earlier run; run k8s-down.sh first"
done
rm -rf "$STATE"
mkdir -p "$STATE"/{pki,logs,pids,etcd,kubeconfig} "$RUN"
STATE=$(cd "$STATE" && pwd)
PKI=$STATE/pki

# ---------------------------------------------------------------- network bits
# first address of the pod CIDR, e.g. 10.88.0.1
NODE_IP=$(echo "${POD_CIDR%/*}" | awk -F. '{printf "%d.%d.%d.%d", $1, $2, $3, $4 + 1}')
SVC_IP=$(echo "${SERVICE_CIDR%/*}" | awk -F. '{printf "%d.%d.%d.%d", $1, $2, $3, $4 + 1}')
if [ "$WITH_NODE" = 1 ]; then
  # The kubelet refuses a loopback node IP, so the node IP is the host side of our own pod bridge.
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr show dev "$BRIDGE" | grep -q "inet $NODE_IP/" || ip addr add "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for p in $KUBELET_PORT $KUBELET_HZ_PORT; do
    ss -Hltn "sport = :$p" | grep -q . && die "port $p is in use"
  done
fi

# ---------------------------------------------------------------- PKI (ECDSA P-256, 10 years)
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$1.key" 2>/dev/null; }
issue() { # name CN O(optional) EKU SAN(optional)
  key "$1"
  openssl req -new -key "$PKI/$1.key" -subj "/CN=$2${3:+/O=$3}" -out "$PKI/$1.csr" 2>/dev/null
  { echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"
    [ -n "${5:-}" ] && echo "subjectAltName=$5"; } > "$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 3650 -sha256 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
  rm -f "$PKI/$1.csr" "$PKI/$1.ext"
}
key ca
openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=k8s-local-ca" -days 3650 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign,cRLSign" \
  -out "$PKI/ca.crt" 2>/dev/null
issue apiserver kube-apiserver "" serverAuth \
  "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:$NODE_NAME,IP:127.0.0.1,IP:$SVC_IP,IP:$NODE_IP"
issue apiserver-kubelet-client kube-apiserver-kubelet-client system:masters clientAuth
issue admin k8s-local-admin system:masters clientAuth
issue kube-controller-manager system:kube-controller-manager "" clientAuth
issue kube-scheduler system:kube-scheduler "" clientAuth
issue kubelet-client "system:node:$NODE_NAME" system:nodes clientAuth
issue kubelet-server "$NODE_NAME" "" serverAuth "DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP,IP:127.0.0.1"
key sa
openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
chmod 600 "$PKI"/*.key
log "PKI generated"

kubeconfig() { # file cert-name user
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: k8s-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$2.crt")
    client-key-data: $(base64 -w0 "$PKI/$2.key")
contexts:
- name: k8s-local
  context: {cluster: k8s-local, user: $3}
current-context: k8s-local
EOF
  chmod 600 "$1"
}
KC=$STATE/kubeconfig
kubeconfig "$KC/admin" admin k8s-local-admin
kubeconfig "$KC/kube-controller-manager" kube-controller-manager system:kube-controller-manager
kubeconfig "$KC/kube-scheduler" kube-scheduler system:kube-scheduler
kubeconfig "$KC/kubelet" kubelet-client "system:node:$NODE_NAME"
mkdir -p "$(dirname "$KCFG_OUT")"
cp "$KC/admin" "$KCFG_OUT"
KUBECTL=("$BIN/kubectl" --kubeconfig "$KC/admin")

start() { # name cmd...  (own session, detached; the pid file is what k8s-down.sh signals)
  local name=$1; shift
  setsid sh -c 'echo $$ > "$0"; exec "$@"' "$STATE/pids/$name.pid" "$@" > "$STATE/logs/$name.log" 2>&1 < /dev/null &
  local i=0; while [ ! -s "$STATE/pids/$name.pid" ] && [ $i -lt 50 ]; do sleep 0.02; i=$((i+1)); done
}
alive() { kill -0 "$(cat "$STATE/pids/$1.pid")" 2>/dev/null || { tail -n 30 "$STATE/logs/$1.log" >&2; die "$1 exited; log: $STATE/logs/$1.log"; }; }
wait_for() { # what timeout-seconds process-name command...
  local what=$1 t=$2 name=$3; shift 3
  local end=$(( $(date +%s) + t ))
  until "$@" >/dev/null 2>&1; do
    [ -z "$name" ] || alive "$name"
    [ "$(date +%s)" -lt "$end" ] || die "timeout waiting for $what"
    sleep 0.2
  done
  log "$what"
}

# ---------------------------------------------------------------- etcd
ETCD_EXTRA=()
"$ETCD" --help 2>&1 | grep -q -- '--unsafe-no-fsync' && ETCD_EXTRA+=(--unsafe-no-fsync)
start etcd "$ETCD" --name k8s-local --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "k8s-local=http://127.0.0.1:$ETCD_PEER_PORT" --log-level warn "${ETCD_EXTRA[@]}"
wait_for "etcd healthy ($("$ETCD" --version | head -1))" 30 etcd curl -sf "http://127.0.0.1:$ETCD_PORT/health"

# ---------------------------------------------------------------- kube-apiserver
# shellcheck disable=SC2086
start kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --secure-port="$API_PORT" --advertise-address=127.0.0.1 \
  --endpoint-reconciler-type=none \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true \
  --client-ca-file="$PKI/ca.crt" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP,Hostname \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --profiling=false ${K8S_EXTRA_APISERVER_FLAGS:-}
CURL_ADMIN=(curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key")
wait_for "kube-apiserver ready (/readyz)" "$TIMEOUT" kube-apiserver "${CURL_ADMIN[@]}" "https://127.0.0.1:$API_PORT/readyz"

# ---------------------------------------------------------------- controller-manager + scheduler
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$KC/kube-controller-manager" \
  --authentication-kubeconfig="$KC/kube-controller-manager" --authorization-kubeconfig="$KC/kube-controller-manager" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --controllers='*,bootstrapsigner,tokencleaner' \
  --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false --profiling=false
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$KC/kube-scheduler" \
  --authentication-kubeconfig="$KC/kube-scheduler" --authorization-kubeconfig="$KC/kube-scheduler" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false --profiling=false

if [ "$WITH_NODE" = 1 ]; then
  # -------------------------------------------------------------- containerd (private instance)
  CD_ROOT=$STATE/containerd
  CD_RUN=$RUN/containerd
  CD_SOCK=$CD_RUN/containerd.sock
  mkdir -p "$CD_ROOT" "$CD_RUN" "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat > "$STATE/containerd.toml" <<EOF
version = 2
root = "$CD_ROOT/root"
state = "$CD_RUN/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CD_SOCK"
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CD_ROOT/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$PAUSE_IMAGE"
    # this sandbox lacks CAP_SYS_RESOURCE: never ask runc for a negative oom_score_adj
    restrict_oom_score_adj = true
    disable_apparmor = true
    netns_mounts_under_state_dir = true
    stream_server_address = "127.0.0.1"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$CNI_BIN"
      conf_dir = "$STATE/cni/net.d"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$RUN/runc"
EOF
  # No default route in pods: they reach only the pod bridge (host = $NODE_IP) and each other.
  # isGateway=false: the bridge already has $NODE_IP (set above), and isGateway=true would make the
  # plugin set net.ipv4.ip_forward=1 on the host. ipMasq=false: no iptables rules.
  cat > "$STATE/cni/net.d/10-k8s-local.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "k8s-local",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": false, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]]
      }
    }
  ]
}
EOF
  start containerd containerd --config "$STATE/containerd.toml"
  CTR=(ctr --address "$CD_SOCK" --namespace k8s.io)
  wait_for "containerd up ($(containerd --version | awk '{print $3}'))" 30 containerd "${CTR[@]}" version

  # -------------------------------------------------------------- local images (OCI archives, no registry)
  ARCH=$(uname -m); case $ARCH in x86_64) ARCH=amd64;; aarch64) ARCH=arm64;; esac
  oci_image() { # name rootfs-dir entrypoint-json cmd-json out.tar
    local w cdig csize ldig lsize mdig msize
    w=$(mktemp -d); mkdir -p "$w/blobs/sha256"
    tar -C "$2" --numeric-owner --owner=0 --group=0 -cf "$w/layer" .
    ldig=$(sha256sum "$w/layer" | cut -d' ' -f1); lsize=$(stat -c %s "$w/layer"); mv "$w/layer" "$w/blobs/sha256/$ldig"
    printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":%s,"Cmd":%s,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
      "$ARCH" "$3" "$4" "$ldig" > "$w/c"
    cdig=$(sha256sum "$w/c" | cut -d' ' -f1); csize=$(stat -c %s "$w/c"); mv "$w/c" "$w/blobs/sha256/$cdig"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
      "$cdig" "$csize" "$ldig" "$lsize" > "$w/m"
    mdig=$(sha256sum "$w/m" | cut -d' ' -f1); msize=$(stat -c %s "$w/m"); mv "$w/m" "$w/blobs/sha256/$mdig"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
      "$mdig" "$msize" "$1" "${1##*:}" > "$w/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' > "$w/oci-layout"
    tar -C "$w" -cf "$5" oci-layout index.json blobs
    rm -rf "$w"
  }
  IMG=$STATE/images; mkdir -p "$IMG/pause-root" "$IMG/base-root"
  cp "$BIN/pause" "$IMG/pause-root/pause"
  oci_image "$PAUSE_IMAGE" "$IMG/pause-root" '["/pause"]' 'null' "$IMG/pause.tar"
  ( cd "$IMG/base-root"
    mkdir -p bin etc root tmp usr proc sys dev run var/tmp
    chmod 1777 tmp var/tmp
    cp "$BUSYBOX" bin/busybox
    for a in $(bin/busybox --list); do [ -e "bin/$a" ] || ln -s busybox "bin/$a"; done
    ln -s usr/lib lib; ln -s usr/lib64 lib64; ln -s bin sbin
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > etc/passwd
    printf 'root:x:0:\nnogroup:x:65534:\n' > etc/group
    printf 'hosts: files dns\n' > etc/nsswitch.conf )
  oci_image "$BASE_IMAGE" "$IMG/base-root" 'null' '["/bin/sh"]' "$IMG/base.tar"
  "${CTR[@]}" images import "$IMG/pause.tar" >/dev/null
  "${CTR[@]}" images import "$IMG/base.tar" >/dev/null
  "${CTR[@]}" images ls -q | grep -q "^$PAUSE_IMAGE\$" || die "image import failed"
  log "images imported: $PAUSE_IMAGE $BASE_IMAGE"

  # -------------------------------------------------------------- kubelet
  KL_ROOT=$STATE/kubelet
  mkdir -p "$KL_ROOT" "$STATE/kubelet-plugins" "$STATE/sysctl" "$STATE/pod-logs"
  cat > "$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HZ_PORT
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet-server.crt
tlsPrivateKeyFile: $PKI/kubelet-server.key
containerRuntimeEndpoint: unix://$CD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
makeIPTablesUtilChains: false
oomScoreAdj: 0
clusterDomain: cluster.local
resolvConf: ""
volumePluginDir: $STATE/kubelet-plugins
podLogsDir: $STATE/pod-logs
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
EOF
  # Volumes (secrets, service-account tokens) are tmpfs mounts made by the kubelet: the kubelet runs in
  # its own mount namespace (so that it sees the sysctl values it wants, below, without changing the
  # host), and its root dir is a shared mount so those volume mounts propagate back to containerd/runc.
  mount --bind "$KL_ROOT" "$KL_ROOT"
  mount --make-rshared "$KL_ROOT"
  cat > "$STATE/kubelet-wrapper.sh" <<EOF
#!/bin/sh
set -e
mount --make-rprivate /proc
# The kubelet sets vm.overcommit_memory=1, kernel.panic_on_oops=1, kernel.panic=10 ... on the HOST at
# start. Show it files with the values it wants instead, in its own mount namespace only.
for kv in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000; do
  k=\${kv%%=*}; f=$STATE/sysctl/\$(echo \$k | tr / .)
  echo "\${kv#*=}" > "\$f"
  mount --bind "\$f" "/proc/sys/\$k"
done
exec "$BIN/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$KC/kubelet" \\
  --root-dir="$KL_ROOT" --cert-dir="$PKI" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" ${K8S_EXTRA_KUBELET_FLAGS:-}
EOF
  chmod +x "$STATE/kubelet-wrapper.sh"
  start kubelet unshare --mount --propagation unchanged "$STATE/kubelet-wrapper.sh"
  wait_for "kubelet healthy" 60 kubelet curl -sf "http://127.0.0.1:$KUBELET_HZ_PORT/healthz"
  wait_for "node $NODE_NAME Ready" "$TIMEOUT" kubelet \
    sh -c "'${KUBECTL[0]}' --kubeconfig '$KC/admin' get node '$NODE_NAME' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
fi

alive kube-controller-manager; alive kube-scheduler
wait_for "default ServiceAccount exists (controller-manager working)" "$TIMEOUT" kube-controller-manager \
  "${KUBECTL[@]}" get serviceaccount default -n default
echo "$WITH_NODE" > "$STATE/with-node"
log "cluster up: kubeconfig $KCFG_OUT; state $STATE; $("${KUBECTL[@]}" version 2>/dev/null | tr '\n' ' ')"
echo "K8S_UP_SECONDS=$(since)"
