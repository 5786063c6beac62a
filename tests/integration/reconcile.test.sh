# The Cluster and NodePool controllers against the real control plane,
# driven through kubectl and `hyperfleet report` (the shared report path).
. "$HF_TOP/tests/lib/kube.sh"
. "$HF_TOP/tests/lib/operator.sh"

cleanup() {
	[ -n "${HF_OPERATOR_PID:-}" ] && kill -TERM "$HF_OPERATOR_PID" 2>/dev/null && wait "$HF_OPERATOR_PID" 2>/dev/null
	remove_test_adapters
}

cluster_yaml() { # NAME [REGION]
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: %s}\nspec: {provider: gcp, region: %s}\n' "$1" "${2:-us-east1}"
}

phase_is() { # NS NAME PHASE
	[ "$(jpath hfc "$1" "$2" '{.status.phase}')" = "$3" ]
}

test_a_cluster_becomes_ready_when_its_required_adapters_report() {
	trap cleanup EXIT
	local ns out
	ns=$(new_namespace reconcile)
	required_adapters Cluster validation dns
	start_operator "$ns"
	cluster_yaml east | apply_yaml "$ns" >/dev/null

	wait_for 30 "phase Not Ready" phase_is "$ns" east "Not Ready"
	assert_eq "False" "$(condition hfc "$ns" east Reconciled status)"
	assert_eq "ReconciledMissingAdapters" "$(condition hfc "$ns" east Reconciled reason)"
	assert_eq "Required adapters not reporting Available=True: [dns, validation]. Currently reporting: []" \
		"$(condition hfc "$ns" east Reconciled message)"
	assert_eq "hyperfleet.io/finalizer" "$(jpath hfc "$ns" east '{.metadata.finalizers[0]}')"
	assert_match "$(kubectl get hfc east -n "$ns" --no-headers)" '^east +gcp +us-east1 +Not Ready +False '

	out=$(send_report cluster "$ns/east" validation 1 True)
	assert_contains "$out" '"result":"stored"'
	assert_eq "Required adapters not reporting Available=True: [dns]. Currently reporting: [validation]" \
		"$(condition hfc "$ns" east Reconciled message)" "the report aggregates in the same write"
	assert_eq "True" "$(condition hfc "$ns" east ValidationSuccessful status)"
	send_report cluster "$ns/east" dns 1 True >/dev/null
	kubectl wait -n "$ns" --for=condition=Reconciled hfc/east --timeout=30s >/dev/null
	assert_eq "Ready" "$(jpath hfc "$ns" east '{.status.phase}')"
	assert_eq "True" "$(condition hfc "$ns" east LastKnownReconciled status)"
	assert_match "$(kubectl get hfc east -n "$ns" --no-headers)" '^east +gcp +us-east1 +Ready +True '
	wait_for 30 "a Ready event" bash -c "kubectl get events -n $ns --field-selector involvedObject.name=east,reason=Ready -o name | grep -q ."

	# A spec change: generation 2, Not Ready, LastKnownReconciled stays True.
	kubectl patch hfc east -n "$ns" --type=merge -p '{"spec":{"region":"us-west1"}}' >/dev/null
	wait_for 30 "phase Not Ready at generation 2" phase_is "$ns" east "Not Ready"
	assert_eq "2" "$(jpath hfc "$ns" east '{.status.observedGeneration}')"
	assert_eq "False" "$(condition hfc "$ns" east Reconciled status)"
	assert_eq "True" "$(condition hfc "$ns" east LastKnownReconciled status)"
	assert_eq "1" "$(condition hfc "$ns" east LastKnownReconciled observedGeneration)"
	# Reports for the new generation make it Ready; a late one for the old
	# generation is then discarded.
	send_report cluster "$ns/east" dns 2 True >/dev/null
	out=$(send_report cluster "$ns/east" dns 1 False)
	assert_contains "$out" '"result":"discarded","reason":"observed_generation 1 is older than the stored report'"'"'s 2"'
	send_report cluster "$ns/east" validation 2 True >/dev/null
	assert_eq "Ready" "$(jpath hfc "$ns" east '{.status.phase}')"
	assert_eq "2" "$(condition hfc "$ns" east LastKnownReconciled observedGeneration)"
	stop_operator
}

