# The statuses sub-resource through the REST API: adapters' reports
# (PUT, and POST as its alias), their validation in the original's order,
# the 201 stored / 204 discarded rules, the stored AdapterStatus and the
# AdapterStatusList (seed 000 journey 2, seed 001 journey 2 step 2), for
# clusters and node pools (nested and flat routes).
. "$HF_TOP/tests/lib/api.sh"

# st_time SECONDS: an RFC 3339 time SECONDS from now.
st_time() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ
}

# st_cluster NAME: creates a cluster (201); prints its id.
st_cluster() {
	api POST /clusters "{\"name\":\"$1\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"}}"
	expect_status 201
	json 'd["id"]'
}

# st_body ADAPTER GENERATION AVAILABLE [OBSERVED_TIME]: a complete report.
st_body() {
	local t=""
	[ -z "${4:-}" ] || t=",\"observed_time\":\"$4\""
	echo "{\"adapter\":\"$1\",\"observed_generation\":$2$t,\"conditions\":[{\"type\":\"Applied\",\"status\":\"True\",\"reason\":\"JobLaunched\"},{\"type\":\"Available\",\"status\":\"$3\",\"reason\":\"R$3\"},{\"type\":\"Health\",\"status\":\"True\",\"reason\":\"Healthy\"}]}"
}

test_a_report_is_stored_and_answered_as_an_adapter_status() {
	api_setup
	local id t
	id=$(st_cluster my-test-cluster)
	t=$(st_time -120)
	# Seed 001 journey 2 step 2: the validation adapter's report.
	api PUT "/clusters/$id/statuses" "{\"adapter\":\"validation\",\"observed_generation\":1,\"observed_time\":\"$t\",\"conditions\":[
		{\"type\":\"Available\",\"status\":\"True\",\"reason\":\"JobSucceeded\",\"message\":\"Job completed successfully after 115 seconds\"},
		{\"type\":\"Applied\",\"status\":\"True\",\"reason\":\"JobLaunched\",\"message\":\"Kubernetes Job created successfully\"},
		{\"type\":\"Health\",\"status\":\"True\",\"reason\":\"AllChecksPassed\",\"message\":\"All validation checks passed\"}],
		\"data\":{\"validationResults\":{\"route53ZoneFound\":true,\"s3BucketAccessible\":true,\"quotaSufficient\":true}},
		\"metadata\":{\"job_name\":\"validation-cls-123-gen1\",\"attempt\":1}}"
	expect_status 201
	assert_eq "validation" "$(json 'd["adapter"]')"
	assert_eq "1" "$(json 'd["observed_generation"]')"
	assert_eq "True" "$(json 'd["data"] == {"validationResults":{"route53ZoneFound":True,"s3BucketAccessible":True,"quotaSufficient":True}}')" "data: $API_BODY"
	assert_eq "validation-cls-123-gen1" "$(json 'd["metadata"]["job_name"]')"
	assert_eq "1" "$(json 'd["metadata"]["attempt"]')"
	assert_eq "$t" "$(json 'd["created_time"]')" "created_time is the observed_time"
	assert_eq "$t" "$(json 'd["last_report_time"]')" "last_report_time is the observed_time"
	assert_eq "Applied,Available,Health" "$(json '",".join(sorted(c["type"] for c in d["conditions"]))')"
	assert_eq "Job completed successfully after 115 seconds" "$(json 'next(c["message"] for c in d["conditions"] if c["type"] == "Available")')"
	assert_eq "JobSucceeded" "$(json 'next(c["reason"] for c in d["conditions"] if c["type"] == "Available")')"
	assert_eq "True" "$(json "all(c['last_transition_time'] == '$t' for c in d['conditions'])")" "last_transition_time of new conditions: $API_BODY"
	assert_eq "False" "$(json 'any(k in d for k in ("id", "kind", "href", "observed_time"))')" "members of an AdapterStatus"

	# GET .../statuses: an AdapterStatusList with the same item.
	local put=$API_BODY
	api GET "/clusters/$id/statuses"
	expect_status 200
	assert_eq "AdapterStatusList" "$(json 'd["kind"]')"
	assert_eq "(1, 1, 1)" "$(json '(d["page"], d["size"], d["total"])')"
	assert_eq "True" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["items"][0] == json.loads(sys.argv[2]))' "$API_BODY" "$put")" "the listed item is the answered one: $API_BODY"
	# And data without metadata: data is {} and metadata absent.
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True)"
	expect_status 201
	assert_eq "{}" "$(json 'd["data"]')"
	assert_eq "False" "$(json '"metadata" in d')"
}

test_post_is_an_alias_of_put_for_statuses() {
	api_setup
	local id
	id=$(st_cluster posted)
	api POST "/clusters/$id/statuses" "$(st_body validation 1 True)"
	expect_status 201
	assert_eq "validation" "$(json 'd["adapter"]')"
	api GET "/clusters/$id/statuses"
	assert_eq "1" "$(json 'd["total"]')"
}

test_reports_for_a_future_or_older_generation_are_discarded_with_204() {
	api_setup
	local id
	id=$(st_cluster generations)
	# Ahead of the resource: discarded, empty body.
	api PUT "/clusters/$id/statuses" "$(st_body dns 2 True)"
	expect_status 204
	assert_eq "" "$API_BODY"
	api GET "/clusters/$id/statuses"
	assert_eq "0" "$(json 'd["total"]')" "stored reports after a future one"
	# Generation 2, reported; then a late one for generation 1.
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1"}}'
	expect_status 200
	api PUT "/clusters/$id/statuses" "$(st_body dns 2 True)"
	expect_status 201
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 False)"
	expect_status 204
	assert_eq "" "$API_BODY"
	api GET "/clusters/$id/statuses"
	assert_eq "2" "$(json 'd["items"][0]["observed_generation"]')"
	assert_eq "True" "$(json 'next(c["status"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')" "Available after the stale report"
}

