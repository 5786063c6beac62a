# Seed 002, the adapter journeys A1-A6, end to end: the simulated GCP
# adapter set (adapters/simulated) runs for real on the test control plane
# (kwok runs the Jobs' pods), and the tests look at what a partner or a
# user sees: the adapters' reports through the REST API
# (.../clusters/{id}/statuses), the cluster's phase, and the adapters'
# Kubernetes objects through kubectl. Failures are chosen with the
# simulated cloud's labels (adapters/simulated/README.md) or made real in
# the control plane (a ResourceQuota, an unreachable admission webhook, a
# manifest the API server rejects).
. "$HF_TOP/tests/lib/journey.sh"

JA_IMAGE=registry.k8s.io/pause:3.10

# ja_conds PATH ADAPTER: ADAPTER's conditions, one "Type=Status/Reason" a
# line in report order.
ja_conds() {
	status_item "$1" "$2" '"\n".join("%s=%s/%s" % (c["type"], c["status"], c.get("reason", "")) for c in s["conditions"])'
}

# ja_jobs SELECTOR: the names of the Jobs of $API_NS that SELECTOR
# matches, sorted, one a line (a line saying so when kubectl fails, so
# that no comparison mistakes it for "no Jobs").
ja_jobs() {
	local out
	out=$(kubectl get jobs -n "$API_NS" -l "$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>&1) ||
		{ echo "kubectl get jobs failed: $out"; return 1; }
	sort <<<"$out" | grep .
}

# ja_kubectl_phase NAME: the PHASE column of `kubectl get hfc NAME`.
ja_kubectl_phase() {
	kubectl get hfc "$1" -n "$API_NS" --no-headers -o custom-columns=PHASE:.status.phase
}

# ja_waiting_msg ADAPTER: what an adapter waiting on ADAPTER at generation
# 1 says while ADAPTER reports Available=False there.
ja_waiting_msg() {
	echo "precondition dependsOn.$1 not met: waiting for adapter $1 to be Available at generation 1 (it reports Available=False at generation 1)"
}

# ja_assert_waiting PATH ADAPTER ON: ADAPTER's report is A3's: it skipped
# its work waiting for ON.
ja_assert_waiting() {
	local msg
	msg=$(ja_waiting_msg "$3")
	assert_eq "Applied=False/PreconditionsNotMet
Available=False/PreconditionsNotMet
Health=True/Healthy" "$(ja_conds "$1" "$2")" "$2's conditions"
	assert_eq "$msg" "$(adapter_cond "$1" "$2" Applied message)" "$2's Applied message"
	assert_eq "$msg" "$(adapter_cond "$1" "$2" Available message)" "$2's Available message"
	assert_eq "1" "$(status_item "$1" "$2" 's["observed_generation"]')" "$2's observed_generation"
	assert_match "$(status_item "$1" "$2" 's["last_report_time"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$' "$2's last_report_time"
}

# ja_all_true PATH ADAPTER...: every condition of every ADAPTER is True,
# at generation 1.
ja_all_true() {
	local path=$1 a
	shift
	for a in "$@"; do
		assert_eq "True" "$(status_item "$path" "$a" 's["observed_generation"] == 1 and len(s["conditions"]) >= 3 and all(c["status"] == "True" for c in s["conditions"])')" \
			"every condition of $a True at generation 1: $(ja_conds "$path" "$a")"
	done
}

# ja_same_operator: the operator that journey_setup started still runs
# (nothing was restarted to recover).
ja_same_operator() {
	kill -0 "$HF_OPERATOR_PID" 2>/dev/null ||
		fail "the operator (pid $HF_OPERATOR_PID) is gone; its log says:
$(grep -m1 -A12 'ERROR: AddressSanitizer' "$HF_OPERATOR_LOG" | grep -v '"level"' || tail -20 "$HF_OPERATOR_LOG")"
}

# ja_wait_ready SECONDS PATH: wait_phase Ready, failing at once (with its
# log) when the operator dies meanwhile.
ja_wait_ready() {
	ja_ready_or_gone() {
		phase_is "$1" Ready || ! kill -0 "$HF_OPERATOR_PID" 2>/dev/null
	}
	wait_for "$1" "$2 to be Ready" ja_ready_or_gone "$2"
	ja_same_operator
	phase_is "$2" Ready || fail "$2 is not Ready: $API_BODY"
}

test_a1_the_validation_adapter_creates_its_job_and_reports_applied_while_it_runs() {
	journey_setup
	local c job created
	# The simulated cloud takes 20 s for each of this cluster's Jobs.
	cluster_create a1-cluster '{"sim.hyperfleet.io/duration":"20s"}'
	c=/clusters/$CLUSTER_ID
	created=$(json 'd["created_time"]')
	# Step 2: HyperFleet creates the resource Not Ready.
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the POST answer"
	# Steps 3-8: the adapter's preconditions hold (it has none), it creates
	# its Job, and reports.
	wait_adapter 30 "$c" validation Available reason JobRunning
	job=validation-job-${CLUSTER_ID:0:8}-g1
	# Success criteria: the workload exists in the adapter's namespace
	# (the cluster's), labelled and annotated for the user to find it.
	assert_eq "$job" "$(ja_jobs hyperfleet.io/adapter=validation)" "the validation Jobs of $API_NS"
	assert_eq "$job" "$(ja_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the Jobs of the cluster"
	assert_eq "validation" "$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.metadata.labels.hyperfleet\.io/adapter}')"
	assert_eq "$CLUSTER_ID" "$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.metadata.labels.hyperfleet\.io/cluster-id}')"
	assert_eq "1" "$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.metadata.annotations.hyperfleet\.io/generation}')"
	assert_eq "1" "$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.status.active}')" "active pods of $job"
	# User sees: /statuses shows Applied True, Available False (the work is
	# in progress), Health True, and when it last reported.
	assert_eq "Applied=True/ResourcesApplied
Available=False/JobRunning
Health=True/Healthy" "$(ja_conds "$c" validation)" "validation's conditions"
	assert_eq "Job $job is running" "$(adapter_cond "$c" validation Available message)"
	assert_eq "1" "$(status_item "$c" validation 's["observed_generation"]')"
	assert_eq "$job" "$(status_item "$c" validation 's["metadata"]["job_name"]')" "the report's job_name"
	local last
	last=$(status_item "$c" validation 's["last_report_time"]')
	assert_match "$last" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$' "last_report_time"
	[[ ! $last < $created ]] || fail "last_report_time $last is before the cluster's creation $created"
	# The resource remains Not Ready until the work completes.
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase while validation runs"
	assert_eq "False" "$(json 'next(x["status"] for x in d["status"]["conditions"] if x["type"] == "ValidationSuccessful")')" "ValidationSuccessful"
	assert_eq "Not Ready" "$(ja_kubectl_phase a1-cluster)" "kubectl get hfc's PHASE"
	# No errors in the adapter's logs.
	assert_eq "0" "$(grep -c '"level":"error"' "$HF_OPERATOR_LOG" || true)" "error lines in the operator's log"
}

test_a2_a_finished_job_makes_the_adapter_available_and_the_cluster_ready() {
	journey_setup
	local c
	# Each Job runs 3 s: long enough to be seen running first.
	cluster_create a2-cluster '{"sim.hyperfleet.io/duration":"3s"}'
	c=/clusters/$CLUSTER_ID
	wait_adapter 30 "$c" validation Available reason JobRunning
	# Step 1-4: the adapter sees its Job complete and reports success.
	wait_adapter 30 "$c" validation Available status True
	assert_eq "Applied=True/ResourcesApplied
Available=True/JobSucceeded
Health=True/Healthy" "$(ja_conds "$c" validation)" "validation's conditions"
	assert_eq "Job validation-job-${CLUSTER_ID:0:8}-g1 succeeded" "$(adapter_cond "$c" validation Available message)"
	assert_eq "a2-cluster-project" "$(status_item "$c" validation 's["data"]["projectID"]')" "validation's data"
	assert_eq "1" "$(kubectl get job "validation-job-${CLUSTER_ID:0:8}-g1" -n "$API_NS" -o jsonpath='{.status.succeeded}')"
	# The other required adapters have just started their 3 s Jobs: one
	# adapter done is not enough.
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase with only validation done"
	# Ready once every required adapter completed.
	ja_wait_ready 60 "$c"
	ja_all_true "$c" validation dns placement pull-secret hypershift
	# Adapter-specific custom conditions and data.
	assert_eq "Applied=True/ResourcesApplied
Available=True/JobSucceeded
Health=True/Healthy
DNSRecordsCreated=True/RecordsCreated" "$(ja_conds "$c" dns)" "dns's conditions"
	assert_eq "api.a2-cluster.example.com., *.apps.a2-cluster.example.com." "$(adapter_cond "$c" dns DNSRecordsCreated message)"
	assert_eq "a2-cluster.example.com." "$(status_item "$c" dns 's["data"]["zone"]')" "dns's data"
	assert_eq "hcp-us-east1-1" "$(status_item "$c" placement 's["data"]["managementCluster"]')" "placement's data"
	assert_eq "https://api.a2-cluster.example.com:6443" "$(status_item "$c" hypershift 's["data"]["apiURL"]')" "hypershift's data"
	api GET "$c"
	assert_eq "True" "$(json 'next(x["status"] for x in d["status"]["conditions"] if x["type"] == "Reconciled")')" "Reconciled"
	assert_eq "True True True True True" "$(json '" ".join(next(x["status"] for x in d["status"]["conditions"] if x["type"] == t) for t in ("ValidationSuccessful", "DnsSuccessful", "PlacementSuccessful", "PullSecretSuccessful", "HypershiftSuccessful"))')"
	assert_eq "Ready" "$(ja_kubectl_phase a2-cluster)" "kubectl get hfc's PHASE"
}

test_a3_adapters_whose_dependencies_are_not_met_report_waiting_and_create_nothing() {
	journey_setup
	local c a
	cluster_create a3-cluster '{"sim.hyperfleet.io/duration":"20s"}'
	c=/clusters/$CLUSTER_ID
	# Validation runs (20 s); dns, placement and pull-secret depend on it,
	# hypershift on them. Each still evaluates, and reports.
	wait_adapter 30 "$c" validation Available reason JobRunning
	for a in dns placement pull-secret; do
		wait_adapter 30 "$c" "$a" Available message "$(ja_waiting_msg validation)"
	done
	wait_adapter 30 "$c" hypershift Available message "$(ja_waiting_msg dns)"
	# The reports prove that each adapter evaluated at generation 1 while
	# validation's Job runs: none created anything.
	for a in dns placement pull-secret; do
		ja_assert_waiting "$c" "$a" validation
	done
	ja_assert_waiting "$c" hypershift dns
	assert_eq "validation-job-${CLUSTER_ID:0:8}-g1" "$(ja_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs while its adapters wait"
	for a in dns placement pull-secret hypershift; do
		assert_eq "" "$(ja_jobs "hyperfleet.io/adapter=$a")" "$a's Jobs"
	done
	# ... and validation was still running all along.
	assert_eq "JobRunning" "$(adapter_cond "$c" validation Available reason)" "validation's Available reason after the checks"
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	# Clear dependency chain: the cluster says whom it waits for.
	assert_eq "Required adapters not reporting Available=True: [dns, hypershift, placement, pull-secret, validation]. Currently reporting: []" \
		"$(json 'next(x["message"] for x in d["status"]["conditions"] if x["type"] == "Reconciled")')"
	# The adapters retry once their dependency is met.
	for a in dns placement pull-secret; do
		wait_adapter 60 "$c" "$a" Applied status True
		assert_eq "$a-job-${CLUSTER_ID:0:8}-g1" "$(ja_jobs "hyperfleet.io/adapter=$a")" "$a's Jobs once validation is done"
	done
	assert_eq "True" "$(adapter_cond "$c" validation Available status)"
}

test_a4_a_job_the_api_server_refuses_reports_health_false_until_the_quota_is_lifted() {
	journey_setup
	local c job expected
	# The platform's namespace quota allows no Job.
	kubectl create quota no-jobs --hard=count/jobs.batch=0 -n "$API_NS" >/dev/null || fail "creating the quota failed"
	# Admission enforces it once the quota controller has computed it.
	wait_for 60 "the quota to be computed" bash -c "[ \"\$(kubectl get quota no-jobs -n $API_NS -o jsonpath='{.status.hard.count/jobs\.batch}')\" = 0 ]"
	cluster_create a4-cluster
	c=/clusters/$CLUSTER_ID
	job=validation-job-${CLUSTER_ID:0:8}-g1
	wait_adapter 60 "$c" validation Health status False
	# What the API server answers anyone creating that Job.
	expected=$(kubectl create job "$job" --image="$JA_IMAGE" -n "$API_NS" --dry-run=server 2>&1 | sed 's/^error: failed to create job: //') || true
	assert_contains "$expected" "exceeded quota: no-jobs"
	assert_eq "Applied=False/ApplyFailed
Available=False/JobPending
Health=False/ResourceError" "$(ja_conds "$c" validation)" "validation's conditions"
	assert_eq "$expected" "$(adapter_cond "$c" validation Health message)" "Health message (the API server's)"
	assert_eq "$expected" "$(adapter_cond "$c" validation Applied message)" "Applied message (the API server's)"
	assert_match "$(adapter_cond "$c" validation Health message)" "^jobs\\.batch \"$job\" is forbidden: exceeded quota: no-jobs, requested: count/jobs\\.batch=1, used: count/jobs\\.batch=0, limited: count/jobs\\.batch=0$"
	assert_eq "waiting for job $job to be created" "$(adapter_cond "$c" validation Available message)"
	assert_match "$(status_item "$c" validation 's["last_report_time"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$' "last_report_time"
	assert_eq "" "$(ja_jobs "hyperfleet.io/cluster-id=$CLUSTER_ID")" "the cluster's Jobs"
	# The adapters after it are healthy, waiting: only validation is hit.
	ja_assert_waiting "$c" dns validation
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "Not Ready" "$(ja_kubectl_phase a4-cluster)"
	# The platform team lifts the quota; the engine's retry (with backoff)
	# creates the Job and the pipeline goes on, nothing restarted.
	kubectl delete quota no-jobs -n "$API_NS" >/dev/null || fail "deleting the quota failed"
	ja_wait_ready 60 "$c"
	ja_same_operator
	ja_all_true "$c" validation dns placement pull-secret hypershift
	assert_eq "$job" "$(ja_jobs hyperfleet.io/adapter=validation)"
}

test_a5_a_failed_job_is_a_business_failure_and_the_users_fix_reruns_it() {
	journey_setup
	local c job uid msg
	cluster_create a5-cluster '{"sim.hyperfleet.io/validation":"PermissionDenied"}'
	c=/clusters/$CLUSTER_ID
	job=validation-job-${CLUSTER_ID:0:8}-g1
	# Steps 1-5: the Job was created (Applied), ran and failed: the adapter
	# is healthy, the work failed, and the message says what to do.
	wait_adapter 60 "$c" validation Available reason PermissionDenied
	assert_eq "Applied=True/ResourcesApplied
Available=False/PermissionDenied
Health=True/Healthy
PermissionsGranted=False/PermissionDenied" "$(ja_conds "$c" validation)" "validation's conditions"
	msg="Service account hyperfleet-validation@a5-cluster-project.iam.gserviceaccount.com lacks compute.networks.create permission in GCP project a5-cluster-project. Grant it roles/compute.networkAdmin, then update the cluster to retry."
	assert_eq "$msg" "$(adapter_cond "$c" validation Available message)" "Available message"
	assert_eq "missing compute.networks.create" "$(adapter_cond "$c" validation PermissionsGranted message)"
	assert_eq "True" "$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}')" "the Job's Failed condition"
	uid=$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.metadata.uid}')
	ja_assert_waiting "$c" dns validation
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "False PermissionDenied" "$(json 'next("%s %s" % (x["status"], x["reason"]) for x in d["status"]["conditions"] if x["type"] == "ValidationSuccessful")')"
	assert_eq "$msg" "$(json 'next(x["message"] for x in d["status"]["conditions"] if x["type"] == "ValidationSuccessful")')" "ValidationSuccessful message"
	# Troubleshooting: the user updates the resource (the permission is
	# granted: the simulated cloud's label goes); the adapter retries with
	# a new Job and the pipeline completes.
	api PATCH "$c" '{"labels":{}}'
	expect_status 200
	ja_new_job() {
		local u
		u=$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.metadata.uid}') && [ -n "$u" ] && [ "$u" != "$uid" ]
	}
	wait_for 60 "a new validation Job" ja_new_job
	ja_wait_ready 60 "$c"
	ja_same_operator
	ja_all_true "$c" validation dns placement pull-secret hypershift
	assert_eq "1" "$(kubectl get job "$job" -n "$API_NS" -o jsonpath='{.status.succeeded}')" "the new Job's succeeded pods"
}

