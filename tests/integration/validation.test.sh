# The API server rejects invalid Clusters and NodePools itself (CRD schema,
# CEL rules and the provider catalog's admission policies), with the
# messages of the product's user journeys.
. "$HF_TOP/tests/lib/kube.sh"

# cluster NAME PROVIDER REGION: a Cluster manifest.
cluster() {
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: Cluster\nmetadata: {name: %s}\nspec: {provider: %s, region: %s}\n' "$1" "$2" "$3"
}

# nodepool NAME CLUSTER COUNT MACHINE: a NodePool manifest.
nodepool() {
	printf 'apiVersion: hyperfleet.io/v1alpha1\nkind: NodePool\nmetadata: {name: %s}\nspec: {clusterName: %s, nodeCount: %s, machineType: %s}\n' "$1" "$2" "$3" "$4"
}

test_cluster_name_longer_than_63_characters_is_rejected() {
	local ns name63 name64
	ns=$(new_namespace names)
	name63=$(printf 'c%.0s' {1..63})
	name64=$(printf 'c%.0s' {1..64})
	fails_with "cluster name must be between 3 and 63 characters long" apply_yaml "$ns" < <(cluster "$name64" gcp us-east1)
	cluster "$name63" gcp us-east1 | apply_yaml "$ns" >/dev/null
	fails_with "cluster name must be between 3 and 63 characters long" apply_yaml "$ns" < <(cluster ab gcp us-east1)
	fails_with "cluster name must consist of lowercase letters" apply_yaml "$ns" < <(cluster bad-.name gcp us-east1)
}

test_missing_required_fields_are_named() {
	local ns
	ns=$(new_namespace required)
	fails_with "spec.region: Required value" apply_yaml "$ns" <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Cluster
metadata: {name: no-region}
spec: {provider: gcp}
YAML
	fails_with "spec.provider: Required value" apply_yaml "$ns" <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Cluster
metadata: {name: no-provider}
spec: {region: us-east1}
YAML
	fails_with "spec: Required value" apply_yaml "$ns" <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Cluster
metadata: {name: no-spec}
YAML
	fails_with "spec.nodeCount: Required value" apply_yaml "$ns" <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: NodePool
metadata: {name: demo.pool}
spec: {clusterName: demo, machineType: n1-standard-4}
YAML
}

test_unsupported_provider_is_rejected_with_the_supported_list() {
	local ns
	ns=$(new_namespace provider)
	fails_with "Unsupported provider 'aws'. Supported providers: gcp" apply_yaml "$ns" < <(cluster on-aws aws us-east-1)
}

test_invalid_region_is_rejected_with_the_supported_regions() {
	local ns
	ns=$(new_namespace region)
	fails_with "Invalid region 'invalid-region' for provider gcp. Supported regions: us-east1, us-west1, us-central1," \
		apply_yaml "$ns" < <(cluster bad-region gcp invalid-region)
	cluster good-region gcp europe-west1 | apply_yaml "$ns" >/dev/null
}

test_node_count_outside_the_catalog_limits_is_rejected() {
	local ns
	ns=$(new_namespace nodecount)
	fails_with "Invalid node count: 0. Must be between 1 and 100" apply_yaml "$ns" < <(nodepool demo.zero demo 0 n1-standard-4)
	fails_with "Invalid node count: -1. Must be between 1 and 100" apply_yaml "$ns" < <(nodepool demo.neg demo -1 n1-standard-4)
	fails_with "Node count 150 exceeds maximum limit of 100 per nodepool" apply_yaml "$ns" < <(nodepool demo.big demo 150 n1-standard-4)
	nodepool demo.one demo 1 n1-standard-4 | apply_yaml "$ns" >/dev/null
	nodepool demo.hundred demo 100 n1-standard-4 | apply_yaml "$ns" >/dev/null
}

test_unknown_machine_type_is_rejected() {
	local ns
	ns=$(new_namespace machine)
	fails_with "Invalid machine type 'm5.large'. Supported machine types: e2-standard-4," apply_yaml "$ns" < <(nodepool demo.pool demo 3 m5.large)
}

test_node_pool_names_are_scoped_to_their_cluster() {
	local ns
	ns=$(new_namespace npnames)
	fails_with "Invalid node pool name 'other.pool': must be 'demo.<pool name>'" apply_yaml "$ns" < <(nodepool other.pool demo 3 n1-standard-4)
	fails_with "Invalid node pool name 'p'" apply_yaml "$ns" < <(nodepool demo.p demo 3 n1-standard-4)
	fails_with "Invalid node pool name 'sixteen-chars-xx'" apply_yaml "$ns" < <(nodepool demo.sixteen-chars-xx demo 3 n1-standard-4)
	# The same pool name in two clusters of one namespace.
	nodepool alpha.workers alpha 3 n1-standard-4 | apply_yaml "$ns" >/dev/null
	nodepool beta.workers beta 3 n1-standard-4 | apply_yaml "$ns" >/dev/null
}

test_immutable_fields_cannot_change() {
	local ns
	ns=$(new_namespace immutable)
	cluster fixed gcp us-east1 | apply_yaml "$ns" >/dev/null
	fails_with "spec.provider cannot be changed after the cluster is created" \
		kubectl patch hfc fixed -n "$ns" --type=merge -p '{"spec":{"provider":"aws"}}'
	nodepool fixed.pool fixed 3 n1-standard-4 | apply_yaml "$ns" >/dev/null
	fails_with "spec.clusterName cannot be changed after the node pool is created" \
		kubectl patch hfnp fixed.pool -n "$ns" --type=merge -p '{"spec":{"clusterName":"other"}}'
}

test_catalog_changes_apply_without_blocking_existing_objects() {
	local ns
	ns=$(new_namespace catalog)
	cluster stays gcp asia-south1 | apply_yaml "$ns" >/dev/null
	# Withdraw a region: new clusters there are refused, existing ones keep
	# working (labels and status can still change).
	kubectl patch providercatalog default --type=json \
		-p '[{"op":"test","path":"/spec/providers/gcp/regions/13","value":"asia-south1"},{"op":"remove","path":"/spec/providers/gcp/regions/13"}]' >/dev/null
	restore() { kubectl apply --server-side --force-conflicts --field-manager=hyperfleet-install -f "$HF_TOP/crds/catalog/" >/dev/null; }
	trap restore EXIT
	create_new_one() { cluster new-one gcp asia-south1 | apply_yaml "$ns"; }
	wait_for 30 "the catalog change to be enforced" fails_with "Invalid region 'asia-south1'" create_new_one
	kubectl label hfc stays -n "$ns" team=platform >/dev/null
	kubectl patch hfc stays -n "$ns" --subresource=status --type=merge -p '{"status":{"phase":"Not Ready"}}' >/dev/null
	assert_eq "Not Ready" "$(kubectl get hfc stays -n "$ns" -o jsonpath='{.status.phase}')"
}
