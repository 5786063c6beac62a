#!/usr/bin/env bash
# Runs the tests of the shipped adapters (adapters/gcp/): each adapter through
# `hyperfleet adapter dry-run` on the fixtures of tests/adapters/fixtures/,
# and each Job's script against stub gcloud, kubectl, curl and getent. No
# control plane and no cloud: HF_BIN (default build/release/hyperfleet; e.g.
# HF_BIN=build/asan/hyperfleet) is the only thing built.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export HF_TOP=$top
export HF_BIN=${HF_BIN:-$top/build/release/hyperfleet}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"

if [ ! -x "$HF_BIN" ]; then
	echo "adapters: $HF_BIN is not built (make build)"
	echo "adapters: 0 passed, 1 failed"
	exit 1
fi
for tool in jq bash; do
	command -v "$tool" >/dev/null || {
		echo "adapters: $tool is needed"
		echo "adapters: 0 passed, 1 failed"
		exit 1
	}
done

for f in "$top"/tests/adapters/*.test.sh; do
	run_test_file "$f"
done
report adapters