# ja_cleanup_webhook: api_cleanup, and the test's webhook configuration.
ja_cleanup_webhook() {
	kubectl delete validatingwebhookconfiguration "$API_NS-jobs-gate" --ignore-not-found >/dev/null 2>&1 || true
	api_cleanup
}

# A6 (an unreachable service): the seed's health errors are the platform
# failing under the adapter ("Cannot connect", "service unavailable",
# "network partition"). Here that is real: the platform guards Job
# creation in the namespace with an admission webhook whose service is
# down (nothing listens on its address), so the API server cannot admit
# the adapters' Jobs and answers with its connection error. It strikes
# the stage after validation, so three adapters show the same error at
# once, as a widespread outage would.
test_a6_an_unreachable_platform_service_reports_health_false_on_every_adapter_it_hits() {
	journey_setup
	trap ja_cleanup_webhook EXIT
	local c a expected custom
	kubectl apply -f - >/dev/null <<YAML || fail "applying the webhook configuration failed"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: $API_NS-jobs-gate}
webhooks:
  - name: jobs-gate.hyperfleet-test.io
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    timeoutSeconds: 5
    clientConfig: {url: "https://127.0.0.1:1/validate"}
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $API_NS}}
    objectSelector:
      matchExpressions: [{key: hyperfleet.io/adapter, operator: In, values: [dns, placement, pull-secret]}]
    rules: [{apiGroups: [batch], apiVersions: [v1], operations: [CREATE], resources: [jobs], scope: Namespaced}]
