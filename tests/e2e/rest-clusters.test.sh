# The REST API's clusters: create (seed 000 journey 1 and its sad path,
# seed 001 journey 1), get (seed 000 journey 2 sad path, scenario 2),
# update (seed 001 journey 4) and the name and body rules of the original
# API, against the real operator and control plane.
. "$HF_TOP/tests/lib/api.sh"

# The seed's cluster (seed 001, journey 1, step 1).
SEED_CLUSTER='{"name":"my-test-cluster","spec":{"provider":"gcp","region":"us-east1","nodeCount":3},"labels":{"environment":"production","team":"platform"}}'

# clusters_post_ok NAME [REGION] [LABELS]: creates a cluster through the API
# (201 expected) and prints its id.
clusters_post_ok() {
	local labels=${3:-'{}'}
	api POST /clusters "{\"name\":\"$1\",\"spec\":{\"provider\":\"gcp\",\"region\":\"${2:-us-east1}\"},\"labels\":$labels}"
	expect_status 201
	json 'd["id"]'
}

# clusters_expect_problem STATUS CODE ERROR: the last answer is a problem
# with this status, code and `error` message (the seeds' member).
clusters_expect_problem() {
	expect_status "$1"
	assert_eq "$2" "$(json 'd["code"]')" "problem code"
	assert_eq "$3" "$(json 'd["error"]')" "error message"
	assert_eq "$1" "$(json 'd["status"]')" "problem status"
}

test_creating_the_seed_cluster_answers_201_not_ready_with_its_id() {
	api_setup
	api POST /clusters "$SEED_CLUSTER"
	expect_status 201
	local id
	id=$(json 'd["id"]')
	assert_match "$id" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "cluster id"
	assert_eq "$(kubectl get hfc my-test-cluster -n "$API_NS" -o jsonpath='{.metadata.uid}')" "$id" "id is the uid"
	assert_eq "Cluster" "$(json 'd["kind"]')"
	assert_eq "my-test-cluster" "$(json 'd["name"]')"
	assert_eq "/api/hyperfleet/v1/clusters/$id" "$(json 'd["href"]')"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-east1","nodeCount":3}')" "spec as sent: $API_BODY"
	assert_eq "True" "$(json 'd["labels"] == {"environment":"production","team":"platform"}')" "labels as sent: $API_BODY"
	assert_eq "1" "$(json 'd["generation"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "initial phase"
	assert_match "$(json 'd["created_time"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
	assert_eq "$(json 'd["created_time"]')" "$(json 'd["updated_time"]')" "updated_time of a new cluster"
	assert_eq "system@hyperfleet.local" "$(json 'd["created_by"]')" "created_by without authentication"
	assert_eq "False" "$(json '"deleted_time" in d')" "deleted_time of a live cluster"

	# Journey 1 step 2: the cluster is readable by its id at once, and
	# listed by its name.
	api GET "/clusters/$id"
	expect_status 200
	assert_eq "my-test-cluster" "$(json 'd["name"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	api GET "/clusters?name=my-test-cluster"
	expect_status 200
	assert_eq "1" "$(json 'd["total"]')"
	assert_eq "$id" "$(json 'd["items"][0]["id"]')"
	# Seed 000 journey 1: a new cluster has no nodes.
	api GET "/clusters/$id/nodepools"
	expect_status 200
	assert_eq "True" "$(json 'd == {"kind":"NodePoolList","page":1,"size":0,"total":0,"items":[]}')" "node pools: $API_BODY"
}

