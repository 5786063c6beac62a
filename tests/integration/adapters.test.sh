# The adapter engine against the real control plane: Adapters applied with
# kubectl, Jobs run by kwok (hack/kube/kwok-stages.yaml), reports read from
# the Cluster's status.adapters.
. "$HF_TOP/tests/lib/kube.sh"
. "$HF_TOP/tests/lib/operator.sh"

cleanup() {
	[ -n "${HF_OPERATOR_PID:-}" ] && kill -TERM "$HF_OPERATOR_PID" 2>/dev/null && wait "$HF_OPERATOR_PID" 2>/dev/null
	remove_test_adapters
}

cluster_yaml() { # NAME [REGION]
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: %s}\nspec: {provider: gcp, region: %s}\n' "$1" "${2:-us-east1}"
}

nodepool_yaml() { # CLUSTER POOL [NODES]
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: NodePool\nmetadata: {name: %s.%s}\nspec: {clusterName: %s, nodeCount: %s, machineType: n1-standard-4}\n' "$1" "$2" "$1" "${3:-3}"
}

# job_adapter NAME ANNOTATIONS [SPEC_LINES] [TARGET]: a required adapter of
# TARGET (Cluster unless told) running one Job per generation; ANNOTATIONS
# (a YAML flow map) go on the pod template, SPEC_LINES (indented by two)
# into spec.
job_adapter() {
	kubectl apply -f - >/dev/null <<YAML
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: $1, labels: {hyperfleet-test: "true"}}
spec:
  target: ${4:-Cluster}
  required: true
${3:-}
  resources:
    - name: job
      manifest:
        apiVersion: batch/v1
        kind: Job
        spec:
          backoffLimit: 0
          template:
            metadata: {annotations: $2}
            spec:
              restartPolicy: Never
              containers: [{name: main, image: busybox}]
YAML
}

# report NS CLUSTER ADAPTER TYPE FIELD: a field of a condition of the
# adapter's entry in the Cluster's status.adapters.
entry_cond() {
	kubectl get hfc "$2" -n "$1" -o json | jq -r --arg a "$3" --arg t "$4" --arg f "$5" \
		'.status.adapters[]? | select(.adapter == $a) | .conditions[]? | select(.type == $t) | .[$f] // empty'
}

entry_is() { # NS CLUSTER ADAPTER TYPE FIELD VALUE
	[ "$(entry_cond "$1" "$2" "$3" "$4" "$5")" = "$6" ]
}

# pool_cond NS POOL ADAPTER TYPE FIELD: the same, in a NodePool's
# status.adapters.
pool_cond() {
	kubectl get hfnp "$2" -n "$1" -o json | jq -r --arg a "$3" --arg t "$4" --arg f "$5" \
		'.status.adapters[]? | select(.adapter == $a) | .conditions[]? | select(.type == $t) | .[$f] // empty'
}

pool_is() { # NS POOL ADAPTER TYPE FIELD VALUE
	[ "$(pool_cond "$1" "$2" "$3" "$4" "$5")" = "$6" ]
}

jobs_of() { # NS ADAPTER: the names of the adapter's Jobs, sorted
	kubectl get jobs -n "$1" -l "hyperfleet.io/adapter=$2" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort
}

job_count_is() { # NS ADAPTER N
	[ "$(jobs_of "$1" "$2" | grep -c .)" = "$3" ]
}

phase_is() { # NS NAME PHASE
	[ "$(jpath hfc "$1" "$2" '{.status.phase}')" = "$3" ]
}

