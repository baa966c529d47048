#!/usr/bin/env bash
# Build the local control plane toolchain from Go modules and cache it by version.
#
# Why: this project's machines have no Docker and no internet (only package registries), so kind
# and release downloads are impossible. etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok and helm are built from the Go module proxy instead.
#
# Output: prints the toolchain directory on the last line of stdout. It holds bin/ (the binaries)
# and kwok-stages/ (kwok's stage YAMLs, copied from the module zip).
# A warm cache builds nothing. Binaries already on PATH at the pinned version are linked instead.
#
# `build.sh node` builds the real node's binaries instead (kubelet, kube-proxy, CoreDNS, Traefik) into
# a directory of their own and prints that one. `build.sh observability` builds promtool (the alert
# rules' checker and unit-test runner) into a third directory and prints that one.
#
# Environment: STOREFLEET_CACHE (default ~/.cache/storefleet), STOREFLEET_TOOLCHAIN_FORCE=1 to rebuild.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$HERE/versions.env"
CACHE=${STOREFLEET_CACHE:-$HOME/.cache/storefleet}
TARGET=${1:-control-plane}
if [ "$TARGET" = node ]; then
  DIR="$CACHE/toolchain/node-k8s-$K8S_VERSION-coredns-$COREDNS_VERSION-traefik-$TRAEFIK_VERSION"
elif [ "$TARGET" = observability ]; then
  DIR="$CACHE/toolchain/prometheus-$PROMETHEUS_VERSION"
else
  DIR="$CACHE/toolchain/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION-helm-$HELM_VERSION"
fi
BIN="$DIR/bin"
mkdir -p "$BIN"

# Never let the go command fetch another toolchain behind our back; static binaries need no C.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { echo "toolchain: $*" >&2; }

# version_of NAME PATH -> the version string the binary reports, or nothing.
version_of() {
  local name=$1 path=$2
  case $name in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy)
      "$path" --version 2>/dev/null | sed -n 's/^Kubernetes v//p' ;;
    coredns) "$path" -version 2>/dev/null | sed -n 's/^CoreDNS-//p' | head -1 ;;
    traefik) "$path" version 2>/dev/null | sed -n 's/^Version: *//p' ;;
    kubectl) "$path" version --client -o json 2>/dev/null \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"].lstrip("v"))' 2>/dev/null ;;
    etcd) "$path" --version 2>/dev/null | sed -n 's/^etcd Version: //p' ;;
    kwok) "$path" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1 ;;
    helm) "$path" version --template '{{ .Version }}' 2>/dev/null | sed 's/^v//' ;;
    promtool) "$path" --version 2>&1 | sed -n 's/^promtool, version \([^ ]*\).*/\1/p' ;;
  esac
}

want_version() {
  case $1 in
    kube-*|kubelet|kubectl) echo "$K8S_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    coredns) echo "$COREDNS_VERSION" ;;
    traefik) echo "$TRAEFIK_VERSION" ;;
    promtool) echo "$PROMETHEUS_VERSION" ;;
  esac
}

# have NAME: true when bin/NAME is present at the pinned version (linking a PATH copy if one fits).
have() {
  local name=$1 want
  want=$(want_version "$name")
  if [ -z "${STOREFLEET_TOOLCHAIN_FORCE:-}" ] && [ -x "$BIN/$name" ] && [ "$(version_of "$name" "$BIN/$name")" = "$want" ]; then
    return 0
  fi
  local onpath
  onpath=$(command -v "$name" 2>/dev/null || true)
  if [ -z "${STOREFLEET_TOOLCHAIN_FORCE:-}" ] && [ -n "$onpath" ] && [ "$onpath" != "$BIN/$name" ] \
     && [ "$(version_of "$name" "$onpath")" = "$want" ]; then
    log "using $onpath ($want) from PATH"
    ln -sf "$onpath" "$BIN/$name"
    return 0
  fi
  return 1
}

# check NAME: fail loudly when a fresh build does not report the pinned version (missing ldflags).
check() {
  local name=$1 got want
  want=$(want_version "$name")
  got=$(version_of "$name" "$BIN/$name")
  if [ "$got" != "$want" ]; then
    echo "toolchain: $name reports version '$got', expected '$want'" >&2
    exit 1
  fi
}

k8s_ldflags() {
  local minor ld p
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  ld="-s -w"
  # The same version variables upstream's hack/lib/version.sh sets; without them /version reports
  # v0.0.0-master and helm/kwok pick behaviour for the wrong Kubernetes version.
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  echo "$ld"
}