test_a_report_older_than_the_stored_one_at_the_same_generation_is_discarded() {
	api_setup
	local id t1 t0
	id=$(st_cluster timing)
	t1=$(st_time -60)
	t0=$(st_time -120)
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True "$t1")"
	expect_status 201
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 False "$t0")"
	expect_status 204
	api GET "/clusters/$id/statuses"
	assert_eq "$t1" "$(json 'd["items"][0]["last_report_time"]')"
	assert_eq "True" "$(json 'next(c["status"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
}

test_last_transition_time_moves_only_when_a_condition_flips() {
	api_setup
	local id t1 t2 t3
	id=$(st_cluster transitions)
	t1=$(st_time -300)
	t2=$(st_time -200)
	t3=$(st_time -100)
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 False "$t1")"
	expect_status 201
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True "$t2")"
	expect_status 201
	assert_eq "$t2" "$(json 'next(c["last_transition_time"] for c in d["conditions"] if c["type"] == "Available")')" "Available flipped at t2"
	assert_eq "$t1" "$(json 'next(c["last_transition_time"] for c in d["conditions"] if c["type"] == "Applied")')" "Applied unchanged since t1"
	assert_eq "$t1" "$(json 'd["created_time"]')" "created_time is the first report's"
	assert_eq "$t2" "$(json 'd["last_report_time"]')"
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True "$t3")"
	expect_status 201
	assert_eq "$t2" "$(json 'next(c["last_transition_time"] for c in d["conditions"] if c["type"] == "Available")')" "Available unchanged at t3"
	assert_eq "$t3" "$(json 'd["last_report_time"]')"
	assert_eq "$t1" "$(json 'd["created_time"]')"
}

