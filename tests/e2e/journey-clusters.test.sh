# Seed 000, cluster journeys 1 to 3 and their sad paths, end to end: the
# simulated GCP adapter set (adapters/simulated) really runs (kwok runs its
# Jobs), failures are chosen by the sim.hyperfleet.io/* labels, and each
# test looks at what a user sees through the REST API and kubectl.
. "$HF_TOP/tests/lib/journey.sh"

JCL_ADAPTERS="dns,hypershift,placement,pull-secret,validation"
JCL_TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# jcl_kubectl_phase NAME: the PHASE column of `kubectl get hfc` for NAME.
jcl_kubectl_phase() {
	kubectl get hfc -n "$API_NS" | awk -v n="$1" '$1 == n { p = $4; if ($5 == "Ready") p = p " " $5; print p }'
}

# jcl_wait_ready NAME ID: what a user types to wait for a cluster; then the
# REST API says Ready too (it serves its watch cache, which may be a moment
# behind what kubectl just read).
jcl_wait_ready() {
	kubectl wait -n "$API_NS" --for=jsonpath='{.status.phase}'=Ready "hfc/$1" --timeout=60s >/dev/null ||
		jcl_fail_waiting "cluster $1 to be Ready"
	wait_phase 10 "/clusters/$2" Ready
}

# jcl_fail_waiting WHAT: fails, saying whether the operator is still there.
jcl_fail_waiting() {
	kill -0 "$HF_OPERATOR_PID" 2>/dev/null ||
		fail "the operator exited while waiting for $1: $(grep -m1 -A6 -E 'ERROR: AddressSanitizer|runtime error|panic' "$HF_OPERATOR_LOG")"
	fail "timed out waiting for $1"
}

# jcl_jobs ADAPTER: the names of the adapter's Jobs in the test namespace.
jcl_jobs() {
	kubectl get jobs -n "$API_NS" -l "hyperfleet.io/adapter=$1" -o name
}

# jcl_names QUERY: the names of the listed clusters, sorted, comma-separated.
jcl_names() {
	api GET "/clusters$1"
	expect_status 200
	json '",".join(sorted(i["name"] for i in d["items"]))'
}