test_a_new_cluster_gets_its_status_conditions_from_the_controller() {
	api_setup
	local id
	id=$(clusters_post_ok fresh)
	clusters_has_conditions() {
		api GET "/clusters/$1"
		[ "$(json '{"Reconciled", "LastKnownReconciled"} <= {c["type"] for c in d["status"]["conditions"]}')" = True ]
	}
	wait_for 30 "Reconciled and LastKnownReconciled conditions" clusters_has_conditions "$id"
	api GET "/clusters/$id"
	assert_eq "1" "$(json 'd["status"]["observed_generation"]')"
	local rec='next(c for c in d["status"]["conditions"] if c["type"] == "Reconciled")'
	assert_eq "False" "$(json "$rec[\"status\"]")"
	assert_eq "1" "$(json "$rec[\"observed_generation\"]")"
	local c
	for c in created_time last_updated_time last_transition_time; do
		assert_match "$(json "$rec['$c']")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "condition $c"
	done
}

test_an_invalid_region_is_refused_with_the_catalog_message() {
	api_setup
	api POST /clusters '{"name":"bad-region","spec":{"provider":"gcp","region":"invalid-region"}}'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	local regions
	regions=$(kubectl get providercatalog default -o jsonpath='{.spec.providers.gcp.regions[*]}' | sed 's/ /, /g')
	# Seed 000: "Invalid region 'invalid-region' for provider GCP. Supported
	# regions: us-east1, us-west1, ..."; the design names the provider as
	# given (gcp) and lists the catalog's regions.
	assert_match "$(json 'd["error"]')" "^Invalid region 'invalid-region' for provider gcp\. Supported regions: us-east1, us-west1, "
	assert_eq "Invalid region 'invalid-region' for provider gcp. Supported regions: $regions" "$(json 'd["error"]')"
	assert_eq "$(json 'd["error"]')" "$(json 'd["detail"]')" "detail"
	local out
	out=$(curl -sS -o /dev/null -w '%{content_type}' -H 'Content-Type: application/json' \
		--data-binary '{"name":"bad-region","spec":{"provider":"gcp","region":"invalid-region"}}' "$HF_API/clusters")
	assert_eq "application/problem+json" "$out" "content type of the refusal"
	# Nothing was created.
	api GET "/clusters?name=bad-region"
	assert_eq "0" "$(json 'd["total"]')"
	fails_with NotFound kubectl get hfc bad-region -n "$API_NS"
}

test_an_unsupported_provider_is_refused() {
	api_setup
	api POST /clusters '{"name":"on-aws","spec":{"provider":"aws","region":"us-west-2"}}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "Unsupported provider 'aws'. Supported providers: gcp"
}

test_cluster_names_follow_the_original_rules() {
	api_setup
	local long63 long64
	long63=$(printf 'a%.0s' $(seq 63))
	long64=${long63}a
	# Seed 000: a name over the 63-character limit is a 400.
	api POST /clusters "{\"name\":\"$long64\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"}}"
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "name must be at most 63 characters"
	assert_eq "name" "$(json 'd["errors"][0]["field"]')" "the field named"
	api POST /clusters '{"spec":{"provider":"gcp","region":"us-east1"}}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "name is required"
	api POST /clusters '{"name":"ab","spec":{"provider":"gcp","region":"us-east1"}}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "name must be at least 3 characters"
	local bad
	for bad in Upper-Case under_score -dash-first dash-last- 'sp ace'; do
		api POST /clusters "{\"name\":\"$bad\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"}}"
		clusters_expect_problem 400 HYPERFLEET-VAL-000 "name must start and end with lowercase letter or number, and contain only lowercase letters, numbers, and hyphens"
	done
	# 63 characters is allowed.
	clusters_post_ok "$long63" >/dev/null
	api GET "/clusters"
	assert_eq "1" "$(json 'd["total"]')" "clusters created"
}