test_reports_are_validated_in_the_original_order() {
	api_setup
	local id
	id=$(st_cluster validated)
	# 1: not JSON.
	api PUT "/clusters/$id/statuses" 'adapter=dns'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	api PUT "/clusters/$id/statuses" ''
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	# 2: no adapter.
	api PUT "/clusters/$id/statuses" '{"observed_generation":1,"conditions":[]}'
	expect_status 400
	assert_eq "adapter is required" "$(json 'd["error"]')"
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	# 3: a generation below 1.
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":0,"conditions":[]}'
	expect_status 400
	assert_eq "observed_generation must be >= 1" "$(json 'd["error"]')"
	# 4: bad conditions, with their index.
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Applied","status":"True"},{"type":"Applied","status":"True"}]}'
	expect_status 400
	assert_contains "$(json 'd["error"]')" "conditions[1]"
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Available","status":"Maybe"}]}'
	expect_status 400
	assert_eq "conditions[0].status must be one of True, False, Unknown" "$(json 'd["error"]')"
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"status":"True"}]}'
	expect_status 400
	assert_contains "$(json 'd["error"]')" "conditions[0]"
	# 5: observed_time out of range.
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True "$(st_time 3600)")"
	expect_status 400
	assert_eq "observed_time must not be more than 5m0s in the future" "$(json 'd["error"]')"
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True "$(st_time -7200)")"
	expect_status 400
	assert_eq "observed_time must not be more than 30m0s in the past" "$(json 'd["error"]')"
	# A bad body is refused before the resource is looked up.
	api PUT /clusters/no-such-cluster/statuses '{"adapter":"dns","observed_generation":0,"conditions":[]}'
	expect_status 400
	# 6: the resource must exist.
	api PUT /clusters/no-such-cluster/statuses "$(st_body dns 1 True)"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	# 7 before 10: a future generation is discarded even without Applied.
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":9,"conditions":[{"type":"Available","status":"True"},{"type":"Health","status":"True"}]}'
	expect_status 204
	# 10: the mandatory conditions.
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Available","status":"True"},{"type":"Health","status":"True"}]}'
	expect_status 400
	assert_eq "missing mandatory condition 'Applied': all adapters must report Available, Applied, and Health" "$(json 'd["error"]')"
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Applied","status":"True"},{"type":"Health","status":"True"}]}'
	expect_status 400
	assert_eq "missing mandatory condition 'Available': all adapters must report Available, Applied, and Health" "$(json 'd["error"]')"
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Applied","status":"True"},{"type":"Available","status":"True"}]}'
	expect_status 400
	assert_eq "missing mandatory condition 'Health': all adapters must report Available, Applied, and Health" "$(json 'd["error"]')"
	# Nothing was stored.
	api GET "/clusters/$id/statuses"
	assert_eq "0" "$(json 'd["total"]')"
}

test_available_unknown_is_stored_first_and_then_discarded() {
	api_setup
	local id
	id=$(st_cluster unknowns)
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 Unknown "$(st_time -60)")"
	expect_status 201
	assert_eq "Unknown" "$(json 'next(c["status"] for c in d["conditions"] if c["type"] == "Available")')"
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 True "$(st_time -50)")"
	expect_status 201
	api PUT "/clusters/$id/statuses" "$(st_body dns 1 Unknown "$(st_time -40)")"
	expect_status 204
	api GET "/clusters/$id/statuses"
	assert_eq "True" "$(json 'next(c["status"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
}

test_extra_condition_types_are_stored_as_sent() {
	api_setup
	local id
	id=$(st_cluster extras)
	api PUT "/clusters/$id/statuses" '{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Applied","status":"True"},{"type":"Available","status":"True"},{"type":"Health","status":"True"},{"type":"DNSRecordsCreated","status":"True","reason":"Created","message":"2 records"}]}'
	expect_status 201
	api GET "/clusters/$id/statuses"
	assert_eq "2 records" "$(json 'next(c["message"] for c in d["items"][0]["conditions"] if c["type"] == "DNSRecordsCreated")')"
}

test_the_status_list_is_paged() {
	api_setup
	local id a
	id=$(st_cluster paged)
	for a in alpha beta gamma; do
		api PUT "/clusters/$id/statuses" "$(st_body "$a" 1 True)"
		expect_status 201
	done
	api GET "/clusters/$id/statuses?size=2"
	assert_eq "(1, 2, 3)" "$(json '(d["page"], d["size"], d["total"])')"
	local first
	first=$(json '",".join(i["adapter"] for i in d["items"])')
	api GET "/clusters/$id/statuses?size=2&page=2"
	assert_eq "(2, 1, 3)" "$(json '(d["page"], d["size"], d["total"])')"
	assert_eq "alpha,beta,gamma" "$(python3 -c 'import sys; print(",".join(sorted(sys.argv[1].split(",") + [sys.argv[2]])))' "$first" "$(json 'd["items"][0]["adapter"]')")" "the pages hold every adapter once"
	api GET "/clusters/$id/statuses?size=0"
	expect_status 400
}

