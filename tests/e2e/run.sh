#!/usr/bin/env bash
# Runs the end-to-end tests: the user journeys of the seed documents against
# the operator (controller and REST API) on a real control plane, through
# kubectl and curl as users would. The control plane is handled as for the
# integration tests (HF_KUBE_DIR=DIR reuses a running one).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/harness.sh"
. "$top/tests/lib/plane.sh"
plane_up e2e

for f in "$top"/tests/e2e/*.test.sh; do
	run_test_file "$f"
done
report e2e