YAML
	cluster_create a6-cluster
	c=/clusters/$CLUSTER_ID
	expected='Internal error occurred: failed calling webhook "jobs-gate.hyperfleet-test.io": failed to call webhook: Post "https://127.0.0.1:1/validate?timeout=5s": dial tcp 127.0.0.1:1: connect: connection refused'
	for a in dns placement pull-secret; do
		wait_adapter 60 "$c" "$a" Health status False
	done
	for a in dns placement pull-secret; do
		custom=""
		[ "$a" != dns ] || custom=$'\nDNSRecordsCreated=False/RecordsPending'
		assert_eq "Applied=False/ApplyFailed
Available=False/JobPending
Health=False/ResourceError$custom" "$(ja_conds "$c" "$a")" "$a's conditions"
		assert_eq "$expected" "$(adapter_cond "$c" "$a" Health message)" "$a's Health message"
		assert_eq "$expected" "$(adapter_cond "$c" "$a" Applied message)" "$a's Applied message"
		assert_eq "" "$(ja_jobs "hyperfleet.io/adapter=$a")" "$a's Jobs"
	done
	# Distinguishable from business failures: validation succeeded, and
	# hypershift waits, healthy.
	assert_eq "True" "$(adapter_cond "$c" validation Available status)"
	assert_eq "True" "$(adapter_cond "$c" validation Health status)"
	assert_eq "Applied=False/PreconditionsNotMet
