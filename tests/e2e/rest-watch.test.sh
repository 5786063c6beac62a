# Watching lists through the REST API: ?watch=true streams
# newline-delimited events {"type","object","resource_version"}; a watch
# starts with the existing objects, follows creates, changes and deletes,
# honours the list's filters, and resumes after a resource_version.
. "$HF_TOP/tests/lib/api.sh"

WATCH_PIDS=()

# watch_setup [ARGS...]: api_setup, and stops the test's watches when it ends.
watch_setup() {
	api_setup "$@"
	WATCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hf-watch.XXXXXX")
	trap 'watch_stop_all; api_cleanup; rm -rf "$WATCH_DIR"' EXIT
}

watch_stop_all() {
	local pid
	for pid in "${WATCH_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
}

# watch_start NAME PATH: streams PATH into $WATCH_DIR/NAME.events (headers
# in NAME.headers) in the background, once the stream is open.
watch_start() {
	curl -sS -N -D "$WATCH_DIR/$1.headers" "$HF_API$2" >"$WATCH_DIR/$1.events" 2>"$WATCH_DIR/$1.err" &
	WATCH_PIDS+=($!)
	wait_for 20 "the watch $1 to open" grep -q '^HTTP/1.1 200' "$WATCH_DIR/$1.headers"
}

