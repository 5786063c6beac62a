# Seed 000, node pool journeys 4 and 5 and their sad paths, end to end: the
# simulated GCP adapter set (adapters/simulated) really runs (kwok runs its
# Jobs; nodepool-validation, then nodepool once the Cluster has been Ready),
# failures are chosen by the sim.hyperfleet.io/* labels, and each test
# looks at what a user sees through the REST API and kubectl.
. "$HF_TOP/tests/lib/journey.sh"

JNP_TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# jnp_message_has PATH ADAPTER TYPE TEXT: the condition's message holds TEXT.
jnp_message_has() {
	[[ $(adapter_cond "$1" "$2" "$3" message) == *"$4"* ]]
}

# jnp_wait_ready KIND/NAME PATH: what a user types to wait for a cluster
# (hfc) or node pool (hfnp); on a timeout, says whether the operator is
# still there. Then the REST API says Ready at PATH too (it serves its watch
# cache, which may be a moment behind what kubectl just read).
jnp_wait_ready() {
	if ! kubectl wait -n "$API_NS" --for=jsonpath='{.status.phase}'=Ready "$1" --timeout=60s >/dev/null; then
		kill -0 "$HF_OPERATOR_PID" 2>/dev/null ||
			fail "the operator exited while waiting for $1 to be Ready: $(grep -m1 -A6 -E 'ERROR: AddressSanitizer|runtime error|panic' "$HF_OPERATOR_LOG")"
		fail "timed out waiting for $1 to be Ready"
	fi
	wait_phase 10 "$2" Ready
}

# jnp_ready_cluster NAME: creates a cluster and waits (as a user would, with
# kubectl) until it is Ready; sets CLUSTER_ID.
jnp_ready_cluster() {
	cluster_create "$1"
	jnp_wait_ready "hfc/$1" "/clusters/$CLUSTER_ID"
}

# jnp_kubectl_pool CLUSTER POOL COLUMNS: the NODES, MACHINE-TYPE and PHASE
# columns of `kubectl get hfnp` for one pool.
jnp_kubectl_pool() {
	kubectl get hfnp -n "$API_NS" | awk -v n="$1.$2" '$1 == n { $1 = $2 = ""; sub(/^ +/, ""); sub(/ +[^ ]+$/, ""); print }'
}

# jnp_names QUERY: the names of the cluster's listed pools (QUERY is the path
# after .../v1), sorted, comma-separated.
jnp_names() {
	api GET "$1"
	expect_status 200
	json '",".join(sorted(i["name"] for i in d["items"]))'
}

test_journey4_a_node_pool_is_created_not_ready_and_becomes_ready() {
	journey_setup
	jnp_ready_cluster my-cluster
	local cid=$CLUSTER_ID
	api POST "/clusters/$cid/nodepools" '{"name":"workers","spec":{"nodeCount":5,"machineType":"n1-standard-4"},"labels":{"workload":"compute","team":"platform"}}'
	expect_status 201
	local pid
	pid=$(json 'd["id"]')
	assert_match "$pid" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "node pool id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	assert_eq "$cid" "$(json 'd["cluster_id"]')"

	# Polling the pool: Ready once both adapters finished.
	wait_phase 60 "/clusters/$cid/nodepools/$pid" Ready
	jnp_wait_ready hfnp/my-cluster.workers "/clusters/$cid/nodepools/$pid"
	assert_eq "5 n1-standard-4 Ready" "$(jnp_kubectl_pool my-cluster workers)" "kubectl get hfnp"
	statuses_read "/clusters/$cid/nodepools/$pid"
	assert_eq "nodepool,nodepool-validation" "$(json '",".join(sorted(s["adapter"] for s in d["items"]))')"
	local a t
	for a in nodepool-validation nodepool; do
		for t in Available Applied Health; do
			status_expect "$a" "$t" True
			assert_match "$(status_cond "$a" "$t" last_transition_time)" "$JNP_TIME_RE" "$a $t lastTransitionTime"
		done
	done
	# The specified number of nodes is provisioned; the quota was checked for
	# 5 x 4 vCPUs.
	assert_eq "5" "$(json 'next(s["data"]["readyNodes"] for s in d["items"] if s["adapter"] == "nodepool")')" "readyNodes"
	assert_eq "20" "$(json 'next(s["data"]["requiredCPUs"] for s in d["items"] if s["adapter"] == "nodepool-validation")')" "requiredCPUs"
	assert_eq "5" "$(kubectl get jobs -n "$API_NS" -l hyperfleet.io/adapter=nodepool -o jsonpath='{.items[0].spec.template.spec.containers[0].env[?(@.name=="REPLICAS")].value}')" "REPLICAS of the nodepool Job"
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "True" "$(json 'd["spec"] == {"nodeCount":5,"machineType":"n1-standard-4"}')" "spec: $API_BODY"
	# The cluster stays Ready with its pool.
	api GET "/clusters/$cid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
}

