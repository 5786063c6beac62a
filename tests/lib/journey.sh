# Helpers for the seed journeys end to end: the simulated adapter set
# (adapters/simulated) runs for real on the test control plane (kwok runs
# its Jobs), and the tests look at what a user sees through the REST API
# and kubectl. Needs harness.sh; sources api.sh.
. "$HF_TOP/tests/lib/api.sh"

# journey_setup [ARGS...]: a namespace ($API_NS), an operator serving it
# (extra `hyperfleet run` arguments), and the simulated adapters installed
# and accepted (removed again when the test ends, as test adapters).
journey_setup() {
	api_setup "$@"
	kubectl apply -f "$HF_TOP/adapters/simulated/" >/dev/null
	kubectl label adapters -l hyperfleet.io/adapter-set=simulated hyperfleet-test=true --overwrite >/dev/null
	wait_for 30 "the simulated adapters to be accepted" sim_adapters_accepted
}

sim_adapters_accepted() {
	local n
	n=$(kubectl get adapters -l hyperfleet.io/adapter-set=simulated \
		-o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Accepted")].status}{"\n"}{end}' | grep -c '^True$')
	[ "$n" = 7 ]
}

# cluster_create NAME [LABELS_JSON] [SPEC_JSON]: POSTs a GCP cluster (201
# expected); sets CLUSTER_ID.
cluster_create() {
	local name=$1 labels=${2:-"{}"} spec=${3:-'{"provider":"gcp","region":"us-east1"}'}
	api POST /clusters "{\"name\":\"$name\",\"spec\":$spec,\"labels\":$labels}"
	expect_status 201
	CLUSTER_ID=$(json 'd["id"]')
}

# nodepool_create CLUSTER_ID NAME [LABELS_JSON] [SPEC_JSON]: POSTs a node
# pool (201 expected); sets NODEPOOL_ID.
nodepool_create() {
	local cid=$1 name=$2 labels=${3:-"{}"} spec=${4:-'{"nodeCount":3,"machineType":"n1-standard-4"}'}
	api POST "/clusters/$cid/nodepools" "{\"name\":\"$name\",\"spec\":$spec,\"labels\":$labels}"
	expect_status 201
	NODEPOOL_ID=$(json 'd["id"]')
}

# phase_is PATH PHASE: the resource at PATH (after .../v1) reads PHASE.
phase_is() {
	api GET "$1" && [ "$API_STATUS" = 200 ] && [ "$(json 'd["status"]["phase"]')" = "$2" ]
}

# wait_phase SECONDS PATH PHASE
wait_phase() {
	wait_for "$1" "$2 to be $3" phase_is "$2" "$3"
}

# adapter_cond PATH ADAPTER TYPE FIELD: a field (status, reason, message)
# of one condition of ADAPTER in PATH/statuses, or "" when absent.
adapter_cond() {
	api GET "$1/statuses"
	[ "$API_STATUS" = 200 ] || fail "GET $1/statuses answered $API_STATUS: $API_BODY"
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d.get("items", []):
    if s.get("adapter") == sys.argv[1]:
        for c in s.get("conditions", []):
            if c.get("type") == sys.argv[2]:
                print(c.get(sys.argv[3], ""))
' "$2" "$3" "$4" <<<"$API_BODY"
}

adapter_cond_is() { # PATH ADAPTER TYPE FIELD VALUE
	[ "$(adapter_cond "$1" "$2" "$3" "$4")" = "$5" ]
}

# wait_adapter SECONDS PATH ADAPTER TYPE FIELD VALUE
wait_adapter() {
	wait_for "$1" "$3 $4.$5 = $6 on $2" adapter_cond_is "$2" "$3" "$4" "$5" "$6"
}

# statuses_read PATH: GETs PATH/statuses (200 expected) into API_BODY and
# its conditions into STATUS_COND["adapter/type/field"] (status, reason,
# message, last_transition_time): one parse per answer.
statuses_read() {
	api GET "$1/statuses"
	expect_status 200
	declare -gA STATUS_COND=()
	local key value
	while IFS=$'\t' read -r key value; do
		STATUS_COND[$key]=$value
	done < <(python3 -c '
import json, sys
for s in json.load(sys.stdin)["items"]:
    for c in s["conditions"]:
        for f in ("status", "reason", "message", "last_transition_time"):
            v = str(c.get(f, "")).replace("\t", " ").replace("\n", " ")
            print(s["adapter"] + "/" + c["type"] + "/" + f + "\t" + v)
' <<<"$API_BODY")
}

# status_cond ADAPTER TYPE FIELD: a field of one adapter condition in the
# last statuses_read answer ("" when absent).
status_cond() {
	echo "${STATUS_COND[$1/$2/$3]:-}"
}

# status_expect ADAPTER TYPE STATUS [REASON]: asserts one adapter condition
# in the last statuses_read answer.
status_expect() {
	assert_eq "$3" "$(status_cond "$1" "$2" status)" "$1 $2"
	[ -z "${4:-}" ] || assert_eq "$4" "$(status_cond "$1" "$2" reason)" "$1 $2 reason"
}

# status_item PATH ADAPTER EXPR: evaluates a Python expression over
# ADAPTER's item `s` of PATH/statuses (None when it has not reported).
status_item() {
	api GET "$1/statuses"
	[ "$API_STATUS" = 200 ] || fail "GET $1/statuses answered $API_STATUS: $API_BODY"
	python3 -c '
import json, sys
d = json.load(sys.stdin)
s = next((i for i in d.get("items", []) if i.get("adapter") == sys.argv[1]), None)
print(eval(sys.argv[2]))' "$2" "$3" <<<"$API_BODY"
}