test_invalid_and_stale_reports_are_refused() {
	trap cleanup EXIT
	local ns out rc
	ns=$(new_namespace reports)
	required_adapters Cluster validation
	cluster_yaml west | apply_yaml "$ns" >/dev/null
	rc=0
	out=$("$HF_BIN" report cluster "$ns/west" <<<'{"adapter":"validation","observed_generation":1,"conditions":[{"type":"Available","status":"True"}]}' 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status of an invalid report"
	assert_contains "$out" "missing mandatory condition 'Applied': all adapters must report Available, Applied, and Health"
	out=$(send_report cluster "$ns/west" validation 5 True)
	assert_contains "$out" '"result":"discarded","reason":"observed_generation 5 is newer than the resource'"'"'s generation 1"'
	rc=0
	out=$(send_report cluster "$ns/missing" validation 1 True 2>&1) || rc=$?
	assert_eq 1 "$rc"
	assert_contains "$out" "Cluster $ns/missing not found"
}

test_twenty_concurrent_reports_all_land() {
	trap cleanup EXIT
	local ns i names=()
	ns=$(new_namespace concurrent)
	for i in $(seq -w 1 20); do names+=("adapter-$i"); done
	required_adapters Cluster "${names[@]}"
	cluster_yaml busy | apply_yaml "$ns" >/dev/null
	for i in "${names[@]}"; do
		send_report cluster "$ns/busy" "$i" 1 True >/dev/null &
	done
	wait
	assert_eq 20 "$(kubectl get hfc busy -n "$ns" -o json | grep -o '"adapter": *"adapter-[0-9]*"' | sort -u | wc -l)" "stored reports"
	assert_eq "True" "$(condition hfc "$ns" busy Reconciled status)"
	assert_eq "Ready" "$(jpath hfc "$ns" busy '{.status.phase}')"
}

test_deletion_waits_for_finalized_reports_and_removes_node_pools() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace deletion)
	required_adapters Cluster dns
	start_operator "$ns"
	cluster_yaml doomed | apply_yaml "$ns" >/dev/null
	apply_yaml "$ns" >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: NodePool
metadata: {name: doomed.workers}
spec: {clusterName: doomed, nodeCount: 2, machineType: n1-standard-4}
YAML
	# The pool is adopted: label and owner reference to its Cluster.
	wait_for 30 "the pool's owner reference" bash -c "kubectl get hfnp doomed.workers -n $ns -o jsonpath='{.metadata.ownerReferences[0].name}' | grep -qx doomed"
	assert_eq "doomed" "$(jpath hfnp "$ns" doomed.workers '{.metadata.labels.hyperfleet\.io/cluster-name}')"
	assert_eq "$(jpath hfc "$ns" doomed '{.metadata.uid}')" "$(jpath hfnp "$ns" doomed.workers '{.metadata.ownerReferences[0].uid}')"
	wait_for 30 "the cluster's finalizer" bash -c "kubectl get hfc doomed -n $ns -o jsonpath='{.metadata.finalizers}' | grep -q hyperfleet"

	kubectl delete hfc doomed -n "$ns" --wait=false >/dev/null
	wait_for 30 "phase Terminating" phase_is "$ns" doomed Terminating
	# The node pool goes (no adapter is required for node pools).
	wait_for 30 "the node pool to be deleted" bash -c "! kubectl get hfnp doomed.workers -n $ns 2>/dev/null"
	# The cluster waits for its required adapter to finalize at the deletion's generation.
	local gen
	gen=$(jpath hfc "$ns" doomed '{.metadata.generation}')
	assert_eq "Terminating" "$(jpath hfc "$ns" doomed '{.status.phase}')"
	assert_contains "$(condition hfc "$ns" doomed Reconciled message)" "Required adapters not reporting Finalized=True: [dns]"
	send_report cluster "$ns/doomed" dns "$gen" False True >/dev/null
	wait_for 30 "the cluster to disappear" bash -c "! kubectl get hfc doomed -n $ns 2>/dev/null"
	stop_operator
}

test_without_required_adapters_deletion_finalizes_at_once() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace quickdelete)
	start_operator "$ns"
	cluster_yaml quick | apply_yaml "$ns" >/dev/null
	wait_for 30 "the finalizer" bash -c "kubectl get hfc quick -n $ns -o jsonpath='{.metadata.finalizers}' | grep -q hyperfleet"
	kubectl delete hfc quick -n "$ns" --timeout=30s >/dev/null
	fails_with "NotFound" kubectl get hfc quick -n "$ns"
	stop_operator
}