test_a_succeeding_job_makes_the_adapter_available_and_the_cluster_ready() {
	trap cleanup EXIT
	local ns uid job
	ns=$(new_namespace adapt-ok)
	job_adapter t-ok '{}'
	start_operator "$ns"
	cluster_yaml east | apply_yaml "$ns" >/dev/null
	wait_for 120 "Available=True" entry_is "$ns" east t-ok Available status True
	assert_eq "JobSucceeded" "$(entry_cond "$ns" east t-ok Available reason)"
	assert_eq "True" "$(entry_cond "$ns" east t-ok Applied status)"
	assert_eq "True" "$(entry_cond "$ns" east t-ok Health status)"
	wait_for 60 "phase Ready" phase_is "$ns" east Ready
	assert_eq "True" "$(condition hfc "$ns" east TOkSuccessful status)"
	uid=$(jpath hfc "$ns" east '{.metadata.uid}')
	job=$(jobs_of "$ns" t-ok)
	assert_eq "t-ok-job-${uid:0:8}-g1" "$job" "the Job's deterministic name, in the Cluster's namespace"
	assert_eq "$uid" "$(kubectl get job "$job" -n "$ns" -o jsonpath='{.metadata.labels.hyperfleet\.io/cluster-id}')"
	assert_eq "Accepted" "$(kubectl get adapter t-ok -o jsonpath='{.status.conditions[?(@.type=="Accepted")].reason}')"
	stop_operator
}

test_a_nodepool_adapter_runs_a_job_per_pool_and_reports_on_the_pool() {
	trap cleanup EXIT
	local ns cuid puid job
	ns=$(new_namespace adapt-pool)
	job_adapter t-pool '{}' '' NodePool
	start_operator "$ns"
	cluster_yaml east | apply_yaml "$ns" >/dev/null
	nodepool_yaml east workers | apply_yaml "$ns" >/dev/null
	wait_for 120 "the pool's Available=True" pool_is "$ns" east.workers t-pool Available status True
	assert_eq "JobSucceeded" "$(pool_cond "$ns" east.workers t-pool Available reason)"
	assert_eq "True" "$(pool_cond "$ns" east.workers t-pool Applied status)"
	assert_eq "True" "$(pool_cond "$ns" east.workers t-pool Health status)"
	cuid=$(jpath hfc "$ns" east '{.metadata.uid}')
	puid=$(jpath hfnp "$ns" east.workers '{.metadata.uid}')
	job=$(jobs_of "$ns" t-pool)
	assert_eq "t-pool-job-${puid:0:8}-g1" "$job" "one Job, named after the pool's uid"
	assert_eq "$puid" "$(kubectl get job "$job" -n "$ns" -o jsonpath='{.metadata.labels.hyperfleet\.io/nodepool-id}')"
	assert_eq "$cuid" "$(kubectl get job "$job" -n "$ns" -o jsonpath='{.metadata.labels.hyperfleet\.io/cluster-id}')"
	assert_eq "" "$(entry_cond "$ns" east t-pool Available status)" "a NodePool adapter's entry on the Cluster"
	stop_operator
}

test_a_refused_manifest_reports_health_false_with_the_api_message() {
	trap cleanup EXIT
	local ns msg uid
	ns=$(new_namespace adapt-quota)
	kubectl create quota q --hard=count/jobs.batch=0 -n "$ns" >/dev/null
	# Admission enforces the quota once the quota controller has computed it.
	wait_for 60 "the quota computed" bash -c "[ \"\$(kubectl get quota q -n $ns -o jsonpath='{.status.hard.count/jobs\.batch}')\" = 0 ]"
	job_adapter t-quota '{}'
	start_operator "$ns"
	cluster_yaml east | apply_yaml "$ns" >/dev/null
	wait_for 120 "Health=False" entry_is "$ns" east t-quota Health status False
	uid=$(jpath hfc "$ns" east '{.metadata.uid}')
	assert_eq "ResourceError" "$(entry_cond "$ns" east t-quota Health reason)"
	msg=$(entry_cond "$ns" east t-quota Health message)
	# The API server's own message, as it refused the create.
	assert_match "$msg" "^jobs\\.batch \"t-quota-job-${uid:0:8}-g1\" is forbidden: exceeded quota: q, requested: count/jobs\\.batch=1, "
	assert_eq "False" "$(entry_cond "$ns" east t-quota Applied status)"
	assert_contains "$(entry_cond "$ns" east t-quota Applied message)" "exceeded quota"
	assert_eq "False" "$(entry_cond "$ns" east t-quota Available status)"
	assert_eq "" "$(jobs_of "$ns" t-quota)"
	assert_eq "Not Ready" "$(jpath hfc "$ns" east '{.status.phase}')"
	# The quota lifted: the retry creates the Job and the adapter recovers.
	kubectl delete quota q -n "$ns" >/dev/null
	wait_for 180 "Available=True after the quota is lifted" entry_is "$ns" east t-quota Available status True
	assert_eq "True" "$(entry_cond "$ns" east t-quota Health status)"
	job_count_is "$ns" t-quota 1 || fail "expected one Job: $(jobs_of "$ns" t-quota)"
	stop_operator
}

