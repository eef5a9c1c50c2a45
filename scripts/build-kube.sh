#!/usr/bin/env bash
# Builds the real Kubernetes components that the tests run against, from pinned sources, into build/
# (git-ignored):
#   build/bin/k8syaml         the YAML reader of kubectl and Argo CD (tests/k8syaml, sigs.k8s.io/yaml)
#   build/bin/kube-apiserver  k8s.io/kubernetes, pinned in tests/kube/go.mod
#   build/bin/kube-controller-manager  the same module and pin: the StatefulSet, garbage-collector and volume
#                             controllers of the change matrix's claim-template test (tests/apiserver)
#   build/bin/argodiff        Argo CD's diff code (gitops-engine), the drift judge, pinned in tests/argodiff/go.mod
#   etcd                      Debian's etcd-server (apt-get, as root, when /usr/bin/etcd is missing)
#   build/crds/               the cert-manager and Prometheus Operator CRDs, from their Go modules (pinned below)
# Everything Go fetches or compiles stays under build/go (GOMODCACHE, GOCACHE). A component is built again
# only when its pins or sources change: each binary has a stamp beside it with the hash of what it was
# built from, so a second run costs a few hashes.
#
# Usage: scripts/build-kube.sh [all | k8syaml | kube-apiserver | kube-controller-manager | argodiff | etcd | crds]...
#        (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

# The CRDs of the objects the renderer emits (cert-manager Issuers and Certificates, the Prometheus Operator's
# PodMonitor), at the versions of the models the schema tests use (cloudcoil-models-* in pyproject.toml).
CERT_MANAGER=github.com/cert-manager/cert-manager@v1.17.1
PROMETHEUS_OPERATOR=github.com/prometheus-operator/prometheus-operator@v0.80.1

export PATH="/usr/local/go/bin:$PATH"  # the machine's Go 1.26; Debian's old go is not enough for these modules
# -modcacherw: the module cache stays writable, so that rm -rf build/ works.
export GOMODCACHE="$ROOT/build/go/mod" GOCACHE="$ROOT/build/go/cache" GOFLAGS="-mod=mod -modcacherw" GOTOOLCHAIN=local
export CGO_ENABLED=0

# What each binary says its version is (a module build has no git tree to stamp it from).
kubernetes="$(awk '$1 == "require" { $0 = substr($0, 8) } $1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2 }' \
    tests/kube/go.mod)"
[[ "$kubernetes" =~ ^v1\.[0-9]+\.[0-9]+$ ]] || { echo "build-kube: no k8s.io/kubernetes pin in tests/kube/go.mod" >&2; exit 1; }
minor="${kubernetes#v1.}"
version_flags="-X k8s.io/component-base/version.gitVersion=$kubernetes \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*} \
-X k8s.io/component-base/version.gitTreeState=clean"
declare -A LDFLAGS=([kube-apiserver]="$version_flags" [kube-controller-manager]="$version_flags")
BIN="$ROOT/build/bin"
mkdir -p "$BIN" "$GOMODCACHE" "$GOCACHE"

# The hash of a module folder's pins and sources, and of the Go that builds it.
fingerprint() {
    (cd "$1" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 \
        | sort -z | xargs -0 sha256sum; go version) | sha256sum | cut -d' ' -f1
}

# build NAME MODULE_DIR PACKAGE: go build PACKAGE in MODULE_DIR into build/bin/NAME, unless the stamp matches.
build() {
    local name="$1" dir="$2" package="$3" want
    want="$( (fingerprint "$dir"; echo "${LDFLAGS[$name]:-}") | sha256sum | cut -d' ' -f1)"
    if [ -x "$BIN/$name" ] && [ "$(cat "$BIN/$name.stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    echo "build-kube: building $name ($package)" >&2
    local start=$SECONDS
    rm -f "$BIN/$name.stamp"
    (cd "$dir" && go build -trimpath -ldflags="-s -w ${LDFLAGS[$name]:-}" -o "$BIN/$name" "$package")
    echo "$want" >"$BIN/$name.stamp"
    echo "build-kube: $name built in $((SECONDS - start))s" >&2
}

# Debian's etcd-server (3.4.23 on bookworm) serves kube-apiserver 1.34: the API server only turns off its
# watch-progress requests, which need etcd 3.4.31, and nothing in the tests depends on them.
install_etcd() {
    if [ ! -x /usr/bin/etcd ]; then
        echo "build-kube: installing Debian's etcd-server" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
    fi
}

crds() {
    local out="$ROOT/build/crds" want
    want="$(echo "$CERT_MANAGER $PROMETHEUS_OPERATOR" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$out/stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    echo "build-kube: fetching CRDs of $CERT_MANAGER and $PROMETHEUS_OPERATOR" >&2
    rm -rf "$out"
    mkdir -p "$out"
    local cm po
    # go mod download checks each zip against the checksum database, as for any other dependency.
    cm="$(cd /tmp && go mod download -json "$CERT_MANAGER" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    po="$(cd /tmp && go mod download -json "$PROMETHEUS_OPERATOR" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    cp "$cm"/deploy/crds/crd-*.yaml "$out/"
    cp "$po"/example/prometheus-operator-crd/monitoring.coreos.com_*.yaml "$out/"
    chmod u+w "$out"/*.yaml
    echo "$want" >"$out/stamp"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(all)
for target in "${targets[@]}"; do
    case "$target" in
    k8syaml) build k8syaml tests/k8syaml . ;;
    kube-apiserver) build kube-apiserver tests/kube k8s.io/kubernetes/cmd/kube-apiserver ;;
    kube-controller-manager) build kube-controller-manager tests/kube k8s.io/kubernetes/cmd/kube-controller-manager ;;
    argodiff) build argodiff tests/argodiff . ;;
    etcd) install_etcd ;;
    crds) crds ;;
    all)
        build k8syaml tests/k8syaml .
        build kube-apiserver tests/kube k8s.io/kubernetes/cmd/kube-apiserver
        build kube-controller-manager tests/kube k8s.io/kubernetes/cmd/kube-controller-manager
        build argodiff tests/argodiff .
        install_etcd
        crds
        ;;
    *)
        echo "build-kube: unknown target $target" >&2
        exit 2
        ;;
    esac
done
