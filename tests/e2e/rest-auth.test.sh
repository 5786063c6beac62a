# Kubernetes-native authentication and authorization of the REST API
# (--auth kubernetes): bearer tokens checked with TokenReview, each call with
# SubjectAccessReview against RBAC on clusters.hyperfleet.io (seed 000
# journey 3 sad path, scenario 3; seed 001 journey 6), with ServiceAccounts
# of the real control plane.
. "$HF_TOP/tests/lib/api.sh"

# auth_setup: api_setup --auth kubernetes. start_operator's readiness probe
# lists clusters without credentials, which such an API refuses (401); for
# the setup only, curl sends the control plane's admin token (a user that
# may do anything) through a curlrc of its own.
auth_setup() {
	local rc
	rc=$(mktemp -d "${TMPDIR:-/tmp}/hf-curlrc.XXXXXX")
	printf 'header = "Authorization: Bearer %s"\n' "$HF_KUBE_TOKEN" >"$rc/.curlrc"
	CURL_HOME=$rc api_setup --auth kubernetes
	rm -rf "$rc"
}

# auth_sa NAME VERBS: a ServiceAccount of $API_NS bound to a Role with VERBS
# (comma-separated) on clusters.hyperfleet.io (none when VERBS is empty);
# prints a token for it.
auth_sa() {
	kubectl create serviceaccount "$1" -n "$API_NS" >/dev/null
	if [ -n "$2" ]; then
		kubectl create role "$1" -n "$API_NS" --verb="$2" --resource=clusters.hyperfleet.io >/dev/null
		kubectl create rolebinding "$1" -n "$API_NS" --role="$1" --serviceaccount="$API_NS:$1" >/dev/null
	fi
	kubectl create token "$1" -n "$API_NS" --duration=10m
}

# auth_api TOKEN METHOD PATH [BODY]: api with a bearer token.
auth_api() {
	local token=$1
	shift
	api "$1" "$2" "${3:-}" -H "Authorization: Bearer $token"
}

test_calls_without_or_with_bad_credentials_are_401_problems() {
	auth_setup
	api GET /clusters
	expect_status 401
	assert_eq "HYPERFLEET-AUT-001" "$(json 'd["code"]')"
	assert_eq "Authentication Required" "$(json 'd["title"]')"
	local out
	out=$(curl -sS -o /dev/null -w '%{content_type}' "$HF_API/clusters")
	assert_eq "application/problem+json" "$out"
	api POST /clusters '{"name":"anonymous","spec":{"provider":"gcp","region":"us-east1"}}'
	expect_status 401
	assert_eq "HYPERFLEET-AUT-001" "$(json 'd["code"]')"
	# A token the API server does not know.
	auth_api not-a-real-token GET /clusters
	expect_status 401
	assert_match "$(json 'd["code"]')" '^HYPERFLEET-AUT-00[23]$'
	# Not a bearer token.
	api GET /clusters "" -H 'Authorization: Basic dXNlcjpwYXNz'
	expect_status 401
	assert_eq "HYPERFLEET-AUT-002" "$(json 'd["code"]')"
	# The API's metadata and OpenAPI document need no credentials.
	api GET /openapi
	expect_status 200
	api GET /../../hyperfleet
	expect_status 200
	# Nothing was created.
	assert_eq "0" "$(kubectl get hfc -n "$API_NS" -o name | wc -l)"
}

test_a_reader_may_list_and_get_but_not_create_or_delete() {
	auth_setup
	local reader id
	reader=$(auth_sa reader get,list,watch)
	kubectl apply -n "$API_NS" -f - >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Cluster
metadata: {name: existing}
spec: {provider: gcp, region: us-east1}
YAML
	id=$(kubectl get hfc existing -n "$API_NS" -o jsonpath='{.metadata.uid}')
	auth_api "$reader" GET /clusters
	expect_status 200
	auth_list_has_it() {
		auth_api "$reader" GET /clusters
		[ "$(json '",".join(i["name"] for i in d["items"])')" = existing ]
	}
	wait_for 30 "the reader to list the cluster" auth_list_has_it
	auth_api "$reader" GET "/clusters/$id"
	expect_status 200
	assert_eq "existing" "$(json 'd["name"]')"
	auth_api "$reader" POST /clusters '{"name":"forbidden","spec":{"provider":"gcp","region":"us-east1"}}'
	expect_status 403
	assert_eq "HYPERFLEET-AUZ-001" "$(json 'd["code"]')"
	assert_eq "Permission Denied" "$(json 'd["title"]')"
	assert_contains "$(json 'd["detail"]')" "system:serviceaccount:$API_NS:reader"
	auth_api "$reader" DELETE "/clusters/$id"
	expect_status 403
	assert_eq "HYPERFLEET-AUZ-001" "$(json 'd["code"]')"
	auth_api "$reader" PATCH "/clusters/$id" '{"labels":{"a":"b"}}'
	expect_status 403
	fails_with NotFound kubectl get hfc forbidden -n "$API_NS"
	assert_eq "" "$(kubectl get hfc existing -n "$API_NS" -o jsonpath='{.metadata.deletionTimestamp}')" "the cluster is not being deleted"
}

