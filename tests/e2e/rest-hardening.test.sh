# The REST API's hardening: body, URL and header limits, the per-client
# rate limit, and malformed input that must never crash or hang the
# operator, against the real operator and control plane.
. "$HF_TOP/tests/lib/api.sh"

# hard_alive: the operator runs and its API answers a list.
hard_alive() {
	kill -0 "$HF_OPERATOR_PID" 2>/dev/null || fail "the operator exited: $(tail -20 "$HF_OPERATOR_LOG")"
	api GET /clusters
	expect_status 200
}

test_a_body_over_1_mib_is_a_413_problem() {
	api_setup
	local big out
	big=$(mktemp "${TMPDIR:-/tmp}/hf-big.XXXXXX")
	python3 -c 'import sys; sys.stdout.write("{\"name\":\"big\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\",\"pad\":\"" + "x" * (1 << 20) + "\"}}")' >"$big"
	out=$(curl -sS -w '\n%{http_code} %{content_type}' -H 'Content-Type: application/json' --data-binary @"$big" "$HF_API/clusters")
	assert_eq "413 application/problem+json" "${out##*$'\n'}" "status and type"
	API_BODY=${out%$'\n'*}
	assert_eq "HYPERFLEET-LMT-002" "$(json 'd["code"]')"
	assert_eq "413" "$(json 'd["status"]')"
	assert_eq "the request body is larger than 1048576 bytes" "$(json 'd["detail"]')"
	# The same for a status report.
	api POST /clusters '{"name":"small","spec":{"provider":"gcp","region":"us-east1"}}'
	expect_status 201
	local id
	id=$(json 'd["id"]')
	out=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary @"$big" "$HF_API/clusters/$id/statuses")
	assert_eq "413" "$out" "status of an oversized report"
	# Nothing was created; a body just under the limit is read and judged.
	api GET '/clusters?name=big'
	assert_eq "0" "$(json 'd["total"]')"
	python3 -c 'import sys; sys.stdout.write("{\"name\":\"A\",\"pad\":\"" + "x" * ((1 << 20) - 100) + "\"}")' >"$big"
	out=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' --data-binary @"$big" "$HF_API/clusters")
	rm -f "$big"
	assert_eq "400" "${out##*$'\n'}" "status of a body just under the limit"
	API_BODY=${out%$'\n'*}
	assert_eq "name must be at least 3 characters" "$(json 'd["error"]')"
	hard_alive
}

test_a_path_over_2048_bytes_is_a_414_problem() {
	api_setup
	local long out
	long=$(printf 'a%.0s' $(seq 3000))
	out=$(curl -sS -w '\n%{http_code} %{content_type}' "$HF_API/clusters/$long")
	assert_eq "414 application/problem+json" "${out##*$'\n'}" "status and type"
	API_BODY=${out%$'\n'*}
	assert_eq "HYPERFLEET-LMT-002" "$(json 'd["code"]')"
	assert_eq "the request path is longer than 2048 bytes" "$(json 'd["detail"]')"
	# A path within the limit is routed as usual.
	api GET "/clusters/${long:0:60}"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	hard_alive
}

test_headers_over_the_limit_are_refused_and_the_server_goes_on() {
	api_setup
	local out
	# libwebsockets closes a connection whose headers pass 16 KiB without an
	# answer (docs/api.md, Limits): refused, and nothing else is disturbed.
	out=$(curl -sS -m 20 -w '\n%{http_code}' -o /dev/null -H "X-Padding: $(printf 'p%.0s' $(seq 16384))" "$HF_API/clusters" 2>&1) || true
	assert_not_contains "${out##*$'\n'}" "200" "a request with a 16 KiB header is not served"
	hard_alive
}

# hard_answered_or_refused CURL_OUTPUT WHAT: curl's "-w '\n%{http_code}
# %{content_type}'" output shows a 200, or a refusal as a 414 or 431
# problem; never a connection closed without an answer.
hard_answered_or_refused() {
	local last=${1##*$'\n'}
	case $last in
	"200 application/json") ;;
	"414 application/problem+json" | "431 application/problem+json") ;;
	*) fail "$2: expected 200, or a 414 or 431 problem; got '$last'" ;;
	esac
}

test_a_bearer_token_of_a_few_kilobytes_gets_an_answer() {
	api_setup
	# Without authentication the header is ignored, but the request must
	# be answered (OIDC tokens of a few kilobytes are common).
	local out
	out=$(curl -sS -m 20 -w '\n%{http_code} %{content_type}' -H "Authorization: Bearer $(printf 't%.0s' $(seq 6000))" "$HF_API/clusters" 2>&1) || true
	hard_answered_or_refused "$out" "a request with a 6 KB bearer token"
	hard_alive
}