test_a_node_pool_without_its_cluster_says_so() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace orphan)
	start_operator "$ns"
	apply_yaml "$ns" >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: NodePool
metadata: {name: ghost.pool}
spec: {clusterName: ghost, nodeCount: 1, machineType: n1-standard-4}
YAML
	wait_for 30 "ClusterExists=False" bash -c "[ \"\$(kubectl get hfnp ghost.pool -n $ns -o jsonpath='{.status.conditions[?(@.type==\"ClusterExists\")].status}')\" = False ]"
	assert_eq "ClusterNotFound" "$(condition hfnp "$ns" ghost.pool ClusterExists reason)"
	assert_eq "Cluster 'ghost' does not exist in namespace '$ns'" "$(condition hfnp "$ns" ghost.pool ClusterExists message)"
	assert_eq "Not Ready" "$(jpath hfnp "$ns" ghost.pool '{.status.phase}')"
	wait_for 30 "a ClusterNotFound event" bash -c "kubectl get events -n $ns --field-selector reason=ClusterNotFound -o name | grep -q ."
	# The cluster appears: the pool is adopted and the condition flips.
	cluster_yaml ghost | apply_yaml "$ns" >/dev/null
	wait_for 30 "ClusterExists=True" bash -c "[ \"\$(kubectl get hfnp ghost.pool -n $ns -o jsonpath='{.status.conditions[?(@.type==\"ClusterExists\")].status}')\" = True ]"
	assert_eq "ghost" "$(jpath hfnp "$ns" ghost.pool '{.metadata.ownerReferences[0].name}')"
	stop_operator
}

test_a_restarted_controller_loses_nothing() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace restart)
	required_adapters Cluster dns
	start_operator "$ns"
	cluster_yaml steady | apply_yaml "$ns" >/dev/null
	wait_for 30 "phase Not Ready" phase_is "$ns" steady "Not Ready"
	# Killed without warning; meanwhile a report arrives and a second cluster.
	kill -KILL "$HF_OPERATOR_PID"
	wait "$HF_OPERATOR_PID" 2>/dev/null || true
	HF_OPERATOR_PID=
	send_report cluster "$ns/steady" dns 1 True >/dev/null
	cluster_yaml later | apply_yaml "$ns" >/dev/null
	start_operator "$ns"
	wait_for 30 "the new cluster to be handled" phase_is "$ns" later "Not Ready"
	assert_eq "Ready" "$(jpath hfc "$ns" steady '{.status.phase}')"
	assert_eq "hyperfleet.io/finalizer" "$(jpath hfc "$ns" later '{.metadata.finalizers[0]}')"
	# Making the adapter optional is new work for every cluster.
	kubectl patch adapter dns --type=merge -p '{"spec":{"required":false}}' >/dev/null
	wait_for 30 "the steady cluster to lose Ready" phase_is "$ns" steady "Not Ready"
	assert_eq "No required adapters are configured for this kind" "$(condition hfc "$ns" steady Reconciled message)"
	stop_operator
}

test_a_shard_handles_only_its_own_clusters() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace shard)
	start_operator "$ns" --shard-selector shard=a --leader-elect=true --leader-election-namespace "$ns" --leader-election-id hyperfleet-shard-a
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: mine, labels: {shard: a}}\nspec: {provider: gcp, region: us-east1}\n' | apply_yaml "$ns" >/dev/null
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: theirs, labels: {shard: b}}\nspec: {provider: gcp, region: us-east1}\n' | apply_yaml "$ns" >/dev/null
	wait_for 30 "the shard's cluster to be handled" phase_is "$ns" mine "Not Ready"
	# The shard elected itself on its own Lease ...
	assert_contains "$(kubectl get lease hyperfleet-shard-a -n "$ns" -o jsonpath='{.spec.holderIdentity}')" "_"
	# ... and never touched the other shard's cluster.
	assert_eq "" "$(jpath hfc "$ns" theirs '{.metadata.finalizers}')"
	assert_eq "" "$(jpath hfc "$ns" theirs '{.status.phase}')"
	stop_operator
}