# operator_account NS NAME: a ServiceAccount NAME of NS with what
# `hyperfleet run --namespace NS --leader-elect=false` needs, except
# creating Jobs: its informers (Clusters and NodePools of NS; the adapter
# engine's Jobs, ConfigMaps and Secrets of NS and Namespaces of the whole
# cluster; Adapters, ProviderCatalogs), finalizers and status writes, the
# Adapters' Accepted condition, the REST API's creates, Events, and the
# pods whose termination messages are Jobs' results. The cluster-scoped
# kinds come with a ClusterRole named NS-NAME. An informer whose list is
# forbidden keeps the operator from becoming ready.
operator_account() {
	kubectl create serviceaccount "$2" -n "$1" >/dev/null
	kubectl apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: $1-$2}
rules:
  - {apiGroups: [hyperfleet.io], resources: [adapters, providercatalogs], verbs: [get, list, watch]}
  - {apiGroups: [hyperfleet.io], resources: [adapters/status], verbs: [get, update, patch]}
  - {apiGroups: [""], resources: [namespaces], verbs: [get, list, watch, create, update, patch, delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: $1-$2}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: $1-$2}
subjects: [{kind: ServiceAccount, name: $2, namespace: $1}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: $2, namespace: $1}
rules:
  - {apiGroups: [hyperfleet.io], resources: [clusters, nodepools], verbs: [get, list, watch, create, update, patch, delete]}
  - {apiGroups: [hyperfleet.io], resources: [clusters/status, nodepools/status], verbs: [get, update, patch]}
  - {apiGroups: [batch], resources: [jobs], verbs: [get, list, watch, update, patch, delete]}
  - {apiGroups: [""], resources: [configmaps, secrets], verbs: [get, list, watch, create, update, patch, delete]}
  - {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: $2, namespace: $1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: $2}
subjects: [{kind: ServiceAccount, name: $2, namespace: $1}]
YAML
}

# account_kubeconfig NS NAME FILE: a kubeconfig for the ServiceAccount
# NAME of NS: the control plane's server and CA, a token of its own.
account_kubeconfig() {
	local server ca token
	server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
	ca=$(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
	token=$(kubectl create token "$2" -n "$1" --duration=10m)
	cat >"$3" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: $2, user: {token: "$token"}}]
contexts: [{name: $2, context: {cluster: test, user: $2, namespace: $1}}]
current-context: $2
YAML
}

# cleanup_rbac: cleanup, and what the RBAC test created: the cluster-wide
# RBAC objects, the kubeconfig, and the namespace (its Clusters keep the
# finalizer of the stopped operator: dropped so that it goes).
cleanup_rbac() {
	cleanup || true
	[ -n "${HF_RBAC_NS:-}" ] || return 0
	kubectl delete clusterrolebinding,clusterrole "$HF_RBAC_NS-hf-operator" --ignore-not-found >/dev/null || true
	rm -f "${HF_RBAC_KUBECONFIG:-}"
	kubectl get hfc -n "$HF_RBAC_NS" -o name 2>/dev/null | xargs -r -I{} \
		kubectl patch {} -n "$HF_RBAC_NS" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
	kubectl delete namespace "$HF_RBAC_NS" --wait=false >/dev/null || true
}

