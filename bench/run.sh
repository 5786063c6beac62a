#!/usr/bin/env bash
# `make bench`: runs the benchmarks against a fresh real control plane and
# writes their figures to bench/results/<name>.json.
#
#   BENCH=informer|reconcile   run one (default: all)
#   BENCH_CLUSTERS, BENCH_POOLS, BENCH_UPDATES   informer sizes (10000, 2, 5000)
#   BENCH_RECONCILE_CLUSTERS   reconcile size (2000: 1000 reports one at a time, 1000 at once)
#   Diagnostics of the reconcile benchmark (off by default):
#   BENCH_STOP_CONTROLLER=1    freeze the controller (SIGSTOP) while the reports are written
#   BENCH_PPROF_DIR=DIR        CPU profiles of the API server's first 4 s of both phases (DIR/raw.pb.gz, DIR/reports.pb.gz)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/hack/kube/lib.sh"
bin=$top/build/release/bench
which=${BENCH:-all}

[ -n "${BENCH_PPROF_DIR:-}" ] && export HF_KUBE_PROFILING=true
dir=$("$top/hack/kube/up.sh")
operator=
cleanup() {
	[ -n "$operator" ] && kill -TERM "$operator" 2>/dev/null && wait "$operator" 2>/dev/null
	"$top/hack/kube/down.sh" "$dir" --purge
}
trap cleanup EXIT
# shellcheck disable=SC1091
. "$dir/env"
"$top/hack/install.sh"

# stamp JSON: adds where and when the figures were taken.
stamp() {
	printf '%s,"kubernetes":"%s","cpus":%s,"date":"%s"}\n' "${1%\}}" \
		"$(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)" \
		"$(nproc)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

bench_informer() {
	local clusters=${BENCH_CLUSTERS:-10000} pools=${BENCH_POOLS:-2} updates=${BENCH_UPDATES:-5000}
	kubectl create namespace bench >/dev/null
	log "informer: creating $clusters clusters and $((clusters * pools)) node pools"
	"$bin/informer_bench" populate bench "$clusters" "$pools"
	# The same lists fetched by kubectl in the same run: the reference for
	# the initial sync. The first round warms the API server's caches.
	raw_lists() {
		kubectl get --raw /apis/hyperfleet.io/v1alpha1/namespaces/bench/clusters >/dev/null
		kubectl get --raw /apis/hyperfleet.io/v1alpha1/namespaces/bench/nodepools >/dev/null
	}
	raw_lists
	local start kubectl_ms figures sync_s
	start=$(now_ms)
	raw_lists
	kubectl_ms=$(($(now_ms) - start))
	log "informer: measuring sync, memory and a burst of $updates updates"
	figures=$("$bin/informer_bench" measure bench "$updates")
	sync_s=$(sed -n 's/.*"informer_initial_sync_s":\([0-9.]*\).*/\1/p' <<<"$figures")
	figures=$(printf '%s,"kubectl_get_raw_s":%s,"informer_list_ratio":%s,"clusters":%s,"nodepools":%s}' \
		"${figures%\}}" "$(awk -v k="$kubectl_ms" 'BEGIN { printf "%.3f", k / 1000 }')" \
		"$(awk -v s="$sync_s" -v k="$kubectl_ms" 'BEGIN { printf "%.3f", s * 1000 / k }')" \
		"$clusters" "$((clusters * pools))")
	stamp "$figures" >"$top/bench/results/informer.json"
	log "informer: $(cat "$top/bench/results/informer.json")"
	kubectl delete namespace bench --wait=false >/dev/null
}

bench_reconcile() {
	local clusters=${BENCH_RECONCILE_CLUSTERS:-2000} port
	kubectl create namespace rbench >/dev/null
	kubectl create namespace rbench-raw >/dev/null
	kubectl apply -f - >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: bench-adapter}
spec: {target: Cluster, required: true, external: true}
YAML
	port=$(free_port)
	"$top/build/release/hyperfleet" run --namespace rbench --leader-elect=false --metrics-bind-address 0 \
		--health-probe-bind-address "127.0.0.1:$port" --log-level warn >"$dir/logs/hyperfleet.log" 2>&1 &
	operator=$!
	wait_until 60 "the controller to be ready" "$dir" kube-apiserver curl -fsS "http://127.0.0.1:$port/readyz"
	log "reconcile: $clusters clusters, reports through the shared write path"
	local pids="controller=$operator"
	for c in kube-apiserver etcd; do pids="$pids,$c=$(cut -d' ' -f1 "$dir/pids/$c")"; done
	stamp "$(BENCH_PIDS=$pids "$bin/reconcile_bench" rbench rbench-raw "$clusters")" >"$top/bench/results/reconcile.json"
	log "reconcile: $(cat "$top/bench/results/reconcile.json")"
	kill -TERM "$operator" && wait "$operator"
	operator=
}

case $which in
all)
	bench_informer
	bench_reconcile
	;;
informer) bench_informer ;;
reconcile) bench_reconcile ;;
*) die "unknown BENCH '$which' (informer, reconcile or all)" ;;
esac
