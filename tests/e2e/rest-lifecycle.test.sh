# A cluster's life through the REST API: Not Ready until its required
# adapters report Available=True (seed 000 journeys 1 and 2, seed 001
# journeys 1 and 2), failures and degraded adapters (their sad paths), a
# spec change (seed 001 journey 4), deletion until the adapters finalize
# (seed 001 journeys 5 and 10) and force-delete.
. "$HF_TOP/tests/lib/api.sh"

SEED_CLUSTER='{"name":"my-test-cluster","spec":{"provider":"gcp","region":"us-east1","nodeCount":3},"labels":{"environment":"production","team":"platform"}}'

# life_time SECONDS: an RFC 3339 time SECONDS from now (negative: earlier).
life_time() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ
}

# life_report PATH ADAPTER GENERATION AVAILABLE [HEALTH] [REASON] [MESSAGE]
# [OBSERVED_TIME] [EXTRA_CONDITIONS]: PUTs an adapter report to
# PATH/statuses; sets API_STATUS and API_BODY.
life_report() {
	local path=$1 adapter=$2 gen=$3 available=$4 health=${5:-True} reason=${6:-Reason$4}
	local message=${7:-$2 says $4} observed=${8:-} extra=${9:-}
	local body
	body=$(python3 -c '
import json, sys
a = sys.argv
r = {"adapter": a[1], "observed_generation": int(a[2]), "conditions": [
	{"type": "Applied", "status": "True", "reason": "JobLaunched", "message": "Job created"},
	{"type": "Available", "status": a[3], "reason": a[5], "message": a[6]},
	{"type": "Health", "status": a[4], "reason": "Health" + a[4]}]}
if a[7]:
	r["observed_time"] = a[7]
if a[8]:
	r["conditions"] += json.loads(a[8])
print(json.dumps(r))' "$adapter" "$gen" "$available" "$health" "$reason" "$message" "$observed" "$extra")
	api PUT "$path/statuses" "$body"
}

# life_cond TYPE FIELD: a field of a status condition of the resource in
# API_BODY ("" when the condition is absent).
life_cond() {
	json "next((str(c.get('$2', '')) for c in d['status']['conditions'] if c['type'] == '$1'), '')"
}

# life_adapter NAME TYPE FIELD: a field of a condition of an adapter's
# status in the AdapterStatusList in API_BODY.
life_adapter() {
	json "next(str(c.get('$3', '')) for i in d['items'] if i['adapter'] == '$1' for c in i['conditions'] if c['type'] == '$2')"
}

# life_reconciled_is PATH STATUS MESSAGE: the resource's Reconciled
# condition has this status and message (for wait_for).
life_reconciled_is() {
	api GET "$1"
	[ "$(life_cond Reconciled status)" = "$2" ] && [ "$(life_cond Reconciled message)" = "$3" ]
}

# life_gone PATH: GET PATH answers 404 (for wait_for).
life_gone() {
	api GET "$1"
	[ "$API_STATUS" = 404 ]
}

test_a_cluster_becomes_ready_when_its_required_adapters_report_through_the_api() {
	api_setup
	required_adapters Cluster validation dns
	api POST /clusters "$SEED_CLUSTER"
	expect_status 201
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	local id
	id=$(json 'd["id"]')
	# Seed 000 journey 2: a Not Ready cluster says which adapters it waits for.
	wait_for 30 "Reconciled to name the missing adapters" life_reconciled_is "/clusters/$id" False \
		"Required adapters not reporting Available=True: [dns, validation]. Currently reporting: []"
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "ReconciledMissingAdapters" "$(life_cond Reconciled reason)"
	assert_eq "False" "$(life_cond ValidationSuccessful status)"
	assert_eq "False" "$(life_cond DnsSuccessful status)"
	# Seed 001 journey 1 step 3: no adapter has reported yet.
	api GET "/clusters/$id/statuses"
	expect_status 200
	assert_eq "True" "$(json 'd == {"kind":"AdapterStatusList","page":1,"size":0,"total":0,"items":[]}')" "statuses: $API_BODY"

	life_report "/clusters/$id" validation 1 True True JobSucceeded "Validation completed successfully"
	expect_status 201
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase with one adapter of two"
	assert_eq "Required adapters not reporting Available=True: [dns]. Currently reporting: [validation]" "$(life_cond Reconciled message)"
	assert_eq "True" "$(life_cond ValidationSuccessful status)"

	life_report "/clusters/$id" dns 1 True True AllRecordsCreated "All DNS records created and verified"
	expect_status 201
	# Seed 001 journey 1 step 4: Ready, at the caller's next read.
	api GET "/clusters/$id"
	expect_status 200
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "phase once both adapters reported"
	assert_eq "True" "$(life_cond Reconciled status)"
	assert_eq "ReconciledAll" "$(life_cond Reconciled reason)"
	assert_eq "1" "$(life_cond Reconciled observed_generation)"
	assert_eq "True" "$(life_cond LastKnownReconciled status)"
	assert_eq "True" "$(life_cond DnsSuccessful status)"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-east1","nodeCount":3}')" "spec: $API_BODY"
	# Every required adapter shows Available: True in /statuses.
	api GET "/clusters/$id/statuses"
	assert_eq "2" "$(json 'd["total"]')"
	assert_eq "dns,validation" "$(json '",".join(sorted(i["adapter"] for i in d["items"]))')"
	assert_eq "True" "$(life_adapter validation Available status)"
	assert_eq "True" "$(life_adapter dns Available status)"
	assert_eq "All DNS records created and verified" "$(life_adapter dns Available message)"
	api GET "/clusters?phase=Ready"
	assert_eq "$id" "$(json '",".join(i["id"] for i in d["items"])')" "Ready clusters"
}

test_a_failing_adapter_keeps_the_cluster_not_ready_and_says_why_in_statuses() {
	api_setup
	required_adapters Cluster validation dns
	local id
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	life_report "/clusters/$id" validation 1 True True JobSucceeded "All checks passed" "$(life_time -60)"
	expect_status 201
	# Seed 000 journey 1 sad path, scenario 4: the DNS adapter fails.
	life_report "/clusters/$id" dns 1 False False DNSZoneNotFound \
		"Route53 hosted zone not found for domain example.com. Please create zone or update cluster spec." "$(life_time -50)"
	expect_status 201
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "False" "$(life_cond DnsSuccessful status)"
	assert_eq "Required adapters not reporting Available=True: [dns]. Currently reporting: [validation]" "$(life_cond Reconciled message)"
	api GET "/clusters/$id/statuses"
	assert_eq "True" "$(life_adapter validation Available status)"
	assert_eq "False" "$(life_adapter dns Available status)"
	assert_eq "False" "$(life_adapter dns Health status)"
	assert_eq "DNSZoneNotFound" "$(life_adapter dns Available reason)"
	assert_eq "Route53 hosted zone not found for domain example.com. Please create zone or update cluster spec." \
		"$(life_adapter dns Available message)"
	# The issue is resolved and the adapter retries: Ready.
	local fixed
	fixed=$(life_time -40)
	life_report "/clusters/$id" dns 1 True True AllRecordsCreated "Records created" "$fixed"
	expect_status 201
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "phase once the failure is resolved"
	api GET "/clusters/$id/statuses"
	assert_eq "True" "$(life_adapter dns Health status)"
	assert_eq "$fixed" "$(json 'next(i["last_report_time"] for i in d["items"] if i["adapter"] == "dns")')" "last_report_time"
}

test_permission_quota_and_timeout_failures_are_reported_as_the_adapters_say() {
	api_setup
	required_adapters Cluster infrastructure
	local id
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	# Seed 000 journey 1 sad path, scenarios 2 and 3, journey 2 sad path,
	# scenario 1, and journey 3 sad path, scenario 3: the adapter's reason
	# and message reach the user.
	local reason message offset=-100
	while IFS='|' read -r reason message; do
		life_report "/clusters/$id" infrastructure 1 False True "$reason" "$message" "$(life_time $offset)"
		expect_status 201
		offset=$((offset + 10))
		api GET "/clusters/$id"
		assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
		api GET "/clusters/$id/statuses"
		assert_eq "False" "$(life_adapter infrastructure Available status)"
		assert_eq "$reason" "$(life_adapter infrastructure Available reason)"
		assert_eq "$message" "$(life_adapter infrastructure Available message)"
	done <<'EOF'
PermissionDenied|Service account lacks compute.networks.create permission in GCP project
QuotaExceeded|GCP quota exceeded for resource: CPUS in region us-east1. Current: 100/100
Timeout|GCP cluster creation timed out after 25 minutes. Last status: Not ready
PermissionDenied|Insufficient permissions to access clusters with label 'team:platform'
EOF
}

test_a_degraded_adapter_leaves_a_ready_cluster_ready() {
	api_setup
	required_adapters Cluster dns
	local id
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	life_report "/clusters/$id" dns 1 True True AllRecordsCreated "done" "$(life_time -60)"
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	# Seed 000 journey 2 sad path, scenario 3: Health False, Available True.
	life_report "/clusters/$id" dns 1 True False AllRecordsCreated "DNS records exist but health check failing. Record set may be misconfigured." "$(life_time -30)"
	expect_status 201
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "phase with a degraded adapter"
	api GET "/clusters/$id/statuses"
	assert_eq "True" "$(life_adapter dns Available status)"
	assert_eq "True" "$(life_adapter dns Applied status)"
	assert_eq "False" "$(life_adapter dns Health status)"
	assert_eq "DNS records exist but health check failing. Record set may be misconfigured." "$(life_adapter dns Available message)"
}

test_a_ready_cluster_goes_back_to_not_ready_when_an_adapter_reports_a_failure() {
	api_setup
	required_adapters Cluster dns
	local id
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	life_report "/clusters/$id" dns 1 True True Done "done" "$(life_time -60)"
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	life_report "/clusters/$id" dns 1 False True Broken "the zone disappeared" "$(life_time -30)"
	expect_status 201
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase after the failure"
	assert_eq "False" "$(life_cond Reconciled status)"
	assert_eq "False" "$(life_cond LastKnownReconciled status)" "LastKnownReconciled after a failure at its generation"
}

test_a_spec_change_makes_a_ready_cluster_not_ready_until_the_adapters_catch_up() {
	api_setup
	required_adapters Cluster validation dns
	local id
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	life_report "/clusters/$id" validation 1 True
	life_report "/clusters/$id" dns 1 True
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	# Seed 001 journey 4 step 1.
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1","nodeCount":5}}'
	expect_status 200
	assert_eq "2" "$(json 'd["generation"]')"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-west1","nodeCount":5}')" "spec: $API_BODY"
	# The controller evaluates generation 2; LastKnownReconciled stays True
	# at generation 1.
	life_gen2_not_ready() {
		api GET "/clusters/$id"
		[ "$(life_cond Reconciled observed_generation)" = 2 ] && [ "$(json 'd["status"]["phase"]')" = "Not Ready" ]
	}
	wait_for 30 "Reconciled at generation 2" life_gen2_not_ready
	api GET "/clusters/$id"
	assert_eq "False" "$(life_cond Reconciled status)"
	assert_eq "True" "$(life_cond LastKnownReconciled status)"
	assert_eq "1" "$(life_cond LastKnownReconciled observed_generation)"
	assert_eq "2" "$(json 'd["status"]["observed_generation"]')"
	# Step 2: statuses show who has caught up.
	life_report "/clusters/$id" validation 2 True
	expect_status 201
	api GET "/clusters/$id/statuses"
	assert_eq "2" "$(json 'next(i["observed_generation"] for i in d["items"] if i["adapter"] == "validation")')"
	assert_eq "1" "$(json 'next(i["observed_generation"] for i in d["items"] if i["adapter"] == "dns")')"
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "Required adapters not reporting Available=True: [dns]. Currently reporting: [validation]" "$(life_cond Reconciled message)"
	# Step 3: Ready with the new spec.
	life_report "/clusters/$id" dns 2 True
	expect_status 201
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "us-west1" "$(json 'd["spec"]["region"]')"
	assert_eq "2" "$(life_cond LastKnownReconciled observed_generation)"
	# A late report for generation 1 is discarded.
	life_report "/clusters/$id" dns 1 False
	expect_status 204
	assert_eq "" "$API_BODY" "body of a discarded report"
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')" "phase after a stale report"
}

test_the_patch_answer_of_a_ready_cluster_with_a_new_spec_says_not_ready() {
	api_setup
	required_adapters Cluster dns
	local id
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	life_report "/clusters/$id" dns 1 True
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	# Seed 001 journey 4 step 1: the PATCH answers 200 with the new spec,
	# generation 2 and phase "Not Ready" (its adapters have not seen it).
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1","nodeCount":5}}'
	expect_status 200
	assert_eq "2" "$(json 'd["generation"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the PATCH answer (generation 2, adapters at 1)"
}

test_deleting_a_cluster_is_202_terminating_until_its_adapter_finalizes() {
	api_setup
	required_adapters Cluster dns
	local id pid
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	api POST "/clusters/$id/nodepools" '{"name":"workers","spec":{"nodeCount":2,"machineType":"n1-standard-4"}}'
	expect_status 201
	pid=$(json 'd["id"]')
	# Seed 001 journey 5 step 1.
	api DELETE "/clusters/$id"
	expect_status 202
	assert_eq "$id" "$(json 'd["id"]')"
	assert_eq "my-test-cluster" "$(json 'd["name"]')"
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	assert_match "$(json 'd.get("deleted_time", "")')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$' "deleted_time"
	local deleted gen
	deleted=$(json 'd["deleted_time"]')
	gen=$(json 'd["generation"]')
	api GET "/clusters/$id"
	expect_status 200
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	# Deleting again changes nothing.
	api DELETE "/clusters/$id"
	expect_status 202
	assert_eq "$deleted" "$(json 'd["deleted_time"]')" "deleted_time of a second DELETE"
	assert_eq "$gen" "$(json 'd["generation"]')" "generation of a second DELETE"
	# A cluster marked for deletion takes no changes and no new pools.
	api PATCH "/clusters/$id" '{"labels":{"late":"yes"}}'
	expect_status 409
	assert_eq "HYPERFLEET-CNF-003" "$(json 'd["code"]')"
	assert_eq "Cluster '$id' is marked for deletion" "$(json 'd["error"]')"
	api POST "/clusters/$id/nodepools" '{"name":"late","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 409
	assert_eq "Cluster '$id' is marked for deletion" "$(json 'd["error"]')"
	# Its node pools go.
	life_no_pools() {
		api GET "/clusters/$id/nodepools"
		[ "$(json 'd["total"]')" = 0 ]
	}
	wait_for 30 "the node pools to be deleted" life_no_pools
	api GET "/nodepools/$pid"
	expect_status 404
	# Step 2: the cluster waits for its adapter.
	wait_for 30 "Reconciled to wait for Finalized" life_reconciled_is "/clusters/$id" False \
		"Required adapters not reporting Finalized=True: [dns]. Currently reporting: []"
	api GET "/clusters/$id/statuses"
	expect_status 200
	api GET "/clusters?phase=Terminating"
	assert_eq "$id" "$(json '",".join(i["id"] for i in d["items"])')" "Terminating clusters"
	# The adapter finalizes at the current generation.
	api GET "/clusters/$id"
	gen=$(json 'd["generation"]')
	life_report "/clusters/$id" dns "$gen" False True Deleted "records removed" "" '[{"type":"Finalized","status":"True","reason":"Cleaned","message":"DNS records removed"}]'
	expect_status 201
	assert_eq "True" "$(json 'next(c["status"] for c in d["conditions"] if c["type"] == "Finalized")')" "stored Finalized"
	# Step 3: gone.
	wait_for 30 "the cluster to be gone" life_gone "/clusters/$id"
	api GET "/clusters/$id"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "$id" "$(json 'd["id"]')"
	assert_eq "HYPERFLEET-NTF-001" "$(json 'd["code"]')"
	api GET /clusters
	assert_eq "0" "$(json 'd["total"]')" "clusters listed"
	fails_with NotFound kubectl get hfc my-test-cluster -n "$API_NS"
}

test_a_finalized_report_for_an_older_generation_does_not_delete() {
	api_setup
	required_adapters Cluster dns
	local id gen
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	life_report "/clusters/$id" dns 1 True
	api DELETE "/clusters/$id"
	expect_status 202
	gen=$(json 'd["generation"]')
	[ "$gen" -gt 1 ] || fail "the deletion did not start a new generation: $gen"
	life_report "/clusters/$id" dns 1 False True Deleted "too early" "" '[{"type":"Finalized","status":"True","reason":"Cleaned"}]'
	api GET "/clusters/$id"
	expect_status 200
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	life_report "/clusters/$id" dns "$gen" False True Deleted "done" "" '[{"type":"Finalized","status":"True","reason":"Cleaned"}]'
	expect_status 201
	wait_for 30 "the cluster to be gone" life_gone "/clusters/$id"
	api GET "/clusters/$id"
	expect_status 404
}

test_without_required_adapters_a_delete_completes_at_once() {
	api_setup
	local id
	api POST /clusters '{"name":"quick","spec":{"provider":"gcp","region":"us-east1"}}'
	id=$(json 'd["id"]')
	api POST "/clusters/$id/nodepools" '{"name":"workers","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 201
	api DELETE "/clusters/$id"
	expect_status 202
	assert_eq "$id" "$(json 'd["id"]')"
	wait_for 30 "the cluster to be gone" life_gone "/clusters/$id"
	api GET "/clusters/$id"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	api DELETE "/clusters/$id"
	expect_status 404
	api GET /nodepools
	assert_eq "0" "$(json 'd["total"]')" "node pools left"
}

test_deleting_a_node_pool_waits_for_its_adapter_to_finalize() {
	api_setup
	required_adapters NodePool np-provisioner
	local cid pid gen
	api POST /clusters '{"name":"keeper","spec":{"provider":"gcp","region":"us-east1"}}'
	cid=$(json 'd["id"]')
	api POST "/clusters/$cid/nodepools" '{"name":"my-nodepool","spec":{"nodeCount":8,"machineType":"n1-standard-8"}}'
	pid=$(json 'd["id"]')
	# Seed 001 journey 10 step 1.
	api DELETE "/clusters/$cid/nodepools/$pid"
	expect_status 202
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	assert_eq "$cid" "$(json 'd["cluster_id"]')"
	gen=$(json 'd["generation"]')
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Terminating" "$(json 'd["status"]["phase"]')"
	life_report "/clusters/$cid/nodepools/$pid" np-provisioner "$gen" False True Deleted "nodes removed" "" '[{"type":"Finalized","status":"True","reason":"Cleaned"}]'
	expect_status 201
	# Step 2: gone; the cluster stays.
	wait_for 30 "the node pool to be gone" life_gone "/clusters/$cid/nodepools/$pid"
	api GET "/clusters/$cid/nodepools/$pid"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	assert_eq "$pid" "$(json 'd["nodepool_id"]')"
	api GET "/clusters/$cid"
	expect_status 200
	assert_eq "False" "$(json '"deleted_time" in d')" "the cluster is not being deleted"
}

test_force_delete_needs_a_reason_and_removes_the_cluster() {
	api_setup
	required_adapters Cluster dns
	local id long
	api POST /clusters "$SEED_CLUSTER"
	id=$(json 'd["id"]')
	api DELETE "/clusters/$id"
	expect_status 202
	api POST "/clusters/$id/force-delete" '{}'
	expect_status 400
	assert_eq "reason is required" "$(json 'd["error"]')"
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	api POST "/clusters/$id/force-delete" '{"reason":""}'
	expect_status 400
	assert_eq "reason is required" "$(json 'd["error"]')"
	long=$(printf 'x%.0s' $(seq 1025))
	api POST "/clusters/$id/force-delete" "{\"reason\":\"$long\"}"
	expect_status 400
	assert_eq "reason must be at most 1024 characters" "$(json 'd["error"]')"
	api POST "/clusters/$id/force-delete" 'reason: because'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	api GET "/clusters/$id"
	expect_status 200
	api POST "/clusters/$id/force-delete" '{"reason":"the dns adapter is gone for good"}'
	expect_status 204
	assert_eq "" "$API_BODY" "body of a force-delete"
	api GET "/clusters/$id"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	api POST "/clusters/$id/force-delete" '{"reason":"again"}'
	expect_status 404
}