Available=False/PreconditionsNotMet
Health=True/Healthy" "$(ja_conds "$c" hypershift)" "hypershift's conditions"
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	# The platform team brings the service back (here: removes the gate);
	# the adapters recover by themselves.
	kubectl delete validatingwebhookconfiguration "$API_NS-jobs-gate" >/dev/null || fail "deleting the webhook configuration failed"
	ja_wait_ready 60 "$c"
	ja_same_operator
	ja_all_true "$c" validation dns placement pull-secret hypershift
}

# A6 (an object the API server rejects): a partner's adapter whose Job
# manifest the API server finds invalid fails in the adapter machinery,
# not in the cloud: Health=False with the API server's exact error, the
# resource stuck Not Ready; the simulated pipeline is unaffected.
test_a6_a_manifest_the_api_server_rejects_reports_health_false_with_its_error() {
	journey_setup
	local c job
	kubectl apply -f - >/dev/null <<'YAML' || fail "applying t-invalid failed"
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: t-invalid, labels: {hyperfleet-test: "true"}}
spec:
  target: Cluster
  required: true
  resources:
    - name: job
      manifest:
        apiVersion: batch/v1
        kind: Job
        spec:
          backoffLimit: -1
          template:
            spec:
              restartPolicy: Never
              containers: [{name: main, image: registry.k8s.io/pause:3.10}]