test_the_rate_limit_answers_429_with_retry_after() {
	api_setup --api-rate-limit 5 --api-rate-burst 5
	local dir codes limited ok
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hf-rate.XXXXXX")
	# 30 quick GETs on one connection (the n parameter is ignored).
	curl -sS -D "$dir/headers" -o "$dir/body-#1" -w '%{http_code}\n' "$HF_API/clusters?n=[1-30]" >"$dir/codes"
	codes=$(sort "$dir/codes" | uniq -c | tr -s ' ')
	limited=$(grep -c '^429$' "$dir/codes" || true)
	ok=$(grep -c '^200$' "$dir/codes" || true)
	[ "$limited" -gt 0 ] || fail "no request of 30 was limited: $codes"
	[ "$ok" -gt 0 ] || fail "every request was limited: $codes"
	[ $((limited + ok)) -eq 30 ] || fail "other answers than 200 and 429: $codes"
	assert_eq "200" "$(head -1 "$dir/codes")" "the first request"
	# The headers of the first 429 answer.
	local first429 block
	first429=$(grep -n '^429$' "$dir/codes" | head -1 | cut -d: -f1)
	block=$(tr -d '\r' <"$dir/headers" | awk -v n="$first429" '/^HTTP\//{i++} i==n')
	assert_match "$block" '^HTTP/1\.1 429' "the status line of answer $first429"
	assert_match "$block" $'\n[Rr]etry-[Aa]fter: [1-9][0-9]*(\n|$)' "headers of a 429"
	assert_match "$block" $'\n[Cc]ontent-[Tt]ype: application/problem\\+json' "type of a 429"
	API_BODY=$(cat "$dir/body-$first429")
	assert_eq "429" "$(json 'd["status"]')"
	assert_eq "HYPERFLEET-LMT-001" "$(json 'd["code"]')"
	rm -rf "$dir"
	# After the wait it asks for, the client is served again.
	hard_served() {
		[ "$(curl -sS -o /dev/null -w '%{http_code}' "$HF_API/clusters")" = 200 ]
	}
	wait_for 15 "the client to be served again" hard_served
	kill -0 "$HF_OPERATOR_PID" || fail "the operator exited"
}

test_the_rate_limit_is_per_client() {
	api_setup --api-rate-limit 2 --api-rate-burst 2
	local codes
	codes=$(curl -sS -o /dev/null -w '%{http_code} ' --interface 127.0.0.1 "$HF_API/clusters?n=[1-15]")
	assert_contains "$codes" "429" "answers to 127.0.0.1"
	# Another client (another loopback address) has its own budget, at once.
	codes=$(curl -sS -o /dev/null -w '%{http_code} ' --interface 127.0.0.2 "$HF_API/clusters?n=[1-2]")
	assert_eq "200 200 " "$codes" "answers to 127.0.0.2"
}

