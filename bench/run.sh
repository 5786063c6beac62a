#!/usr/bin/env bash
# `make bench`: runs the benchmarks against a fresh real control plane and
# writes their figures to bench/results/<name>.json.
#
#   BENCH=informer|reconcile|api|adapters|pipeline   run one (default: all)
#   BENCH_API_CLUSTERS, BENCH_API_SECONDS   api sizes (10000 clusters, 10 s per wrk run)
#   BENCH_DISPATCH_CLUSTERS    adapter dispatch latency sample (200 clusters)
#   BENCH_PIPELINE_SIZES       pipeline batches ("100 1000": clusters to Ready with the simulated adapters)
#   BENCH_PIPELINE_DEADLINE    seconds a batch may take to be all Ready (2400: 1,000 took 22 min on 2 busy cores)
#   BENCH_PIPELINE_THREADS     threads creating the clusters (16)
#   BENCH_PIPELINE_WORKERS     the operator's --workers (4, its default)
#   BENCH_PIPELINE_KUBE_QPS, BENCH_PIPELINE_KUBE_BURST   client-side limits of the operator,
#                              kube-controller-manager and kube-scheduler (1000, 2000)
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

# wrk_figures ARGS...: runs wrk and prints "requests_per_s p50_ms p99_ms".
wrk_figures() {
	wrk --latency "$@" | awk '
		function ms(v) {
			if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
			if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
			if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
			return v
		}
		/^ +50%/ { p50 = ms($2) }
		/^ +99%/ { p99 = ms($2) }
		/^Requests\/sec:/ { rps = $2 }
		/Non-2xx or 3xx responses/ { bad = $NF }
		END { if (bad) { print "wrk: " bad " requests failed" > "/dev/stderr"; exit 1 }
		      printf "%.1f %.3f %.3f\n", rps, p50, p99 }'
}

