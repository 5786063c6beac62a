# Helpers for tests that run the HyperFleet controller (hyperfleet run)
# against the test control plane, and write adapter reports.

HF_BIN=${HF_BIN:-$HF_TOP/build/asan/hyperfleet}
# shellcheck disable=SC1091
. "$HF_TOP/hack/kube/lib.sh" # free_port

# start_operator NAMESPACE [ARGS...]: runs the controller and the REST API
# for one namespace in the background (logs in $HF_OPERATOR_LOG) and waits
# until both are ready. Sets HF_OPERATOR_PID, HF_OPERATOR_PORT (probes) and
# HF_API (the REST API's base URL, .../api/hyperfleet/v1).
start_operator() {
	local ns=$1 port api_port
	shift
	port=$(free_port)
	api_port=$(free_port)
	HF_OPERATOR_LOG=${HF_OPERATOR_LOG:-$(mktemp "${TMPDIR:-/tmp}/hf-operator.XXXXXX")}
	"$HF_BIN" run --namespace "$ns" --leader-elect=false --metrics-bind-address 0 \
		--health-probe-bind-address "127.0.0.1:$port" --api-bind-address "127.0.0.1:$api_port" \
		--not-ready-requeue 1s "$@" >>"$HF_OPERATOR_LOG" 2>&1 &
	HF_OPERATOR_PID=$!
	HF_OPERATOR_PORT=$port
	HF_API=http://127.0.0.1:$api_port/api/hyperfleet/v1
	wait_for 60 "the controller to be ready" curl -fsS "http://127.0.0.1:$port/readyz"
	case " $* " in
	*" --api-bind-address 0 "*) ;;
	*) wait_for 60 "the REST API to be ready" api_answers ;;
	esac
}

# api_answers: the REST API serves its cache (200), or asks for credentials
# (401, with --auth kubernetes).
api_answers() {
	local code
	code=$(curl -sS -o /dev/null -w '%{http_code}' "$HF_API/clusters?size=1") || return 1
	[ "$code" = 200 ] || [ "$code" = 401 ]
}

# stop_operator: SIGTERM, and the controller must exit cleanly.
stop_operator() {
	[ -n "${HF_OPERATOR_PID:-}" ] || return 0
	kill -TERM "$HF_OPERATOR_PID" 2>/dev/null || true
	local rc=0
	wait "$HF_OPERATOR_PID" || rc=$?
	HF_OPERATOR_PID=
	[ $rc -eq 0 ] || { tail -20 "$HF_OPERATOR_LOG" >&2; fail "the controller exited with status $rc"; }
}

# send_report KIND NS/NAME ADAPTER GENERATION AVAILABLE [FINALIZED]: writes a
# report through hyperfleet report; prints its JSON outcome.
send_report() {
	local kind=$1 target=$2 adapter=$3 gen=$4 available=$5 finalized=${6:-}
	local extra=""
	[ -n "$finalized" ] && extra=",{\"type\":\"Finalized\",\"status\":\"$finalized\",\"reason\":\"Cleaned\"}"
	"$HF_BIN" report "$kind" "$target" <<JSON
{"adapter":"$adapter","observed_generation":$gen,"conditions":[
 {"type":"Applied","status":"True","reason":"Applied"},
 {"type":"Available","status":"$available","reason":"Reason$available","message":"$adapter says $available"},
 {"type":"Health","status":"True","reason":"Healthy"}$extra]}
JSON
}

# required_adapters KIND NAME...: makes the named external adapters required
# for KIND (Cluster or NodePool); removes them when the test ends.
required_adapters() {
	local kind=$1 name
	shift
	for name in "$@"; do
		kubectl apply -f - >/dev/null <<YAML
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: $name, labels: {hyperfleet-test: "true"}}
spec: {target: $kind, required: true, external: true}
YAML
	done
}

remove_test_adapters() {
	kubectl delete adapters -l hyperfleet-test=true --ignore-not-found >/dev/null
}

# jpath KIND NS NAME JSONPATH: one field of an object.
jpath() {
	kubectl get "$1" "$3" -n "$2" -o jsonpath="$4"
}

# condition KIND NS NAME TYPE FIELD: a field of a status condition.
condition() {
	jpath "$1" "$2" "$3" "{.status.conditions[?(@.type==\"$4\")].$5}"
}