test_a_manifest_forbidden_by_rbac_reports_health_false_and_recovers_once_granted() {
	trap cleanup_rbac EXIT
	local ns pid forbidden
	# The operator, started once, runs as the ServiceAccount throughout.
	ns=$(new_namespace adapt-rbac)
	HF_RBAC_NS=$ns
	HF_RBAC_KUBECONFIG=$(mktemp "${TMPDIR:-/tmp}/hf-kubeconfig.XXXXXX")
	operator_account "$ns" hf-operator
	account_kubeconfig "$ns" hf-operator "$HF_RBAC_KUBECONFIG"
	job_adapter t-rbac '{}'
	start_operator "$ns" --kubeconfig "$HF_RBAC_KUBECONFIG"
	pid=$HF_OPERATOR_PID
	cluster_yaml east | apply_yaml "$ns" >/dev/null
	wait_for 60 "Health=False" entry_is "$ns" east t-rbac Health status False
	# The API server's own message, as it refused the create (a create's
	# name is in its body, so the authorizer does not name the Job).
	forbidden="jobs.batch is forbidden: User \"system:serviceaccount:$ns:hf-operator\" cannot create resource \"jobs\" in API group \"batch\" in the namespace \"$ns\""
	assert_eq "ResourceError" "$(entry_cond "$ns" east t-rbac Health reason)"
	assert_eq "$forbidden" "$(entry_cond "$ns" east t-rbac Health message)" "the Health message"
	assert_eq "False" "$(entry_cond "$ns" east t-rbac Applied status)"
	assert_eq "ApplyFailed" "$(entry_cond "$ns" east t-rbac Applied reason)"
	assert_eq "$forbidden" "$(entry_cond "$ns" east t-rbac Applied message)" "the Applied message"
	assert_eq "False" "$(entry_cond "$ns" east t-rbac Available status)"
	assert_eq "" "$(jobs_of "$ns" t-rbac)"
	assert_eq "Not Ready" "$(jpath hfc "$ns" east '{.status.phase}')"
	# Granted: the engine's retry (backing off on the API error) creates
	# the Job, without a restart.
	kubectl create role hf-operator-jobs -n "$ns" --verb=create --resource=jobs.batch >/dev/null
	kubectl create rolebinding hf-operator-jobs -n "$ns" --role=hf-operator-jobs --serviceaccount="$ns:hf-operator" >/dev/null
	wait_for 60 "Available=True after the grant" entry_is "$ns" east t-rbac Available status True
	assert_eq "True" "$(entry_cond "$ns" east t-rbac Health status)"
	assert_eq "True" "$(entry_cond "$ns" east t-rbac Applied status)"
	job_count_is "$ns" t-rbac 1 || fail "expected one Job: $(jobs_of "$ns" t-rbac)"
	kill -0 "$pid" || fail "the operator exited"
	wait_for 60 "phase Ready" phase_is "$ns" east Ready
	stop_operator
}

test_a_failing_job_reports_its_termination_message() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace adapt-fail)
	job_adapter t-fail '{sim.hyperfleet.io/outcome: fail, sim.hyperfleet.io/message: "quota exceeded"}'
	start_operator "$ns"
	cluster_yaml west | apply_yaml "$ns" >/dev/null
	wait_for 120 "reason JobFailed" entry_is "$ns" west t-fail Available reason JobFailed
	assert_eq "False" "$(entry_cond "$ns" west t-fail Available status)"
	assert_contains "$(entry_cond "$ns" west t-fail Available message)" "quota exceeded"
	assert_eq "True" "$(entry_cond "$ns" west t-fail Health status)"
	assert_eq "Not Ready" "$(jpath hfc "$ns" west '{.status.phase}')"
	stop_operator
}

