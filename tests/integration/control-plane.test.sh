# The test control plane (hack/kube): real components at the pinned
# versions, a simulated node, and Jobs that succeed or fail on demand.
. "$HF_TOP/tests/lib/kube.sh"
. "$HF_TOP/hack/kube/versions.sh"

test_api_server_reports_the_pinned_version() {
	local v
	v=$(kubectl version -o json)
	assert_contains "$v" "\"gitVersion\": \"$KUBE_VERSION\"" "kubectl version"
	assert_eq "Kubernetes $KUBE_VERSION" "$("$HF_KUBE_BIN/kube-apiserver" --version)"
}

test_api_server_is_ready_and_every_component_runs() {
	assert_eq "ok" "$(kubectl get --raw /readyz)"
	local c
	for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
		"$HF_TOP/hack/kube/component.sh" "$HF_KUBE_DIR" alive "$c" || fail "$c is not running"
	done
}

test_token_user_is_admin() {
	assert_eq "yes" "$(kubectl --context hyperfleet-token auth can-i '*' '*' --all-namespaces)"
	local out
	out=$(curl -fsS --cacert "$HF_KUBE_DIR/pki/ca.crt" -H "Authorization: Bearer $HF_KUBE_TOKEN" "$HF_KUBE_SERVER/api/v1/namespaces/default")
	assert_contains "$out" '"name": "default"'
}

test_anonymous_callers_cannot_list() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$HF_KUBE_DIR/pki/ca.crt" "$HF_KUBE_SERVER/api/v1/namespaces")
	assert_eq 403 "$code" "anonymous list of namespaces"
}

test_simulated_node_is_ready() {
	assert_eq "True" "$(kubectl get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
}

test_a_job_runs_to_completion() {
	local ns
	ns=$(new_namespace job-ok)
	kubectl create job ok -n "$ns" --image=busybox -- true >/dev/null
	kubectl wait -n "$ns" --for=condition=Complete job/ok --timeout=60s >/dev/null
	assert_eq "1" "$(kubectl get job ok -n "$ns" -o jsonpath='{.status.succeeded}')"
	assert_eq "kwok-node-0" "$(kubectl get pods -n "$ns" -l job-name=ok -o jsonpath='{.items[0].spec.nodeName}')"
}

test_a_job_marked_to_fail_fails_with_its_exit_code_and_message() {
	local ns state
	ns=$(new_namespace job-fail)
	apply_yaml "$ns" >/dev/null <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: bad}
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations:
        sim.hyperfleet.io/outcome: fail
        sim.hyperfleet.io/exit-code: "3"
        sim.hyperfleet.io/message: "GCP quota exceeded for resource: CPUS"
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
YAML
	kubectl wait -n "$ns" --for=condition=Failed job/bad --timeout=60s >/dev/null
	assert_eq "BackoffLimitExceeded" "$(kubectl get job bad -n "$ns" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}')"
	state=$(kubectl get pods -n "$ns" -l job-name=bad -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated}')
	assert_contains "$state" '"exitCode":3'
	assert_contains "$state" '"message":"GCP quota exceeded for resource: CPUS"'
}

test_a_job_pod_runs_for_the_requested_duration() {
	local ns started finished
	ns=$(new_namespace job-slow)
	apply_yaml "$ns" >/dev/null <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: slow}
spec:
  template:
    metadata:
      annotations: {sim.hyperfleet.io/duration: 2s}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
YAML
	wait_for 30 "the pod to run" bash -c "kubectl get pods -n $ns -l job-name=slow -o jsonpath='{.items[0].status.phase}' | grep -qx Running"
	assert_eq "" "$(kubectl get job slow -n "$ns" -o jsonpath='{.status.succeeded}')" "succeeded count while running"
	kubectl wait -n "$ns" --for=condition=Complete job/slow --timeout=60s >/dev/null
	started=$(kubectl get job slow -n "$ns" -o jsonpath='{.status.startTime}')
	finished=$(kubectl get job slow -n "$ns" -o jsonpath='{.status.completionTime}')
	[ $(($(date -d "$finished" +%s) - $(date -d "$started" +%s))) -ge 2 ] || fail "the Job took less than 2 s ($started .. $finished)"
}
