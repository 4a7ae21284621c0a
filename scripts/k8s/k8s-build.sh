#!/usr/bin/env bash
# Adapted from the measured reference scripts in the project brief (context/kubernetes), with
# Gatehouse defaults: binaries cached in /var/cache/gatehouse/k8s/<version> (outside any clone, so
# reruns and CI reuse them), state in /tmp/gatehouse-k8s, runtime files in /run/gatehouse-k8s.
# k8s-build.sh OUT_DIR
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl,
# etcd and a tiny pause binary from the Go module proxy into OUT_DIR.
# Idempotent: if OUT_DIR already holds all binaries built with the same version and
# flags, it exits at once. Reuses the Go build/module caches (GOCACHE, GOMODCACHE).
#
# Env: K8S_VERSION (default v1.37.2)  K8S_BUILD_NICE (default 0, e.g. 15)
#      K8S_BUILD_TARGETS (default "kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd pause")
set -euo pipefail

OUT=${1:-${K8S_BIN:-/var/cache/gatehouse/k8s/${K8S_VERSION:-v1.37.2}}}
V=${K8S_VERSION:-v1.37.2}
NICE=${K8S_BUILD_NICE:-0}
TARGETS=${K8S_BUILD_TARGETS:-"kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd pause"}
GO=${GO:-go}
command -v "$GO" >/dev/null || GO=/usr/local/go/bin/go

case "$V" in v1.*.*) ;; *) echo "K8S_VERSION must look like v1.37.2" >&2; exit 2;; esac
SV="v0.${V#v1.}"                      # staging modules: v1.37.2 -> v0.37.2
MINOR=$(echo "$V" | cut -d. -f2)
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $p.gitVersion=$V -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
STAMP="$OUT/.k8s-build-stamp"
WANT="$V|$TARGETS|$LD|$($GO env GOVERSION)"
all_there=1
for t in $TARGETS; do [ -x "$OUT/$t" ] || all_there=0; done
if [ "$all_there" = 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "k8s-build: $OUT already has $V ($TARGETS); nothing to do"
  exit 0
fi

t0=$(date +%s)
SRC="$OUT/.src"                       # scratch module, kept for reuse
mkdir -p "$SRC/pause"
cd "$SRC"

if [ ! -f go.mod ] || ! grep -q "k8s.io/kubernetes $V\$" go.mod || [ ! -f go.sum ]; then
  echo "k8s-build: preparing scratch module for k8s.io/kubernetes $V"
  KMOD=$($GO mod download -json "k8s.io/kubernetes@$V" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$KMOD" ] || { echo "cannot download k8s.io/kubernetes@$V" >&2; exit 1; }
  GOLINE=$(grep -m1 '^go ' "$KMOD")
  STAGING=$(sed -n '/^replace (/,/^)/p' "$KMOD" | awk '$2=="=>" && $3 ~ /^\.\/staging/ {print $1}')
  {
    echo "module k8sbuild"; echo; echo "$GOLINE"; echo
    grep -m1 '^godebug ' "$KMOD" || true
    echo; echo "require k8s.io/kubernetes $V"; echo
    echo "// k8s.io/kubernetes replaces its staging modules with ./staging/...; pin them to the released $SV"
    echo "replace ("
    for m in $STAGING; do echo "	$m => $m $SV"; done
    echo ")"
  } > go.mod
  cat > tools.go <<'EOT'
//go:build tools

package k8sbuild

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
EOT
  rm -f go.sum
  $GO mod tidy
fi

# minimal pause process for the pod sandbox image (exits on SIGINT/SIGTERM, reaps children)
cat > pause/main.go <<'EOT'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 16)
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range c {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
EOT

export CGO_ENABLED=0
for t in $TARGETS; do
  case $t in
    etcd)  pkg=go.etcd.io/etcd/server/v3 ;;
    pause) pkg=./pause ;;
    *)     pkg=k8s.io/kubernetes/cmd/$t ;;
  esac
  s=$(date +%s)
  nice -n "$NICE" $GO build -trimpath -ldflags "$LD" -o "$OUT/$t.tmp" "$pkg"
  mv -f "$OUT/$t.tmp" "$OUT/$t"
  echo "k8s-build: $t built in $(( $(date +%s) - s ))s"
done
echo "$WANT" > "$STAMP"
echo "k8s-build: done in $(( $(date +%s) - t0 ))s -> $OUT"
