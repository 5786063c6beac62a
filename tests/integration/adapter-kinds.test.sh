# Adapters creating kinds beyond Jobs, ConfigMaps, Namespaces and Secrets:
# the engine discovers the kind from the API server, watches it with an
# informer of its own (so a change of such an object requeues its Cluster,
# no polling), and reports a kind the API server does not serve as
# Health=False with the reason.
. "$HF_TOP/tests/lib/kube.sh"
. "$HF_TOP/tests/lib/operator.sh"

kinds_cleanup() {
	[ -n "${HF_OPERATOR_PID:-}" ] && kill -TERM "$HF_OPERATOR_PID" 2>/dev/null && wait "$HF_OPERATOR_PID" 2>/dev/null
	remove_test_adapters
}

# object_adapter NAME API_VERSION KIND: a required Cluster adapter creating
# one object of that kind in the Cluster's namespace.
object_adapter() {
	kubectl apply -f - >/dev/null <<YAML
apiVersion: hyperfleet.io/v1alpha1
kind: Adapter
metadata: {name: $1, labels: {hyperfleet-test: "true"}}
spec:
  target: Cluster
  required: true
  resources:
    - name: obj
      manifest:
        apiVersion: $2
        kind: $3
        metadata:
          annotations: {example.com/region: "\${cluster.spec.region}"}
YAML
}

kinds_cond() { # NS CLUSTER ADAPTER TYPE FIELD
	kubectl get hfc "$2" -n "$1" -o json | jq -r --arg a "$3" --arg t "$4" --arg f "$5" \
		'.status.adapters[]? | select(.adapter == $a) | .conditions[]? | select(.type == $t) | .[$f] // empty'
}

kinds_cond_is() { # NS CLUSTER ADAPTER TYPE FIELD VALUE
	[ "$(kinds_cond "$1" "$2" "$3" "$4" "$5")" = "$6" ]
}

exists() { # KIND NS NAME
	kubectl get "$1" "$3" -n "$2" -o name >/dev/null 2>&1
}

test_a_discovered_kind_is_created_watched_and_recreated() {
	trap kinds_cleanup EXIT
	local ns uid name
	ns=$(new_namespace adapt-kinds)
	object_adapter t-sa v1 ServiceAccount
	start_operator "$ns"
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: east}\nspec: {provider: gcp, region: us-east1}\n' | apply_yaml "$ns" >/dev/null
	wait_for 60 "Available=True" kinds_cond_is "$ns" east t-sa Available status True
	assert_eq "ResourcesReady" "$(kinds_cond "$ns" east t-sa Available reason)"
	uid=$(jpath hfc "$ns" east '{.metadata.uid}')
	name="t-sa-obj-${uid:0:8}"
	assert_eq "us-east1" "$(kubectl get serviceaccount "$name" -n "$ns" -o jsonpath='{.metadata.annotations.example\.com/region}')"
	assert_eq "t-sa" "$(kubectl get serviceaccount "$name" -n "$ns" -o jsonpath='{.metadata.labels.hyperfleet\.io/adapter}')"
	grep -q '"watching a new kind".*"resource":"serviceaccounts"' "$HF_OPERATOR_LOG" ||
		fail "the operator did not log watching serviceaccounts: $(tail -5 "$HF_OPERATOR_LOG")"
	# Deleting the object is an event of the engine's own informer: the
	# Cluster is requeued and the object comes back, with a new uid.
	local old
	old=$(kubectl get serviceaccount "$name" -n "$ns" -o jsonpath='{.metadata.uid}')
	kubectl delete serviceaccount "$name" -n "$ns" >/dev/null
	wait_for 30 "the ServiceAccount to be recreated" sh -c "
		u=\$(kubectl get serviceaccount $name -n $ns -o jsonpath='{.metadata.uid}' 2>/dev/null)
		[ -n \"\$u\" ] && [ \"\$u\" != $old ]"
	stop_operator
}

test_a_kind_the_api_server_does_not_serve_is_unhealthy_with_the_reason() {
	trap kinds_cleanup EXIT
	local ns msg
	ns=$(new_namespace adapt-nokind)
	object_adapter t-nokind v1 Gadget
	object_adapter t-noversion example.com/v9 Widget
	start_operator "$ns"
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: east}\nspec: {provider: gcp, region: us-east1}\n' | apply_yaml "$ns" >/dev/null
	wait_for 60 "Health=False" kinds_cond_is "$ns" east t-nokind Health status False
	assert_eq "the API server has no kind Gadget in v1" "$(kinds_cond "$ns" east t-nokind Health message)"
	assert_eq "False" "$(kinds_cond "$ns" east t-nokind Applied status)"
	wait_for 60 "Health=False" kinds_cond_is "$ns" east t-noversion Health status False
	msg=$(kinds_cond "$ns" east t-noversion Health message)
	assert_eq "the API server does not serve apiVersion example.com/v9" "$msg"
	assert_eq "Not Ready" "$(jpath hfc "$ns" east '{.status.phase}')"
	stop_operator
}