test_a_dependent_adapter_waits_for_the_first_to_be_available() {
	trap cleanup EXIT
	local ns first second done created
	ns=$(new_namespace adapt-dep)
	job_adapter t-first '{sim.hyperfleet.io/duration: 4s}'
	job_adapter t-second '{}' '  dependsOn: [t-first]'
	start_operator "$ns"
	cluster_yaml north | apply_yaml "$ns" >/dev/null
	wait_for 60 "the first Job" job_count_is "$ns" t-first 1
	wait_for 60 "the second adapter to wait" entry_is "$ns" north t-second Available reason PreconditionsNotMet
	assert_contains "$(entry_cond "$ns" north t-second Available message)" "waiting for adapter t-first"
	assert_eq "" "$(jobs_of "$ns" t-second)" "the second adapter's Jobs while the first runs"
	wait_for 120 "the second Job" job_count_is "$ns" t-second 1
	first=$(jobs_of "$ns" t-first)
	second=$(jobs_of "$ns" t-second)
	done=$(kubectl get job "$first" -n "$ns" -o jsonpath='{.status.completionTime}')
	created=$(kubectl get job "$second" -n "$ns" -o jsonpath='{.metadata.creationTimestamp}')
	[ -n "$done" ] || fail "the first Job has not completed, yet the second exists"
	[ "$(date -d "$created" +%s)" -ge "$(date -d "$done" +%s)" ] || fail "the second Job ($created) was created before the first completed ($done)"
	wait_for 120 "the second Available=True" entry_is "$ns" north t-second Available status True
	wait_for 60 "phase Ready" phase_is "$ns" north Ready
	stop_operator
}

test_a_spec_change_runs_a_new_generation_and_prunes_old_jobs() {
	trap cleanup EXIT
	local ns uid
	ns=$(new_namespace adapt-gen)
	job_adapter t-gen '{}' '  jobHistoryLimit: 1'
	start_operator "$ns"
	cluster_yaml south | apply_yaml "$ns" >/dev/null
	wait_for 120 "Available=True at generation 1" entry_is "$ns" south t-gen Available status True
	uid=$(jpath hfc "$ns" south '{.metadata.uid}')
	kubectl patch hfc south -n "$ns" --type=merge -p '{"spec":{"region":"us-west1"}}' >/dev/null
	wait_for 60 "the generation 2 Job" bash -c "kubectl get job t-gen-job-${uid:0:8}-g2 -n $ns"
	# jobHistoryLimit 1: one Job of an older generation stays.
	wait_for 120 "Available=True at generation 2" bash -c "[ \"\$(kubectl get hfc south -n $ns -o json | jq -r '.status.adapters[] | select(.adapter==\"t-gen\") | .observedGeneration')\" = 2 ]"
	assert_eq "t-gen-job-${uid:0:8}-g1
t-gen-job-${uid:0:8}-g2" "$(jobs_of "$ns" t-gen)"
	kubectl patch hfc south -n "$ns" --type=merge -p '{"spec":{"region":"europe-west1"}}' >/dev/null
	wait_for 60 "the generation 3 Job" bash -c "kubectl get job t-gen-job-${uid:0:8}-g3 -n $ns"
	wait_for 60 "the generation 1 Job deleted" bash -c "! kubectl get job t-gen-job-${uid:0:8}-g1 -n $ns 2>/dev/null"
	wait_for 120 "only generations 2 and 3 left" bash -c "[ \"\$(kubectl get jobs -n $ns -l hyperfleet.io/adapter=t-gen -o name | sort | tr '\n' ' ')\" = 'job.batch/t-gen-job-${uid:0:8}-g2 job.batch/t-gen-job-${uid:0:8}-g3 ' ]"
	stop_operator
}

test_an_invalid_adapter_is_not_accepted_with_a_positioned_message() {
	trap cleanup EXIT
	local ns msg
	ns=$(new_namespace adapt-bad)
	start_operator "$ns"
	kubectl apply -f - >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: t-bad, labels: {hyperfleet-test: "true"}}
spec:
  target: Cluster
  params:
    - name: region
      expression: cluster.spec.regoin +
