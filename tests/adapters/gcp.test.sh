# shellcheck shell=bash
# The shipped GCP adapters (adapters/gcp/). Two kinds of tests:
#  * what each adapter renders and reports, through `hyperfleet adapter
#    dry-run` on the fixtures (tests/adapters/fixtures/): the Jobs, the
#    dependsOn order, the preconditions, and for each failure reason a failed
#    Job whose termination message (fixtures/results/) gives the conditions
#    the seed journeys show;
#  * what each Job's bash script does: it is taken from the rendered Job and
#    run with the Job's env against stub gcloud, kubectl, curl and getent,
#    and the result it writes is fed back to dry-run.
FIX=$HF_TOP/tests/adapters/fixtures
GCP=$HF_TOP/adapters/gcp
NOW=2026-11-22T04:05:00Z
UID8=3f2a9c71
DRY_ENV=()

# tmp: a directory for this test ($T), removed when it ends, with bin/ for
# the stubs (sleep is one: the scripts' waits take no time).
tmp() {
	T=$(mktemp -d)
	trap 'rm -rf "$T"' EXIT
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nexit 0\n' >"$T/bin/sleep"
	chmod +x "$T/bin/sleep"
}

# dry ADAPTER RESOURCE [ARGS...]: the dry-run's JSON. The caller's
# HYPERFLEET_ENV_* variables are dropped; DRY_ENV=(NAME=VALUE...) adds some.
dry() {
	local adapter=$1 resource=$2 v
	shift 2
	local -a drop=()
	for v in $(compgen -e | grep '^HYPERFLEET_ENV_' || true); do
		drop+=(-u "$v")
	done
	env "${drop[@]}" "${DRY_ENV[@]}" "$HF_BIN" adapter dry-run --adapter "$GCP/$adapter.yaml" \
		--resource "$FIX/$resource" --now "$NOW" --output json "$@"
}

# cond JSON TYPE [FIELD]: a field (default status) of a condition of the report.
cond() {
	jq -r --arg t "$2" --arg f "${3:-status}" '.report.conditions[] | select(.type == $t) | .[$f]' <<<"$1"
}

# conds JSON: the report's conditions as "Type=Status/Reason" lines.
conds() { jq -r '.report.conditions[] | "\(.type)=\(.status)/\(.reason)"' <<<"$1"; }

# obj JSON RESOURCE JQ: a jq expression on the rendered object of a resource.
obj() { jq -r --arg r "$2" ".objects[] | select(.resource == \$r) | $3" <<<"$1"; }

# envv JSON RESOURCE NAME: an env value of the resource's (a Job's) container.
envv() {
	obj "$1" "$2" ".manifest.spec.template.spec.containers[0].env[] | select(.name == \"$3\") | .value"
}