test_a_writer_creates_clusters_in_its_own_name() {
	auth_setup
	local writer reader id
	writer=$(auth_sa writer get,list,watch,create)
	reader=$(auth_sa reader get,list,watch)
	# Seed 001 journey 6: user A creates a cluster.
	auth_api "$writer" POST /clusters '{"name":"team-alpha-cluster","spec":{"provider":"gcp","region":"us-east1","nodeCount":3},"labels":{"environment":"production","team":"alpha"}}'
	expect_status 201
	id=$(json 'd["id"]')
	assert_eq "system:serviceaccount:$API_NS:writer" "$(json 'd["created_by"]')"
	assert_eq "system:serviceaccount:$API_NS:writer" "$(json 'd["updated_by"]')"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	auth_api "$writer" GET "/clusters/$id"
	expect_status 200
	assert_eq "system:serviceaccount:$API_NS:writer" "$(json 'd["created_by"]')"
	# A reader sees it, with its author.
	auth_api "$reader" GET "/clusters?labels=team:alpha"
	expect_status 200
	assert_eq "$id" "$(json '",".join(i["id"] for i in d["items"])')"
	assert_eq "system:serviceaccount:$API_NS:writer" "$(json 'd["items"][0]["created_by"]')"
}

test_a_user_without_permission_cannot_see_clusters() {
	auth_setup
	local writer nobody id
	writer=$(auth_sa writer get,list,watch,create)
	nobody=$(auth_sa nobody "")
	auth_api "$writer" POST /clusters '{"name":"team-alpha-cluster","spec":{"provider":"gcp","region":"us-east1"},"labels":{"team":"alpha"}}'
	expect_status 201
	id=$(json 'd["id"]')
	# Seed 001 journey 6: user B lacks permission: 403.
	auth_api "$nobody" GET "/clusters/$id"
	expect_status 403
	assert_eq "HYPERFLEET-AUZ-001" "$(json 'd["code"]')"
	auth_api "$nobody" GET /clusters
	expect_status 403
	auth_api "$nobody" GET "/clusters?watch=true"
	expect_status 403
	auth_api "$nobody" GET "/clusters/$id/statuses"
	expect_status 403
}

test_reports_need_permission_on_the_status_subresource() {
	auth_setup
	local writer adapter id body
	writer=$(auth_sa writer get,list,watch,create)
	kubectl create serviceaccount adapter -n "$API_NS" >/dev/null
	kubectl create role adapter -n "$API_NS" --verb=get,update --resource=clusters.hyperfleet.io/status >/dev/null
	kubectl create rolebinding adapter -n "$API_NS" --role=adapter --serviceaccount="$API_NS:adapter" >/dev/null
	adapter=$(kubectl create token adapter -n "$API_NS" --duration=10m)
	auth_api "$writer" POST /clusters '{"name":"reported","spec":{"provider":"gcp","region":"us-east1"}}'
	expect_status 201
	id=$(json 'd["id"]')
	body='{"adapter":"dns","observed_generation":1,"conditions":[{"type":"Applied","status":"True"},{"type":"Available","status":"True"},{"type":"Health","status":"True"}]}'
	# The writer may not report (no update on clusters/status) ...
	auth_api "$writer" PUT "/clusters/$id/statuses" "$body"
	expect_status 403
	# ... the adapter's account may.
	auth_api "$adapter" PUT "/clusters/$id/statuses" "$body"
	expect_status 201
	auth_api "$adapter" GET "/clusters/$id/statuses"
	expect_status 200
	assert_eq "dns" "$(json 'd["items"][0]["adapter"]')"
}