# watch_stop_last: ends the newest watch.
watch_stop_last() {
	local last=$((${#WATCH_PIDS[@]} - 1))
	kill "${WATCH_PIDS[$last]}" 2>/dev/null || true
	wait "${WATCH_PIDS[$last]}" 2>/dev/null || true
}

# watch_py NAME EXPR: EXPR over `events`, the parsed complete lines.
watch_py() {
	python3 -c '
import json, sys
events = []
with open(sys.argv[1]) as f:
	for line in f:
		if line.endswith("\n"):
			events.append(json.loads(line))
print(eval(sys.argv[2]))' "$WATCH_DIR/$1.events" "$2"
}

# watch_saw NAME TYPE ID: the stream has an event TYPE for object ID.
watch_saw() {
	[ "$(watch_py "$1" "any(e['type'] == '$2' and e['object']['id'] == '$3' for e in events)")" = True ]
}

# watch_cluster NAME [LABELS]: creates a cluster; prints its id.
watch_cluster() {
	local labels=${2:-'{}'}
	api POST /clusters "{\"name\":\"$1\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"},\"labels\":$labels}"
	expect_status 201
	json 'd["id"]'
}

test_a_watch_streams_a_create_and_a_delete() {
	watch_setup
	watch_start all "/clusters?watch=true"
	grep -qi '^content-type: application/x-ndjson' "$WATCH_DIR/all.headers" ||
		fail "the watch is not application/x-ndjson: $(cat "$WATCH_DIR/all.headers")"
	local id
	id=$(watch_cluster streamed)
	wait_for 30 "an ADDED event" watch_saw all ADDED "$id"
	api DELETE "/clusters/$id"
	expect_status 202
	wait_for 30 "a DELETED event" watch_saw all DELETED "$id"
	# Every line is an event with a type, the REST object and a version.
	assert_eq "True" "$(watch_py all 'all(set(e) == {"type", "object", "resource_version"} and e["type"] in ("ADDED", "MODIFIED", "DELETED") and e["resource_version"].isdigit() and e["object"]["kind"] == "Cluster" for e in events)')" "event shapes"
	assert_eq "True" "$(watch_py all 'all(int(a["resource_version"]) < int(b["resource_version"]) for a, b in zip(events, events[1:]))')" "resource versions increase"
	local mine="[e for e in events if e['object']['id'] == '$id']"
	assert_eq "ADDED" "$(watch_py all "$mine[0]['type']")" "first event"
	assert_eq "DELETED" "$(watch_py all "$mine[-1]['type']")" "last event"
	assert_eq "streamed" "$(watch_py all "$mine[0]['object']['name']")"
	assert_eq "Not Ready" "$(watch_py all "$mine[0]['object']['status']['phase']")"
	assert_eq "True" "$(watch_py all "any(e['type'] == 'MODIFIED' and e['object']['status']['phase'] == 'Terminating' and 'deleted_time' in e['object'] for e in $mine)")" "a Terminating event before the deletion"
	assert_eq "1" "$(watch_py all "sum(e['type'] == 'DELETED' for e in $mine)")" "DELETED events"
}

test_a_new_watch_starts_with_the_existing_clusters() {
	watch_setup
	local a b
	a=$(watch_cluster existing-a)
	b=$(watch_cluster existing-b)
	watch_start all "/clusters?watch=true"
	wait_for 30 "ADDED for the first cluster" watch_saw all ADDED "$a"
	wait_for 30 "ADDED for the second cluster" watch_saw all ADDED "$b"
	assert_eq "ADDED,ADDED" "$(watch_py all '",".join(e["type"] for e in events[:2])')" "the first events"
}

test_a_watch_resumes_after_a_resource_version() {
	watch_setup
	local a b c rv
	a=$(watch_cluster first)
	watch_start before "/clusters?watch=true"
	wait_for 30 "ADDED for the first cluster" watch_saw before ADDED "$a"
	rv=$(watch_py before 'events[-1]["resource_version"]')
	watch_stop_last
	b=$(watch_cluster second)
	api DELETE "/clusters/$a"
	expect_status 202
	watch_first_gone() {
		api GET "/clusters/$a"
		[ "$API_STATUS" = 404 ]
	}
	wait_for 30 "the first cluster to be gone" watch_first_gone
	# Resuming after rv replays what happened since, and only that.
	watch_start after "/clusters?watch=true&resource_version=$rv"
	wait_for 30 "ADDED for the second cluster" watch_saw after ADDED "$b"
	wait_for 30 "DELETED for the first cluster" watch_saw after DELETED "$a"
	assert_eq "True" "$(watch_py after "all(int(e['resource_version']) > $rv for e in events)")" "every event is newer than $rv"
	assert_eq "False" "$(watch_py after "any(e['type'] == 'ADDED' and e['object']['id'] == '$a' for e in events)")" "the first cluster's ADDED replayed"
	assert_eq "True" "$(watch_py after 'all(int(a["resource_version"]) < int(b["resource_version"]) for a, b in zip(events, events[1:]))')" "resource versions increase"
	# It goes on with new events.
	c=$(watch_cluster third)
	wait_for 30 "ADDED for the third cluster" watch_saw after ADDED "$c"
	# A watch without a version starts from now: the deleted cluster is not in it.
	watch_start fresh "/clusters?watch=true"
	local d
	d=$(watch_cluster fourth)
	wait_for 30 "ADDED for the fourth cluster" watch_saw fresh ADDED "$d"
	assert_eq "False" "$(watch_py fresh "any(e['object']['id'] == '$a' for e in events)")" "events of the deleted cluster in a new watch"
	assert_eq "True" "$(watch_py fresh "any(e['type'] == 'ADDED' and e['object']['id'] == '$b' for e in events)")" "the second cluster in a new watch"
}

test_a_watch_streams_only_what_its_filters_match() {
	watch_setup
	watch_start team "/clusters?watch=true&labels=team:a"
	local x y z
	x=$(watch_cluster team-b '{"team":"b"}')
	y=$(watch_cluster team-a '{"team":"a"}')
	z=$(watch_cluster team-a-too '{"team":"a"}')
	wait_for 30 "ADDED for the last team a cluster" watch_saw team ADDED "$z"
	assert_eq "True" "$(watch_py team "any(e['object']['id'] == '$y' for e in events)")" "the first team a cluster"
	assert_eq "False" "$(watch_py team "any(e['object']['id'] == '$x' for e in events)")" "events of the team b cluster"
	# Sparse fields apply to the events too.
	watch_start names "/clusters?watch=true&fields=name&name=team-b"
	wait_for 30 "ADDED for the team b cluster" watch_saw names ADDED "$x"
	assert_eq "['id', 'name']" "$(watch_py names 'sorted(events[0]["object"])')" "members of a sparse event"
}

test_a_node_pool_watch_follows_its_cluster_only() {
	watch_setup
	local a b pa pb
	a=$(watch_cluster pools-a)
	b=$(watch_cluster pools-b)
	watch_start nested "/clusters/$a/nodepools?watch=true"
	watch_start flat "/nodepools?watch=true"
	api POST "/clusters/$b/nodepools" '{"name":"other","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 201
	pb=$(json 'd["id"]')
	api POST "/clusters/$a/nodepools" '{"name":"mine","spec":{"nodeCount":1,"machineType":"n1-standard-4"}}'
	expect_status 201
	pa=$(json 'd["id"]')
	wait_for 30 "ADDED for the pool of cluster a" watch_saw nested ADDED "$pa"
	assert_eq "False" "$(watch_py nested "any(e['object']['id'] == '$pb' for e in events)")" "events of another cluster's pool"
	assert_eq "NodePool" "$(watch_py nested 'events[0]["object"]["kind"]')"
	wait_for 30 "ADDED for the pool of cluster b in the flat watch" watch_saw flat ADDED "$pb"
	wait_for 30 "ADDED for the pool of cluster a in the flat watch" watch_saw flat ADDED "$pa"
	api DELETE "/clusters/$a/nodepools/$pa"
	expect_status 202
	wait_for 30 "DELETED for the pool of cluster a" watch_saw nested DELETED "$pa"
}

test_a_watch_with_bad_parameters_is_refused_like_the_list() {
	watch_setup
	api GET "/clusters?watch=true&phase=InvalidPhase"
	expect_status 400
	assert_eq "Invalid phase value 'InvalidPhase'. Supported values: Not Ready, Ready" "$(json 'd["error"]')"
	api GET "/clusters/non-existent-cluster/nodepools?watch=true"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	# watch=false is a plain list.
	api GET "/clusters?watch=false"
	expect_status 200
	assert_eq "ClusterList" "$(json 'd["kind"]')"
}

# quiet_watch_alive PID SINCE: the watch's curl still runs, and 8 s have
# passed since SINCE (epoch seconds): longer than any idle timeout of the
# HTTP server's (libwebsockets ends quiet connections after 5 s).
quiet_watch_alive() {
	kill -0 "$1" 2>/dev/null || fail "the quiet watch ended after $(($(date +%s) - $2)) s: $(cat "$WATCH_DIR/quiet.err")"
	[ $(($(date +%s) - $2)) -ge 8 ]
}

test_a_quiet_watch_stays_open_and_still_streams() {
	watch_setup
	local since id
	since=$(date +%s)
	watch_start quiet "/clusters?watch=true"
	wait_for 20 "8 s with the quiet watch open" quiet_watch_alive "${WATCH_PIDS[0]}" "$since"
	id=$(watch_cluster late)
	wait_for 30 "an ADDED event on the quiet watch" watch_saw quiet ADDED "$id"
}
