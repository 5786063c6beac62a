#!/usr/bin/env bash
# `make bench`: runs the benchmarks against a fresh real control plane and
# writes their figures to bench/results/*.json. Sizes can be lowered for a
# quick look: BENCH_CLUSTERS (default 10000), BENCH_POOLS per cluster (2),
# BENCH_UPDATES (5000).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/hack/kube/lib.sh"
clusters=${BENCH_CLUSTERS:-10000}
pools=${BENCH_POOLS:-2}
updates=${BENCH_UPDATES:-5000}
bin=$top/build/release/bench

dir=$("$top/hack/kube/up.sh")
trap '"$top/hack/kube/down.sh" "$dir" --purge' EXIT
# shellcheck disable=SC1091
. "$dir/env"
"$top/hack/install.sh"
kubectl create namespace bench >/dev/null

log "informer: creating $clusters clusters and $((clusters * pools)) node pools"
"$bin/informer_bench" populate bench "$clusters" "$pools"

# The same lists fetched by kubectl, in the same run: the reference for the
# informer's initial sync. The first round warms the API server's caches.
raw_lists() {
	kubectl get --raw /apis/hyperfleet.io/v1alpha1/namespaces/bench/clusters >/dev/null
	kubectl get --raw /apis/hyperfleet.io/v1alpha1/namespaces/bench/nodepools >/dev/null
}
raw_lists
start=$(now_ms)
raw_lists
kubectl_ms=$(($(now_ms) - start))

log "informer: measuring sync, memory and a burst of $updates updates"
figures=$("$bin/informer_bench" measure bench "$updates")
sync_s=$(sed -n 's/.*"informer_initial_sync_s":\([0-9.]*\).*/\1/p' <<<"$figures")
ratio=$(awk -v s="$sync_s" -v k="$kubectl_ms" 'BEGIN { printf "%.3f", s * 1000 / k }')
out=$top/bench/results/informer.json
{
	printf '%s' "${figures%\}}"
	printf ',"kubectl_get_raw_s":%s,"informer_list_ratio":%s' "$(awk -v k="$kubectl_ms" 'BEGIN { printf "%.3f", k / 1000 }')" "$ratio"
	printf ',"clusters":%s,"nodepools":%s,"kubernetes":"%s","cpus":%s,"date":"%s"}\n' \
		"$clusters" "$((clusters * pools))" "$(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)" \
		"$(nproc)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$out"
log "informer: $(cat "$out")"
