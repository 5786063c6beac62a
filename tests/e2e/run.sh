#!/usr/bin/env bash
# Runs the end-to-end tests: the user journeys of the seed documents against
# the operator (controller and REST API) on a real control plane, through
# kubectl and curl as users would. Starts the control plane like the
# integration tests (HF_KUBE_DIR=DIR reuses a running one).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/harness.sh"

own_plane=false
if [ -z "${HF_KUBE_DIR:-}" ]; then
	HF_KUBE_DIR=$("$top/hack/kube/up.sh") || { echo "e2e: the control plane did not start"; echo "e2e: 0 passed, 1 failed"; exit 1; }
	own_plane=true
fi
stop_plane() {
	if $own_plane; then
		if [ "$HF_TESTS_FAILED" -gt 0 ]; then
			mkdir -p "$top/build/test-logs" && cp -r "$HF_KUBE_DIR/logs" "$top/build/test-logs/e2e-$(date +%s)"
		fi
		"$top/hack/kube/down.sh" "$HF_KUBE_DIR" --purge
	fi
}
trap stop_plane EXIT
# shellcheck disable=SC1091
. "$HF_KUBE_DIR/env"
export HF_TOP=$top

if ! "$top/hack/install.sh"; then
	echo "e2e: installing the CRDs failed"
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi

for f in "$top"/tests/e2e/*.test.sh; do
	run_test_file "$f"
done
report e2e