bench_api() {
	local clusters=${BENCH_API_CLUSTERS:-10000} secs=${BENCH_API_SECONDS:-10} port health base id
	kubectl create namespace abench >/dev/null
	log "api: creating $clusters clusters"
	"$bin/informer_bench" populate abench "$clusters" 0
	port=$(free_port)
	health=$(free_port)
	# The API alone (no reconcilers), without a rate limit, logging warnings
	# only: the access log would measure the disk.
	"$top/build/release/hyperfleet" run --namespace abench --controller=false --api-rate-limit 0 \
		--api-bind-address "127.0.0.1:$port" --metrics-bind-address 0 \
		--health-probe-bind-address "127.0.0.1:$health" --log-level warn >"$dir/logs/hyperfleet.log" 2>&1 &
	operator=$!
	base=http://127.0.0.1:$port/api/hyperfleet/v1
	wait_until 120 "the REST API to serve the cache" "$dir" kube-apiserver \
		curl -fsS "$base/clusters?size=1" -o /dev/null
	id=$(curl -fsS "$base/clusters?name=bench-00042&fields=id" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
	[ -n "$id" ] || die "api: bench-00042 is not served"
	local get static kube search create round g s best=0 ratios=()
	# GET by id and the trivial endpoint alternate in rounds, so that the
	# ratio compares runs under the same load; the round with the median
	# ratio gives the figures.
	log "api: GET by id against the trivial endpoint, 3 rounds of $secs s each, then kube-apiserver's GET"
	for round in 1 2 3; do
		g=$(wrk_figures -t2 -c16 -d"${secs}s" "$base/clusters/$id")
		s=$(wrk_figures -t2 -c16 -d"${secs}s" "http://127.0.0.1:$port/api/hyperfleet")
		ratios+=("$(awk -v a="${g%% *}" -v b="${s%% *}" 'BEGIN { printf "%.4f", a / b }') $g|$s")
	done
	best=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)
	get=${best#* }
	static=${get#*|}
	get=${get%|*}
	kube=$(wrk_figures -t2 -c16 -d"${secs}s" -H "Authorization: Bearer $HF_KUBE_TOKEN" \
		"$HF_KUBE_SERVER/apis/hyperfleet.io/v1alpha1/namespaces/abench/clusters/bench-00042")
	log "api: a page of 100 with a search, and creates"
	search=$(wrk_figures -t2 -c4 -d"${secs}s" \
		"$base/clusters?size=100&search=labels.env%3D%27prod%27%20and%20status.phase%20%21%3D%20%27Ready%27")
	create=$(wrk_figures -t1 -c4 -d"${secs}s" -s "$top/bench/api_create.lua" "http://127.0.0.1:$port")
	local rss
	rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$operator/status")
	read -r get_rps _ get_p99 <<<"$get"
	read -r static_rps _ _ <<<"$static"
	read -r kube_rps _ kube_p99 <<<"$kube"
	read -r search_rps _ search_p99 <<<"$search"
	read -r create_rps _ create_p99 <<<"$create"
	stamp "$(printf '{"clusters":%s,"wrk_seconds":%s,"api_get_rps":%s,"api_get_p99_ms":%s,"api_static_rps":%s,"api_get_vs_static":%s,"apiserver_get_rps":%s,"apiserver_get_p99_ms":%s,"api_get_vs_apiserver":%s,"api_list_search_rps":%s,"api_list_search_p99_ms":%s,"api_create_rps":%s,"api_create_p99_ms":%s,"api_rss_mb":%s}' \
		"$clusters" "$secs" "$get_rps" "$get_p99" "$static_rps" \
		"$(awk -v a="$get_rps" -v b="$static_rps" 'BEGIN { printf "%.3f", a / b }')" \
		"$kube_rps" "$kube_p99" "$(awk -v a="$get_rps" -v b="$kube_rps" 'BEGIN { printf "%.2f", a / b }')" \
		"$search_rps" "$search_p99" "$create_rps" "$create_p99" "$rss")" >"$top/bench/results/api.json"
	log "api: $(cat "$top/bench/results/api.json")"
	kill -TERM "$operator" && wait "$operator"
	operator=
	kubectl delete namespace abench --wait=false >/dev/null
}

# bench_adapters: CEL against hand-written JSON lookups, and the engine's
# dispatch latency: a Cluster created to its adapter's Job existing.
bench_adapters() {
	local clusters=${BENCH_DISPATCH_CLUSTERS:-200} port cel dispatch
	log "adapters: CEL evaluations against equivalent JSON lookups"
	cel=$("$bin/cel_bench")
	kubectl create namespace dbench >/dev/null
	kubectl apply -f - >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: bench-dispatch}
spec:
  target: Cluster
  preconditions:
    - name: gcp
      expression: cluster.spec.provider == "gcp"
  resources:
    - name: job
      manifest:
        apiVersion: batch/v1
        kind: Job
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
                - {name: work, image: "example.invalid/work:1", args: ["${cluster.metadata.name}"]}
YAML
	port=$(free_port)
	# The client-side limit (--kube-qps 50 by default) would set the pace:
	# each new cluster costs about six API calls (finalizer, status, Job,
	# reports). Raised here so that the figure is the engine's reaction.
	"$top/build/release/hyperfleet" run --namespace dbench --leader-elect=false --metrics-bind-address 0 \
		--kube-qps 1000 --kube-burst 2000 \
		--api-bind-address 0 --health-probe-bind-address "127.0.0.1:$port" --log-level warn \
		>"$dir/logs/hyperfleet.log" 2>&1 &
	operator=$!
	wait_until 60 "the controller to be ready" "$dir" kube-apiserver curl -fsS "http://127.0.0.1:$port/readyz"
	log "adapters: $clusters clusters created one at a time, each until its Job exists"
	dispatch=$("$bin/dispatch_bench" dbench "$clusters")
	kill -TERM "$operator" && wait "$operator"
	operator=
	stamp "${cel%\}},${dispatch#\{}" >"$top/bench/results/adapters.json"
	log "adapters: $(cat "$top/bench/results/adapters.json")"
	kubectl delete adapter bench-dispatch --wait=false >/dev/null
}

# bench_pipeline: the simulated adapter set (adapters/simulated) end to end:
# a burst of clusters created through the REST API until every one is
# Ready (five Jobs each, run by kwok), for each batch size in a fresh
# namespace with a fresh operator. Figures per batch by
# bench/pipeline_bench.py; the last batch gives the headline figures.
bench_pipeline() {
	local sizes=${BENCH_PIPELINE_SIZES:-100 1000} deadline=${BENCH_PIPELINE_DEADLINE:-2400}
	local threads=${BENCH_PIPELINE_THREADS:-16} workers=${BENCH_PIPELINE_WORKERS:-4}
	local qps=${BENCH_PIPELINE_KUBE_QPS:-1000} burst=${BENCH_PIPELINE_KUBE_BURST:-2000}
	local n c port health metrics base pids batches=() last commit cmd=() binary
	# The binary is copied: a rebuild during the run (the tree is shared)
	# must not change what the batches run. HEAD and the binary's build
	# time say what was measured.
	binary=$dir/hyperfleet-pipeline
	cp "$top/build/release/hyperfleet" "$binary"
	commit="$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	[ -z "$(git -C "$top" status --porcelain -- controller 2>/dev/null)" ] || commit="$commit+uncommitted controller/ changes"
	commit="$commit; build/release/hyperfleet built $(date -u -r "$top/build/release/hyperfleet" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$binary" | cut -c1-12)"
	# Adapters of the other benchmarks would take part (bench-adapter is
	# required and external: nothing would be Ready).
	kubectl delete adapters -l 'hyperfleet.io/adapter-set!=simulated' --ignore-not-found >/dev/null
	kubectl apply -f "$top/adapters/simulated/" >/dev/null
	# The Job controller (kube-controller-manager, 20 requests/s by default)
	# and the scheduler (50/s) would otherwise set the pace: each cluster
	# costs them about 40 writes (pods, bindings, Job status, events). Their
	# limits are raised as the operator's are, so that the figures are the
	# pipeline's and the API server's.
	# shellcheck disable=SC1091
	. "$dir/ports"
	for c in kube-controller-manager kube-scheduler; do
		eval "cmd=($(cat "$dir/cmd/$c"))" # recorded with printf %q
		stop_component "$dir" "$c"
		start_component "$dir" "$c" "${cmd[@]}" --kube-api-qps="$qps" --kube-api-burst="$burst"
	done
	wait_until 60 "kube-controller-manager /healthz" "$dir" kube-controller-manager \
		curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
	wait_until 60 "kube-scheduler /healthz" "$dir" kube-scheduler \
		curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"
	# The namespaces earlier benchmarks deleted (tens of thousands of
	# objects) would add their deletions to the figures.
	wait_until 900 "the namespaces of earlier benchmarks to be deleted" "$dir" kube-controller-manager \
		pipeline_no_namespace_terminating
	pids=
	for c in kube-apiserver etcd kube-controller-manager kube-scheduler kwok; do
		pids="$pids${pids:+,}$c=$(cut -d' ' -f1 "$dir/pids/$c")"
	done
	for n in $sizes; do
		kubectl create namespace "pbench-$n" >/dev/null
		port=$(free_port)
		health=$(free_port)
		metrics=$(free_port)
		"$binary" run --namespace "pbench-$n" --leader-elect=false \
			--kube-qps "$qps" --kube-burst "$burst" --workers "$workers" --api-rate-limit 0 \
			--api-bind-address "127.0.0.1:$port" --metrics-bind-address "127.0.0.1:$metrics" \
			--health-probe-bind-address "127.0.0.1:$health" --log-level warn \
			>"$dir/logs/hyperfleet-pipeline-$n.log" 2>&1 &
		operator=$!
		base=http://127.0.0.1:$port/api/hyperfleet/v1
		wait_until 60 "the controller to be ready" "$dir" kube-apiserver curl -fsS "http://127.0.0.1:$health/readyz"
		wait_until 60 "the REST API to serve the cache" "$dir" kube-apiserver curl -fsS "$base/clusters?size=1" -o /dev/null
		wait_until 60 "the simulated adapters to be accepted" "$dir" kube-apiserver pipeline_adapters_accepted
		log "pipeline: $n clusters through the REST API until all are Ready (deadline ${deadline} s)"
		python3 "$top/bench/pipeline_bench.py" --api "$base" --metrics "http://127.0.0.1:$metrics/metrics" \
			--pid "$operator" --pids "$pids" --clusters "$n" --prefix p --threads "$threads" \
			--deadline "$deadline" >"$dir/pipeline-$n.json" || die "pipeline: the $n-cluster batch failed (operator log: $dir/logs/hyperfleet-pipeline-$n.log)"
		kill -TERM "$operator" && wait "$operator"
		operator=
		batches+=("$dir/pipeline-$n.json")
		last=$n
	done
	local figures
	figures=$(jq -c -s --argjson last "$last" --argjson qps "$qps" --argjson burst "$burst" \
		--argjson workers "$workers" --argjson threads "$threads" --argjson deadline "$deadline" \
		--arg commit "$commit" '
		(map({key: (.clusters | tostring), value: .}) | from_entries) as $b
		| ($b[$last | tostring]) as $l
		| (map({key: "pipeline_ready_\(.clusters)_s", value: .ready_s}) | from_entries)
		+ (map({key: "pipeline_create_to_ready_\(.clusters)_p50_ms", value: .create_to_ready_ms.p50},
		       {key: "pipeline_create_to_ready_\(.clusters)_p99_ms", value: .create_to_ready_ms.p99})
		   | from_entries)
		+ {
			pipeline_create_to_ready_p50_ms: $l.create_to_ready_ms.p50,
			pipeline_create_to_ready_p99_ms: $l.create_to_ready_ms.p99,
			pipeline_writes_per_cluster: $l.writes_per_cluster,
			pipeline_operator_writes_per_cluster: $l.operator_writes_per_cluster,
			pipeline_controller_rss_mb: $l.controller_hwm_mb,
			pipeline_controller_rss_final_mb: $l.controller_rss_mb,
			pipeline_controller_cpu_s: $l.controller_cpu_s,
			headline_batch: $last,
			kube_qps: $qps, kube_burst: $burst, workers: $workers, create_threads: $threads,
			deadline_s: $deadline, hyperfleet_build: $commit,
			counting: {
				writes: "kube-apiserver apiserver_request_total, verbs POST PUT PATCH DELETE APPLY (dry runs excluded), from the first POST to the last cluster Ready, divided by the clusters of the batch; all components: the operator (clusters, clusters/status, jobs), kube-controller-manager (pods, jobs/status, pod finalizers, events), kube-scheduler (pods/binding, events), kwok (pods/status, node status and lease) and the background (leases, endpoints). writes_by_resource splits them; writes_settled also counts what follows Ready until the API server is quiet",
				operator_writes: "the operator process rest_client_requests_total (its own writes, REST API creates included), same window",
				create_to_ready: "per cluster, from its POST answer (201) to the first REST API watch event (GET /clusters?watch=true) showing phase Ready",
				ready_s: "from the first POST to the last cluster Ready",
				controller_rss_mb: "VmHWM (peak) of the operator over its life (one operator per batch); _final_mb: VmRSS when all were Ready",
				controller_cpu_s: "utime+stime of the operator from the first POST to the last Ready",
				control_plane_cpu_s: "the same for the control plane processes"
			},
			notes: "Each batch: a fresh namespace and a fresh operator (release build, --leader-elect=false, --api-rate-limit 0); the seven simulated adapters installed and accepted; kube-controller-manager and kube-scheduler restarted with --kube-api-qps/--kube-api-burst raised to the same values as the operator (defaults 20/30 and 50/100 would pace the Jobs). Everything (control plane, operator, client) shares the machine; its other users make timings noisy.",
			batches: $b
		}' "${batches[@]}")
	stamp "$figures" >"$top/bench/results/pipeline.json"
	log "pipeline: $(jq -c 'del(.batches, .counting, .notes)' "$top/bench/results/pipeline.json")"
	kubectl delete adapters -l hyperfleet.io/adapter-set=simulated --wait=false >/dev/null
}

pipeline_no_namespace_terminating() {
	[ -z "$(kubectl get namespaces -o jsonpath='{range .items[?(@.status.phase=="Terminating")]}{.metadata.name}{"\n"}{end}')" ]
}

pipeline_adapters_accepted() {
	[ "$(kubectl get adapters -l hyperfleet.io/adapter-set=simulated \
		-o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Accepted")].status}{"\n"}{end}' |
		grep -c '^True$')" = 7 ]
}

case $which in
all)
	bench_informer
	bench_reconcile
	bench_api
	bench_adapters
	bench_pipeline
	;;
adapters) bench_adapters ;;
pipeline) bench_pipeline ;;
informer) bench_informer ;;
reconcile) bench_reconcile ;;
api) bench_api ;;
*) die "unknown BENCH '$which' (informer, reconcile, api, adapters, pipeline or all)" ;;
esac
