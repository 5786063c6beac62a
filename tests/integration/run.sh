#!/usr/bin/env bash
# Runs the integration tests against a real control plane: builds it once
# per machine (hack/kube/build.sh), starts a fresh one for this run, installs
# HyperFleet's CRDs and policies, runs tests/integration/*.test.sh and the C
# tests build/asan/tests/integration/test_*, stops it.
#
# HF_KUBE_DIR=DIR reuses a control plane already started by hack/kube/up.sh
# (it is then left running). Logs of a failed run are kept in build/test-logs.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/harness.sh"
. "$top/tests/lib/plane.sh"
plane_up integration

for f in "$top"/tests/integration/*.test.sh; do
	run_test_file "$f"
done
for bin in "$top"/build/asan/tests/integration/test_*; do
	[ -x "$bin" ] && run_criterion "$bin"
done
report integration