test_journey1_a_new_cluster_is_not_ready_then_ready_with_every_adapter_available() {
	journey_setup
	api POST /clusters '{"name":"my-cluster","spec":{"provider":"gcp","region":"us-west1"},"labels":{"team":"platform"}}'
	# Created at once, Not Ready, with an id to track it by.
	expect_status 201
	local id
	id=$(json 'd["id"]')
	assert_match "$id" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "cluster id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	api GET "/clusters/$id"
	expect_status 200
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase right after creation"

	# Ready once the whole pipeline has run, through kubectl and the API.
	jcl_wait_ready my-cluster "$id"
	assert_eq "Ready" "$(jcl_kubectl_phase my-cluster)" "PHASE in kubectl get hfc"
	assert_eq "True" "$(kubectl get hfc my-cluster -n "$API_NS" -o jsonpath='{.status.conditions[?(@.type=="Reconciled")].status}')" "Reconciled in kubectl"
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "1" "$(json 'd["status"]["observed_generation"]')"
	assert_eq "True" "$(json 'all(c["status"] == "True" for c in d["status"]["conditions"])')" "every aggregated condition: $API_BODY"

	# /statuses: the five adapters, Available, Applied and Healthy, at
	# generation 1, each condition with its lastTransitionTime.
	statuses_read "/clusters/$id"
	assert_eq "5" "$(json 'd["total"]')" "adapters reporting"
	assert_eq "$JCL_ADAPTERS" "$(json '",".join(sorted(s["adapter"] for s in d["items"]))')"
	local a t
	for a in ${JCL_ADAPTERS//,/ }; do
		for t in Available Applied Health; do
			status_expect "$a" "$t" True
			assert_match "$(status_cond "$a" "$t" last_transition_time)" "$JCL_TIME_RE" "$a $t lastTransitionTime"
		done
	done
	assert_eq "True" "$(json 'all(s["observed_generation"] == 1 for s in d["items"])')" "observed_generation of every adapter: $API_BODY"
	# The adapters' data: where placement put the control plane (and the
	# HostedCluster went there), and the DNS zone with its records.
	assert_eq "hcp-us-west1-1" "$(json 'next(s["data"]["managementCluster"] for s in d["items"] if s["adapter"] == "placement")')" "placement managementCluster"
	assert_eq "us-west1" "$(json 'next(s["data"]["region"] for s in d["items"] if s["adapter"] == "placement")')" "placement region"
	assert_eq "hcp-us-west1-1" "$(json 'next(s["data"]["managementCluster"] for s in d["items"] if s["adapter"] == "hypershift")')" "hypershift managementCluster"
	assert_eq "my-cluster.example.com." "$(json 'next(s["data"]["zone"] for s in d["items"] if s["adapter"] == "dns")')" "dns zone"
	status_expect dns DNSRecordsCreated True RecordsCreated
	assert_eq "api.my-cluster.example.com., *.apps.my-cluster.example.com." "$(status_cond dns DNSRecordsCreated message)" "dns records"

	# The configuration reached the resources: one finished Job per adapter,
	# with the cluster's region and placement's choice.
	assert_eq "5" "$(kubectl get jobs -n "$API_NS" -l "hyperfleet.io/cluster-id=$id" -o jsonpath='{range .items[*]}{.status.succeeded}{"\n"}{end}' | grep -c '^1$')" "succeeded Jobs"
	assert_eq "us-west1" "$(kubectl get jobs -n "$API_NS" -l hyperfleet.io/adapter=placement -o jsonpath='{.items[0].spec.template.spec.containers[0].env[?(@.name=="REGION")].value}')" "placement Job REGION"
	assert_eq "hcp-us-west1-1" "$(kubectl get jobs -n "$API_NS" -l hyperfleet.io/adapter=hypershift -o jsonpath='{.items[0].spec.template.spec.containers[0].env[?(@.name=="MANAGEMENT_CLUSTER")].value}')" "hypershift Job MANAGEMENT_CLUSTER"

	# Zero nodes: a new cluster has no node pool.
	api GET "/clusters/$id/nodepools"
	expect_status 200
	assert_eq "True" "$(json 'd == {"kind":"NodePoolList","page":1,"size":0,"total":0,"items":[]}')" "node pools: $API_BODY"
}

test_journey1_sad1_invalid_configuration_is_a_400_naming_the_field() {
	journey_setup
	local long
	long=$(printf 'a%.0s' $(seq 64))
	api POST /clusters "{\"name\":\"$long\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"}}"
	expect_status 400
	assert_eq "name must be at most 63 characters" "$(json 'd["error"]')"
	assert_eq "name" "$(json 'd["errors"][0]["field"]')"
	api POST /clusters '{"name":"no-spec"}'
	expect_status 400
	assert_eq "spec is required" "$(json 'd["error"]')"
	api POST /clusters '{"name":"no-region","spec":{"provider":"gcp"}}'
	expect_status 400
	assert_eq "spec.region" "$(json 'd["errors"][0]["field"]')"
	assert_contains "$(json 'd["error"]')" "region"
	api POST /clusters '{"name":"bad-region","spec":{"provider":"gcp","region":"invalid-region"}}'
	expect_status 400
	assert_match "$(json 'd["error"]')" "^Invalid region 'invalid-region' for provider gcp\. Supported regions: us-east1, us-west1, "
	# Nothing was created, and no adapter ran.
	api GET /clusters
	assert_eq "0" "$(json 'd["total"]')" "clusters"
	assert_eq "" "$(kubectl get hfc -n "$API_NS" -o name)" "clusters in kubectl"
	assert_eq "" "$(kubectl get jobs -n "$API_NS" -o name)" "Jobs"
}