build_k8s() {  # build_k8s CMD... (from the k8s tools module)
  local ld tmp c pkgs=()
  ld=$(k8s_ldflags)
  for c in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  tmp=$(mktemp -d "$DIR/.build.XXXXXX")
  log "building $* v$K8S_VERSION (slow when cold)"
  (cd "$HERE/k8s" && go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ld" -o "$tmp/" "${pkgs[@]}")
  mv "$tmp"/* "$BIN/" && rmdir "$tmp"
}

build_one() {  # build_one MODULE_DIR NAME PACKAGE LDFLAGS [TAGS]
  local tmp
  tmp=$(mktemp -d "$DIR/.build.XXXXXX")
  log "building $2"
  (cd "$HERE/$1" && go build -trimpath -tags "${5:-}" -ldflags "$4" -o "$tmp/$2" "$3")
  mv "$tmp/$2" "$BIN/$2" && rmdir "$tmp"
}

# Traefik, less lego's DNS-01 providers. Those providers and their cloud SDKs are over a third of
# Traefik's packages and most of its cold compile; the local node serves plain HTTP on loopback and
# never asks an ACME server for a certificate. So the build copies lego from the module cache into a
# scratch directory, swaps its generated provider table for traefik/lego-dns-providers.go.in (every
# DNS-01 provider name answers an error), and points a scratch copy of go.mod at it. Nothing of lego
# is kept in this repository, and the tools module's go.mod and go.sum stay as they are.
build_traefik() {
  local work lego
  work=$(mktemp -d "$DIR/.traefik.XXXXXX")
  log "building traefik (without lego's DNS-01 providers)"
  (cd "$HERE/traefik" && go mod download github.com/go-acme/lego/v4)
  lego=$(cd "$HERE/traefik" && go list -m -f '{{.Dir}}' github.com/go-acme/lego/v4)
  cp -r "$lego" "$work/lego" && chmod -R u+w "$work/lego"
  cp "$HERE/traefik/lego-dns-providers.go.in" "$work/lego/providers/dns/zz_gen_dns_providers.go"
  cp "$HERE/traefik/go.mod" "$work/go.mod" && cp "$HERE/traefik/go.sum" "$work/go.sum"
  (cd "$HERE/traefik" && go mod edit -modfile="$work/go.mod" -replace="github.com/go-acme/lego/v4=$work/lego" \
    && go build -modfile="$work/go.mod" -trimpath -o "$work/traefik" \
      -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
      github.com/traefik/traefik/v3/cmd/traefik)
  mv "$work/traefik" "$BIN/traefik" && rm -rf "$work"
}

if [ "$TARGET" = node ]; then
  need_k8s=0
  for n in kubelet kube-proxy; do have "$n" || need_k8s=1; done
  if [ $need_k8s = 1 ]; then build_k8s kubelet kube-proxy; fi
  for n in kubelet kube-proxy; do check "$n"; done
  # CoreDNS with the few plugins our Corefile uses (coredns/main.go says why, not upstream's main).
  have coredns || build_one coredns coredns . \
    "-s -w -X github.com/coredns/coredns/coremain.GitCommit=v$COREDNS_VERSION"
  check coredns
  have traefik || build_traefik
  check traefik
  echo "$DIR"
  exit 0
fi

if [ "$TARGET" = observability ]; then
  # remove_all_sd drops Prometheus's service-discovery plugins (plugins/ honours the tag): promtool
  # only checks and unit-tests rule files, and the cloud SDKs behind those plugins are most of the
  # compile. The version variable makes `promtool --version` report the pin, which check() reads.
  have promtool || build_one prometheus promtool github.com/prometheus/prometheus/cmd/promtool \
    "-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION" remove_all_sd
  check promtool
  echo "$DIR"
  exit 0
fi

need_k8s=0
for n in kube-apiserver kube-controller-manager kube-scheduler kubectl; do have "$n" || need_k8s=1; done
if [ $need_k8s = 1 ]; then build_k8s kube-apiserver kube-controller-manager kube-scheduler kubectl; fi
for n in kube-apiserver kube-controller-manager kube-scheduler kubectl; do check "$n"; done

have etcd || build_one etcd etcd go.etcd.io/etcd/server/v3 "-s -w"
check etcd

have kwok || build_one kwok kwok sigs.k8s.io/kwok/cmd/kwok "-s -w"
check kwok

# helm: the version variable makes `helm version` clean semver (pyhelm3 parses it), and the
# chartutil pair makes the client-side default KubeVersion match our apiserver, not v1.20.
have helm || build_one helm helm helm.sh/helm/v3/cmd/helm \
  "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
check helm

# kwok's standalone controller needs Stage objects, and its Exec CRD must be installed by us; both
# ship inside the module zip, so copy them next to the binaries.
kwok_src() {
  local src
  src=$(cd "$HERE/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok 2>/dev/null || true)
  if [ -z "$src" ] || [ ! -d "$src/kustomize" ]; then
    (cd "$HERE/kwok" && go mod download sigs.k8s.io/kwok)
    src=$(cd "$HERE/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  fi
  echo "$src"
}
copy_kwok_dir() {  # copy_kwok_dir SUBDIR TARGET
  [ -d "$DIR/$2" ] && return 0
  local src
  src=$(kwok_src)
  rm -rf "$DIR/.$2" && cp -r "$src/kustomize/$1" "$DIR/.$2" && chmod -R u+w "$DIR/.$2"
  mv "$DIR/.$2" "$DIR/$2"
}
copy_kwok_dir stage kwok-stages
copy_kwok_dir crd/bases kwok-crds

echo "$DIR"