YAML
	wait_for 30 "t-invalid to be accepted" bash -c '[ "$(kubectl get adapter t-invalid -o jsonpath="{.status.conditions[?(@.type==\"Accepted\")].status}")" = True ]'
	cluster_create a6-invalid
	c=/clusters/$CLUSTER_ID
	job=t-invalid-job-${CLUSTER_ID:0:8}-g1
	wait_adapter 60 "$c" t-invalid Health status False
	assert_eq "Applied=False/ApplyFailed
Available=False/JobPending
Health=False/ResourceError" "$(ja_conds "$c" t-invalid)" "t-invalid's conditions"
	assert_eq "Job.batch \"$job\" is invalid: spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0" \
		"$(adapter_cond "$c" t-invalid Health message)" "Health message (the API server's)"
	assert_eq "" "$(ja_jobs hyperfleet.io/adapter=t-invalid)"
	# The rest of the pipeline completes; the cluster waits for t-invalid.
	wait_adapter 60 "$c" hypershift Available status True
	api GET "$c"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "Required adapters not reporting Available=True: [t-invalid]. Currently reporting: [dns, hypershift, placement, pull-secret, validation]" \
		"$(json 'next(x["message"] for x in d["status"]["conditions"] if x["type"] == "Reconciled")')"
	assert_eq "False" "$(json 'next(x["status"] for x in d["status"]["conditions"] if x["type"] == "TInvalidSuccessful")')" "TInvalidSuccessful"
	# The partner corrects the manifest: the adapter runs its Job.
	kubectl patch adapter t-invalid --type=json -p '[{"op":"replace","path":"/spec/resources/0/manifest/spec/backoffLimit","value":0}]' >/dev/null || fail "patching t-invalid failed"
	ja_wait_ready 60 "$c"
	assert_eq "True" "$(adapter_cond "$c" t-invalid Health status)"
	assert_eq "$job" "$(ja_jobs hyperfleet.io/adapter=t-invalid)"
}