test_journey4_a_node_pool_created_before_its_cluster_is_ready_waits_for_it() {
	journey_setup
	# The cluster is held Not Ready by its hypershift adapter.
	cluster_create late-cluster '{"sim.hyperfleet.io/hypershift":"Timeout"}'
	local cid=$CLUSTER_ID
	nodepool_create "$cid" early
	local pid=$NODEPOOL_ID
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	wait_adapter 60 "/clusters/$cid/nodepools/$pid" nodepool-validation Available status True
	wait_for 60 "the nodepool adapter to wait for its cluster" \
		jnp_message_has "/clusters/$cid/nodepools/$pid" nodepool Available "waiting for cluster late-cluster to be Ready"
	statuses_read "/clusters/$cid/nodepools/$pid"
	status_expect nodepool Available False PreconditionsNotMet
	status_expect nodepool Applied False PreconditionsNotMet
	status_expect nodepool Health True
	assert_eq "" "$(kubectl get jobs -n "$API_NS" -l hyperfleet.io/adapter=nodepool -o name)" "nodepool Jobs"
	assert_eq "3 n1-standard-4 Not Ready" "$(jnp_kubectl_pool late-cluster early)" "kubectl get hfnp"

	# The cluster gets Ready (the management cluster is fixed): the pool
	# follows by itself.
	kubectl label hfc late-cluster -n "$API_NS" sim.hyperfleet.io/hypershift- >/dev/null
	jnp_wait_ready hfc/late-cluster "/clusters/$cid"
	jnp_wait_ready hfnp/late-cluster.early "/clusters/$cid/nodepools/$pid"
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	statuses_read "/clusters/$cid/nodepools/$pid"
	status_expect nodepool Available True
	status_expect nodepool-validation Available True
}

test_journey4_sad1_invalid_node_counts_are_400s() {
	journey_setup
	cluster_create counted
	local cid=$CLUSTER_ID
	api POST "/clusters/$cid/nodepools" '{"name":"none","spec":{"nodeCount":0,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "Invalid node count: 0. Must be between 1 and 100" "$(json 'd["error"]')"
	api POST "/clusters/$cid/nodepools" '{"name":"negative","spec":{"nodeCount":-3,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "Invalid node count: -3. Must be between 1 and 100" "$(json 'd["error"]')"
	api POST "/clusters/$cid/nodepools" '{"name":"too-many","spec":{"nodeCount":150,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "Node count 150 exceeds maximum limit of 100 per nodepool" "$(json 'd["error"]')"
	# Nothing was created, and no node pool adapter ran.
	api GET "/clusters/$cid/nodepools"
	assert_eq "0" "$(json 'd["total"]')" "node pools"
	assert_eq "" "$(kubectl get hfnp -n "$API_NS" -o name)" "node pools in kubectl"
	assert_eq "" "$(kubectl get jobs -n "$API_NS" -l 'hyperfleet.io/adapter in (nodepool,nodepool-validation)' -o name)" "node pool Jobs"
}

test_journey4_sad2_quota_exceeded_names_the_cpus_required_and_available() {
	journey_setup
	jnp_ready_cluster quota-cluster
	local cid=$CLUSTER_ID
	nodepool_create "$cid" big-pool '{"sim.hyperfleet.io/nodepool-validation":"QuotaExceeded"}' '{"nodeCount":5,"machineType":"n1-standard-4"}'
	local path="/clusters/$cid/nodepools/$NODEPOOL_ID"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	wait_adapter 60 "$path" nodepool-validation Available reason QuotaExceeded
	wait_adapter 60 "$path" nodepool Available reason PreconditionsNotMet
	statuses_read "$path"
	status_expect nodepool-validation Available False QuotaExceeded
	status_expect nodepool-validation Health True
	local msg
	msg=$(status_cond nodepool-validation Available message)
	assert_match "$msg" "^Insufficient quota to provision 5 nodes of type n1-standard-4\. Required: 20 CPUs, Available: 10 CPUs" "message"
	assert_contains "$msg" "Reduce spec.nodeCount or request a quota increase" "actionable guidance"
	# The node pool adapter does not provision: it waits for validation.
	status_expect nodepool Available False PreconditionsNotMet
	assert_contains "$(status_cond nodepool Available message)" "waiting for adapter nodepool-validation" "nodepool message"
	assert_eq "" "$(kubectl get jobs -n "$API_NS" -l hyperfleet.io/adapter=nodepool -o name)" "nodepool Jobs"
	api GET "$path"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "5 n1-standard-4 Not Ready" "$(jnp_kubectl_pool quota-cluster big-pool)" "kubectl get hfnp"
}

