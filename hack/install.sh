#!/usr/bin/env bash
# Installs HyperFleet's API into the cluster kubectl points at: the CRDs
# (waiting until they are Established), the provider catalog, and the
# admission policies that check Clusters and NodePools against it (waiting
# until the API server enforces them).
#   install.sh [--samples]   also apply manifests/samples
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/hack/kube/lib.sh"
kubectl=${KUBECTL:-kubectl}

"$kubectl" apply --server-side --force-conflicts --field-manager=hyperfleet-install -f "$top/crds/" >/dev/null
"$kubectl" wait --for=condition=Established --timeout=60s \
	crd/clusters.hyperfleet.io crd/nodepools.hyperfleet.io crd/adapters.hyperfleet.io \
	crd/providercatalogs.hyperfleet.io >/dev/null
"$kubectl" apply --server-side --force-conflicts --field-manager=hyperfleet-install -f "$top/crds/catalog/" >/dev/null
"$kubectl" apply --server-side --force-conflicts --field-manager=hyperfleet-install -f "$top/crds/admission/" >/dev/null

# A new policy takes effect a moment after it is stored: wait until a
# server-side dry run of an invalid Cluster is refused by it.
probe() {
	local out
	out=$("$kubectl" create --dry-run=server -o name -f - 2>&1 <<'YAML'
apiVersion: hyperfleet.io/v1alpha1
kind: Cluster
metadata: {name: install-probe, namespace: default}
spec: {provider: install-probe, region: none}
YAML
	) || true
	[[ $out == *"Unsupported provider"* ]]
}
deadline=$(($(date +%s) + 60))
until probe; do
	[ "$(date +%s)" -lt "$deadline" ] || die "the admission policy hyperfleet-cluster-catalog is not enforced after 60 s"
	sleep 0.2
done

if [ "${1:-}" = "--samples" ]; then
	"$kubectl" apply -f "$top/manifests/samples/" >/dev/null
fi
log "installed CRDs, provider catalog and admission policies${1:+ and samples}"
