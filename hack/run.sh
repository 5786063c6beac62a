#!/usr/bin/env bash
# `make run`: starts the local control plane in .run/kube (kept between runs:
# its PKI, etcd data and ports), installs HyperFleet's CRDs, provider catalog,
# admission policies and an adapter set, starts the HyperFleet operator
# (controllers and REST API), tells how to use it, and stays in the
# foreground until Ctrl-C or SIGTERM, then stops what it started.
#
# HF_ADAPTERS chooses the adapter set: simulated (default: adapters/simulated,
# kwok runs their Jobs), gcp (adapters/gcp; on this local control plane
# kwok runs those Jobs too, without calling Google Cloud) or none.
# HF_KUBE_API_PORT chooses the API server's port (default 6443);
# HF_API_PORT, HF_METRICS_PORT and HF_HEALTH_PORT the operator's (8000,
# 9090, 8080).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/hack/kube/lib.sh"

dir=$top/.run/kube
mkdir -p "$dir"
"$top/hack/kube/up.sh" --dir "$dir" --api-port "${HF_KUBE_API_PORT:-6443}" >/dev/null
controller=
stop() {
	trap - INT TERM EXIT
	if [ -n "$controller" ]; then
		log "stopping the controller"
		kill -TERM "$controller" 2>/dev/null && wait "$controller" 2>/dev/null
	fi
	log "stopping the control plane"
	"$top/hack/kube/down.sh" "$dir"
	exit 0
}
trap stop INT TERM EXIT

# shellcheck disable=SC1091
. "$dir/env"
"$top/hack/install.sh"

adapters=${HF_ADAPTERS:-simulated}
case $adapters in
simulated | gcp)
	# Adapters of another set left from an earlier run would join the
	# pipeline: keep exactly the chosen set.
	kubectl delete adapters -l "hyperfleet.io/adapter-set,hyperfleet.io/adapter-set!=$adapters" --ignore-not-found >/dev/null
	[ "$adapters" = gcp ] && kubectl create namespace hyperfleet-adapters --dry-run=client -o yaml | kubectl apply -f - >/dev/null
	kubectl apply -f "$top/adapters/$adapters/" >/dev/null
	;;
none) kubectl delete adapters -l hyperfleet.io/adapter-set --ignore-not-found >/dev/null ;;
*) die "HF_ADAPTERS must be simulated, gcp or none, not '$adapters'" ;;
esac

metrics_port=${HF_METRICS_PORT:-9090}
health_port=${HF_HEALTH_PORT:-8080}
api_port=${HF_API_PORT:-8000}
"$top/build/release/hyperfleet" run --leader-elect=false \
	--metrics-bind-address "127.0.0.1:$metrics_port" --health-probe-bind-address "127.0.0.1:$health_port" \
	--api-bind-address "127.0.0.1:$api_port" >>"$dir/logs/hyperfleet.log" 2>&1 &
controller=$!
wait_until 60 "the HyperFleet controller" "$dir" kube-apiserver curl -fsS "http://127.0.0.1:$health_port/readyz"
wait_until 60 "the HyperFleet REST API" "$dir" kube-apiserver curl -fsS -o /dev/null "http://127.0.0.1:$api_port/api/hyperfleet/v1/clusters?size=1"

cat <<MSG

HyperFleet's local control plane is running (Kubernetes $(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)),
with the HyperFleet controller and its REST API on
http://127.0.0.1:$api_port/api/hyperfleet/v1 (metrics on 127.0.0.1:$metrics_port/metrics,
probes on 127.0.0.1:$health_port/readyz, logs in $dir/logs/hyperfleet.log).

The $adapters adapter set is installed (kubectl get adapters). Create a cluster:

    curl -X POST http://127.0.0.1:$api_port/api/hyperfleet/v1/clusters -H 'Content-Type: application/json' \\
      -d '{"name": "my-cluster", "spec": {"provider": "gcp", "region": "us-east1"}}'

Point kubectl at it from another terminal:

    source $dir/env
    kubectl get hyperfleet            # clusters and node pools
    kubectl apply -f manifests/samples/cluster.yaml

The README's quick start goes on from here. Press Ctrl-C to stop.
MSG

# Stay up while every component runs.
while :; do
	if ! kill -0 "$controller" 2>/dev/null; then
		log "the HyperFleet controller exited; see $dir/logs/hyperfleet.log"
		exit 1
	fi
	for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
		if ! component_alive "$dir" "$c"; then
			log "$c exited unexpectedly; see $dir/logs/$c.log"
			exit 1
		fi
	done
	sleep 2 &
	wait $! || true
done