YAML
	wait_for 60 "Accepted=False" bash -c "[ \"\$(kubectl get adapter t-bad -o jsonpath='{.status.conditions[?(@.type==\"Accepted\")].status}')\" = False ]"
	assert_eq "Invalid" "$(kubectl get adapter t-bad -o jsonpath='{.status.conditions[?(@.type=="Accepted")].reason}')"
	msg=$(kubectl get adapter t-bad -o jsonpath='{.status.conditions[?(@.type=="Accepted")].message}')
	assert_match "$msg" '^spec\.params\[0\]\.expression: 1:[0-9]+: '
	assert_eq "1" "$(kubectl get adapter t-bad -o jsonpath='{.status.conditions[?(@.type=="Accepted")].observedGeneration}')"
	# Fixed: accepted at generation 2.
	kubectl patch adapter t-bad --type=merge -p '{"spec":{"params":[{"name":"region","expression":"cluster.spec.region"}]}}' >/dev/null
	wait_for 60 "Accepted=True" bash -c "[ \"\$(kubectl get adapter t-bad -o jsonpath='{.status.conditions[?(@.type==\"Accepted\")].status}')\" = True ]"
	assert_eq "2" "$(kubectl get adapter t-bad -o jsonpath='{.status.conditions[?(@.type=="Accepted")].observedGeneration}')"
	stop_operator
}

test_editing_an_adapter_takes_effect_without_a_restart() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace adapt-edit)
	job_adapter t-edit '{}' '  preconditions: [{name: region, expression: cluster.spec.region == "nowhere"}]'
	start_operator "$ns"
	cluster_yaml east | apply_yaml "$ns" >/dev/null
	wait_for 60 "PreconditionsNotMet" entry_is "$ns" east t-edit Available reason PreconditionsNotMet
	assert_eq "" "$(jobs_of "$ns" t-edit)"
	job_adapter t-edit '{}' '  preconditions: [{name: region, expression: cluster.spec.region == "us-east1"}]'
	wait_for 120 "Available=True after the edit" entry_is "$ns" east t-edit Available status True
	job_count_is "$ns" t-edit 1 || fail "expected one Job: $(jobs_of "$ns" t-edit)"
	stop_operator
}

test_a_restart_while_a_job_runs_does_not_duplicate_it() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace adapt-restart)
	job_adapter t-slow '{sim.hyperfleet.io/duration: 20s}'
	start_operator "$ns"
	cluster_yaml east | apply_yaml "$ns" >/dev/null
	wait_for 60 "the Job" job_count_is "$ns" t-slow 1
	wait_for 60 "JobRunning" entry_is "$ns" east t-slow Available reason JobRunning
	kill -KILL "$HF_OPERATOR_PID"
	wait "$HF_OPERATOR_PID" 2>/dev/null || true
	HF_OPERATOR_PID=
	start_operator "$ns"
	wait_for 120 "Available=True" entry_is "$ns" east t-slow Available status True
	job_count_is "$ns" t-slow 1 || fail "expected exactly one Job: $(jobs_of "$ns" t-slow)"
	stop_operator
}

test_deleting_a_cluster_deletes_the_adapter_objects_and_finalizes() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace adapt-del)
	job_adapter t-del '{}'
	start_operator "$ns"
	cluster_yaml gone | apply_yaml "$ns" >/dev/null
	wait_for 120 "phase Ready" phase_is "$ns" gone Ready
	job_count_is "$ns" t-del 1 || fail "expected one Job: $(jobs_of "$ns" t-del)"
	kubectl delete hfc gone -n "$ns" --wait=false >/dev/null
	wait_for 120 "the Cluster to be removed" bash -c "! kubectl get hfc gone -n $ns 2>/dev/null"
	wait_for 60 "the Jobs deleted" job_count_is "$ns" t-del 0
	stop_operator
}

test_adapters_decide_on_the_provider_catalog() {
	trap cleanup EXIT
	local ns
	ns=$(new_namespace adapt-cat)
	# The adapter runs only in regions the provider catalog lists; us-east1
	# is in the installed catalog. Without the catalog, catalog.gcp would
	# be an evaluation error and no Job would exist.
	job_adapter t-cat '{}' '  preconditions:
    - name: offered
      expression: cluster.spec.region in catalog.gcp.regions
      message: "region ${cluster.spec.region} is not in the catalog"'
	start_operator "$ns"
	cluster_yaml cat1 us-east1 | apply_yaml "$ns" >/dev/null
	wait_for 60 "the Job of a cataloged region" job_count_is "$ns" t-cat 1
	wait_for 120 "Available=True" entry_is "$ns" cat1 t-cat Available status True
	stop_operator
}
