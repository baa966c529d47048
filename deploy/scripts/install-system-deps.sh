#!/usr/bin/env bash
# Install the Debian packages the tests and `make dev` need, only when something is missing.
# Root installs directly; otherwise sudo is used when present. Nothing is fetched from anywhere but
# the distribution's package repository.
set -euo pipefail

# lua5.4 runs the Argo CD health check (deploy/argocd/health.lua) in the unit tier.
# chromium is the only browser the browser tier drives (Playwright is pointed at /usr/bin/chromium;
# nothing downloads a browser build of its own). postgresql-15 is the real database behind the
# real Medusa backend the storefront and recipe tests run against (started on loopback by the tests
# in a throwaway data directory, never as a system service).
PACKAGES=(ca-certificates lua5.4 chromium fonts-dejavu-core postgresql-15)
# The real node's images are built here without Docker or a registry (storefleet_localcluster.images):
# mmdebstrap makes Debian trees from the host's own apt sources, buildah turns them and the project's
# Dockerfiles into OCI archives, gcc -static builds the pause program, ctr imports them.
PACKAGES+=(mmdebstrap buildah runc containerd gcc libc6-dev)
# The real node (root + Linux only; deploy/localcluster/storefleet_localcluster/realnode.py): a
# container runtime (containerd + runc; crun cannot run on this cgroup v1/v2 hybrid), the CNI
# reference plugins in /usr/lib/cni, iptables/conntrack for kube-proxy, nftables for the
# NetworkPolicy engine, mmdebstrap/buildah to build the node's images without a registry, and
# busybox-static for the node tier's small probe images (tests/realnode).
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ]; then
  PACKAGES+=(containerd runc containernetworking-plugins iptables conntrack nftables mmdebstrap buildah busybox-static)
fi
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