test_node_pool_statuses_through_the_nested_and_the_flat_route() {
	api_setup
	required_adapters NodePool np-provisioner
	local cid other pid
	cid=$(st_cluster owner)
	other=$(st_cluster stranger)
	api POST "/clusters/$cid/nodepools" '{"name":"workers","spec":{"nodeCount":5,"machineType":"n1-standard-4"}}'
	expect_status 201
	pid=$(json 'd["id"]')
	# Seed 000 journey 4 sad path, scenario 2: the quota problem.
	api PUT "/clusters/$cid/nodepools/$pid/statuses" "{\"adapter\":\"np-provisioner\",\"observed_generation\":1,\"observed_time\":\"$(st_time -60)\",\"conditions\":[{\"type\":\"Applied\",\"status\":\"True\"},{\"type\":\"Available\",\"status\":\"False\",\"reason\":\"QuotaExceeded\",\"message\":\"Insufficient quota to provision 5 nodes of type n1-standard-4. Required: 20 CPUs, Available: 10 CPUs\"},{\"type\":\"Health\",\"status\":\"True\"}]}"
	expect_status 201
	api GET "/clusters/$cid/nodepools/$pid/statuses"
	expect_status 200
	assert_eq "AdapterStatusList" "$(json 'd["kind"]')"
	assert_eq "QuotaExceeded" "$(json 'next(c["reason"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
	assert_eq "Insufficient quota to provision 5 nodes of type n1-standard-4. Required: 20 CPUs, Available: 10 CPUs" \
		"$(json 'next(c["message"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	# The flat route reaches the same pool.
	api PUT "/nodepools/$pid/statuses" "$(st_body np-provisioner 1 True "$(st_time -30)")"
	expect_status 201
	api GET "/nodepools/$pid/statuses"
	assert_eq "1" "$(json 'd["total"]')"
	assert_eq "True" "$(json 'next(c["status"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
	api GET "/clusters/$cid/nodepools/$pid"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	# Not under another cluster, and not when unknown.
	api PUT "/clusters/$other/nodepools/$pid/statuses" "$(st_body np-provisioner 1 True)"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	api GET "/clusters/$other/nodepools/$pid/statuses"
	expect_status 404
	api GET "/nodepools/no-such-pool/statuses"
	expect_status 404
	assert_eq "NodePool not found" "$(json 'd["error"]')"
	assert_eq "no-such-pool" "$(json 'd["nodepool_id"]')"
	# A cluster's statuses are its own.
	api GET "/clusters/$cid/statuses"
	assert_eq "0" "$(json 'd["total"]')"
}

test_node_pool_failures_show_in_its_statuses() {
	api_setup
	required_adapters NodePool np-provisioner
	local cid pid reason applied message offset=-100
	cid=$(st_cluster failures)
	api POST "/clusters/$cid/nodepools" '{"name":"workers","spec":{"nodeCount":5,"machineType":"n1-standard-4"}}'
	expect_status 201
	pid=$(json 'd["id"]')
	# Seed 000 journey 4 sad path, scenario 3, and journey 5 sad path,
	# scenario 5.
	while IFS='|' read -r reason applied message; do
		api PUT "/clusters/$cid/nodepools/$pid/statuses" "$(python3 -c '
import json, sys
a = sys.argv
print(json.dumps({"adapter": "np-provisioner", "observed_generation": 1, "observed_time": a[4], "conditions": [
	{"type": "Applied", "status": a[2], "reason": a[1]},
	{"type": "Available", "status": "False", "reason": a[1], "message": a[3]},
	{"type": "Health", "status": "True", "reason": "Healthy"}]}))' "$reason" "$applied" "$message" "$(st_time $offset)")"
		expect_status 201
		offset=$((offset + 10))
		api GET "/clusters/$cid/nodepools/$pid/statuses"
		assert_eq "False" "$(json 'next(c["status"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
		assert_eq "$applied" "$(json 'next(c["status"] for c in d["items"][0]["conditions"] if c["type"] == "Applied")')"
		assert_eq "$reason" "$(json 'next(c["reason"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
		assert_eq "$message" "$(json 'next(c["message"] for c in d["items"][0]["conditions"] if c["type"] == "Available")')"
		api GET "/clusters/$cid/nodepools/$pid"
		assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	done <<'EOF'
ProvisioningFailed|False|Failed to provision node 3 of 5. GCP error: ZONE_RESOURCE_POOL_EXHAUSTED
PermissionDenied|True|Insufficient permissions to access nodepools in cluster
EOF
}

test_statuses_of_an_unknown_cluster_are_404() {
	api_setup
	api GET /clusters/non-existent-id/statuses
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "non-existent-id" "$(json 'd["id"]')"
	api PUT /clusters/non-existent-id/statuses "$(st_body dns 1 True)"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
}
