# Helpers for end-to-end tests of the REST API: each test gets its own
# namespace and operator (controller + API), stopped when the test ends.
. "$HF_TOP/tests/lib/kube.sh"
. "$HF_TOP/tests/lib/operator.sh"

api_cleanup() {
	[ -n "${HF_OPERATOR_PID:-}" ] && kill -TERM "$HF_OPERATOR_PID" 2>/dev/null && wait "$HF_OPERATOR_PID" 2>/dev/null
	remove_test_adapters
}

# api_setup [ARGS...]: a namespace ($API_NS) and an operator serving it,
# with extra `hyperfleet run` arguments. Call first in a test function.
api_setup() {
	API_NS=$(new_namespace e2e)
	start_operator "$API_NS" "$@"
	trap api_cleanup EXIT
}

# api METHOD PATH [BODY]: calls the REST API (PATH after .../v1); sets
# API_STATUS and API_BODY. Extra curl arguments may follow BODY.
api() {
	local method=$1 path=$2 body=${3:-} out
	shift 3 2>/dev/null || shift $#
	local args=(-sS -X "$method" -w '\n%{http_code}' "$@")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	out=$(curl "${args[@]}" "$HF_API$path")
	API_STATUS=${out##*$'\n'}
	API_BODY=${out%$'\n'*}
}

# json EXPR: evaluates a Python expression over $API_BODY bound to `d`.
json() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <<<"$API_BODY"
}

# expect_status CODE: fails unless the last call answered CODE.
expect_status() {
	[ "$API_STATUS" = "$1" ] || fail "expected HTTP $1, got $API_STATUS: $API_BODY"
}
