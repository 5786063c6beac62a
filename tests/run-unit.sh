#!/usr/bin/env bash
# Runs the Criterion unit test binaries given as arguments and prints one
# total line; exits non-zero if any binary fails.
set -uo pipefail
passed=0 failed=0 status=0
for t in "$@"; do
	out=$("$t" --jobs 2 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E 'Synthesis|\[FAIL\]|failed|ERROR|Sanitizer' || true
	line=$(printf '%s\n' "$out" | grep -E 'Synthesis:' | tail -1)
	p=$(sed -nE 's/.*Passing: ([0-9]+).*/\1/p' <<<"$line")
	f=$(sed -nE 's/.*Failing: ([0-9]+).*Crashing: ([0-9]+).*/\1 \2/p' <<<"$line")
	if [ -z "$p" ] || [ $rc -ne 0 ]; then
		[ -n "$p" ] || printf '%s\n' "$out" | tail -20
		echo "unit: ${t##*/} failed (exit $rc)"
		status=1
	fi
	passed=$((passed + ${p:-0}))
	read -r fl cr <<<"${f:-0 0}"
	failed=$((failed + fl + cr))
	[ -n "$p" ] || failed=$((failed + 1))
done
echo "unit: $passed passed, $failed failed"
exit $status