test_journey1_sad2_permission_denied_is_201_not_ready_with_the_missing_permission() {
	journey_setup
	cluster_create no-perms '{"sim.hyperfleet.io/hypershift":"PermissionDenied"}'
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	local id=$CLUSTER_ID
	wait_adapter 60 "/clusters/$id" hypershift Available reason PermissionDenied
	# The infrastructure adapter failed, visibly in /statuses.
	statuses_read "/clusters/$id"
	status_expect hypershift Available False PermissionDenied
	status_expect hypershift Applied False PermissionDenied
	status_expect hypershift Health True
	assert_match "$(status_cond hypershift Available message)" "^Service account lacks compute\.networks\.create permission in GCP project no-perms-project\." "message"
	assert_contains "$(status_cond hypershift Available message)" "Grant roles/compute.networkAdmin" "actionable message"
	local a
	for a in validation dns placement pull-secret; do
		status_expect "$a" Available True
	done
	# The cluster stays Not Ready; kubectl names the failing adapter too.
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "Not Ready" "$(jcl_kubectl_phase no-perms)" "PHASE in kubectl get hfc"
	assert_eq "False PermissionDenied" "$(kubectl get hfc no-perms -n "$API_NS" -o jsonpath='{.status.conditions[?(@.type=="HypershiftSuccessful")].status} {.status.conditions[?(@.type=="HypershiftSuccessful")].reason}')" "HypershiftSuccessful"
}

