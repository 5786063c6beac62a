#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl and kwok from the Go module proxy into a versioned cache directory
# outside the repository, once per machine.
#
# Prints the directory holding the binaries on stdout. Safe when run twice at
# once (a lock serialises builds), never leaves a half-built directory in
# place (binaries are built in a temporary directory and moved atomically),
# and verifies a cached directory (checksums and versions) before reusing it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-modcacherw
command -v go >/dev/null || { echo "build.sh: go is not installed (needed to build the test control plane)" >&2; exit 1; }

go_version=$(go env GOVERSION)
# The stamp changes whenever a version or a pinned dependency changes.
pins=$(cat "$here"/k8s/go.sum "$here"/etcd/go.sum "$here"/kwok/go.sum "$here"/*/go.mod | sha256sum | cut -c1-12)
stamp="k8s-$KUBE_VERSION.etcd-$ETCD_VERSION.kwok-$KWOK_VERSION.$go_version.$pins"
dest="$HF_CACHE_DIR/kube/$stamp"
binaries="etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok"

log() { echo "build.sh: $*" >&2; }

# verify DIR: every binary present, checksums as recorded, versions as pinned.
verify() {
	local dir=$1
	[ -f "$dir/SHA256SUMS" ] || return 1
	(cd "$dir" && sha256sum --quiet --check SHA256SUMS) >/dev/null 2>&1 || return 1
	# Outputs are captured before matching: with pipefail, `grep -q` closing
	# the pipe early would fail the check through SIGPIPE.
	[ "$("$dir/kube-apiserver" --version 2>/dev/null)" = "Kubernetes $KUBE_VERSION" ] || return 1
	[[ $("$dir/etcd" --version 2>/dev/null) == *"etcd Version: ${ETCD_VERSION#v}"* ]] || return 1
	[[ $("$dir/kubectl" version --client 2>/dev/null) == *"Client Version: $KUBE_VERSION"* ]] || return 1
	[[ $("$dir/kwok" --version 2>/dev/null) == *"kwok version $KWOK_VERSION "* ]] || return 1
}

if verify "$dest"; then
	echo "$dest"
	exit 0
fi

mkdir -p "$HF_CACHE_DIR/kube"
exec 9>"$HF_CACHE_DIR/kube/.build.lock"
log "waiting for the build lock" && flock 9
# Another build may have finished while we waited.
if verify "$dest"; then
	echo "$dest"
	exit 0
fi
[ -e "$dest" ] && { log "removing unusable $dest"; rm -rf "$dest"; }

tmp=$(mktemp -d "$HF_CACHE_DIR/kube/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

version_flags() { # version major minor
	local flags="-s -w" p
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		flags="$flags -X $p.gitVersion=$1 -X $p.gitMajor=$2 -X $p.gitMinor=$3 -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
	done
	echo "$flags"
}

log "building Kubernetes $KUBE_VERSION (first time on this machine: expect 20-40 minutes)"
minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
(cd "$here/k8s" && go build -trimpath -buildvcs=false -ldflags "$(version_flags "$KUBE_VERSION" 1 "$minor")" -o "$tmp/" \
	k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
	k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)

log "building etcd $ETCD_VERSION"
(cd "$here/etcd" && go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)

log "building kwok $KWOK_VERSION"
(cd "$here/kwok" && go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)

(cd "$tmp" && sha256sum $binaries >SHA256SUMS)
verify "$tmp" || { log "the built binaries failed verification (see their --version output)"; exit 1; }
log "built in $(($(date +%s) - start)) s"
chmod 755 "$tmp"
mv -T "$tmp" "$dest"
trap - EXIT
echo "$dest"
