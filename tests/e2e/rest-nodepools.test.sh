# The REST API's node pools: create (seed 000 journey 4 and its sad path,
# seed 001 journey 7), list and filter (seed 000 journey 5 and its sad
# path, seed 001 journey 8), get, update (seed 001 journey 9), nested and
# flat routes, against the real operator and control plane.
. "$HF_TOP/tests/lib/api.sh"

# pools_cluster NAME: creates a cluster (201 expected); prints its id.
pools_cluster() {
	api POST /clusters "{\"name\":\"$1\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"}}"
	expect_status 201
	json 'd["id"]'
}

# pools_create CLUSTER_ID NAME NODES MACHINE [LABELS]: creates a node pool
# (201 expected); prints its id.
pools_create() {
	local labels=${5:-'{}'}
	api POST "/clusters/$1/nodepools" "{\"name\":\"$2\",\"spec\":{\"nodeCount\":$3,\"machineType\":\"$4\"},\"labels\":$labels}"
	expect_status 201
	json 'd["id"]'
}

# pools_report KIND_PATH ADAPTER GENERATION AVAILABLE: an adapter's report
# through the REST API (201 expected).
pools_report() {
	api PUT "$1/statuses" "{\"adapter\":\"$2\",\"observed_generation\":$3,\"conditions\":[{\"type\":\"Applied\",\"status\":\"True\",\"reason\":\"Applied\"},{\"type\":\"Available\",\"status\":\"$4\",\"reason\":\"Done\"},{\"type\":\"Health\",\"status\":\"True\",\"reason\":\"Healthy\"}]}"
	expect_status 201
}

# pools_names QUERY: the names of the listed pools, sorted, comma-separated.
pools_names() {
	api GET "$1"
	expect_status 200
	json '",".join(sorted(i["name"] for i in d["items"]))'
}