test_journey1_sad3_quota_exceeded_stops_the_pipeline_until_the_quota_is_there() {
	journey_setup
	cluster_create no-quota '{"sim.hyperfleet.io/validation":"QuotaExceeded","team":"platform"}'
	local id=$CLUSTER_ID
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	wait_adapter 60 "/clusters/$id" validation Available reason QuotaExceeded
	local a
	for a in dns placement pull-secret; do
		wait_adapter 60 "/clusters/$id" "$a" Available reason PreconditionsNotMet
	done
	statuses_read "/clusters/$id"
	status_expect validation Available False QuotaExceeded
	status_expect validation Health True
	status_expect validation QuotaAvailable False QuotaExceeded
	local msg
	msg=$(status_cond validation Available message)
	assert_match "$msg" "^GCP quota exceeded for resource: CPUS in region us-east1\. Current: 100/100\." "message"
	assert_contains "$msg" "Request a quota increase" "actionable guidance"
	# The adapters after validation wait for it, and say so.
	for a in dns placement pull-secret; do
		status_expect "$a" Applied False PreconditionsNotMet
		status_expect "$a" Available False PreconditionsNotMet
		status_expect "$a" Health True
		assert_contains "$(status_cond "$a" Available message)" "waiting for adapter validation" "$a message"
	done
	assert_eq "" "$(jcl_jobs dns)$(jcl_jobs placement)$(jcl_jobs pull-secret)$(jcl_jobs hypershift)" "Jobs of the waiting adapters"
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "Not Ready" "$(jcl_kubectl_phase no-quota)"

	# The quota is granted: the label goes (a REST PATCH of the labels),
	# validation runs again and the pipeline goes on to Ready.
	api PATCH "/clusters/$id" '{"labels":{"team":"platform"}}'
	expect_status 200
	wait_phase 60 "/clusters/$id" Ready
	statuses_read "/clusters/$id"
	for a in ${JCL_ADAPTERS//,/ }; do
		status_expect "$a" Available True
	done
	status_expect validation Health True
}

test_journey1_sad4_dns_zone_not_found_blocks_hypershift_until_fixed() {
	journey_setup
	cluster_create dns-broken '{"sim.hyperfleet.io/dns":"DNSZoneNotFound"}'
	local id=$CLUSTER_ID
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')" "phase in the 201 answer"
	wait_adapter 60 "/clusters/$id" dns Available reason DNSZoneNotFound
	wait_adapter 60 "/clusters/$id" hypershift Available reason PreconditionsNotMet
	statuses_read "/clusters/$id"
	status_expect validation Available True
	status_expect dns Available False DNSZoneNotFound
	status_expect dns Health False DNSZoneNotFound
	local msg
	msg=$(status_cond dns Available message)
	assert_contains "$msg" "zone for domain example.com not found" "dns message"
	assert_contains "$msg" "Please create zone or update cluster spec" "dns message"
	# hypershift did not start: it waits for dns, and has no Job.
	status_expect hypershift Available False PreconditionsNotMet
	status_expect hypershift Applied False PreconditionsNotMet
	assert_contains "$(status_cond hypershift Available message)" "waiting for adapter dns" "hypershift message"
	assert_eq "" "$(jcl_jobs hypershift)" "hypershift Jobs"
	assert_eq "Not Ready" "$(jcl_kubectl_phase dns-broken)"

	# The fix: the zone exists now (the label goes); the system retries by
	# itself and the cluster becomes Ready.
	kubectl label hfc dns-broken -n "$API_NS" sim.hyperfleet.io/dns- >/dev/null
	jcl_wait_ready dns-broken "$id"
	statuses_read "/clusters/$id"
	status_expect dns Available True
	status_expect dns Health True
	status_expect hypershift Available True
	assert_eq "dns-broken.example.com." "$(json 'next(s["data"]["zone"] for s in d["items"] if s["adapter"] == "dns")')" "dns zone"
	assert_eq "1" "$(jcl_jobs hypershift | wc -l)" "hypershift Jobs"
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
}

test_journey2_adapter_progress_is_visible_while_a_job_runs() {
	journey_setup
	# Every Job of this cluster runs long: validation is seen at work.
	cluster_create slow-start '{"sim.hyperfleet.io/duration":"10m"}'
	local id=$CLUSTER_ID
	wait_adapter 60 "/clusters/$id" validation Available reason JobRunning
	statuses_read "/clusters/$id"
	status_expect validation Applied True
	status_expect validation Available False JobRunning
	status_expect validation Health True
	assert_contains "$(status_cond dns Available message)" "waiting for adapter validation" "dns message"
	assert_eq "Not Ready" "$(jcl_kubectl_phase slow-start)"
	assert_eq "1" "$(jcl_jobs validation | wc -l)" "validation Jobs"
	# Without the delay the pipeline finishes.
	kubectl label hfc slow-start -n "$API_NS" sim.hyperfleet.io/duration- >/dev/null
	jcl_wait_ready slow-start "$id"
}

test_journey2_sad1_a_stuck_cluster_shows_the_timeout_and_when_it_happened() {
	journey_setup
	cluster_create stuck '{"sim.hyperfleet.io/hypershift":"Timeout"}'
	local id=$CLUSTER_ID created
	created=$(json 'd["created_time"]')
	wait_adapter 60 "/clusters/$id" hypershift Available reason Timeout
	wait_adapter 60 "/clusters/$id" hypershift Applied reason Timeout
	statuses_read "/clusters/$id"
	status_expect hypershift Available False Timeout
	status_expect hypershift Applied False Timeout
	local msg t
	msg=$(status_cond hypershift Available message)
	assert_match "$msg" "^GCP cluster creation timed out after 25 minutes\. Last status: Not ready" "message"
	assert_contains "$msg" "update the cluster to retry" "the manual intervention"
	for t in Available Applied; do
		local ltt
		ltt=$(status_cond hypershift "$t" last_transition_time)
		assert_match "$ltt" "$JCL_TIME_RE" "$t lastTransitionTime"
		assert_eq "True" "$(python3 -c 'import sys; from datetime import datetime as D; p=lambda s: D.fromisoformat(s.replace("Z", "+00:00")); print(p(sys.argv[2]) <= p(sys.argv[1]) <= D.now(p(sys.argv[2]).tzinfo))' "$ltt" "$created")" "$t lastTransitionTime $ltt after creation $created"
	done
	api GET "/clusters/$id"
	assert_eq "Not Ready" "$(json 'd["status"]["phase"]')"
	assert_eq "Not Ready" "$(jcl_kubectl_phase stuck)"
	assert_eq "Timeout" "$(kubectl get hfc stuck -n "$API_NS" -o jsonpath='{.status.conditions[?(@.type=="HypershiftSuccessful")].reason}')" "HypershiftSuccessful reason"
}

test_journey2_sad2_an_unknown_cluster_id_is_404_with_the_id() {
	journey_setup
	cluster_create real-one
	api GET /clusters/non-existent-id
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "non-existent-id" "$(json 'd["id"]')"
	api GET /clusters/non-existent-id/statuses
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "non-existent-id" "$(json 'd["id"]')"
	# A well-formed id that is no cluster's.
	local other=00000000-0000-4000-8000-000000000000
	api GET "/clusters/$other"
	expect_status 404
	assert_eq "Cluster not found" "$(json 'd["error"]')"
	assert_eq "$other" "$(json 'd["id"]')"
	fails_with NotFound kubectl get hfc non-existent-id -n "$API_NS"
	api GET "/clusters/$CLUSTER_ID"
	expect_status 200
}

test_journey2_sad3_a_degraded_cluster_is_ready_with_dns_unhealthy() {
	journey_setup
	cluster_create degraded '{"sim.hyperfleet.io/dns":"HealthCheckFailed"}'
	local id=$CLUSTER_ID
	jcl_wait_ready degraded "$id"
	assert_eq "Ready" "$(jcl_kubectl_phase degraded)"
	api GET "/clusters/$id"
	assert_eq "Ready" "$(json 'd["status"]["phase"]')"
	statuses_read "/clusters/$id"
	status_expect dns Available True
	status_expect dns Applied True
	status_expect dns Health False HealthCheckFailed
	assert_eq "DNS records exist but health check failing. Record set may be misconfigured." "$(status_cond dns Health message)" "Health message"
	status_expect dns DNSRecordsCreated True
	local a
	for a in validation placement pull-secret hypershift; do
		status_expect "$a" Available True
		status_expect "$a" Health True
	done
}

test_journey3_clusters_are_listed_and_filtered_by_phase_provider_region_and_labels() {
	journey_setup
	# No cluster is Ready yet: the seed's empty list.
	api GET '/clusters?phase=Ready'
	expect_status 200
	assert_eq '{"kind":"ClusterList","page":1,"size":0,"total":0,"items":[]}' "$API_BODY" "empty list"
	cluster_create prod-east '{"env":"prod","team":"platform"}' '{"provider":"gcp","region":"us-east1"}'
	local east=$CLUSTER_ID
	cluster_create prod-west '{"env":"prod","team":"ml"}' '{"provider":"gcp","region":"us-west1"}'
	local west=$CLUSTER_ID
	cluster_create staging-east '{"env":"staging","team":"platform","sim.hyperfleet.io/validation":"PermissionDenied"}' '{"provider":"gcp","region":"us-east1"}'
	local staging=$CLUSTER_ID
	jcl_wait_ready prod-east "$east"
	jcl_wait_ready prod-west "$west"
	wait_adapter 60 "/clusters/$staging" validation Available reason PermissionDenied

	# All clusters, with the pagination fields and each item's summary.
	api GET /clusters
	expect_status 200
	assert_eq "('ClusterList', 1, 3, 3)" "$(json '(d["kind"], d["page"], d["size"], d["total"])')" "kind, page, size, total"
	assert_eq "True" "$(json 'all(i["id"] and i["name"] and i["spec"]["provider"] == "gcp" and i["spec"]["region"] and i["status"]["phase"] in ("Ready", "Not Ready") and i["labels"]["env"] and i["created_time"] and i["updated_time"] for i in d["items"])')" "items: $API_BODY"
	api GET "/clusters/$east"
	expect_status 200
	assert_eq "prod-east Ready" "$(json 'd["name"] + " " + d["status"]["phase"]')"

	# The seed's filters.
	assert_eq "staging-east" "$(jcl_names '?status.phase=%22Not%20Ready%22')" 'status.phase="Not Ready"'
	assert_eq "staging-east" "$(jcl_names '?phase=Not%20Ready')" "phase=Not Ready"
	assert_eq "prod-east,prod-west" "$(jcl_names '?status.phase=Ready')" "status.phase=Ready"
	assert_eq "prod-east,prod-west,staging-east" "$(jcl_names '?provider=gcp')" "provider=gcp"
	assert_eq "prod-east,prod-west" "$(jcl_names '?status.phase=Ready&provider=gcp')" "status.phase=Ready&provider=gcp"
	assert_eq "prod-east,staging-east" "$(jcl_names '?region=us-east1')" "region=us-east1"
	assert_eq "prod-west" "$(jcl_names '?name=prod-west')" "name=prod-west"
	assert_eq "prod-east,staging-east" "$(jcl_names '?labels=team:platform')" "labels=team:platform"
	assert_eq "prod-east,prod-west" "$(jcl_names '?labels=env:prod')" "labels=env:prod"
	# "All production GCP clusters in us-east1 that are Ready."
	assert_eq "prod-east" "$(jcl_names '?labels=env:prod&provider=gcp&region=us-east1&phase=Ready')" "combined"
	assert_eq "staging-east" "$(jcl_names '?labels=team:platform&phase=Not%20Ready')" "team and phase"
	# Team isolation through labels works through kubectl too.
	assert_eq "prod-east prod-west" "$(kubectl get hfc -n "$API_NS" -l env=prod -o jsonpath='{.items[*].metadata.name}')" "kubectl get hfc -l env=prod"
	assert_eq "Not Ready" "$(jcl_kubectl_phase staging-east)"
	assert_eq "Ready" "$(jcl_kubectl_phase prod-west)"
	# The listed cluster says why it is Not Ready (sad path, scenario 3).
	statuses_read "/clusters/$staging"
	status_expect validation Available False PermissionDenied

	# Pages.
	api GET '/clusters?page=2&size=2'
	expect_status 200
	assert_eq "(2, 1, 3)" "$(json '(d["page"], d["size"], d["total"])')" "page 2 of size 2"
	api GET '/clusters?pageSize=1'
	assert_eq "(1, 1, 3)" "$(json '(d["page"], d["size"], d["total"])')" "pageSize=1"

	# Valid filters that match nothing: the seed's empty list.
	api GET '/clusters?labels=env:nonexistent'
	expect_status 200
	assert_eq '{"kind":"ClusterList","page":1,"size":0,"total":0,"items":[]}' "$API_BODY" "labels=env:nonexistent"
	api GET '/clusters?provider=unsupported-provider'
	expect_status 200
	assert_eq '{"kind":"ClusterList","page":1,"size":0,"total":0,"items":[]}' "$API_BODY" "provider=unsupported-provider"
}

test_journey3_sad1_an_invalid_phase_filter_is_a_400() {
	journey_setup
	cluster_create listed
	api GET '/clusters?phase=InvalidPhase'
	expect_status 400
	assert_eq "Invalid phase value 'InvalidPhase'. Supported values: Not Ready, Ready" "$(json 'd["error"]')"
	api GET '/clusters?status.phase=Provisioning&provider=gcp'
	expect_status 400
	assert_eq "Invalid phase value 'Provisioning'. Supported values: Not Ready, Ready" "$(json 'd["error"]')"
	api GET '/clusters?labels=team'
	expect_status 400
	assert_eq "Invalid label filter format. Expected format: key:value" "$(json 'd["error"]')"
}
