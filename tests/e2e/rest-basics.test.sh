# The REST API's basics: metadata, the OpenAPI document, unknown paths and
# methods, request ids.
. "$HF_TOP/tests/lib/api.sh"

test_metadata_and_openapi_are_served() {
	api_setup
	api GET /../../hyperfleet
	expect_status 200
	assert_eq "API" "$(json 'd["kind"]')"
	api GET /openapi
	expect_status 200
	assert_match "$(json 'd["openapi"]')" '^3\.0'
	assert_contains "$(curl -fsS "$HF_API/openapi.html")" '<html'
}

test_unknown_path_is_a_404_problem_and_wrong_method_a_405() {
	api_setup
	local out
	out=$(curl -sS -w '\n%{http_code} %{content_type}' "$HF_API/nothing-here")
	assert_contains "$out" '"code":"HYPERFLEET-NTF-000"'
	assert_contains "$out" '404 application/problem+json'
	out=$(curl -sS -D - -o /dev/null -X PUT "$HF_API/clusters")
	assert_contains "$out" '405'
	assert_contains "$out" 'Allow: GET, POST'
}

test_every_response_has_its_own_request_id() {
	api_setup
	local a b
	a=$(curl -sS -D - -o /dev/null "$HF_API/clusters" | tr -d '\r' | sed -n 's/^X-Request-ID: //p')
	b=$(curl -sS -D - -o /dev/null "$HF_API/clusters/none" | tr -d '\r' | sed -n 's/^X-Request-ID: //p')
	assert_match "$a" '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
	[ "$a" != "$b" ] || fail "two requests got the same id $a"
	api GET /clusters/none
	assert_match "$(json 'd["trace_id"]')" '^[0-9a-f-]{36}$'
}