test_journey4_sad3_provisioning_failure_says_which_node_failed_and_why() {
	journey_setup
	jnp_ready_cluster zone-cluster
	local cid=$CLUSTER_ID
	nodepool_create "$cid" exhausted '{"sim.hyperfleet.io/nodepool":"ProvisioningFailed"}' '{"nodeCount":5,"machineType":"n1-standard-4"}'
	local path="/clusters/$cid/nodepools/$NODEPOOL_ID"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	wait_adapter 60 "$path" nodepool Available reason ProvisioningFailed
	wait_adapter 60 "$path" nodepool Applied reason ProvisioningFailed
	statuses_read "$path"
	status_expect nodepool-validation Available True
	status_expect nodepool Available False ProvisioningFailed
	status_expect nodepool Applied False ProvisioningFailed
	assert_match "$(status_cond nodepool Available message)" "^Failed to provision node 3 of 5\. GCP error: ZONE_RESOURCE_POOL_EXHAUSTED" "message"
	assert_contains "$(status_cond nodepool Available message)" "Retry later" "guidance"
	assert_eq "2" "$(json 'next(s["data"]["readyNodes"] for s in d["items"] if s["adapter"] == "nodepool")')" "readyNodes"
	api GET "$path"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "5 n1-standard-4 Not Ready" "$(jnp_kubectl_pool zone-cluster exhausted)" "kubectl get hfnp"
	# The cluster itself stays Ready.
	api GET "/clusters/$cid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
}

test_journey5_node_pools_are_listed_and_filtered_by_labels_and_phase() {
	journey_setup
	jnp_ready_cluster ml-cluster
	local cid=$CLUSTER_ID
	cluster_create other-cluster
	local other=$CLUSTER_ID
	nodepool_create "$cid" gpu-pool '{"workload":"gpu","team":"ml"}' '{"nodeCount":2,"machineType":"n1-highmem-8"}'
	local gpu=$NODEPOOL_ID
	nodepool_create "$cid" gpu-locked '{"workload":"gpu","team":"research","sim.hyperfleet.io/nodepool-validation":"PermissionDenied"}' '{"nodeCount":1,"machineType":"n1-highmem-8"}'
	local locked=$NODEPOOL_ID
	nodepool_create "$cid" compute '{"workload":"compute","team":"platform"}' '{"nodeCount":3,"machineType":"n1-standard-4"}'
	local compute=$NODEPOOL_ID
	nodepool_create "$other" gpu-elsewhere '{"workload":"gpu"}'
	wait_phase 60 "/clusters/$cid/nodepools/$gpu" Ready
	wait_phase 60 "/clusters/$cid/nodepools/$compute" Ready
	wait_adapter 60 "/clusters/$cid/nodepools/$locked" nodepool-validation Available reason PermissionDenied

	# The cluster's pools, with the pagination fields and each item's summary.
	api GET "/clusters/$cid/nodepools"
	expect_status 200
	assert_eq "('NodePoolList', 1, 3, 3)" "$(json '(d["kind"], d["page"], d["size"], d["total"])')" "kind, page, size, total"
	assert_eq "True" "$(json "all(i['id'] and i['cluster_id'] == '$cid' and i['spec']['nodeCount'] >= 1 and i['spec']['machineType'] and i['status']['phase'] in ('Ready', 'Not Ready') and i['labels']['workload'] and i['created_time'] and i['updated_time'] for i in d['items'])")" "items: $API_BODY"

	# The seed's filters.
	assert_eq "gpu-locked,gpu-pool" "$(jnp_names "/clusters/$cid/nodepools?labels=workload:gpu")" "labels=workload:gpu"
	assert_eq "compute,gpu-pool" "$(jnp_names "/clusters/$cid/nodepools?phase=Ready")" "phase=Ready"
	# "All GPU node pools that are Ready."
	assert_eq "gpu-pool" "$(jnp_names "/clusters/$cid/nodepools?labels=workload:gpu&phase=Ready")" "labels=workload:gpu&phase=Ready"
	assert_eq "gpu-locked" "$(jnp_names "/clusters/$cid/nodepools?labels=workload:gpu&phase=Not%20Ready")" "gpu and Not Ready"
	assert_eq "compute" "$(jnp_names "/clusters/$cid/nodepools?labels=team:platform")" "labels=team:platform"
	assert_eq "gpu-pool" "$(jnp_names "/clusters/$cid/nodepools?labels=workload:gpu,team:ml")" "two labels"
	api GET "/clusters/$cid/nodepools?page=2&size=2"
	assert_eq "(2, 1, 3)" "$(json '(d["page"], d["size"], d["total"])')" "page 2 of size 2"
	# Workload-based organisation through kubectl too.
	assert_eq "ml-cluster.gpu-locked ml-cluster.gpu-pool other-cluster.gpu-elsewhere" "$(kubectl get hfnp -n "$API_NS" -l workload=gpu -o jsonpath='{.items[*].metadata.name}')" "kubectl get hfnp -l workload=gpu"
	assert_eq "2 n1-highmem-8 Ready" "$(jnp_kubectl_pool ml-cluster gpu-pool)" "kubectl get hfnp"

	# A pool the adapters may not touch is listed (200) and says why it is
	# Not Ready (sad path, scenario 5).
	statuses_read "/clusters/$cid/nodepools/$locked"
	status_expect nodepool-validation Available False PermissionDenied
	assert_match "$(status_cond nodepool-validation Available message)" "^Insufficient permissions to access nodepools in cluster ml-cluster" "message"

	# A valid filter that matches nothing: the seed's empty list.
	api GET "/clusters/$cid/nodepools?labels=workload:nonexistent"
	expect_status 200
	assert_eq '{"kind":"NodePoolList","page":1,"size":0,"total":0,"items":[]}' "$API_BODY" "labels=workload:nonexistent"
}