test_malformed_http_requests_neither_crash_nor_hang_the_api() {
	api_setup
	local port=${HF_API#http://127.0.0.1:}
	port=${port%%/*}
	python3 - "$port" <<'PY' || fail "a malformed request hung or broke the server"
import socket, sys, threading
port = int(sys.argv[1])
base = b"/api/hyperfleet/v1/clusters"
cases = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET " + base + b" HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET " + base + b" HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
    b"POST " + base + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST " + base + b" HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST " + base + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nhello\r\n0\r\n\r\n",
    b"\x00\x01\x02\xff\xfe" * 200 + b"\r\n\r\n",
    b"GET " + base + b"?" + b"&".join(b"p%d=%d" % (i, i) for i in range(300)) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST " + base + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}",
    b"POST " + base + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    b"GET " + base + b"/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"DELETE " + base + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PATCH " + base + b"/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{\"a",
]
# Each gets an answer, or its connection closed, within 15 s; all at once.
failed = []
def run(i, payload):
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    try:
        s.sendall(payload)
        s.recv(65536)  # the start of an answer, or b"" when closed
    except (ConnectionResetError, BrokenPipeError):
        pass
    except (TimeoutError, socket.timeout):
        failed.append("case %d: no answer and no close within 15 s: %r" % (i, payload[:80]))
    finally:
        s.close()
threads = [threading.Thread(target=run, args=c) for c in enumerate(cases)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(failed))
sys.exit(1 if failed else 0)
PY
	hard_alive
}

test_malformed_bodies_and_queries_are_400_problems() {
	api_setup
	local id
	api POST /clusters '{"name":"target","spec":{"provider":"gcp","region":"us-east1"}}'
	id=$(json 'd["id"]')
	local deep
	deep=$(printf '[%.0s' $(seq 100000))
	api POST /clusters "$deep"
	expect_status 400
	assert_eq "HYPERFLEET-VAL-006" "$(json 'd["code"]')"
	api PUT "/clusters/$id/statuses" "{\"adapter\":\"a\",\"observed_generation\":1,\"data\":$(printf '{"a":%.0s' $(seq 5000))1$(printf '}%.0s' $(seq 5000)),\"conditions\":[]}"
	[ "$API_STATUS" = 400 ] || [ "$API_STATUS" = 201 ] || fail "deeply nested data: HTTP $API_STATUS"
	api PUT "/clusters/$id/statuses" '{"adapter":"a","observed_generation":1e400,"conditions":[]}'
	expect_status 400
	api PUT "/clusters/$id/statuses" '{"adapter":["not","a","string"],"observed_generation":1,"conditions":[]}'
	expect_status 400
	api PUT "/clusters/$id/statuses" '{"adapter":"a","observed_generation":1,"conditions":"none"}'
	expect_status 400
	api POST /clusters $'{"name":"bad-utf8","spec":{"provider":"gcp","region":"us-east1","x":"\xff\xfe"}}'
	[ "$API_STATUS" = 400 ] || [ "$API_STATUS" = 201 ] || fail "invalid UTF-8: HTTP $API_STATUS"
	api GET "/clusters?page=99999999999999999999999"
	expect_status 400
	assert_eq "page must be an integer" "$(json 'd["detail"]')"
	api GET "/clusters?search=$(printf '%%28%.0s' $(seq 3000))"
	expect_status 400
	assert_eq "HYPERFLEET-VAL-005" "$(json 'd["code"]')"
	hard_alive
}

test_a_search_over_4096_characters_is_refused() {
	api_setup
	# The original refuses a search longer than 4096 characters (400
	# VAL-005); a URL limit (414) is a refusal too.
	local out
	out=$(curl -sS -m 20 -w '\n%{http_code} %{content_type}' "$HF_API/clusters?search=name%3D%27$(printf 'a%.0s' $(seq 4100))%27" 2>&1) || true
	case ${out##*$'\n'} in
	"400 application/problem+json")
		API_BODY=${out%$'\n'*}
		assert_eq "HYPERFLEET-VAL-005" "$(json 'd["code"]')"
		;;
	"414 application/problem+json") ;;
	*) fail "a 4107-character search: expected a 400 or 414 problem, got '${out##*$'\n'}'" ;;
	esac
	hard_alive
}

test_a_query_with_many_parameters_is_refused_and_the_server_goes_on() {
	api_setup
	local params out
	# libwebsockets keeps at most about 80 query parameters and closes the
	# connection beyond (docs/api.md, Limits); 60 are served.
	params=$(python3 -c 'print("&".join("p%d=%d" % (i, i) for i in range(60)))')
	out=$(curl -sS -m 20 -w '\n%{http_code} %{content_type}' -o /dev/null "$HF_API/clusters?name=x&$params" 2>&1) || true
	hard_answered_or_refused "$out" "a list with 60 unknown parameters"
	params=$(python3 -c 'print("&".join("p%d=%d" % (i, i) for i in range(120)))')
	out=$(curl -sS -m 20 -w '\n%{http_code}' -o /dev/null "$HF_API/clusters?name=x&$params" 2>&1) || true
	assert_not_contains "${out##*$'\n'}" "200" "a list with 120 parameters is not served"
	hard_alive
}

test_bad_percent_encoding_is_refused_and_the_server_goes_on() {
	api_setup
	local out
	# libwebsockets refuses a malformed escape itself, with 403 and a page of
	# its own (docs/api.md, Limits), before HyperFleet sees the request.
	out=$(curl -sS -w '\n%{http_code}' -o /dev/null "$HF_API/clusters?name=%zz")
	assert_match "${out##*$'\n'}" '^4[0-9][0-9]$' "status of ?name=%zz"
	out=$(curl -sS -w '\n%{http_code}' -o /dev/null "$HF_API/clusters/%zz")
	assert_match "${out##*$'\n'}" '^4[0-9][0-9]$' "status of /clusters/%zz"
	hard_alive
}