test_missing_required_fields_are_a_400_naming_the_field() {
	api_setup
	api POST /clusters '{"name":"nospec"}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "spec is required"
	api POST /clusters '{"name":"badspec","spec":"gcp"}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "spec field must be an object"
	api POST /clusters '{"name":"badkind","kind":"NodePool","spec":{"provider":"gcp","region":"us-east1"}}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "kind must be 'Cluster'"
	# Seed 000 (journey 1, sad path, scenario 1): missing required fields
	# give a "clear error message indicating which field is invalid".
	api POST /clusters '{"name":"noregion","spec":{"provider":"gcp"}}'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	assert_eq "spec.region" "$(json 'd["errors"][0]["field"]')" "the field in errors[]"
	assert_contains "$(json 'd["error"]')" "region" "the error message"
	api POST /clusters '{"name":"badlabels","spec":{"provider":"gcp","region":"us-east1"},"labels":{"team":7}}'
	clusters_expect_problem 400 HYPERFLEET-VAL-000 "labels must be an object of strings"
	api GET /clusters
	assert_eq "0" "$(json 'd["total"]')" "nothing was created"
}

test_a_body_that_is_not_json_is_a_malformed_request() {
	api_setup
	api POST /clusters 'this is not json'
	clusters_expect_problem 400 HYPERFLEET-VAL-006 "Invalid request format: the body is not a JSON object"
	assert_eq "Malformed Request" "$(json 'd["title"]')"
	api POST /clusters '["a","list"]'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	api POST /clusters '{"name":"cut","spec":{"provider":'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	api POST /clusters ''
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
}

test_a_duplicate_cluster_name_is_a_409_conflict() {
	api_setup
	clusters_post_ok twin >/dev/null
	api POST /clusters '{"name":"twin","spec":{"provider":"gcp","region":"us-west1"}}'
	expect_status 409
	assert_eq "HYPERFLEET-CNF-001" "$(json 'd["code"]')"
	assert_eq "This Cluster already exists" "$(json 'd["detail"]')"
	assert_eq "Resource Conflict" "$(json 'd["title"]')"
	api GET "/clusters?name=twin"
	assert_eq "1" "$(json 'd["total"]')"
	assert_eq "us-east1" "$(json 'd["items"][0]["spec"]["region"]')" "the first cluster is unchanged"
}

test_an_unknown_cluster_id_is_the_seeds_404() {
	api_setup
	# Seed 000, journey 2 sad path, scenario 2.
	api GET /clusters/non-existent-id
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "non-existent-id" "$(json 'd["id"]')"
	assert_eq "HYPERFLEET-NTF-001" "$(json 'd["code"]')"
	assert_eq "Resource Not Found" "$(json 'd["title"]')"
	assert_eq "/api/hyperfleet/v1/clusters/non-existent-id" "$(json 'd["instance"]')"
	# The same for every route of one cluster.
	local route
	for route in statuses nodepools; do
		api GET "/clusters/non-existent-id/$route"
		expect_status 404
		assert_eq "Cluster not found" "$(json 'd["error"]')"
	done
	api PATCH /clusters/non-existent-id '{"labels":{"a":"b"}}'
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	api DELETE /clusters/non-existent-id
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
}

test_get_with_fields_returns_a_sparse_cluster() {
	api_setup
	local id
	id=$(clusters_post_ok sparse us-east1 '{"team":"a"}')
	api GET "/clusters/$id?fields=name,labels"
	expect_status 200
	assert_eq "['id', 'labels', 'name']" "$(json 'sorted(d)')" "members"
	assert_eq "sparse" "$(json 'd["name"]')"
	assert_eq "$id" "$(json 'd["id"]')"
	api GET "/clusters/$id?fields=nonsense"
	expect_status 400
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
}

