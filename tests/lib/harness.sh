# A small test harness for the shell-driven integration and end-to-end tests.
#
# A test file defines functions named test_*; run_test_file runs each in its
# own subshell with `set -euo pipefail`, so the first failing command or
# assertion fails that test only. Its output is shown when it fails. The
# runner ends with one line "<suite>: N passed, M failed".

HF_TESTS_PASSED=0
HF_TESTS_FAILED=0
HF_TESTS_FAILED_NAMES=()

# fail MESSAGE: fails the current test.
fail() {
	echo "ASSERTION FAILED: $*" >&2
	exit 1
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	[ "$1" == "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
	[[ $1 == *"$2"* ]] || fail "${3:-output} does not contain '$2'; it was:
$1"
}

# assert_not_contains HAYSTACK NEEDLE [WHAT]
assert_not_contains() {
	[[ $1 != *"$2"* ]] || fail "${3:-output} contains '$2'; it was:
$1"
}

# assert_match HAYSTACK ERE [WHAT]
assert_match() {
	[[ $1 =~ $2 ]] || fail "${3:-output} does not match /$2/; it was:
$1"
}

# fails_with NEEDLE CMD...: CMD must fail, and its output contain NEEDLE.
fails_with() {
	local needle=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "'$*' succeeded; expected it to fail with '$needle'. Output:
$out"
	assert_contains "$out" "$needle" "the error of '$*'"
}

# wait_for SECONDS DESCRIPTION CMD...: runs CMD until it succeeds, failing
# the test when SECONDS pass first. Polls every 100 ms.
wait_for() {
	local deadline=$(($(date +%s%3N) + $1 * 1000)) what=$2 out
	shift 2
	until out=$("$@" 2>&1); do
		if [ "$(date +%s%3N)" -ge "$deadline" ]; then
			fail "timed out waiting for $what; last output:
$out"
		fi
		sleep 0.1
	done
}

# run_test_file FILE: runs every test_* function the file defines.
run_test_file() {
	local file=$1 fn out rc start
	local before
	before=$(declare -F | awk '{print $3}' | sort)
	# shellcheck disable=SC1090
	. "$file"
	for fn in $(comm -13 <(echo "$before") <(declare -F | awk '{print $3}' | sort) | grep '^test_'); do
		start=$(date +%s%3N)
		# A statement of its own: inside an && or || list bash would
		# ignore the subshell's set -e, and a failing command in the
		# middle of a test would not fail it.
		out=$( (set -euo pipefail; "$fn") 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			HF_TESTS_PASSED=$((HF_TESTS_PASSED + 1))
			printf 'ok   %-60s %6d ms\n' "${file##*/}:$fn" $(($(date +%s%3N) - start))
		else
			HF_TESTS_FAILED=$((HF_TESTS_FAILED + 1))
			HF_TESTS_FAILED_NAMES+=("${file##*/}:$fn")
			printf 'FAIL %-60s %6d ms\n' "${file##*/}:$fn" $(($(date +%s%3N) - start))
			printf '%s\n' "$out" | sed 's/^/     | /'
		fi
	done
}

# run_criterion BINARY: runs a Criterion test binary (one test at a time:
# some tests restart control plane components) and counts its results.
run_criterion() {
	local bin=$1 out rc line p f c
	out=$(timeout --kill-after=10 900 "$bin" --jobs 1 --verbose=0 2>&1) && rc=0 || rc=$?
	printf '%s\n' "$out" | grep -E '^\[(FAIL|----)\]|Synthesis|Sanitizer|runtime error' | sed 's/^/     | /'
	line=$(grep -E 'Synthesis:' <<<"$out" | tail -1)
	p=$(sed -nE 's/.*Passing: ([0-9]+).*/\1/p' <<<"$line")
	f=$(sed -nE 's/.*Failing: ([0-9]+).*/\1/p' <<<"$line")
	c=$(sed -nE 's/.*Crashing: ([0-9]+).*/\1/p' <<<"$line")
	if [ -z "$p" ]; then
		printf '%s\n' "$out" | tail -20 | sed 's/^/     | /'
		p=0 f=1 c=0
	fi
	HF_TESTS_PASSED=$((HF_TESTS_PASSED + p))
	HF_TESTS_FAILED=$((HF_TESTS_FAILED + f + c))
	if [ $((f + c)) -gt 0 ] || [ "$rc" -ne 0 ]; then
		HF_TESTS_FAILED_NAMES+=("${bin##*/}")
		[ $((f + c)) -gt 0 ] || HF_TESTS_FAILED=$((HF_TESTS_FAILED + 1))
		printf 'FAIL %s (%s passed, %s failed, exit %s)\n' "${bin##*/}" "$p" $((f + c)) "$rc"
	else
		printf 'ok   %s (%s tests)\n' "${bin##*/}" "$p"
	fi
}

# report SUITE: prints the summary line; returns non-zero when a test failed.
report() {
	local name
	for name in "${HF_TESTS_FAILED_NAMES[@]}"; do
		echo "failed: $name"
	done
	echo "$1: $HF_TESTS_PASSED passed, $HF_TESTS_FAILED failed"
	[ "$HF_TESTS_FAILED" -eq 0 ] && [ "$HF_TESTS_PASSED" -gt 0 ]
}