test_creating_the_seed_node_pool_answers_201_not_ready() {
	api_setup
	local cid pid
	cid=$(pools_cluster my-test-cluster)
	# Seed 001, journey 7, step 1.
	api POST "/clusters/$cid/nodepools" '{"name":"my-nodepool","spec":{"nodeCount":5,"machineType":"n1-standard-4"},"labels":{"workload":"compute","team":"platform"}}'
	expect_status 201
	pid=$(json 'd["id"]')
	assert_match "$pid" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "node pool id"
	assert_eq "NodePool" "$(json 'd["kind"]')"
	assert_eq "my-nodepool" "$(json 'd["name"]')"
	assert_eq "$cid" "$(json 'd["cluster_id"]')"
	assert_eq "/api/hyperfleet/v1/clusters/$cid/nodepools/$pid" "$(json 'd["href"]')"
	assert_eq "True" "$(json "d['owner_references'] == {'id': '$cid', 'kind': 'Cluster', 'href': '/api/hyperfleet/v1/clusters/$cid'}")" "owner_references: $API_BODY"
	assert_eq "True" "$(json 'd["spec"] == {"nodeCount":5,"machineType":"n1-standard-4"}')" "spec as sent: $API_BODY"
	assert_eq "True" "$(json 'd["labels"] == {"workload":"compute","team":"platform"}')" "labels as sent: $API_BODY"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "1" "$(json 'd["generation"]')"
	# It is a NodePool of that cluster in Kubernetes too.
	assert_eq "my-test-cluster" "$(kubectl get hfnp -n "$API_NS" -o jsonpath="{.items[?(@.metadata.uid==\"$pid\")].spec.clusterName}")"

	# Step 2: readable at once through the nested and the flat route.
	api GET "/clusters/$cid/nodepools/$pid"
	expect_status 200
	assert_eq "my-nodepool" "$(json 'd["name"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	api GET "/nodepools/$pid"
	expect_status 200
	assert_eq "$cid" "$(json 'd["cluster_id"]')"
	assert_eq "5" "$(json 'd["spec"]["nodeCount"]')"
}

test_node_counts_outside_the_catalog_limits_are_refused_with_the_seed_messages() {
	api_setup
	local cid
	cid=$(pools_cluster limits)
	# Seed 000, journey 4 sad path, scenario 1.
	api POST "/clusters/$cid/nodepools" '{"name":"zero","spec":{"nodeCount":0,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "Invalid node count: 0. Must be between 1 and 100" "$(json 'd["error"]')"
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	api POST "/clusters/$cid/nodepools" '{"name":"negative","spec":{"nodeCount":-1,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "Invalid node count: -1. Must be between 1 and 100" "$(json 'd["error"]')"
	api POST "/clusters/$cid/nodepools" '{"name":"huge","spec":{"nodeCount":150,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "Node count 150 exceeds maximum limit of 100 per nodepool" "$(json 'd["error"]')"
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	api POST "/clusters/$cid/nodepools" '{"name":"oddtype","spec":{"nodeCount":1,"machineType":"m5.large"}}'
	expect_status 400
	assert_match "$(json 'd["error"]')" "^Invalid machine type 'm5\.large'\. Supported machine types: e2-standard-4, "
	# The limits themselves are fine.
	pools_create "$cid" one 1 n1-standard-4 >/dev/null
	pools_create "$cid" hundred 100 n1-standard-4 >/dev/null
	assert_eq "hundred,one" "$(pools_names "/clusters/$cid/nodepools")" "pools created"
}

test_node_pool_names_are_3_to_15_characters_and_unique_per_cluster() {
	api_setup
	local a b
	a=$(pools_cluster cluster-a)
	b=$(pools_cluster cluster-b)
	api POST "/clusters/$a/nodepools" '{"name":"sixteen-chars-xx","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "name must be at most 15 characters" "$(json 'd["error"]')"
	api POST "/clusters/$a/nodepools" '{"name":"np","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "name must be at least 3 characters" "$(json 'd["error"]')"
	api POST "/clusters/$a/nodepools" '{"spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 400
	assert_eq "name is required" "$(json 'd["error"]')"
	pools_create "$a" fifteen-chars-x 1 n1-standard-4 >/dev/null
	# The same pool name in another cluster is another pool.
	pools_create "$a" workers 2 n1-standard-4 >/dev/null
	pools_create "$b" workers 3 n1-standard-8 >/dev/null
	api POST "/clusters/$a/nodepools" '{"name":"workers","spec":{"nodeCount":4,"machineType":"n1-standard-4"}}'
	expect_status 409
	assert_eq "HYPERFLEET-CNF-001" "$(json 'd["code"]')"
	assert_eq "This NodePool already exists" "$(json 'd["detail"]')"
	api GET "/clusters/$b/nodepools?name=workers"
	assert_eq "1" "$(json 'd["total"]')"
	assert_eq "3" "$(json 'd["items"][0]["spec"]["nodeCount"]')"
	api GET "/nodepools?name=workers"
	assert_eq "2" "$(json 'd["total"]')" "pools named workers in all clusters"
}

test_node_pools_of_an_unknown_cluster_are_the_seeds_404() {
	api_setup
	# Seed 000, journey 5 sad path, scenario 1.
	api GET /clusters/non-existent-cluster/nodepools
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "non-existent-cluster" "$(json 'd["cluster_id"]')"
	assert_eq "HYPERFLEET-NTF-001" "$(json 'd["code"]')"
	# The parent is checked before the filters.
	api GET "/clusters/invalid-cluster-id/nodepools?phase=InvalidPhase"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "invalid-cluster-id" "$(json 'd["cluster_id"]')"
	api POST /clusters/non-existent-cluster/nodepools '{"name":"orphan","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "0" "$(kubectl get hfnp -n "$API_NS" -o name | wc -l)" "node pools in Kubernetes"
}

test_an_unknown_node_pool_is_the_seeds_404() {
	api_setup
	local a b pid
	a=$(pools_cluster cluster-123)
	b=$(pools_cluster other-cluster)
	pid=$(pools_create "$b" elsewhere 1 n1-standard-4)
	# Seed 000, journey 5 sad path, scenario 4.
	api GET "/clusters/$a/nodepools/non-existent-nodepool-id"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	assert_eq "non-existent-nodepool-id" "$(json 'd["nodepool_id"]')"
	assert_eq "$a" "$(json 'd["cluster_id"]')"
	assert_eq "HYPERFLEET-NTF-001" "$(json 'd["code"]')"
	# A pool of another cluster is not found under this one.
	api GET "/clusters/$a/nodepools/$pid"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	assert_eq "$pid" "$(json 'd["nodepool_id"]')"
	api GET "/nodepools/non-existent-nodepool-id"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	api GET "/clusters/$b/nodepools/$pid"
	expect_status 200
}

test_node_pools_are_listed_and_filtered_by_labels_and_phase() {
	api_setup
	required_adapters NodePool np-provisioner
	local cid gpu other
	cid=$(pools_cluster my-test-cluster)
	# Seed 001, journey 8: two pools of one cluster.
	pools_create "$cid" my-nodepool 5 n1-standard-4 '{"workload":"compute","team":"platform"}' >/dev/null
	gpu=$(pools_create "$cid" gpu-nodepool 3 n1-highmem-8 '{"workload":"gpu","team":"ml"}')
	other=$(pools_cluster other-cluster)
	pools_create "$other" gpu-other 1 n1-highmem-8 '{"workload":"gpu"}' >/dev/null

	api GET "/clusters/$cid/nodepools"
	expect_status 200
	assert_eq "NodePoolList" "$(json 'd["kind"]')"
	assert_eq "(1, 2, 2)" "$(json '(d["page"], d["size"], d["total"])')" "page, size, total"
	assert_eq "True" "$(json "all(i['cluster_id'] == '$cid' for i in d['items'])")" "cluster_id of every item"
	assert_eq "True" "$(json 'all(set(i["spec"]) >= {"nodeCount","machineType"} and "phase" in i["status"] for i in d["items"])')" "items show spec and phase"

	# Seed 000 journey 5 / seed 001 journey 8, step 2.
	assert_eq "gpu-nodepool" "$(pools_names "/clusters/$cid/nodepools?labels=workload:gpu")" "labels=workload:gpu"
	assert_eq "gpu-nodepool" "$(pools_names "/clusters/$cid/nodepools?labels=workload:gpu,team:ml")" "two labels"
	assert_eq "" "$(pools_names "/clusters/$cid/nodepools?phase=Ready")" "phase=Ready before any report"
	assert_eq "gpu-nodepool,my-nodepool" "$(pools_names "/clusters/$cid/nodepools?phase=Not%20Ready")" "phase=Not Ready"

	# The provisioner finishes the GPU pool: it is Ready.
	pools_report "/clusters/$cid/nodepools/$gpu" np-provisioner 1 True
	api GET "/clusters/$cid/nodepools/$gpu"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "phase after the report"
	assert_eq "gpu-nodepool" "$(pools_names "/clusters/$cid/nodepools?phase=Ready")" "phase=Ready"
	assert_eq "gpu-nodepool" "$(pools_names "/clusters/$cid/nodepools?labels=workload:gpu&phase=Ready")" "labels and phase"
	assert_eq "my-nodepool" "$(pools_names "/clusters/$cid/nodepools?phase=NotReady")" "phase=NotReady"
	assert_eq "" "$(pools_names "/clusters/$cid/nodepools?labels=workload:compute&phase=Ready")" "compute and Ready"

	# The flat list holds every cluster's pools.
	assert_eq "gpu-nodepool,gpu-other,my-nodepool" "$(pools_names /nodepools)" "GET /nodepools"
	assert_eq "gpu-nodepool,gpu-other" "$(pools_names "/nodepools?labels=workload:gpu")" "GET /nodepools?labels=workload:gpu"
	api GET /nodepools
	assert_eq "NodePoolList" "$(json 'd["kind"]')"
	assert_eq "3" "$(json 'd["total"]')"
}

test_node_pool_filters_with_no_match_give_the_seeds_empty_list() {
	api_setup
	local cid
	cid=$(pools_cluster quiet)
	pools_create "$cid" workers 2 n1-standard-4 '{"workload":"compute"}' >/dev/null
	# Seed 000, journey 5 sad path, scenario 3.
	api GET "/clusters/$cid/nodepools?labels=workload:nonexistent"
	expect_status 200
	assert_eq "True" "$(json 'd == {"kind":"NodePoolList","page":1,"size":0,"total":0,"items":[]}')" "body: $API_BODY"
}

test_bad_node_pool_filters_are_the_seeds_400s() {
	api_setup
	local cid
	cid=$(pools_cluster filters)
	# Seed 000, journey 5 sad path, scenario 2.
	api GET "/clusters/$cid/nodepools?phase=Provisioning"
	expect_status 400
	assert_eq "Invalid phase value 'Provisioning'. Supported values for MVP: Not Ready, Ready" "$(json 'd["error"]')"
	api GET "/clusters/$cid/nodepools?phase=InvalidPhase"
	expect_status 400
	assert_eq "Invalid phase value 'InvalidPhase'. Supported values for MVP: Not Ready, Ready" "$(json 'd["error"]')"
	local bad
	for bad in workload gpu: :gpu 'workload:gpu,team'; do
		api GET "/clusters/$cid/nodepools?labels=$bad"
		expect_status 400
		assert_eq "Invalid label filter format. Expected format: key:value" "$(json 'd["error"]')" "labels=$bad"
	done
	api GET "/nodepools?phase=Provisioning"
	expect_status 400
	assert_eq "Invalid phase value 'Provisioning'. Supported values for MVP: Not Ready, Ready" "$(json 'd["error"]')"
}

test_patching_a_node_pool_changes_its_spec_and_makes_it_not_ready() {
	api_setup
	required_adapters NodePool np-provisioner
	local cid pid
	cid=$(pools_cluster my-test-cluster)
	pid=$(pools_create "$cid" my-nodepool 5 n1-highmem-8 '{"workload":"compute","team":"platform"}')
	pools_report "/clusters/$cid/nodepools/$pid" np-provisioner 1 True
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	# Seed 001, journey 9 (the spec is replaced whole: it names every key).
	api PATCH "/clusters/$cid/nodepools/$pid" '{"spec":{"nodeCount":8,"machineType":"n1-highmem-8"}}'
	expect_status 200
	assert_eq "True" "$(json 'd["spec"] == {"nodeCount":8,"machineType":"n1-highmem-8"}')" "spec: $API_BODY"
	assert_eq "2" "$(json 'd["generation"]')"
	local patched_phase
	patched_phase=$(json 'd["status"]["phase"]')
	assert_eq "True" "$(json 'd["labels"] == {"workload":"compute","team":"platform"}')" "labels: $API_BODY"
	assert_eq "$cid" "$(json 'd["cluster_id"]')" "still in its cluster"
	# The pool stays in its cluster in Kubernetes.
	assert_eq "my-test-cluster" "$(kubectl get hfnp my-test-cluster.my-nodepool -n "$API_NS" -o jsonpath='{.spec.clusterName}')"
	# Step 2: Ready again once the adapter reports the new generation.
	pools_report "/nodepools/$pid" np-provisioner 2 True
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "8" "$(json 'd["spec"]["nodeCount"]')"
	# The catalog checks the new spec too.
	api PATCH "/nodepools/$pid" '{"spec":{"nodeCount":150,"machineType":"n1-highmem-8"}}'
	expect_status 400
	assert_eq "Node count 150 exceeds maximum limit of 100 per nodepool" "$(json 'd["error"]')"
	api PATCH "/nodepools/$pid" '{"name":"renamed"}'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	# Seed 001 journey 9 step 1: the PATCH answered phase "Not Ready".
	assert_eq "Not Ready" "$patched_phase" "phase in the PATCH answer (generation 2, adapter at 1)"
}

test_creating_a_node_pool_in_a_flat_route_is_not_allowed() {
	api_setup
	local out
	out=$(curl -sS -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
		--data-binary '{"name":"flat","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}' "$HF_API/nodepools")
	assert_match "$out" '^HTTP/1\.1 (405|422) '
	api GET /nodepools
	assert_eq "0" "$(json 'd["total"]')"
}