test_patch_replaces_the_spec_wholesale_and_starts_a_new_generation() {
	api_setup
	api POST /clusters "$SEED_CLUSTER"
	expect_status 201
	local id created
	id=$(json 'd["id"]')
	created=$(json 'd["created_time"]')
	# Seed 001, journey 4: the region changes and the node count with it.
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1","nodeCount":5}}'
	expect_status 200
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-west1","nodeCount":5}')" "patched spec: $API_BODY"
	assert_eq "2" "$(json 'd["generation"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "True" "$(json 'd["labels"] == {"environment":"production","team":"platform"}')" "labels untouched: $API_BODY"
	assert_eq "$created" "$(json 'd["created_time"]')" "created_time"
	# A key the new spec leaves out is gone: no merge.
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1"}}'
	expect_status 200
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-west1"}')" "replaced spec: $API_BODY"
	assert_eq "3" "$(json 'd["generation"]')"
	# The next read shows the same.
	api GET "/clusters/$id"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-west1"}')" "spec read back: $API_BODY"
	assert_eq "3" "$(json 'd["generation"]')"
	assert_eq "False" "$(kubectl get hfc my-test-cluster -n "$API_NS" -o json | python3 -c 'import json,sys; print("nodeCount" in json.load(sys.stdin)["spec"])')" "nodeCount in the stored object"
	# The same spec again changes nothing.
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1"}}'
	expect_status 200
	assert_eq "3" "$(json 'd["generation"]')" "generation after an identical spec"
}

test_patch_replaces_the_labels_wholesale() {
	api_setup
	api POST /clusters "$SEED_CLUSTER"
	local id
	id=$(json 'd["id"]')
	api PATCH "/clusters/$id" '{"labels":{"team":"ml","tier":"gold"}}'
	expect_status 200
	assert_eq "True" "$(json 'd["labels"] == {"team":"ml","tier":"gold"}')" "labels: $API_BODY"
	assert_eq "True" "$(json 'd["spec"] == {"provider":"gcp","region":"us-east1","nodeCount":3}')" "spec untouched: $API_BODY"
	api GET "/clusters?labels=environment:production"
	assert_eq "0" "$(json 'd["total"]')" "the old label is gone"
	api GET "/clusters?labels=tier:gold"
	assert_eq "1" "$(json 'd["total"]')"
	# An empty map clears them; the member is then omitted.
	api PATCH "/clusters/$id" '{"labels":{}}'
	expect_status 200
	assert_eq "False" "$(json '"labels" in d and d["labels"] != {}')" "labels after clearing: $API_BODY"
}

test_patch_refuses_other_members_an_empty_body_and_invalid_specs() {
	api_setup
	local id
	id=$(clusters_post_ok strict)
	api PATCH "/clusters/$id" '{"name":"renamed"}'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	assert_eq 'Invalid request format: json: unknown field "name"' "$(json 'd["detail"]')"
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1"},"status":{"phase":"Ready"}}'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	api PATCH "/clusters/$id" '{}'
	clusters_expect_problem 400 HYPERFLEET-VAL-005 "at least one field must be provided for update"
	api PATCH "/clusters/$id" '{"spec":null,"labels":null}'
	clusters_expect_problem 400 HYPERFLEET-VAL-005 "at least one field must be provided for update"
	# The catalog checks a new spec as it checks a new cluster.
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"invalid-region"}}'
	expect_status 400
	assert_match "$(json 'd["error"]')" "^Invalid region 'invalid-region' for provider gcp\. Supported regions: us-east1, "
	api GET "/clusters/$id"
	assert_eq "us-east1" "$(json 'd["spec"]["region"]')" "region after the refused patches"
	assert_eq "1" "$(json 'd["generation"]')" "generation after the refused patches"
}

test_patch_records_who_updated_and_when() {
	api_setup
	local id before
	id=$(clusters_post_ok stamped)
	api GET "/clusters/$id"
	before=$(json 'd["updated_time"]')
	# updated_time has a resolution of a second.
	wait_for 5 "the clock to move a second" bash -c "[ \"\$(date -u +%Y-%m-%dT%H:%M:%SZ)\" '>' '$before' ]"
	api PATCH "/clusters/$id" '{"labels":{"touched":"yes"}}'
	expect_status 200
	assert_eq "system@hyperfleet.local" "$(json 'd["updated_by"]')"
	[[ "$(json 'd["updated_time"]')" > "$before" ]] || fail "updated_time $(json 'd["updated_time"]') is not after $before"
}
