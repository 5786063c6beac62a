# Seed 001, the update and delete journeys (4, 5, 9 and 10), end to end:
# the simulated GCP adapter set (adapters/simulated) runs for real on the
# test control plane, and the tests do what the seed's user does through
# the REST API (PATCH, DELETE, GET .../statuses) and look at the adapters'
# Jobs and the resources with kubectl.
. "$HF_TOP/tests/lib/journey.sh"

JU_CLUSTER_ADAPTERS="dns hypershift placement pull-secret validation"

# ju_generations PATH: "adapter=observed_generation ..." of PATH/statuses.
ju_generations() {
	api GET "$1/statuses"
	json '" ".join("%s=%s" % (i["adapter"], i["observed_generation"]) for i in sorted(d["items"], key=lambda i: i["adapter"]))'
}

# ju_jobs SELECTOR: the names of the Jobs of $API_NS that SELECTOR
# matches, sorted, space-separated.
ju_jobs() {
	local out
	out=$(kubectl get jobs -n "$API_NS" -l "$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>&1) ||
		{ echo "kubectl get jobs failed: $out"; return 1; }
	sort <<<"$out" | xargs
}

# ju_names SUFFIX ADAPTER...: the adapters' Job names for a target whose
# uid starts with $JU_UID8, with SUFFIX (-g2), sorted, space-separated.
ju_names() {
	local suffix=$1 a
	shift
	for a in "$@"; do echo "$a-job-$JU_UID8$suffix"; done | sort | xargs
}

# ju_gone PATH: GET PATH answers 404.
ju_gone() {
	api GET "$1"
	[ "$API_STATUS" = 404 ]
}

# ju_cond EXPR_TYPE FIELD: a field of a status condition of the resource in
# API_BODY.
ju_cond() {
	json "next(str(c.get('$2', '')) for c in d['status']['conditions'] if c['type'] == '$1')"
}

# ju_hold JOB: puts a finalizer of the test on a Job, so that deleting it
# (what an adapter's deletion does) waits until ju_release: the
# deprovisioning stays in progress for as long as the test looks at it.
ju_hold() {
	kubectl patch job "$1" -n "$API_NS" --type=merge -p '{"metadata":{"finalizers":["hyperfleet-test.io/hold"]}}' >/dev/null ||
		fail "holding $1 failed"
	JU_HELD+=("$1")
}

ju_release() {
	local j
	for j in "${JU_HELD[@]}"; do
		kubectl patch job "$j" -n "$API_NS" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
	done
	JU_HELD=()
}

ju_cleanup() {
	ju_release
	api_cleanup
}

# ju_ready_cluster NAME [LABELS] [SPEC]: creates a cluster and waits until
# it is Ready; sets CLUSTER_ID and JU_UID8.
ju_ready_cluster() {
	cluster_create "$@"
	wait_phase 60 "/clusters/$CLUSTER_ID" Ready
	JU_UID8=${CLUSTER_ID:0:8}
}

test_seed001_j4_patching_a_clusters_spec_reruns_its_adapters_at_generation_2() {
	journey_setup
	local c
	# The seed's cluster; the simulated cloud's Jobs take 4 s each, to
	# watch the reconciliation go.
	ju_ready_cluster my-test-cluster '{"environment":"production","team":"platform","sim.hyperfleet.io/duration":"4s"}' \
		'{"provider":"gcp","region":"us-east1","nodeCount":3}'
	c=/clusters/$CLUSTER_ID
	assert_eq "$(ju_names -g1 $JU_CLUSTER_ADAPTERS)" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "Jobs at generation 1"
	# Step 1: update the specification.
	api PATCH "$c" '{"spec":{"provider":"gcp","region":"us-west1","nodeCount":5}}'
	expect_status 200
	assert_eq "$CLUSTER_ID" "$(json 'd["id"]')"
	assert_eq "my-test-cluster" "$(json 'd["name"]')"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-west1","nodeCount":5}')" "spec: $API_BODY"
	assert_eq "True" "$(json 'd["labels"] == {"environment":"production","team":"platform","sim.hyperfleet.io/duration":"4s"}')" "labels (not in the PATCH: kept): $API_BODY"
	assert_eq "2" "$(json 'd["generation"]')"
	# The phase changes to Not Ready at once: the adapters have not seen
	# generation 2 yet.
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the PATCH answer"
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase right after the PATCH"
	# Step 2: monitor the reconciliation. Validation finishes for the
	# updated spec while dns works on it and hypershift waits for them:
	# one answer of /statuses shows all three.
	local snap
	snap=$(mktemp "${TMPDIR:-/tmp}/ju-statuses.XXXXXX")
	ju_mid_reconciliation() {
		api GET "$c/statuses"
		echo "$API_BODY" >"$snap"
		[ "$(json '
(lambda s: s["validation"]["observed_generation"] == 2 and all(x["status"] == "True" for x in s["validation"]["conditions"])
	and s["dns"]["observed_generation"] == 2 and s["hypershift"]["observed_generation"] == 2
	and next(x["reason"] for x in s["dns"]["conditions"] if x["type"] == "Available") == "JobRunning"
	and next(x["reason"] for x in s["hypershift"]["conditions"] if x["type"] == "Available") == "PreconditionsNotMet"
)({i["adapter"]: i for i in d["items"]})')" = True ]
	}
	wait_for 60 "validation done, dns running and hypershift waiting at generation 2" ju_mid_reconciliation
	API_BODY=$(cat "$snap")
	rm -f "$snap"
	assert_eq "Job dns-job-$JU_UID8-g2 is running" "$(json 'next(x["message"] for i in d["items"] if i["adapter"] == "dns" for x in i["conditions"] if x["type"] == "Available")')" "dns's Available message"
	assert_eq "precondition dependsOn.dns not met: waiting for adapter dns to be Available at generation 2 (it reports Available=False at generation 2)" \
		"$(json 'next(x["message"] for i in d["items"] if i["adapter"] == "hypershift" for x in i["conditions"] if x["type"] == "Available")')" "hypershift's Available message"
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase during the reconciliation"
	assert_eq "2" "$(json 'd["status"]["observed_generation"]')"
	# Step 3: Ready with the new spec, every adapter at generation 2.
	wait_phase 60 "$c" Ready
	api GET "$c"
	assert_eq "us-west1" "$(json 'd["spec"]["region"]')"
	assert_eq "5" "$(json 'd["spec"]["nodeCount"]')"
	assert_eq "2" "$(json 'd["generation"]')"
	assert_eq "2" "$(json 'd["status"]["observed_generation"]')"
	assert_eq "True 2" "$(ju_cond Reconciled status) $(ju_cond Reconciled observed_generation)" "Reconciled"
	assert_eq "dns=2 hypershift=2 placement=2 pull-secret=2 validation=2" "$(ju_generations "$c")" "the adapters' observed_generation"
	local a
	for a in $JU_CLUSTER_ADAPTERS; do
		assert_eq "True True True" "$(status_item "$c" "$a" '" ".join(next(x["status"] for x in s["conditions"] if x["type"] == t) for t in ("Applied", "Available", "Health"))')" "$a's Applied Available Health"
	done
	# The new generation ran new Jobs, named for it.
	assert_eq "$(ju_names -g2 $JU_CLUSTER_ADAPTERS)" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID" | tr ' ' '\n' | grep -- '-g2$' | xargs)" "Jobs at generation 2"
	for a in $JU_CLUSTER_ADAPTERS; do
		assert_eq "2 1" "$(kubectl get job "$a-job-$JU_UID8-g2" -n "$API_NS" -o jsonpath='{.metadata.annotations.hyperfleet\.io/generation} {.status.succeeded}')" "$a's g2 Job: generation annotation, succeeded"
	done
	# The adapters used the new spec (placement chose a management cluster
	# in the new region).
	assert_eq "us-west1 hcp-us-west1-1" "$(status_item "$c" placement 's["data"]["region"] + " " + s["data"]["managementCluster"]')"
	# kubectl shows the same.
	assert_eq "us-west1 Ready 2 2" "$(kubectl get hfc my-test-cluster -n "$API_NS" -o jsonpath='{.spec.region} {.status.phase} {.metadata.generation} {.status.observedGeneration}')" "kubectl's view"
}

test_seed001_j4_patching_only_labels_keeps_the_generation_and_readiness() {
	journey_setup
	local c
	ju_ready_cluster labelled '{"environment":"production"}'
	c=/clusters/$CLUSTER_ID
	api PATCH "$c" '{"labels":{"environment":"staging","team":"platform"}}'
	expect_status 200
	assert_eq "True" "$(json 'd["labels"] == {"environment":"staging","team":"platform"}')" "labels: $API_BODY"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-east1"}')" "spec: $API_BODY"
	assert_eq "1" "$(json 'd["generation"]')" "generation after a labels-only PATCH"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "phase in the PATCH answer"
	assert_eq "1 staging" "$(kubectl get hfc labelled -n "$API_NS" -o jsonpath='{.metadata.generation} {.metadata.labels.environment}')"
	# The labels reached the controller (its watch) and changed nothing
	# for the adapters: still Ready, every adapter at generation 1, the
	# same Jobs.
	api GET "/clusters?labels=team:platform"
	assert_eq "$CLUSTER_ID" "$(json '",".join(i["id"] for i in d["items"])')" "clusters labelled team:platform"
	api GET "$c"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "1" "$(json 'd["status"]["observed_generation"]')"
	assert_eq "dns=1 hypershift=1 placement=1 pull-secret=1 validation=1" "$(ju_generations "$c")"
	assert_eq "$(ju_names -g1 $JU_CLUSTER_ADAPTERS)" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs"
}

test_seed001_j9_patching_a_node_pools_node_count_reruns_its_adapters() {
	journey_setup
	local c p
	ju_ready_cluster my-test-cluster
	c=/clusters/$CLUSTER_ID
	nodepool_create "$CLUSTER_ID" my-nodepool '{"workload":"compute","team":"platform"}' '{"nodeCount":3,"machineType":"n1-highmem-8"}'
	p=$c/nodepools/$NODEPOOL_ID
	wait_phase 60 "$p" Ready
	JU_UID8=${NODEPOOL_ID:0:8}
	assert_eq "3" "$(status_item "$p" nodepool 's["data"]["readyNodes"]')" "nodepool's readyNodes"
	# Step 1. The seed sends {"spec": {"nodeCount": 8}} and shows
	# machineType kept; the contract (DESIGN.md section 5, the OpenAPI
	# PATCH) replaces the spec wholesale, so the whole spec is sent.
	api PATCH "$p" '{"spec":{"nodeCount":8,"machineType":"n1-highmem-8"}}'
	expect_status 200
	assert_eq "$NODEPOOL_ID" "$(json 'd["id"]')"
	assert_eq "$CLUSTER_ID" "$(json 'd["cluster_id"]')"
	assert_eq "True" "$(json 'd["spec"] == {"nodeCount":8,"machineType":"n1-highmem-8"}')" "spec: $API_BODY"
	assert_eq "True" "$(json 'd["labels"] == {"workload":"compute","team":"platform"}')" "labels: $API_BODY"
	assert_eq "2" "$(json 'd["generation"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the PATCH answer"
	# Step 2: Ready again, at generation 2, with new Jobs.
	wait_phase 60 "$p" Ready
	api GET "$p"
	assert_eq "8" "$(json 'd["spec"]["nodeCount"]')"
	assert_eq "2 2" "$(json 'd["generation"]') $(json 'd["status"]["observed_generation"]')"
	assert_eq "nodepool=2 nodepool-validation=2" "$(ju_generations "$p")" "the adapters' observed_generation"
	assert_eq "8" "$(status_item "$p" nodepool 's["data"]["readyNodes"]')" "nodepool's readyNodes"
	assert_eq "64" "$(status_item "$p" nodepool-validation 's["data"]["requiredCPUs"]')" "nodepool-validation's requiredCPUs"
	assert_eq "$(ju_names -g2 nodepool nodepool-validation)" \
		"$(ju_jobs "hyperfleet.io/nodepool-id=$NODEPOOL_ID" | tr ' ' '\n' | grep -- '-g2$' | xargs)" "the pool's Jobs at generation 2"
	assert_eq "8 Ready" "$(kubectl get hfnp my-test-cluster.my-nodepool -n "$API_NS" -o jsonpath='{.spec.nodeCount} {.status.phase}')"
	# The cluster was not touched.
	api GET "$c"
	assert_eq "Ready 1" "$(json 'd["status"]["phase"]') $(json 'd["generation"]')"
}

test_seed001_j5_deleting_a_cluster_deletes_its_node_pool_jobs_and_then_itself() {
	journey_setup
	trap ju_cleanup EXIT
	local c p a
	JU_HELD=()
	ju_ready_cluster my-test-cluster '{"environment":"production","team":"platform"}'
	c=/clusters/$CLUSTER_ID
	nodepool_create "$CLUSTER_ID" my-nodepool
	p=$c/nodepools/$NODEPOOL_ID
	wait_phase 60 "$p" Ready
	[ -n "$(ju_jobs "hyperfleet.io/nodepool-id=$NODEPOOL_ID")" ] || fail "the node pool has no Jobs"
	# The hypershift adapter's deprovisioning takes its time: its Job
	# stays until the test releases it.
	ju_hold "hypershift-job-$JU_UID8-g1"
	# Step 1.
	api DELETE "$c"
	expect_status 202
	assert_eq "$CLUSTER_ID" "$(json 'd["id"]')"
	assert_eq "my-test-cluster" "$(json 'd["name"]')"
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')" "phase in the DELETE answer"
	api GET "$c"
	expect_status 200
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	wait_for 30 "kubectl to show the cluster Terminating" bash -c \
		"[ \"\$(kubectl get hfc my-test-cluster -n $API_NS --no-headers -o custom-columns=P:.status.phase)\" = Terminating ]"
	# Its node pool goes (first), its Jobs with it.
	wait_for 60 "the node pool to be gone" ju_gone "$p"
	api GET "/nodepools/$NODEPOOL_ID"
	expect_status 404
	fails_with NotFound kubectl get hfnp my-test-cluster.my-nodepool -n "$API_NS"
	assert_eq "" "$(ju_jobs "hyperfleet.io/nodepool-id=$NODEPOOL_ID")" "the node pool's Jobs"
	# Step 2: monitor the deletion. Four adapters have cleaned up; the
	# hypershift adapter is still removing its resources.
	ju_finalized() {
		[ "$(status_item "$c" "$1" 'next((x["status"] for x in s["conditions"] if x["type"] == "Finalized"), "")')" = "$2" ]
	}
	for a in dns placement pull-secret validation; do
		wait_for 30 "$a to be Finalized" ju_finalized "$a" True
	done
	wait_for 30 "hypershift to report Finalized=False" ju_finalized hypershift False
	api GET "$c"
	expect_status 200
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	assert_eq "Required adapters not reporting Finalized=True: [hypershift]. Currently reporting: [dns, placement, pull-secret, validation]" \
		"$(ju_cond Reconciled message)" "Reconciled while hypershift cleans up"
	assert_eq "Terminating" "$(kubectl get hfc my-test-cluster -n "$API_NS" --no-headers -o custom-columns=P:.status.phase)" "kubectl's PHASE"
	assert_eq "hypershift-job-$JU_UID8-g1" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs while hypershift cleans up"
	# Step 3: the cleanup ends; the cluster is gone.
	ju_release
	kubectl wait --for=delete "hfc/my-test-cluster" -n "$API_NS" --timeout=60s >/dev/null || fail "kubectl wait --for=delete failed"
	wait_for 30 "GET to answer 404" ju_gone "$c"
	api GET "$c"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "$CLUSTER_ID" "$(json 'd["id"]')"
	api GET "/clusters/$CLUSTER_ID/statuses"
	expect_status 404
	api GET "/nodepools/$NODEPOOL_ID"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	api GET /clusters
	assert_eq "0" "$(json 'd["total"]')" "clusters listed"
	assert_eq "" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs"
	assert_eq "" "$(ju_jobs hyperfleet.io/resource)" "Jobs of adapters left in the namespace"
}

test_seed001_j10_deleting_a_node_pool_leaves_its_cluster_ready() {
	journey_setup
	trap ju_cleanup EXIT
	local c p
	JU_HELD=()
	ju_ready_cluster my-test-cluster
	c=/clusters/$CLUSTER_ID
	nodepool_create "$CLUSTER_ID" my-nodepool '{"workload":"compute"}' '{"nodeCount":8,"machineType":"n1-standard-8"}'
	p=$c/nodepools/$NODEPOOL_ID
	wait_phase 60 "$p" Ready
	ju_hold "nodepool-job-${NODEPOOL_ID:0:8}-g1"
	# Step 1.
	api DELETE "$p"
	expect_status 202
	assert_eq "$NODEPOOL_ID" "$(json 'd["id"]')"
	assert_eq "$CLUSTER_ID" "$(json 'd["cluster_id"]')"
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')" "phase in the DELETE answer"
	api GET "$p"
	expect_status 200
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	# While the nodepool adapter removes the nodes (its Job), the pool is
	# Terminating for kubectl too.
	ju_np_finalized_false() {
		[ "$(status_item "$p" nodepool 'next((x["status"] for x in s["conditions"] if x["type"] == "Finalized"), "")')" = False ]
	}
	wait_for 30 "the nodepool adapter to report Finalized=False" ju_np_finalized_false
	assert_eq "Terminating" "$(kubectl get hfnp my-test-cluster.my-nodepool -n "$API_NS" --no-headers -o custom-columns=P:.status.phase)" "kubectl's PHASE"
	api GET "$c"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "the cluster while its pool is deleted"
	# Step 2: gone.
	ju_release
	kubectl wait --for=delete "hfnp/my-test-cluster.my-nodepool" -n "$API_NS" --timeout=60s >/dev/null || fail "kubectl wait --for=delete failed"
	wait_for 30 "GET to answer 404" ju_gone "$p"
	api GET "$p"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	assert_eq "$NODEPOOL_ID" "$(json 'd["nodepool_id"]')"
	api GET "/nodepools/$NODEPOOL_ID"
	expect_status 404
	assert_eq "" "$(ju_jobs "hyperfleet.io/nodepool-id=$NODEPOOL_ID")" "the node pool's Jobs"
	# The cluster stays, Ready, untouched; its Jobs are still there.
	api GET "$c"
	expect_status 200
	assert_eq "Ready 1 False" "$(json 'd["status"]["phase"]') $(json 'd["generation"]') $(json '"deleted_time" in d')"
	api GET "$c/nodepools"
	assert_eq "0" "$(json 'd["total"]')" "the cluster's node pools"
	assert_eq "$(ju_names -g1 $JU_CLUSTER_ADAPTERS)" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs"
	assert_eq "Ready" "$(kubectl get hfc my-test-cluster -n "$API_NS" --no-headers -o custom-columns=P:.status.phase)"
}

test_seed001_j5_a_cluster_deleted_with_kubectl_goes_the_same_way() {
	journey_setup
	local c
	ju_ready_cluster kubectl-deleted
	c=/clusters/$CLUSTER_ID
	kubectl delete hfc kubectl-deleted -n "$API_NS" --wait=false >/dev/null || fail "kubectl delete failed"
	kubectl wait --for=delete hfc/kubectl-deleted -n "$API_NS" --timeout=60s >/dev/null || fail "kubectl wait --for=delete failed"
	wait_for 30 "GET to answer 404" ju_gone "$c"
	api GET "$c"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "" "$(ju_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs"
}
