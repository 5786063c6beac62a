#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on its corpus (tests/fuzz/corpus/
# <target without fuzz_>), new inputs going to a scratch directory so the
# committed corpus only changes by hand. A crash, leak or sanitizer report
# fails the target; the reproducer is kept in build/fuzz/crashes.
#   run-fuzz.sh SECONDS TARGET...
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=$1
shift
passed=0 failed=0
mkdir -p "$top/build/fuzz/crashes"
for t in "$@"; do
	name=${t##*/fuzz_}
	corpus=$top/tests/fuzz/corpus/$name
	scratch=$(mktemp -d)
	mkdir -p "$corpus"
	if out=$("$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$top/build/fuzz/crashes/$name-" "$scratch" "$corpus" 2>&1); then
		runs=$(grep -oE 'Done [0-9]+ runs' <<<"$out" | tail -1)
		echo "fuzz: $name ok (${runs:-no run count})"
		passed=$((passed + 1))
	else
		printf '%s\n' "$out" | tail -40
		echo "fuzz: $name FAILED (reproducer in build/fuzz/crashes/)"
		failed=$((failed + 1))
	fi
	rm -rf "$scratch"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
