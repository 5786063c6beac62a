#!/usr/bin/env bash
# Generates the test control plane's PKI in DIR: a CA, the API server's
# serving certificate, an admin client certificate (group system:masters),
# the service account signing key pair and a static admin bearer token.
#   pki.sh DIR
set -euo pipefail
p=$1
mkdir -p "$p"
umask 077
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }

key "$p/ca.key"
openssl req -x509 -new -key "$p/ca.key" -out "$p/ca.crt" -days 3650 -subj "/CN=hyperfleet-test-ca" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

key "$p/apiserver.key"
openssl req -new -key "$p/apiserver.key" -out "$p/apiserver.csr" -subj "/CN=kube-apiserver" 2>/dev/null
printf '%s\n' \
	'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local' \
	'extendedKeyUsage=serverAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' >"$p/server.ext"
openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
	-days 3650 -extfile "$p/server.ext" -out "$p/apiserver.crt" 2>/dev/null

key "$p/admin.key"
openssl req -new -key "$p/admin.key" -out "$p/admin.csr" -subj "/O=system:masters/CN=hyperfleet-admin" 2>/dev/null
printf '%s\n' 'extendedKeyUsage=clientAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' >"$p/client.ext"
openssl x509 -req -in "$p/admin.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
	-days 3650 -extfile "$p/client.ext" -out "$p/admin.crt" 2>/dev/null

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$p/sa.key" 2>/dev/null
openssl pkey -in "$p/sa.key" -pubout -out "$p/sa.pub"

echo "$(openssl rand -hex 24),hyperfleet-token-admin,hyperfleet-token-admin,\"system:masters\"" >"$p/tokens.csv"
rm -f "$p"/*.csr "$p"/*.ext
