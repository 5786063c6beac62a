#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok with one simulated node on
# which Jobs' pods run (see kwok-stages.yaml for how they succeed or fail).
#
#   up.sh [--dir DIR] [--api-port PORT]
#
# DIR (default: a new temporary directory) receives the PKI, the kubeconfig
# (admin.kubeconfig: context "hyperfleet" with a client certificate, context
# "hyperfleet-token" with a bearer token), the etcd data, logs/ and the
# records that down.sh uses to stop exactly these processes. Reusing a DIR
# keeps its PKI, etcd data and ports. PORT 0 (the default) picks a free port.
# Prints DIR on stdout; `source DIR/env` points kubectl at the control plane.
# HF_KUBE_PROFILING=true serves kube-apiserver's /debug/pprof (benchmark
# diagnostics; off otherwise).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dir="" api_port=0
while [ $# -gt 0 ]; do
	case $1 in
	--dir) dir=$2; shift 2 ;;
	--api-port) api_port=$2; shift 2 ;;
	-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

bin=$("$here/build.sh")
started=$(now_ms)
[ -n "$dir" ] || dir=$(mktemp -d "${TMPDIR:-/tmp}/hyperfleet-kube.XXXXXX")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
	component_alive "$dir" "$c" && die "$c is already running from $dir (stop it with hack/kube/down.sh $dir)"
done
# If anything below fails (including through die), stop what was started.
trap '"$here/down.sh" "$dir" >/dev/null 2>&1 || true' EXIT

pki=$dir/pki
if [ ! -f "$pki/ca.crt" ]; then
	mkdir -p "$pki"
	"$here/pki.sh" "$pki"
fi
token=$(cut -d, -f1 "$pki/tokens.csv")

# Ports: kept from an earlier start of this DIR so etcd's membership stays valid.
if [ -f "$dir/ports" ]; then
	. "$dir/ports"
	[ "$api_port" = 0 ] || API_PORT=$api_port
else
	export HF_PORTS_TAKEN=$dir/.ports-taken
	ETCD_PORT=$(free_port) ETCD_PEER_PORT=$(free_port) KCM_PORT=$(free_port) SCHED_PORT=$(free_port)
	if [ "$api_port" = 0 ]; then API_PORT=$(free_port); else API_PORT=$api_port; fi
	rm -f "$HF_PORTS_TAKEN"
	printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nAPI_PORT=%s\nKCM_PORT=%s\nSCHED_PORT=%s\n' \
		"$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$KCM_PORT" "$SCHED_PORT" >"$dir/ports"
fi
if [ -n "$(ss -Htanl "sport = :$API_PORT")" ]; then
	die "port $API_PORT is already in use: choose another with --api-port"
fi

kubeconfig=$dir/admin.kubeconfig
server=https://127.0.0.1:$API_PORT
kc() { "$bin/kubectl" --kubeconfig="$kubeconfig" "$@"; }
rm -f "$kubeconfig"
kc config set-cluster hyperfleet --server="$server" --certificate-authority="$pki/ca.crt" --embed-certs=true >/dev/null
kc config set-credentials hyperfleet-admin --client-certificate="$pki/admin.crt" --client-key="$pki/admin.key" --embed-certs=true >/dev/null
kc config set-credentials hyperfleet-token --token="$token" >/dev/null
kc config set-context hyperfleet --cluster=hyperfleet --user=hyperfleet-admin --namespace=default >/dev/null
kc config set-context hyperfleet-token --cluster=hyperfleet --user=hyperfleet-token --namespace=default >/dev/null
kc config use-context hyperfleet >/dev/null

start_component "$dir" etcd "$bin/etcd" --name=hyperfleet --data-dir="$dir/etcd" \
	--listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
	--listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
	--initial-cluster="hyperfleet=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync=true --log-level=warn
wait_until 60 "etcd /health" "$dir" etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

start_component "$dir" kube-apiserver "$bin/kube-apiserver" \
	--etcd-servers="http://127.0.0.1:$ETCD_PORT" --etcd-prefix=/registry \
	--bind-address=127.0.0.1 --secure-port="$API_PORT" --advertise-address=127.0.0.1 \
	--cert-dir="$pki" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
	--client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
	--service-cluster-ip-range=10.0.0.0/24 --authorization-mode=Node,RBAC --allow-privileged=true \
	--profiling="${HF_KUBE_PROFILING:-false}" --v=1
wait_until 120 "kube-apiserver /readyz" "$dir" kube-apiserver \
	curl -fsS --cacert "$pki/ca.crt" "$server/readyz"
ready_ms=$(($(now_ms) - started))

start_component "$dir" kube-controller-manager "$bin/kube-controller-manager" \
	--kubeconfig="$kubeconfig" --authentication-kubeconfig="$kubeconfig" --authorization-kubeconfig="$kubeconfig" \
	--bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
	--service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
	--cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
	--use-service-account-credentials=false --controllers='*' --v=1
start_component "$dir" kube-scheduler "$bin/kube-scheduler" \
	--kubeconfig="$kubeconfig" --authentication-kubeconfig="$kubeconfig" --authorization-kubeconfig="$kubeconfig" \
	--bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false --v=1
start_component "$dir" kwok "$bin/kwok" --kubeconfig="$kubeconfig" --config="$here/kwok-stages.yaml" \
	--manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
	--manage-nodes-with-label-selector= --manage-single-node= \
	--node-ip=127.0.0.1 --cidr=10.244.0.1/16 --node-lease-duration-seconds=40

kc apply -f "$here/kwok-node.yaml" >/dev/null
wait_until 60 "the kwok node to be Ready" "$dir" kwok \
	kc wait --for=condition=Ready node/kwok-node-0 --timeout=2s
# Pods need the default ServiceAccount, which the controller manager creates.
wait_until 60 "the default ServiceAccount" "$dir" kube-controller-manager \
	kc get serviceaccount default -n default

cat >"$dir/env" <<ENV
# Points kubectl and HyperFleet at the control plane in $dir.
export KUBECONFIG=$kubeconfig
export HF_KUBE_DIR=$dir
export HF_KUBE_BIN=$bin
export HF_KUBE_SERVER=$server
export HF_KUBE_TOKEN=$token
export PATH=$bin:\$PATH
ENV
trap - EXIT
log "control plane ready in $dir: /readyz after ${ready_ms} ms, node Ready after $(($(now_ms) - started)) ms"
echo "$dir"