# observed RESOURCE JOB STATE [RESULT]: writes $T/observed.json, where the
# resource's Job exists in STATE (running, succeeded, failed, deadline)
# and its pod left termination message RESULT (a file of fixtures/results/
# or an absolute path).
observed() {
	local res=$1 name=$2 state=$3 result=${4:-} tm=""
	if [ -n "$result" ]; then
		[[ $result == /* ]] || result=$FIX/results/$result
		tm=$(cat "$result")
	fi
	jq -n --arg res "$res" --arg name "$name" --arg state "$state" --arg tm "$tm" '
	  {failed: {failed: 1, conditions: [{type: "Failed", status: "True", reason: "BackoffLimitExceeded",
	             message: "Job has reached the specified backoff limit"}]},
	   deadline: {failed: 1, conditions: [{type: "Failed", status: "True", reason: "DeadlineExceeded",
	             message: "Job was active longer than specified deadline"}]},
	   succeeded: {succeeded: 1, conditions: [{type: "Complete", status: "True"}]},
	   running: {active: 1}}[$state] + {startTime: "2026-11-22T04:00:00Z"}
	  | {($res): ({object: {apiVersion: "batch/v1", kind: "Job",
	                        metadata: {name: $name, namespace: "hyperfleet-adapters"}, status: .}}
	             + (if $tm == "" then {} else {terminationMessage: $tm} end))}' >"$T/observed.json"
}

# finished ADAPTER RESOURCE STATE RESULT [ARGS...]: the dry-run once the
# adapter's Job ended in STATE with termination message RESULT.
finished() {
	local adapter=$1 resource=$2 state=$3 result=$4 name
	shift 4
	name=$(obj "$(dry "$adapter" "$resource" "$@")" job .name)
	observed job "$name" "$state" "$result"
	dry "$adapter" "$resource" --observed "$T/observed.json" "$@"
}

# extract JSON [RESOURCE]: the script and env of the resource's (default
# job) rendered Job, into $T/script.sh and $T/env.list.
extract() {
	local r=${2:-job}
	obj "$1" "$r" '.manifest.spec.template.spec.containers[0].args[0]' >"$T/script.sh"
	obj "$1" "$r" '.manifest.spec.template.spec.containers[0].env[] | "\(.name)=\(.value)"' >"$T/env.list"
}

# run_job [NAME=VALUE...]: runs the extracted script with its Job's env (and
# the given overrides), the stubs first on PATH. Sets RC and RESULT (what it
# wrote to its termination log); its log is $T/job.log.
run_job() {
	local -a envs
	mapfile -t envs <"$T/env.list"
	RC=0
	env -i PATH="$T/bin:$PATH" "${envs[@]}" HOME="$T" RESULT_FILE="$T/result.json" "$@" \
		bash "$T/script.sh" >"$T/job.log" 2>&1 || RC=$?
	RESULT=$(cat "$T/result.json" 2>/dev/null || true)
}

# stub NAME: a command on the Job's PATH, its bash body on stdin (it sees
# its arguments as "$@"); every call is logged to $T/calls.
stub() {
	{
		printf '#!/usr/bin/env bash\nprintf "%%s %%s\\n" %q "$*" >>%q\n' "$1" "$T/calls"
		cat
	} >"$T/bin/$1"
	chmod +x "$T/bin/$1"
}

# rjq JQ: a jq expression on RESULT.
rjq() { jq -r "$1" <<<"$RESULT"; }

# result_cond TYPE [FIELD]: a field (default status) of a condition of RESULT.
result_cond() { rjq ".conditions[] | select(.type == \"$1\") | .${2:-status}"; }

# A gcloud that answers the validation script's calls as a healthy project would.
validation_gcloud() {
	cat <<'EOF'
case "$*" in
"config get-value account") echo hf-validation@hf-host.iam.gserviceaccount.com ;;
"projects describe"*) printf '123456789012\tACTIVE\n' ;;
"services list"*) printf '%s\n' compute.googleapis.com dns.googleapis.com secretmanager.googleapis.com iam.googleapis.com cloudresourcemanager.googleapis.com ;;
"compute networks describe"*) echo prod-vpc ;;
"auth print-access-token"*) echo token-for-"${3#--impersonate-service-account=}" ;;
"compute regions describe"*) printf 'CPUS,24.0,4.0\nSTATIC_ADDRESSES,8.0,1.0\nIN_USE_ADDRESSES,8.0,2.0\n' ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
}

# granting_curl [PERMISSION]: a curl for testIamPermissions that grants
# every permission asked but PERMISSION.
granting_curl() {
	printf 'deny=%q\n' "${1:-}"
	cat <<'EOF'
out= data=
while [ $# -gt 0 ]; do
	case $1 in -o) out=$2; shift ;; --data) data=$2; shift ;; esac
	shift
done
[ -z "$deny" ] || data=${data//\"$deny\"/}
printf '%s' "$data" >"$out"
printf 200
EOF
}

# --- the configs -----------------------------------------------------------

test_every_adapter_passes_lint() {
	local out
	out=$("$HF_BIN" adapter lint "$GCP"/*.yaml)
	assert_eq 7 "$(grep -c ': ok$' <<<"$out")" "adapters accepted by lint"
}

test_the_seven_adapters_are_required_and_declare_the_pipeline_order() {
	local a
	for a in validation dns placement pull-secret hypershift nodepool-validation nodepool; do
		[ -f "$GCP/$a.yaml" ] || fail "adapters/gcp/$a.yaml is missing"
		grep -q '^  required: true$' "$GCP/$a.yaml" || fail "$a is not required"
		grep -q "^  name: $a\$" "$GCP/$a.yaml" || fail "$a.yaml does not define adapter $a"
	done
	for a in validation dns placement pull-secret hypershift; do
		grep -q '^  target: Cluster$' "$GCP/$a.yaml" || fail "$a does not target Cluster"
	done
	for a in nodepool-validation nodepool; do
		grep -q '^  target: NodePool$' "$GCP/$a.yaml" || fail "$a does not target NodePool"
	done
	if grep -q dependsOn "$GCP/validation.yaml" "$GCP/nodepool-validation.yaml"; then
		fail "the first steps depend on nothing"
	fi
	for a in dns placement pull-secret; do
		grep -q '^  dependsOn: \[validation\]$' "$GCP/$a.yaml" || fail "$a does not depend on validation"
	done
	grep -q '^  dependsOn: \[dns, placement, pull-secret\]$' "$GCP/hypershift.yaml" || fail "hypershift's dependsOn"
	grep -q '^  dependsOn: \[nodepool-validation\]$' "$GCP/nodepool.yaml" || fail "nodepool's dependsOn"
}

test_no_job_sets_a_ttl_the_engine_would_lose_results_to() {
	if grep -n ttlSecondsAfterFinished "$GCP"/*.yaml; then
		fail "a Job sets ttlSecondsAfterFinished"
	fi
}

# --- rendering ------------------------------------------------------------

test_validation_renders_a_gcloud_job_for_the_project_and_region() {
	local out
	out=$(dry validation cluster.yaml)
	assert_eq "create" "$(obj "$out" job .action)"
	assert_eq "validation-job-$UID8-g1" "$(obj "$out" job .name)"
	assert_eq "hyperfleet-adapters" "$(obj "$out" job .manifest.metadata.namespace)"
	assert_eq "gcr.io/google.com/cloudsdktool/google-cloud-cli:slim" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].image')"
	assert_eq '["/bin/bash","-c"]' "$(obj "$out" job '.manifest.spec.template.spec.containers[0].command | tojson')"
	assert_eq "hyperfleet-validation" "$(obj "$out" job .manifest.spec.template.spec.serviceAccountName)"
	assert_eq "acme-prod" "$(envv "$out" job PROJECT_ID)"
	assert_eq "us-east1" "$(envv "$out" job REGION)"
	assert_eq "prod-vpc" "$(envv "$out" job NETWORK)"
	assert_contains "$(envv "$out" job REQUIRED_APIS)" "dns.googleapis.com"
	assert_eq "hyperfleet-adapters/hyperfleet-validation" "$(envv "$out" job KSA)"
	assert_eq "False" "$(cond "$out" Applied)"
	assert_eq "JobPending" "$(cond "$out" Available reason)"
	assert_eq "acme-prod" "$(jq -r .report.data.projectID <<<"$out")"
}

test_every_job_runs_once_in_the_adapters_namespace_as_its_service_account() {
	local a res out deadline
	DRY_ENV=(HYPERFLEET_ENV_MANAGEMENT_PROJECT=hf-management)
	for a in validation:cluster.yaml dns:cluster.yaml placement:cluster.yaml pull-secret:cluster.yaml \
		hypershift:cluster.yaml nodepool-validation:nodepool.yaml nodepool:nodepool.yaml; do
		res=${a#*:}
		a=${a%%:*}
		out=$(dry "$a" "$res" --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-prerequisites.yaml")
		if [ "$a" = nodepool ]; then
			out=$(dry "$a" "$res" --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
		fi
		assert_eq "create" "$(obj "$out" job .action)" "$a: the Job's action"
		assert_eq "hyperfleet-adapters" "$(obj "$out" job .manifest.metadata.namespace)" "$a: namespace"
		assert_eq "0" "$(obj "$out" job .manifest.spec.backoffLimit)" "$a: backoffLimit"
		assert_eq "Never" "$(obj "$out" job .manifest.spec.template.spec.restartPolicy)" "$a: restartPolicy"
		assert_eq "hyperfleet-$a" "$(obj "$out" job .manifest.spec.template.spec.serviceAccountName)" "$a: service account"
		assert_eq "null" "$(obj "$out" job .manifest.spec.ttlSecondsAfterFinished)" "$a: ttl"
		deadline=$(obj "$out" job .manifest.spec.activeDeadlineSeconds)
		[ "$deadline" -gt 0 ] 2>/dev/null || fail "$a: no activeDeadlineSeconds"
		assert_eq "true" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem')" "$a: read-only root"
		assert_eq "FallbackToLogsOnError" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].terminationMessagePolicy')" "$a"
		grep -q 'recreateOnChange: true' "$GCP/$a.yaml" || fail "$a: Jobs are not recreated on change"
		assert_eq "acme-prod" "$(envv "$out" job PROJECT_ID)" "$a: the project"
		[ "$a" = nodepool ] || assert_eq "us-east1" "$(envv "$out" job REGION)" "$a: the region"
		assert_eq "/bin/bash -c" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].command | join(" ")')" "$a: command"
		assert_eq "1" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].args | length')" "$a: the script"
	done
}

test_the_images_are_overridable_by_the_operators_env() {
	local out
	DRY_ENV=(HYPERFLEET_ENV_GCLOUD_IMAGE=registry.example.com/gcloud:1 HYPERFLEET_ENV_KUBECTL_IMAGE=registry.example.com/kubectl:2)
	out=$(dry validation cluster.yaml)
	assert_eq "registry.example.com/gcloud:1" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].image')"
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "registry.example.com/kubectl:2" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].image')"
	DRY_ENV=()
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "gcr.io/google.com/cloudsdktool/google-cloud-cli:latest" "$(obj "$out" job '.manifest.spec.template.spec.containers[0].image')"
}

test_a_cluster_of_another_provider_is_left_alone() {
	local out a
	for a in validation dns placement pull-secret hypershift; do
		out=$(dry "$a" cluster-aws.yaml --reports "$FIX/reports-prerequisites.yaml")
		assert_eq "0" "$(jq '.objects | length' <<<"$out")" "$a: objects"
		assert_eq "Applied=False/PreconditionsNotMet Available=False/PreconditionsNotMet Health=True/Healthy" \
			"$(conds "$out" | tr '\n' ' ' | sed 's/ $//')" "$a: conditions"
	done
	out=$(dry validation cluster-aws.yaml)
	assert_contains "$(cond "$out" Available message)" "precondition gcpProvider not met: cluster west has provider 'aws': the GCP adapters only handle provider gcp"
}

test_a_cluster_without_project_id_is_told_how_to_set_it() {
	local out
	out=$(dry validation cluster-no-project.yaml)
	assert_eq "PreconditionsNotMet" "$(cond "$out" Available reason)"
	assert_eq "True" "$(cond "$out" Health)"
	assert_contains "$(cond "$out" Available message)" "precondition projectIDSet not met: spec.gcp.projectID is not set on cluster north"
	assert_contains "$(cond "$out" Available message)" "kubectl patch hfc north -n team-a"
}

test_dns_placement_and_pull_secret_wait_for_validation() {
	local out a
	for a in dns placement pull-secret; do
		out=$(dry "$a" cluster.yaml)
		assert_eq "0" "$(jq '.objects | length' <<<"$out")" "$a: objects"
		assert_eq "False/PreconditionsNotMet" "$(cond "$out" Applied)/$(cond "$out" Applied reason)" "$a: Applied"
		assert_eq "True" "$(cond "$out" Health)" "$a: Health"
		assert_eq "precondition dependsOn.validation not met: waiting for adapter validation: it has not reported yet" \
			"$(cond "$out" Available message)" "$a: message"
		out=$(dry "$a" cluster.yaml --reports "$FIX/reports-validation-failed.yaml")
		assert_eq "precondition dependsOn.validation not met: waiting for adapter validation to be Available at generation 1 (it reports Available=False at generation 1)" \
			"$(cond "$out" Available message)" "$a: message"
		out=$(dry "$a" cluster-gen2.yaml --reports "$FIX/reports-validated.yaml")
		assert_contains "$(cond "$out" Available message)" "waiting for adapter validation to be Available at generation 2 (it reports Available=True at generation 1)"
	done
	for a in dns placement pull-secret; do
		out=$(dry "$a" cluster.yaml --reports "$FIX/reports-validated.yaml")
		assert_eq "create" "$(obj "$out" job .action)" "$a once validation is Available"
	done
}

test_hypershift_waits_for_dns_placement_and_pull_secret() {
	local out
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-validated.yaml")
	assert_contains "$(cond "$out" Available message)" "precondition dependsOn.dns not met: waiting for adapter dns: it has not reported yet"
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-dns-pending.yaml")
	assert_contains "$(cond "$out" Available message)" "adapter dns"
	assert_contains "$(cond "$out" Available message)" "Available=False"
	assert_eq "0" "$(jq '.objects | length' <<<"$out")"
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "create" "$(obj "$out" job .action)"
}

test_dns_renders_the_zone_and_records_of_the_base_domain() {
	local out
	out=$(dry dns cluster.yaml --reports "$FIX/reports-validated.yaml")
	assert_eq "example.com" "$(envv "$out" job BASE_DOMAIN)"
	assert_eq "acme-prod" "$(envv "$out" job DNS_PROJECT)"
	assert_eq "acme-prod" "$(envv "$out" job PROJECT_ID)"
	assert_eq "us-east1" "$(envv "$out" job REGION)"
	assert_eq "hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab" "$(envv "$out" job ZONE_NAME)"
	assert_eq "east" "$(envv "$out" job CLUSTER_NAME)"
}

test_the_base_domain_defaults_to_the_operators_and_is_required() {
	local out
	out=$(dry dns cluster-no-domain.yaml --reports "$FIX/reports-validated.yaml")
	assert_eq "PreconditionsNotMet" "$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "precondition baseDomainSet not met: spec.dns.baseDomain is not set on cluster south"
	DRY_ENV=(HYPERFLEET_ENV_BASE_DOMAIN=clusters.example.net HYPERFLEET_ENV_DNS_PROJECT=hf-dns)
	out=$(dry dns cluster-no-domain.yaml --reports "$FIX/reports-validated.yaml")
	assert_eq "clusters.example.net" "$(envv "$out" job BASE_DOMAIN)"
	assert_eq "hf-dns" "$(envv "$out" job DNS_PROJECT)" "the operator's domain lives in the operator's DNS project"
	out=$(dry dns cluster.yaml --reports "$FIX/reports-validated.yaml")
	assert_eq "example.com" "$(envv "$out" job BASE_DOMAIN)" "the cluster's own domain wins"
	assert_eq "acme-prod" "$(envv "$out" job DNS_PROJECT)" "the cluster's own domain lives in its project"
}

test_placement_needs_the_management_project_and_keeps_an_earlier_decision() {
	local out
	DRY_ENV=(HYPERFLEET_ENV_MANAGEMENT_PROJECT=hf-management)
	out=$(dry placement cluster.yaml --reports "$FIX/reports-validated.yaml")
	assert_eq "hf-management" "$(envv "$out" job MANAGEMENT_PROJECT)"
	assert_eq "" "$(envv "$out" job PINNED_MANAGEMENT_CLUSTER)"
	out=$(dry placement cluster-gen2.yaml --reports "$FIX/reports-placed-gen1.yaml")
	assert_eq "placement-job-$UID8-g2" "$(obj "$out" job .name)"
	assert_eq "mc-use1-b" "$(envv "$out" job PINNED_MANAGEMENT_CLUSTER)" "generation 2 keeps generation 1's choice"
	assert_eq "mc-use1-b" "$(jq -r .report.data.pinnedManagementCluster <<<"$out")"
	assert_eq "mc-use1-b" "$(jq -r .report.data.managementCluster <<<"$out")" "the decision stays visible while the Job runs"
	# The next evaluation reads that report (at generation 2): same manifest.
	jq '[.report | {adapter, observedGeneration: .observed_generation, conditions, data}] + [{adapter: "validation", observedGeneration: 2, conditions: [{type: "Available", status: "True"}]}]' <<<"$out" >"${TMPDIR:-/tmp}/reports-$$.json"
	local again
	again=$(dry placement cluster-gen2.yaml --reports "${TMPDIR:-/tmp}/reports-$$.json")
	rm -f "${TMPDIR:-/tmp}/reports-$$.json"
	assert_eq "mc-use1-b" "$(envv "$again" job PINNED_MANAGEMENT_CLUSTER)"
	assert_eq "$(obj "$out" job '.manifest.metadata.annotations["hyperfleet.io/manifest-hash"]')" \
		"$(obj "$again" job '.manifest.metadata.annotations["hyperfleet.io/manifest-hash"]')" "the Job's manifest is stable"
}

test_hypershift_targets_the_placed_management_cluster() {
	local out
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "mc-use1-a" "$(envv "$out" job MANAGEMENT_CLUSTER)"
	assert_eq "mc-use1-a-kubeconfig" "$(obj "$out" job '.manifest.spec.template.spec.volumes[] | select(.name == "management-kubeconfig") | .secret.secretName')"
	assert_eq "/var/run/hyperfleet/management/kubeconfig" "$(envv "$out" job KUBECONFIG)"
	assert_eq "east-$UID8" "$(envv "$out" job HC_NAME)"
	assert_eq "clusters" "$(envv "$out" job HC_NAMESPACE)"
	assert_eq "quay.io/openshift-release-dev/ocp-release:4.17.3-x86_64" "$(envv "$out" job RELEASE_IMAGE)"
	assert_eq "hyperfleet-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-pull-secret" "$(envv "$out" job PULL_SECRET_ID)"
	assert_eq "acme-prod" "$(envv "$out" job PROJECT_ID)"
	assert_eq "us-east1" "$(envv "$out" job REGION)"
	assert_eq "34.74.10.1" "$(envv "$out" job API_ADDRESS)"
	assert_eq "hyperfleet-hypershift" "$(obj "$out" job .manifest.spec.template.spec.serviceAccountName)"
}

test_nodepool_validation_waits_for_the_clusters_validation() {
	local out
	out=$(dry nodepool-validation nodepool.yaml --cluster "$FIX/cluster.yaml")
	assert_contains "$(cond "$out" Available message)" "precondition clusterValidated not met: cluster east has not passed validation yet"
	out=$(dry nodepool-validation nodepool.yaml --cluster "$FIX/cluster-not-ready.yaml")
	assert_eq "create" "$(obj "$out" job .action)"
	assert_eq "nodepool-validation-job-c0ffee01-g1" "$(obj "$out" job .name)"
	assert_eq "n1-standard-4" "$(envv "$out" job MACHINE_TYPE)"
	assert_eq "5" "$(envv "$out" job NODE_COUNT)"
	assert_eq "us-east1" "$(envv "$out" job REGION)"
	assert_eq "acme-prod" "$(envv "$out" job PROJECT_ID)"
}

test_nodepool_waits_for_its_validation_and_for_a_ready_cluster() {
	local out
	out=$(dry nodepool nodepool.yaml --cluster "$FIX/cluster-ready.yaml")
	assert_contains "$(cond "$out" Available message)" "precondition dependsOn.nodepool-validation not met: waiting for adapter nodepool-validation"
	out=$(dry nodepool nodepool.yaml --cluster "$FIX/cluster-not-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
	assert_eq "PreconditionsNotMet" "$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "precondition clusterReady not met: cluster east is not Ready yet"
	out=$(dry nodepool nodepool.yaml --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
	assert_eq "create" "$(obj "$out" job .action)"
	assert_eq "mc-use1-a" "$(envv "$out" job MANAGEMENT_CLUSTER)"
	assert_eq "east-$UID8" "$(envv "$out" job HC_NAME)" "the HostedCluster the hypershift adapter names"
	assert_eq "east-$UID8-workers" "$(envv "$out" job NP_NAME)"
	assert_eq "us-east1-c" "$(envv "$out" job ZONE)" "the zone nodepool-validation chose"
	assert_eq "5" "$(envv "$out" job NODE_COUNT)"
	assert_eq "mc-use1-a-kubeconfig" "$(obj "$out" job '.manifest.spec.template.spec.volumes[] | select(.name == "management-kubeconfig") | .secret.secretName')"
}

# --- failures, as the seed journeys show them -------------------------------

test_validation_permission_denied_names_the_permission_and_account() {
	tmp
	local out
	out=$(finished validation cluster.yaml failed validation-permission-denied.json)
	assert_eq "True False PermissionDenied True" "$(cond "$out" Applied) $(cond "$out" Available) $(cond "$out" Available reason) $(cond "$out" Health)"
	assert_contains "$(cond "$out" Available message)" "lacks dns.managedZones.create"
	assert_contains "$(cond "$out" Available message)" "hf-dns@hf-host.iam.gserviceaccount.com"
	assert_eq "False" "$(cond "$out" PermissionsGranted)"
	assert_eq "123456789012" "$(jq -r .report.data.projectNumber <<<"$out")"
}

test_validation_api_not_enabled_and_quota_exceeded() {
	tmp
	local out
	out=$(finished validation cluster.yaml failed validation-api-not-enabled.json)
	assert_eq "APINotEnabled" "$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "gcloud services enable dns.googleapis.com"
	assert_eq "False" "$(cond "$out" APIsEnabled)"
	assert_eq "True" "$(cond "$out" Health)"
	out=$(finished validation cluster.yaml failed validation-quota-exceeded.json)
	assert_eq "QuotaExceeded" "$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "GCP quota exceeded for resource CPUS in region us-east1"
	assert_contains "$(cond "$out" Available message)" "100 of 100 used"
	assert_contains "$(cond "$out" Available message)" "Request an increase at"
}

test_validation_success_reports_its_checks() {
	tmp
	local out
	out=$(finished validation cluster.yaml succeeded validation-passed.json)
	assert_eq "True/ValidationPassed" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "True" "$(cond "$out" QuotaAvailable)"
	assert_eq "True" "$(cond "$out" PermissionsGranted)"
}

test_dns_zone_not_found_is_unavailable_and_unhealthy() {
	tmp
	local out
	out=$(finished dns cluster.yaml failed dns-zone-not-found.json --reports "$FIX/reports-validated.yaml")
	assert_eq "True" "$(cond "$out" Applied)"
	assert_eq "False/DNSZoneNotFound" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "False/DNSZoneNotFound" "$(cond "$out" Health)/$(cond "$out" Health reason)"
	assert_contains "$(cond "$out" Available message)" "Cloud DNS zone not found for domain example.com"
	assert_contains "$(cond "$out" Available message)" "Please create the zone"
	assert_contains "$(cond "$out" Available message)" "spec.dns.baseDomain"
}

test_dns_records_that_do_not_resolve_stay_available_but_unhealthy() {
	tmp
	local out
	out=$(finished dns cluster.yaml succeeded dns-health-check-failed.json --reports "$FIX/reports-validated.yaml")
	assert_eq "True True" "$(cond "$out" Applied) $(cond "$out" Available)"
	assert_eq "False/HealthCheckFailed" "$(cond "$out" Health)/$(cond "$out" Health reason)"
	assert_contains "$(cond "$out" Health message)" "DNS records exist but health check failing"
	assert_eq "True" "$(cond "$out" DNSRecordsCreated)"
	assert_eq '["api.east.example.com","*.apps.east.example.com"]' "$(jq -c .report.data.records <<<"$out")"
	assert_eq "34.74.10.1" "$(jq -r .report.data.apiAddress <<<"$out")"
	out=$(finished dns cluster.yaml succeeded dns-records-created.json --reports "$FIX/reports-validated.yaml")
	assert_eq "True True True" "$(cond "$out" Applied) $(cond "$out" Available) $(cond "$out" Health)"
	assert_eq "hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab" "$(jq -r .report.data.zone <<<"$out")"
}

test_placement_reports_no_capacity_or_its_decision() {
	tmp
	local out
	DRY_ENV=(HYPERFLEET_ENV_MANAGEMENT_PROJECT=hf-management)
	out=$(finished placement cluster.yaml failed placement-no-capacity.json --reports "$FIX/reports-validated.yaml")
	assert_eq "False/NoCapacity" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "No management cluster with capacity in region us-east1"
	assert_eq "" "$(jq -r .report.data.managementCluster <<<"$out")"
	out=$(finished placement cluster.yaml succeeded placement-placed.json --reports "$FIX/reports-validated.yaml")
	assert_eq "True/Placed" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "mc-use1-a" "$(jq -r .report.data.managementCluster <<<"$out")"
	assert_eq "us-east1" "$(jq -r .report.data.region <<<"$out")"
	assert_eq "hf-management" "$(jq -r .report.data.managementProject <<<"$out")"
}

test_pull_secret_missing_is_an_unhealthy_setup_error() {
	tmp
	local out
	out=$(finished pull-secret cluster.yaml failed pull-secret-not-found.json --reports "$FIX/reports-validated.yaml")
	assert_eq "False/PullSecretNotFound" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "False" "$(cond "$out" Health)"
	assert_contains "$(cond "$out" Available message)" "kubectl create secret generic hyperfleet-pull-secret -n hyperfleet-adapters"
}

test_hypershift_timeout_is_not_applied_and_not_available() {
	tmp
	local out
	out=$(finished hypershift cluster.yaml failed hypershift-timeout.json --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "False/Timeout" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "False/Timeout" "$(cond "$out" Applied)/$(cond "$out" Applied reason)"
	assert_eq "True" "$(cond "$out" Health)"
	assert_contains "$(cond "$out" Available message)" "HostedCluster creation timed out after 25 minutes. Last status: Available=False (WaitingForControlPlane)"
	assert_eq "False" "$(cond "$out" HostedClusterAvailable)"
}

test_hypershift_killed_at_its_deadline_is_a_timeout() {
	tmp
	local out
	out=$(finished hypershift cluster.yaml deadline "" --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "False/Timeout" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "exceeded its deadline"
}

test_hypershift_available_reports_the_api_url_and_unreachable_is_unhealthy() {
	tmp
	local out
	out=$(finished hypershift cluster.yaml succeeded hypershift-available.json --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "True True True" "$(cond "$out" Applied) $(cond "$out" Available) $(cond "$out" Health)"
	assert_eq "https://api.east.example.com:443" "$(jq -r .report.data.apiURL <<<"$out")"
	assert_eq "east-$UID8" "$(jq -r .report.data.hostedCluster <<<"$out")"
	assert_eq "mc-use1-a" "$(jq -r .report.data.managementCluster <<<"$out")"
	assert_eq "True" "$(cond "$out" HostedClusterAvailable)"
	out=$(finished hypershift cluster.yaml failed hypershift-unreachable.json --reports "$FIX/reports-prerequisites.yaml")
	assert_eq "False/ManagementClusterUnreachable" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "False" "$(cond "$out" Health)"
}

test_nodepool_validation_quota_exceeded_says_how_many_cpus() {
	tmp
	local out
	out=$(finished nodepool-validation nodepool.yaml failed nodepool-validation-quota-exceeded.json --cluster "$FIX/cluster-ready.yaml")
	assert_eq "False/QuotaExceeded" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_contains "$(cond "$out" Available message)" "Insufficient quota to provision 5 nodes of type n1-standard-4 in us-east1. Required: 20 CPUs, Available: 10 CPUs"
	assert_eq "20" "$(jq -r .report.data.requiredVCPUs <<<"$out")"
}

test_nodepool_provisioning_failure_and_timeout() {
	tmp
	local out
	out=$(finished nodepool nodepool.yaml failed nodepool-provisioning-failed.json --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
	assert_eq "False/ProvisioningFailed" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "False" "$(cond "$out" Applied)"
	assert_contains "$(cond "$out" Available message)" "Failed to provision node 3 of 5. GCP error: ZONE_RESOURCE_POOL_EXHAUSTED"
	assert_eq "2" "$(jq -r .report.data.readyNodes <<<"$out")"
	out=$(finished nodepool nodepool.yaml failed nodepool-timeout.json --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
	assert_eq "False/Timeout" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "False" "$(cond "$out" Applied)"
	assert_contains "$(cond "$out" Available message)" "NodePool creation timed out after 20 minutes: 4 of 5 nodes ready"
}

# --- deletion ---------------------------------------------------------------

test_deleting_a_cluster_runs_the_teardown_jobs() {
	tmp
	local out a name
	for a in dns pull-secret hypershift; do
		out=$(dry "$a" cluster-deleting.yaml)
		assert_eq "true" "$(jq -r .deleting <<<"$out")" "$a"
		assert_eq "delete" "$(obj "$out" job .action)" "$a: its Jobs go"
		name=$(obj "$out" teardown .name)
		assert_eq "create" "$(obj "$out" teardown .action)" "$a: the teardown Job"
		assert_eq "hyperfleet-adapters" "$(obj "$out" teardown .manifest.metadata.namespace)" "$a"
		assert_eq "hyperfleet-$a" "$(obj "$out" teardown .manifest.spec.template.spec.serviceAccountName)" "$a"
		assert_eq "False" "$(cond "$out" Finalized)" "$a: not finalized before the teardown ran"
		observed teardown "$name" succeeded teardown-deleted.json
		out=$(dry "$a" cluster-deleting.yaml --observed "$T/observed.json")
		assert_eq "True" "$(cond "$out" Finalized)" "$a: finalized once the teardown succeeded"
	done
	out=$(dry hypershift cluster-deleting.yaml)
	assert_eq "mc-use1-a" "$(envv "$out" teardown MANAGEMENT_CLUSTER)"
	observed teardown "$(obj "$out" teardown .name)" failed hypershift-unreachable.json
	out=$(dry hypershift cluster-deleting.yaml --observed "$T/observed.json")
	assert_eq "False/ManagementClusterUnreachable" "$(cond "$out" Finalized)/$(cond "$out" Finalized reason)"
	for a in validation placement; do
		out=$(dry "$a" cluster-deleting.yaml)
		assert_eq "True" "$(cond "$out" Finalized)" "$a has nothing to tear down"
	done
}

test_deleting_a_node_pool_deletes_its_hypershift_nodepool() {
	local out
	out=$(dry nodepool nodepool-deleting.yaml --cluster "$FIX/cluster-ready.yaml")
	assert_eq "create" "$(obj "$out" teardown .action)"
	assert_eq "east-$UID8-workers" "$(envv "$out" teardown NP_NAME)"
	assert_eq "mc-use1-a" "$(envv "$out" teardown MANAGEMENT_CLUSTER)"
	out=$(dry nodepool-validation nodepool-deleting.yaml --cluster "$FIX/cluster-ready.yaml")
	assert_eq "True" "$(cond "$out" Finalized)"
}

# --- the Jobs' scripts --------------------------------------------------------

# every_script: each rendered script, as "adapter/resource" lines, written
# to $T/scripts/<adapter>-<resource>.sh.
every_script() {
	local a res r out
	mkdir -p "$T/scripts"
	DRY_ENV=(HYPERFLEET_ENV_MANAGEMENT_PROJECT=hf-management)
	for a in validation:cluster.yaml dns:cluster.yaml placement:cluster.yaml pull-secret:cluster.yaml \
		hypershift:cluster.yaml nodepool-validation:nodepool.yaml nodepool:nodepool.yaml; do
		res=${a#*:}
		a=${a%%:*}
		out=$(dry "$a" "$res" --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-prerequisites.yaml")
		[ "$a" != nodepool ] || out=$(dry "$a" "$res" --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
		obj "$out" job '.manifest.spec.template.spec.containers[0].args[0]' >"$T/scripts/$a-job.sh"
		echo "$a/job"
		res=${res%.yaml}-deleting.yaml
		[ -f "$FIX/$res" ] || continue
		out=$(dry "$a" "$res" --cluster "$FIX/cluster-ready.yaml")
		for r in $(jq -r '.objects[] | select(.action != "delete") | .resource' <<<"$out"); do
			obj "$out" "$r" '.manifest.spec.template.spec.containers[0].args[0]' >"$T/scripts/$a-$r.sh"
			echo "$a/$r"
		done
	done
}

test_the_scripts_are_valid_bash_and_pass_shellcheck() {
	tmp
	local list f
	list=$(every_script)
	assert_eq 11 "$(grep -c . <<<"$list")" "scripts (7 Jobs and 4 teardowns)"
	for f in "$T"/scripts/*.sh; do
		bash -n "$f" || fail "$(basename "$f") is not valid bash"
		grep -q '^# --- common: end' "$f" || fail "$(basename "$f") lacks the common prelude"
	done
	# hack/deps.sh installs shellcheck. SC2317: functions of the shared
	# prelude a script does not call.
	command -v shellcheck >/dev/null || fail "shellcheck is not installed (make deps)"
	shellcheck -s bash -e SC2317 "$T"/scripts/*.sh || fail "shellcheck"
}

test_the_shared_script_parts_are_identical_everywhere() {
	tmp
	local f first="" part
	every_script >/dev/null
	for part in common kube; do
		first=""
		for f in "$T"/scripts/*.sh; do
			grep -q "^# --- $part: begin" "$f" || continue
			sed -n "/^# --- $part: begin/,/^# --- $part: end/p" "$f" >"$f.$part"
			if [ -z "$first" ]; then
				first=$f.$part
			else
				cmp -s "$first" "$f.$part" || fail "the $part part of $(basename "$f") differs from $(basename "${first%."$part"}"):
$(diff "$first" "$f.$part")"
			fi
		done
		[ -n "$first" ] || fail "no script has a $part part"
	done
}

test_validation_script_passes_a_ready_project_and_the_engine_reports_it() {
	tmp
	local out
	out=$(dry validation cluster.yaml)
	extract "$out"
	validation_gcloud | stub gcloud
	granting_curl | stub curl
	run_job
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "ValidationPassed" "$(rjq .reason)"
	assert_eq "True True True True True" "$(result_cond APIsEnabled) $(result_cond NetworkAvailable) $(result_cond PermissionsGranted) $(result_cond QuotaAvailable) $(result_cond Available)"
	assert_eq "123456789012" "$(rjq .data.projectNumber)"
	# Every adapter's account was checked, each as itself.
	assert_eq 7 "$(grep -c '^gcloud auth print-access-token --impersonate-service-account=hf-' "$T/calls")"
	assert_contains "$(cat "$T/calls")" "hf-nodepool-validation@hf-host.iam.gserviceaccount.com"
	assert_contains "$(cat "$T/calls")" "projects/acme-prod:testIamPermissions"
	observed job "validation-job-$UID8-g1" succeeded "$T/result.json"
	out=$(dry validation cluster.yaml --observed "$T/observed.json")
	assert_eq "True/ValidationPassed" "$(cond "$out" Available)/$(cond "$out" Available reason)"
}

test_validation_script_turns_gcloud_errors_into_reasons() {
	tmp
	extract "$(dry validation cluster.yaml)"
	granting_curl | stub curl
	# A 403 on the API list: the permission and the account are named.
	{
		printf '%s\n' 'case "$*" in "services list"*) echo "ERROR: (gcloud.services.list) PERMISSION_DENIED: Permission denied to list services for consumer container [projects/123456789012]" >&2; exit 1 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq 1 "$RC"
	assert_eq "PermissionDenied" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Service account hf-validation@hf-host.iam.gserviceaccount.com lacks permission serviceusage.services.list in GCP project acme-prod"
	assert_contains "$(rjq .message)" "roles/serviceusage.serviceUsageViewer"
	# A disabled API.
	{
		printf '%s\n' 'case "$*" in "compute networks describe"*) echo "ERROR: (gcloud.compute.networks.describe) Compute Engine API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=123456789012 then retry. [SERVICE_DISABLED]" >&2; exit 1 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq "APINotEnabled" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "gcloud services enable compute.googleapis.com --project acme-prod"
	# An API missing from the enabled list.
	{
		printf '%s\n' 'case "$*" in "services list"*) printf "%s\n" compute.googleapis.com iam.googleapis.com; exit 0 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq "APINotEnabled" "$(rjq .reason)"
	assert_eq "False" "$(result_cond APIsEnabled)"
	assert_contains "$(rjq .message)" "dns.googleapis.com secretmanager.googleapis.com cloudresourcemanager.googleapis.com"
	# No credentials: Workload Identity is broken, which is the platform's problem.
	{
		printf '%s\n' 'case "$*" in "projects describe"*) echo "ERROR: (gcloud.projects.describe) You do not currently have an active account selected." >&2; exit 1 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq "AuthenticationFailed" "$(rjq .reason)"
	assert_eq "False" "$(result_cond Health)"
	assert_contains "$(rjq .message)" "hyperfleet-adapters/hyperfleet-validation"
	# A project that does not exist (or is hidden).
	{
		printf '%s\n' 'case "$*" in "projects describe"*) echo "ERROR: (gcloud.projects.describe) [hf-validation@hf-host.iam.gserviceaccount.com] does not have permission to access projects instance [acme-prod] (or it may not exist)" >&2; exit 1 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq "PermissionDenied" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "GCP project acme-prod does not exist or service account hf-validation@hf-host.iam.gserviceaccount.com lacks resourcemanager.projects.get"
}

test_validation_script_checks_quota_and_the_pipelines_permissions() {
	tmp
	extract "$(dry validation cluster.yaml)"
	granting_curl | stub curl
	{
		printf '%s\n' 'case "$*" in "compute regions describe"*) printf "CPUS,100.0,100.0\nSTATIC_ADDRESSES,8.0,1.0\n"; exit 0 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq "QuotaExceeded" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "GCP quota exceeded for resource CPUS in region us-east1 of project acme-prod: 100 of 100 used, the control plane needs 4 more"
	assert_contains "$(rjq .message)" "https://console.cloud.google.com/iam-admin/quotas?project=acme-prod"
	assert_eq "False" "$(result_cond QuotaAvailable)"
	# The dns adapter's account lacks a permission: testIamPermissions grants
	# all but dns.managedZones.create.
	validation_gcloud | stub gcloud
	granting_curl dns.managedZones.create | stub curl
	run_job
	assert_eq "PermissionDenied" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Service account hf-dns@hf-host.iam.gserviceaccount.com (used by the dns adapter) lacks dns.managedZones.create in GCP project acme-prod"
	assert_contains "$(rjq .message)" "--role roles/dns.admin"
	assert_eq "False" "$(result_cond PermissionsGranted)"
	# The check can be turned off.
	run_job CHECK_PIPELINE_PERMISSIONS=false
	assert_eq "ValidationPassed" "$(rjq .reason)"
	assert_eq "" "$(result_cond PermissionsGranted)"
}

# A gcloud for the dns script: zone example.com exists, nothing else yet;
# creations are remembered in $T/state.
dns_gcloud() {
	cat <<EOF
state=$T/state
EOF
	cat <<'EOF'
touch "$state"
case "$*" in
"dns managed-zones list"*) echo "example-com,example.com.,public"; if grep -q zone "$state"; then echo "hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab,east.example.com.,public"; fi ;;
"dns managed-zones describe"*"value(description)"*) grep -q zone "$state" || { echo "ERROR: NOT_FOUND: The 'parameters.managedZone' resource named 'hf-x' does not exist." >&2; exit 1; }; echo "HyperFleet cluster 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab" ;;
"dns managed-zones describe"*"value(nameServers)"*) echo "ns-cloud-a1.googledomains.com.;ns-cloud-a2.googledomains.com." ;;
"dns managed-zones create"*) echo zone >>"$state" ;;
"dns record-sets describe"*) echo "ERROR: NOT_FOUND: record not found" >&2; exit 1 ;;
"dns record-sets create"*) ;;
"compute addresses describe hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-api"*) grep -q api "$state" || { echo "ERROR: The resource 'projects/acme-prod/regions/us-east1/addresses/x' was not found" >&2; exit 1; }; printf '34.74.10.1\tHyperFleet cluster x\n' ;;
"compute addresses describe hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-apps"*) grep -q apps "$state" || { echo "ERROR: The resource 'projects/acme-prod/regions/us-east1/addresses/x' was not found" >&2; exit 1; }; printf '34.74.10.2\tHyperFleet cluster x\n' ;;
"compute addresses create hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-api"*) echo api >>"$state" ;;
"compute addresses create hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-apps"*) echo apps >>"$state" ;;
"config get-value account") echo hf-dns@hf-host.iam.gserviceaccount.com ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
}

test_dns_script_creates_the_zone_records_and_checks_they_resolve() {
	tmp
	extract "$(dry dns cluster.yaml --reports "$FIX/reports-validated.yaml")"
	dns_gcloud | stub gcloud
	stub getent <<'EOF'
case $2 in api.east.example.com) echo "34.74.10.1 STREAM $2" ;; *.apps.east.example.com) echo "34.74.10.2 STREAM $2" ;; *) exit 2 ;; esac
EOF
	run_job
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "RecordsCreated" "$(rjq .reason)"
	assert_eq "hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab" "$(rjq .data.zone)"
	assert_eq "34.74.10.1" "$(rjq .data.apiAddress)"
	assert_eq '["api.east.example.com","*.apps.east.example.com"]' "$(rjq '.data.records | tojson')"
	assert_eq "True" "$(result_cond DNSRecordsCreated)"
	local calls
	calls=$(cat "$T/calls")
	assert_contains "$calls" "gcloud dns managed-zones create hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab --dns-name east.example.com. --description HyperFleet cluster 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab --visibility public"
	assert_contains "$calls" "gcloud dns record-sets create east.example.com. --type NS --ttl 300 --rrdatas ns-cloud-a1.googledomains.com.,ns-cloud-a2.googledomains.com. --zone example-com --project acme-prod"
	assert_contains "$calls" "gcloud dns record-sets create api.east.example.com. --type A --ttl 300 --rrdatas 34.74.10.1"
	assert_contains "$calls" "gcloud dns record-sets create *.apps.east.example.com. --type A --ttl 300 --rrdatas 34.74.10.2"
	assert_contains "$calls" "gcloud compute addresses create hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-api --region us-east1 --project acme-prod"
	# Names that do not resolve: Available, not Healthy (the Job succeeds).
	rm -f "$T/state"
	stub getent <<<'exit 2'
	run_job
	assert_eq 0 "$RC"
	assert_eq "HealthCheckFailed" "$(rjq .reason)"
	assert_eq "False/HealthCheckFailed" "$(result_cond Health)/$(result_cond Health reason)"
	assert_contains "$(rjq .message)" "DNS records exist but health check failing: api.east.example.com resolves to nothing (expected 34.74.10.1)"
	observed job "dns-job-$UID8-g1" succeeded "$T/result.json"
	local out
	out=$(dry dns cluster.yaml --reports "$FIX/reports-validated.yaml" --observed "$T/observed.json")
	assert_eq "True True False" "$(cond "$out" Applied) $(cond "$out" Available) $(cond "$out" Health)"
}

test_dns_script_reports_a_missing_zone_as_the_seed_does() {
	tmp
	local out
	extract "$(dry dns cluster.yaml --reports "$FIX/reports-validated.yaml")"
	{
		printf '%s\n' 'case "$*" in "dns managed-zones list"*) echo "other-org,other.org.,public"; exit 0 ;; esac'
		dns_gcloud
	} | stub gcloud
	run_job
	assert_eq 1 "$RC"
	assert_eq "DNSZoneNotFound" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Cloud DNS zone not found for domain example.com in GCP project acme-prod. Please create the zone"
	assert_eq "False" "$(result_cond Health)"
	observed job "dns-job-$UID8-g1" failed "$T/result.json"
	out=$(dry dns cluster.yaml --reports "$FIX/reports-validated.yaml" --observed "$T/observed.json")
	assert_eq "True False False" "$(cond "$out" Applied) $(cond "$out" Available) $(cond "$out" Health)"
	assert_eq "DNSZoneNotFound" "$(cond "$out" Available reason)"
	# An address quota: the metric and the region come from GCP's message.
	{
		echo "case \"\$*\" in \"compute addresses create\"*) echo \"ERROR: (gcloud.compute.addresses.create) Could not fetch resource: - Quota 'STATIC_ADDRESSES' exceeded.  Limit: 8.0 in region us-east1.\" >&2; exit 1 ;; esac"
		dns_gcloud
	} | stub gcloud
	rm -f "$T/state"
	run_job
	assert_eq "QuotaExceeded" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Quota 'STATIC_ADDRESSES'"
	assert_contains "$(rjq .message)" "Limit: 8.0 in region us-east1"
}

test_dns_teardown_deletes_only_what_it_created() {
	tmp
	extract "$(dry dns cluster-deleting.yaml)" teardown
	stub gcloud <<'EOF'
case "$*" in
"dns managed-zones describe"*"value(description)"*) echo "HyperFleet cluster 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab" ;;
"dns managed-zones describe"*"value(nameServers)"*) echo "ns1.;ns2." ;;
"dns managed-zones list"*) echo "example-com,example.com.,public" ;;
"dns record-sets describe east.example.com."*) echo "ns1.;ns2." ;;
"dns record-sets list"*) printf 'east.example.com.,NS\neast.example.com.,SOA\napi.east.example.com.,A\n*.apps.east.example.com.,A\n' ;;
"compute addresses describe"*api*) echo "HyperFleet cluster 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab: api of east.example.com" ;;
"compute addresses describe"*apps*) echo "someone else's address" ;;
*delete*) ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
	run_job
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "Deleted" "$(rjq .reason)"
	local deletes
	deletes=$(grep ' delete ' "$T/calls")
	assert_contains "$deletes" "record-sets delete east.example.com. --type NS --zone example-com"
	assert_contains "$deletes" "record-sets delete api.east.example.com. --type A --zone hf-3f2a9c71"
	assert_contains "$deletes" "record-sets delete *.apps.east.example.com. --type A"
	assert_contains "$deletes" "managed-zones delete hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab"
	assert_contains "$deletes" "addresses delete hf-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-api"
	assert_not_contains "$deletes" "SOA"
	assert_not_contains "$deletes" "-apps --region"
}

# A gcloud for the placement script: three management clusters in us-east1.
placement_gcloud() {
	cat <<'EOF'
case "$*" in
"compute regions describe"*) echo UP ;;
"container clusters list"*) printf '%s\n' "mc-use1-a,us-east1,RUNNING,12,,100" "mc-use1-b,us-east1-b,RUNNING,5,," "mc-use1-c,us-east1,RUNNING,2,disabled," "mc-usw1-a,us-west1,RUNNING,1,," ;;
"config get-value account") echo hf-placement@hf-host.iam.gserviceaccount.com ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
}

test_placement_script_picks_the_least_loaded_open_management_cluster() {
	tmp
	DRY_ENV=(HYPERFLEET_ENV_MANAGEMENT_PROJECT=hf-management)
	extract "$(dry placement cluster.yaml --reports "$FIX/reports-validated.yaml")"
	placement_gcloud | stub gcloud
	run_job
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "Placed" "$(rjq .reason)"
	assert_eq "mc-use1-b us-east1-b us-east1 hf-management" "$(rjq '[.data.managementCluster, .data.managementLocation, .data.region, .data.managementProject] | join(" ")')"
	assert_contains "$(cat "$T/calls")" "container clusters list --project hf-management --filter=resourceLabels.hyperfleet_management_cluster=true"
	# An earlier generation's choice is kept even when another is less loaded.
	run_job PINNED_MANAGEMENT_CLUSTER=mc-use1-a
	assert_eq "mc-use1-a" "$(rjq .data.managementCluster)"
	assert_contains "$(rjq .message)" "stays on management cluster mc-use1-a"
	# ... and never silently replaced.
	run_job PINNED_MANAGEMENT_CLUSTER=mc-gone
	assert_eq "ManagementClusterNotFound" "$(rjq .reason)"
	assert_eq "False" "$(result_cond Health)"
}

test_placement_script_reports_no_capacity_and_a_missing_management_project() {
	tmp
	DRY_ENV=(HYPERFLEET_ENV_MANAGEMENT_PROJECT=hf-management)
	extract "$(dry placement cluster.yaml --reports "$FIX/reports-validated.yaml")"
	{
		printf '%s\n' 'case "$*" in "container clusters list"*) printf "%s\n" "mc-use1-a,us-east1,RUNNING,100,,100" "mc-use1-b,us-east1,STOPPING,3,," "mc-usw1-a,us-west1,RUNNING,1,,"; exit 0 ;; esac'
		placement_gcloud
	} | stub gcloud
	run_job
	assert_eq 1 "$RC"
	assert_eq "NoCapacity" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "No management cluster with capacity in region us-east1 (project hf-management): mc-use1-a: full (100 of 100 nodes);mc-use1-b: STOPPING"
	assert_eq "False" "$(result_cond ManagementClusterSelected)"
	run_job MANAGEMENT_PROJECT=
	assert_eq "ConfigurationError" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "HYPERFLEET_ENV_MANAGEMENT_PROJECT"
	assert_eq "False" "$(result_cond Health)"
}

test_pull_secret_script_stores_the_secret_once() {
	tmp
	extract "$(dry pull-secret cluster.yaml --reports "$FIX/reports-validated.yaml")"
	printf '{"auths":{"quay.io":{"auth":"dXNlcjpwYXNz"}}}' >"$T/pull-secret.json"
	stub gcloud <<EOF
state=$T/state
EOF
	cat >>"$T/bin/gcloud" <<'EOF'
touch "$state"
case "$*" in
"secrets describe"*) grep -q created "$state" || { echo "ERROR: NOT_FOUND: Secret [projects/1/secrets/x] not found or has no versions." >&2; exit 1; }; echo 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab ;;
"secrets create"*) echo created >>"$state" ;;
"secrets versions access"*) grep -q added "$state" || { echo "ERROR: NOT_FOUND: Secret Version [projects/1/secrets/x/versions/latest] not found." >&2; exit 1; }; printf '{"auths":{"quay.io":{"auth":"dXNlcjpwYXNz"}}}' ;;
"secrets versions add"*) echo added >>"$state"; echo projects/123/secrets/x/versions/1 ;;
"secrets versions describe"*) echo projects/123/secrets/x/versions/1 ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
	run_job PULL_SECRET_FILE="$T/pull-secret.json"
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "PullSecretStored" "$(rjq .reason)"
	assert_eq "hyperfleet-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-pull-secret 1" "$(rjq '.data.secretName + " " + .data.version')"
	assert_contains "$(cat "$T/calls")" "secrets create hyperfleet-3f2a9c71-5d1e-4c2b-9a8f-0123456789ab-pull-secret --project acme-prod --replication-policy automatic --labels hyperfleet_cluster_id=3f2a9c71-5d1e-4c2b-9a8f-0123456789ab,managed_by=hyperfleet"
	# Run again: same content, no new version.
	: >"$T/calls"
	run_job PULL_SECRET_FILE="$T/pull-secret.json"
	assert_eq "PullSecretStored" "$(rjq .reason)"
	assert_not_contains "$(cat "$T/calls")" "versions add"
	# No pull secret mounted, or not a pull secret.
	run_job PULL_SECRET_FILE="$T/none.json"
	assert_eq "PullSecretNotFound" "$(rjq .reason)"
	assert_eq "False" "$(result_cond Health)"
	echo '{"not": "a pull secret"}' >"$T/bad.json"
	run_job PULL_SECRET_FILE="$T/bad.json"
	assert_eq "PullSecretInvalid" "$(rjq .reason)"
	# A secret of the same name that belongs to someone else is not touched.
	stub gcloud <<<'case "$*" in "secrets describe"*) echo another-cluster ;; *) exit 2 ;; esac'
	run_job PULL_SECRET_FILE="$T/pull-secret.json"
	assert_eq "SecretConflict" "$(rjq .reason)"
}

# A kubectl for the hypershift script: HyperShift installed, no HostedCluster
# yet; it becomes Available at the AVAILABLE_AFTER-th status read.
hypershift_kubectl() {
	cat <<EOF
state=$T/kstate
EOF
	cat <<'EOF'
shift # --request-timeout
touch "$state"
case "$*" in
"api-resources"*) printf 'hostedclusters.hypershift.io\nnodepools.hypershift.io\n' ;;
"get hostedcluster"*"cluster-id"*) grep -q applied "$state" || { echo 'Error from server (NotFound): hostedclusters.hypershift.io "east-3f2a9c71" not found' >&2; exit 1; }; echo 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab ;;
"apply -f"*) cp "$3" "${state}.applied.yaml"; echo applied >>"$state" ;;
"get hostedcluster"*"range .status.conditions"*)
	echo read >>"$state"
	if [ "$(grep -c read "$state")" -ge "${AVAILABLE_AFTER:-999999}" ]; then
		printf 'Available\tTrue\tAsExpected\tThe hosted control plane is available\nInfrastructureReady\tTrue\tAsExpected\t\nDegraded\tFalse\tAsExpected\t\n'
	else
		printf 'Available\tFalse\tWaitingForControlPlane\tWaiting for hosted control plane to be healthy\nInfrastructureReady\tTrue\tAsExpected\t\n'
	fi ;;
"get hostedcluster"*"controlPlaneEndpoint"*) printf 'api.east.example.com\t443\t4.17.3\teast-3f2a9c71-admin-kubeconfig' ;;
*) echo "stub: unexpected kubectl $*" >&2; exit 2 ;;
esac
EOF
}

hypershift_gcloud() {
	cat <<'EOF'
case "$*" in
"projects describe"*) echo 123456789012 ;;
"secrets versions access"*) printf '{"auths":{"quay.io":{"auth":"eA=="}}}' ;;
"config get-value account") echo hf-hypershift@hf-host.iam.gserviceaccount.com ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
}

test_hypershift_script_creates_the_hostedcluster_and_waits_for_it() {
	tmp
	local out
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")
	extract "$out"
	echo "apiVersion: v1" >"$T/kubeconfig"
	hypershift_kubectl | stub kubectl
	hypershift_gcloud | stub gcloud
	run_job KUBECONFIG="$T/kubeconfig" AVAILABLE_AFTER=3
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "HostedClusterAvailable" "$(rjq .reason)"
	assert_eq "https://api.east.example.com:443 4.17.3 east-3f2a9c71-admin-kubeconfig" "$(rjq '[.data.apiURL, .data.version, .data.kubeconfigSecret] | join(" ")')"
	assert_eq "True True" "$(result_cond HostedClusterAvailable) $(result_cond InfrastructureReady)"
	local hc
	hc=$(cat "$T/kstate.applied.yaml")
	assert_contains "$hc" "kind: HostedCluster"
	assert_contains "$hc" "name: east-3f2a9c71"
	assert_contains "$hc" "image: quay.io/openshift-release-dev/ocp-release:4.17.3-x86_64"
	assert_contains "$hc" "project: acme-prod"
	assert_contains "$hc" "region: us-east1"
	assert_contains "$hc" "network: {name: prod-vpc}"
	assert_contains "$hc" "baseDomain: example.com"
	assert_contains "$hc" "hostname: api.east.example.com"
	assert_contains "$hc" "hyperfleet.io/cluster-id: 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab"
	assert_contains "$hc" ".dockerconfigjson: $(printf '{"auths":{"quay.io":{"auth":"eA=="}}}' | base64 -w0)"
	observed job "hypershift-job-$UID8-g1" succeeded "$T/result.json"
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml" --observed "$T/observed.json")
	assert_eq "True/HostedClusterAvailable" "$(cond "$out" Available)/$(cond "$out" Available reason)"
	assert_eq "https://api.east.example.com:443" "$(jq -r .report.data.apiURL <<<"$out")"
}

test_hypershift_script_times_out_with_the_last_status() {
	tmp
	local out
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")
	extract "$out"
	echo "apiVersion: v1" >"$T/kubeconfig"
	hypershift_kubectl | stub kubectl
	hypershift_gcloud | stub gcloud
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq 1 "$RC"
	assert_eq "Timeout" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "HostedCluster creation timed out after 25 minutes. Last status: Available=False (WaitingForControlPlane): Waiting for hosted control plane to be healthy"
	assert_eq "False/Timeout" "$(result_cond Applied)/$(result_cond Applied reason)"
	assert_eq 75 "$(grep -c 'range .status.conditions' "$T/calls")" "status reads: every 20 s for 25 minutes"
	observed job "hypershift-job-$UID8-g1" failed "$T/result.json"
	out=$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml" --observed "$T/observed.json")
	assert_eq "False/Timeout False/Timeout True" "$(cond "$out" Applied)/$(cond "$out" Applied reason) $(cond "$out" Available)/$(cond "$out" Available reason) $(cond "$out" Health)"
}

test_hypershift_script_reports_management_cluster_trouble_as_unhealthy() {
	tmp
	extract "$(dry hypershift cluster.yaml --reports "$FIX/reports-prerequisites.yaml")"
	hypershift_gcloud | stub gcloud
	hypershift_kubectl | stub kubectl
	# No kubeconfig Secret for the management cluster.
	run_job KUBECONFIG="$T/missing"
	assert_eq "ManagementClusterUnreachable" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Secret hyperfleet-adapters/mc-use1-a-kubeconfig (key kubeconfig) does not exist"
	assert_eq "False/KubeconfigNotFound" "$(result_cond Health)/$(result_cond Health reason)"
	echo "apiVersion: v1" >"$T/kubeconfig"
	# Unreachable.
	stub kubectl <<<'echo "Unable to connect to the server: dial tcp 10.0.0.2:443: i/o timeout" >&2; exit 1'
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq "ManagementClusterUnreachable" "$(rjq .reason)"
	assert_eq "False" "$(result_cond Health)"
	assert_eq 3 "$(grep -c '^kubectl ' "$T/calls")" "kubectl is retried on transient errors"
	# No HyperShift there.
	stub kubectl <<<'case "$*" in *api-resources*) echo "apps.example.io" ;; *) exit 2 ;; esac'
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq "HyperShiftNotInstalled" "$(rjq .reason)"
	# A HostedCluster of that name that is someone else's.
	stub kubectl <<<'case "$*" in *api-resources*) echo hostedclusters.hypershift.io ;; *"get hostedcluster"*) echo another-id ;; *) exit 2 ;; esac'
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq "HostedClusterConflict" "$(rjq .reason)"
	# The pull secret cannot be read: the permission is named.
	hypershift_kubectl | stub kubectl
	{
		printf '%s\n' 'case "$*" in "secrets versions access"*) echo "ERROR: (gcloud.secrets.versions.access) PERMISSION_DENIED: Permission '"'"'secretmanager.versions.access'"'"' denied for resource '"'"'projects/acme-prod/secrets/x/versions/latest'"'"' (or it may not exist)." >&2; exit 1 ;; esac'
		hypershift_gcloud
	} | stub gcloud
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq "PermissionDenied" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Service account hf-hypershift@hf-host.iam.gserviceaccount.com lacks permission secretmanager.versions.access in GCP project acme-prod"
	assert_contains "$(rjq .message)" "roles/secretmanager.secretAccessor"
}

test_hypershift_teardown_deletes_the_hostedcluster() {
	tmp
	extract "$(dry hypershift cluster-deleting.yaml)" teardown
	echo "apiVersion: v1" >"$T/kubeconfig"
	stub kubectl <<EOF
state=$T/kstate
EOF
	cat >>"$T/bin/kubectl" <<'EOF'
touch "$state"
shift
case "$*" in
"get hostedcluster"*"cluster-id"*) echo 3f2a9c71-5d1e-4c2b-9a8f-0123456789ab ;;
"delete hostedcluster"*) echo deleting >>"$state" ;;
"get hostedcluster"*"-o name") echo read >>"$state"; [ "$(grep -c read "$state")" -lt 3 ] || { echo 'Error from server (NotFound): hostedclusters.hypershift.io "east-3f2a9c71" not found' >&2; exit 1; }; echo hostedcluster/east-3f2a9c71 ;;
"delete secret"*) ;;
*) echo "stub: unexpected kubectl $*" >&2; exit 2 ;;
esac
EOF
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "Deleted" "$(rjq .reason)"
	assert_contains "$(cat "$T/calls")" "delete hostedcluster east-3f2a9c71 -n clusters --wait=false"
	assert_contains "$(cat "$T/calls")" "delete secret east-3f2a9c71-pull-secret -n clusters --ignore-not-found"
	# Never placed: nothing to delete, without a management cluster.
	run_job MANAGEMENT_CLUSTER=
	assert_eq 0 "$RC"
	assert_eq "NothingToDelete" "$(rjq .reason)"
}

nodepool_validation_gcloud() {
	cat <<'EOF'
case "$*" in
"compute machine-types list"*) printf '%s\n' us-east1-c,4 us-east1-b,4 us-east1-d,4 us-west1-a,4 ;;
"compute regions describe"*) printf 'CPUS,24.0,14.0\nN2_CPUS,100.0,0.0\n' ;;
"config get-value account") echo hf-nodepool-validation@hf-host.iam.gserviceaccount.com ;;
*) echo "stub: unexpected gcloud $*" >&2; exit 2 ;;
esac
EOF
}

test_nodepool_validation_script_checks_the_machine_type_and_vcpu_quota() {
	tmp
	extract "$(dry nodepool-validation nodepool.yaml --cluster "$FIX/cluster-ready.yaml")"
	nodepool_validation_gcloud | stub gcloud
	run_job
	assert_eq 1 "$RC"
	assert_eq "QuotaExceeded" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Insufficient quota to provision 5 nodes of type n1-standard-4 in us-east1. Required: 20 CPUs, Available: 10 CPUs (quota CPUS: 14 of 24 used)"
	assert_eq "True False" "$(result_cond MachineTypeAvailable) $(result_cond QuotaAvailable)"
	run_job NODE_COUNT=2
	assert_eq 0 "$RC"
	assert_eq "NodePoolValidated" "$(rjq .reason)"
	assert_eq "us-east1-b us-east1-b,us-east1-c,us-east1-d 4 8 CPUS" "$(rjq '[.data.zone, .data.zones, .data.vCPUsPerNode, .data.requiredVCPUs, .data.quotaMetric] | join(" ")')"
	# The family's own quota metric when the region has one.
	run_job MACHINE_TYPE=n2-standard-8
	assert_eq "N2_CPUS" "$(rjq .data.quotaMetric)"
	# A machine type the region does not offer, or not in the asked zone.
	stub gcloud <<<'case "$*" in "compute machine-types list"*) echo europe-west4-a,96 ;; *) exit 2 ;; esac'
	run_job MACHINE_TYPE=a2-ultragpu-8g
	assert_eq "MachineTypeNotAvailable" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Machine type a2-ultragpu-8g is not available in any zone of region us-east1"
	nodepool_validation_gcloud | stub gcloud
	run_job ZONE=us-east1-a NODE_COUNT=1
	assert_eq "MachineTypeNotAvailable" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "not available in zone us-east1-a (it is in: us-east1-b,us-east1-c,us-east1-d)"
}

# A kubectl for the nodepool script; the NodePool's status comes from
# $T/np-status (replicas) and $T/np-conditions.
nodepool_kubectl() {
	cat <<EOF
T=$T
EOF
	cat <<'EOF'
shift
case "$*" in
"get hostedcluster"*) echo quay.io/openshift-release-dev/ocp-release:4.17.3-x86_64 ;;
"get nodepool"*"nodepool-id"*) echo 'Error from server (NotFound): nodepools.hypershift.io "x" not found' >&2; exit 1 ;;
"apply -f"*) cp "$3" "$T/np-applied.yaml" ;;
"get nodepool"*"status.replicas"*) cat "$T/np-status" ;;
"get nodepool"*"range .status.conditions"*) cat "$T/np-conditions" ;;
*) echo "stub: unexpected kubectl $*" >&2; exit 2 ;;
esac
EOF
}

test_nodepool_script_applies_the_nodepool_and_waits_for_every_node() {
	tmp
	local out
	out=$(dry nodepool nodepool.yaml --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
	extract "$out"
	echo "apiVersion: v1" >"$T/kubeconfig"
	nodepool_kubectl | stub kubectl
	echo 5 >"$T/np-status"
	printf 'Ready\tTrue\tAsExpected\t\nAllMachinesReady\tTrue\tAsExpected\tAll is well\n' >"$T/np-conditions"
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq 0 "$RC" "exit status; log: $(cat "$T/job.log")"
	assert_eq "NodesReady" "$(rjq .reason)"
	assert_eq "True" "$(result_cond NodesReady)"
	assert_eq "5 east-3f2a9c71-workers" "$(rjq '"\(.data.readyNodes) \(.data.nodePool)"')"
	local np
	np=$(cat "$T/np-applied.yaml")
	assert_contains "$np" "clusterName: east-3f2a9c71"
	assert_contains "$np" "replicas: 5"
	assert_contains "$np" "machineType: n1-standard-4"
	assert_contains "$np" "zone: us-east1-c"
	assert_contains "$np" "image: quay.io/openshift-release-dev/ocp-release:4.17.3-x86_64"
	assert_contains "$np" "hyperfleet.io/nodepool-id: c0ffee01-2222-4333-8444-555566667777"
}

test_nodepool_script_reports_a_stuck_machine_as_provisioning_failed() {
	tmp
	local out
	out=$(dry nodepool nodepool.yaml --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml")
	extract "$out"
	echo "apiVersion: v1" >"$T/kubeconfig"
	nodepool_kubectl | stub kubectl
	echo 2 >"$T/np-status"
	printf 'Ready\tFalse\tWaitingForAvailableMachines\t\nAllMachinesReady\tFalse\tInstanceProvisionFailed\tMachine east-3f2a9c71-workers-x7k2p: The zone us-east1-c does not have enough resources available to fulfill the request. ZONE_RESOURCE_POOL_EXHAUSTED\n' >"$T/np-conditions"
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq 1 "$RC"
	assert_eq "ProvisioningFailed" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "Failed to provision node 3 of 5. GCP error: ZONE_RESOURCE_POOL_EXHAUSTED"
	assert_eq "False/ProvisioningFailed" "$(result_cond Applied)/$(result_cond Applied reason)"
	assert_eq 9 "$(grep -c 'range .status.conditions' "$T/calls")" "it waits 3 minutes before giving up"
	observed job "nodepool-job-c0ffee01-g1" failed "$T/result.json"
	out=$(dry nodepool nodepool.yaml --cluster "$FIX/cluster-ready.yaml" --reports "$FIX/reports-nodepool-validated.yaml" --observed "$T/observed.json")
	assert_eq "False/ProvisioningFailed False/ProvisioningFailed" "$(cond "$out" Applied)/$(cond "$out" Applied reason) $(cond "$out" Available)/$(cond "$out" Available reason)"
	# Nodes that are merely slow: a timeout with how many are ready.
	echo 4 >"$T/np-status"
	printf 'Ready\tFalse\tWaitingForAvailableMachines\t\nAllMachinesReady\tFalse\tProvisioning\t1 machine is provisioning\n' >"$T/np-conditions"
	run_job KUBECONFIG="$T/kubeconfig"
	assert_eq "Timeout" "$(rjq .reason)"
	assert_contains "$(rjq .message)" "NodePool creation timed out after 20 minutes: 4 of 5 nodes ready"
	assert_eq "False" "$(result_cond Applied)"
}

test_every_result_fits_a_termination_message() {
	tmp
	extract "$(dry validation cluster.yaml)"
	# A huge gcloud error still gives a JSON result under 4096 bytes.
	{
		printf '%s\n' 'case "$*" in "projects describe"*) head -c 20000 /dev/zero | tr "\0" x >&2; echo " \"quoted\" \\ done" >&2; exit 1 ;; esac'
		validation_gcloud
	} | stub gcloud
	run_job
	assert_eq "ProviderError" "$(rjq .reason)"
	[ "${#RESULT}" -lt 4096 ] || fail "the result is ${#RESULT} bytes"
	local f
	for f in "$FIX"/results/*.json; do
		jq -e 'type == "object" and (.reason | test("^[A-Za-z][A-Za-z0-9_,:]*$"))' "$f" >/dev/null || fail "$(basename "$f") is not a result"
		[ "$(wc -c <"$f")" -lt 4096 ] || fail "$(basename "$f") is too big"
	done
}
