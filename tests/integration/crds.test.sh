# HyperFleet's API in the API server: CRDs, printer columns, explain,
# samples, preserved provider fields, the status subresource.
. "$HF_TOP/tests/lib/kube.sh"

test_crds_are_established() {
	local crd
	for crd in clusters nodepools adapters providercatalogs; do
		assert_eq "True" "$(kubectl get crd "$crd.hyperfleet.io" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" "$crd Established"
	done
}

test_admission_policies_type_check_cleanly() {
	local p
	for p in hyperfleet-cluster-catalog hyperfleet-nodepool-catalog; do
		assert_eq "{}" "$(kubectl get validatingadmissionpolicy "$p" -o jsonpath='{.status.typeChecking}')" "$p type checking"
	done
}

test_samples_apply_and_show_the_printer_columns() {
	local ns out
	ns=$(new_namespace samples)
	kubectl apply -n "$ns" -f "$HF_TOP/manifests/samples/cluster.yaml" -f "$HF_TOP/manifests/samples/nodepool.yaml" >/dev/null
	kubectl apply -f "$HF_TOP/manifests/samples/adapter.yaml" >/dev/null

	out=$(kubectl get hfc -n "$ns")
	assert_match "$(head -1 <<<"$out")" '^NAME +PROVIDER +REGION +PHASE +RECONCILED +AGE$' "kubectl get hfc header"
	assert_match "$(sed -n 2p <<<"$out")" '^demo +gcp +us-east1 ' "kubectl get hfc row"

	out=$(kubectl get hfnp -n "$ns")
	assert_match "$(head -1 <<<"$out")" '^NAME +CLUSTER +NODES +MACHINE-TYPE +PHASE +AGE$' "kubectl get hfnp header"
	assert_match "$(sed -n 2p <<<"$out")" '^demo\.workers +demo +3 +n1-standard-4 ' "kubectl get hfnp row"

	out=$(kubectl get adapters example-check)
	assert_match "$(head -1 <<<"$out")" '^NAME +TARGET +REQUIRED +EXTERNAL +ACCEPTED +AGE$' "kubectl get adapters header"

	# The category and the other short names reach the same objects.
	out=$(kubectl get hyperfleet -n "$ns" -o name)
	assert_contains "$out" "cluster.hyperfleet.io/demo"
	assert_contains "$out" "nodepool.hyperfleet.io/demo.workers"
	assert_eq "demo" "$(kubectl get hfcluster -n "$ns" -o jsonpath='{.items[0].metadata.name}')"
	assert_eq "demo.workers" "$(kubectl get hfnodepool -n "$ns" -o jsonpath='{.items[0].metadata.name}')"
	assert_eq "example-check" "$(kubectl get hfa example-check -o jsonpath='{.metadata.name}')"
	kubectl delete -f "$HF_TOP/manifests/samples/adapter.yaml" >/dev/null
}

test_provider_specific_fields_are_preserved() {
	local ns
	ns=$(new_namespace preserve)
	kubectl apply -n "$ns" -f "$HF_TOP/manifests/samples/cluster.yaml" >/dev/null
	assert_eq "my-gcp-project" "$(kubectl get hfc demo -n "$ns" -o jsonpath='{.spec.gcp.projectID}')"
	apply_yaml "$ns" >/dev/null <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: NodePool
metadata: {name: demo.gpu}
spec: {clusterName: demo, nodeCount: 2, machineType: a2-highgpu-1g, gcp: {accelerators: [{type: nvidia-tesla-a100, count: 1}]}}
YAML
	assert_eq "nvidia-tesla-a100" "$(kubectl get hfnp demo.gpu -n "$ns" -o jsonpath='{.spec.gcp.accelerators[0].type}')"
}

test_status_is_a_subresource() {
	local ns
	ns=$(new_namespace status)
	kubectl apply -n "$ns" -f "$HF_TOP/manifests/samples/cluster.yaml" >/dev/null
	# A status written through the main resource is ignored ...
	kubectl patch hfc demo -n "$ns" --type=merge -p '{"status":{"phase":"Ready"}}' >/dev/null
	assert_eq "" "$(kubectl get hfc demo -n "$ns" -o jsonpath='{.status.phase}')"
	# ... and one written through /status is kept, without a new generation.
	kubectl patch hfc demo -n "$ns" --subresource=status --type=merge -p '{"status":{"phase":"Ready"}}' >/dev/null
	assert_eq "Ready" "$(kubectl get hfc demo -n "$ns" -o jsonpath='{.status.phase}')"
	assert_eq "1" "$(kubectl get hfc demo -n "$ns" -o jsonpath='{.metadata.generation}')"
	fails_with 'Unsupported value: "Done"' kubectl patch hfc demo -n "$ns" --subresource=status --type=merge -p '{"status":{"phase":"Done"}}'
}

test_explain_describes_the_fields() {
	local out
	out=$(kubectl explain cluster.spec)
	assert_contains "$out" "provider	<string> -required-"
	assert_contains "$out" "region	<string> -required-"
	assert_contains "$out" "Cloud provider, one of the providers of the provider catalog"
	out=$(kubectl explain nodepool.spec.nodeCount)
	assert_contains "$out" "Number of nodes"
	out=$(kubectl explain cluster.status.adapters.conditions)
	assert_contains "$out" "Applied (its resources exist)"
	out=$(kubectl explain adapter.spec.preconditions)
	assert_contains "$out" "Checks evaluated in order"
	out=$(kubectl explain providercatalog.spec.providers)
	assert_contains "$out" "The offered providers by name"
}
