# A test suite's control plane: plane_up SUITE starts a fresh one (or uses
# $HF_KUBE_DIR, left running), installs HyperFleet's CRDs and policies,
# points kubectl at it, and stops it when the suite's shell exits (keeping
# its logs in build/test-logs when a test failed). Needs harness.sh and
# $top. On failure it prints the suite's summary line and exits.
plane_up() {
	local suite=$1
	HF_PLANE_SUITE=$suite
	HF_PLANE_OWN=false
	if [ -z "${HF_KUBE_DIR:-}" ]; then
		HF_KUBE_DIR=$("$top/hack/kube/up.sh") || {
			echo "$suite: the control plane did not start"
			echo "$suite: 0 passed, 1 failed"
			exit 1
		}
		HF_PLANE_OWN=true
	fi
	trap plane_down EXIT
	# shellcheck disable=SC1091
	. "$HF_KUBE_DIR/env"
	export HF_TOP=$top
	if ! "$top/hack/install.sh"; then
		echo "$suite: installing the CRDs failed"
		echo "$suite: 0 passed, 1 failed"
		exit 1
	fi
}

plane_down() {
	$HF_PLANE_OWN || return 0
	if [ "$HF_TESTS_FAILED" -gt 0 ]; then
		mkdir -p "$top/build/test-logs" &&
			cp -r "$HF_KUBE_DIR/logs" "$top/build/test-logs/$HF_PLANE_SUITE-$(date +%s)"
	fi
	"$top/hack/kube/down.sh" "$HF_KUBE_DIR" --purge
}
