#!/usr/bin/env bash
# `make run`: starts the local control plane in .run/kube (kept between runs:
# its PKI, etcd data and ports), installs HyperFleet's CRDs, provider catalog,
# admission policies and samples, tells how to use kubectl with it, and stays
# in the foreground until Ctrl-C or SIGTERM, then stops what it started.
#
# HF_KUBE_API_PORT chooses the API server's port (default 6443).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/hack/kube/lib.sh"

dir=$top/.run/kube
mkdir -p "$dir"
"$top/hack/kube/up.sh" --dir "$dir" --api-port "${HF_KUBE_API_PORT:-6443}" >/dev/null
stop() {
	trap - INT TERM EXIT
	log "stopping the control plane"
	"$top/hack/kube/down.sh" "$dir"
	exit 0
}
trap stop INT TERM EXIT

# shellcheck disable=SC1091
. "$dir/env"
"$top/hack/install.sh" --samples

cat <<MSG

HyperFleet's local control plane is running (Kubernetes $(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)).
Point kubectl at it from another terminal:

    source $dir/env

then for example:

    kubectl get hyperfleet            # clusters and node pools
    kubectl get adapters
    kubectl explain cluster.spec
    kubectl apply -f manifests/samples/cluster.yaml

Logs are in $dir/logs. Press Ctrl-C to stop.
MSG

# Stay up while every component runs.
while :; do
	for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
		if ! component_alive "$dir" "$c"; then
			log "$c exited unexpectedly; see $dir/logs/$c.log"
			exit 1
		fi
	done
	sleep 2 &
	wait $! || true
done