test_journey5_sad_unknown_cluster_unknown_pool_and_bad_filters() {
	journey_setup
	cluster_create cluster-123
	local cid=$CLUSTER_ID
	nodepool_create "$cid" workers '{"workload":"compute"}'
	# Scenario 1: the parent cluster does not exist (checked before the
	# filters).
	api GET /clusters/non-existent-cluster/nodepools
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "non-existent-cluster" "$(json 'd["cluster_id"]')"
	api GET '/clusters/invalid-cluster-id/nodepools?phase=InvalidPhase'
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "invalid-cluster-id" "$(json 'd["cluster_id"]')"
	# Scenario 2: invalid filters.
	api GET "/clusters/$cid/nodepools?phase=Provisioning"
	expect_status 400
	assert_eq "Invalid phase value 'Provisioning'. Supported values for MVP: Not Ready, Ready" "$(json 'd["error"]')"
	api GET "/clusters/$cid/nodepools?phase=InvalidPhase"
	expect_status 400
	assert_eq "Invalid phase value 'InvalidPhase'. Supported values for MVP: Not Ready, Ready" "$(json 'd["error"]')"
	api GET "/clusters/$cid/nodepools?labels=workload"
	expect_status 400
	assert_eq "Invalid label filter format. Expected format: key:value" "$(json 'd["error"]')"
	# Scenario 3: no match.
	api GET "/clusters/$cid/nodepools?labels=workload:nonexistent"
	expect_status 200
	assert_eq '{"kind":"NodePoolList","page":1,"size":0,"total":0,"items":[]}' "$API_BODY" "labels=workload:nonexistent"
	# Scenario 4: the node pool does not exist.
	api GET "/clusters/$cid/nodepools/non-existent-nodepool-id"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	assert_eq "non-existent-nodepool-id" "$(json 'd["nodepool_id"]')"
	assert_eq "$cid" "$(json 'd["cluster_id"]')"
	api GET "/clusters/$cid/nodepools/non-existent-nodepool-id/statuses"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	fails_with NotFound kubectl get hfnp cluster-123.non-existent -n "$API_NS"
	# The real one is there.
	api GET "/clusters/$cid/nodepools/$NODEPOOL_ID"
	expect_status 200
	assert_eq "workers" "$(json 'd["name"]')"
}
