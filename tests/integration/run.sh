#!/usr/bin/env bash
# Runs the integration tests against a real control plane: builds it once
# per machine (hack/kube/build.sh), starts a fresh one for this run, installs
# HyperFleet's CRDs and policies, runs tests/integration/*.test.sh, stops it.
#
# HF_KUBE_DIR=DIR reuses a control plane already started by hack/kube/up.sh
# (it is then left running). Logs of a failed run are kept in build/test-logs.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/harness.sh"

own_plane=false
if [ -z "${HF_KUBE_DIR:-}" ]; then
	HF_KUBE_DIR=$("$top/hack/kube/up.sh") || { echo "integration: the control plane did not start"; echo "integration: 0 passed, 1 failed"; exit 1; }
	own_plane=true
fi
stop_plane() {
	if $own_plane; then
		if [ "$HF_TESTS_FAILED" -gt 0 ]; then
			mkdir -p "$top/build/test-logs" && cp -r "$HF_KUBE_DIR/logs" "$top/build/test-logs/integration-$(date +%s)"
		fi
		"$top/hack/kube/down.sh" "$HF_KUBE_DIR" --purge
	fi
}
trap stop_plane EXIT
# shellcheck disable=SC1091
. "$HF_KUBE_DIR/env"
export HF_TOP=$top

if ! "$top/hack/install.sh"; then
	echo "integration: installing the CRDs failed"
	echo "integration: 0 passed, 1 failed"
	exit 1
fi

for f in "$top"/tests/integration/*.test.sh; do
	run_test_file "$f"
done
for bin in "$top"/build/asan/tests/integration/test_*; do
	[ -x "$bin" ] && run_criterion "$bin"
done
report integration
