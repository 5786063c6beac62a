#!/usr/bin/env bash
# Moves the test control plane's etcd revision on and compacts its history up
# to there, so every older resourceVersion is gone (watches from it get 410).
# Works while the API server is down. Prints the compacted revision.
#   etcd-compact.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -eq 1 ] || die "usage: etcd-compact.sh DIR"
. "$1/ports"
etcd=http://127.0.0.1:$ETCD_PORT
# etcd's JSON gateway takes base64 keys and values: "hf-compact" = "1".
out=$(curl -fsS -X POST "$etcd/v3/kv/put" -d '{"key":"aGYtY29tcGFjdA==","value":"MQ=="}')
rev=$(sed -n 's/.*"revision":"\([0-9]*\)".*/\1/p' <<<"$out")
[ -n "$rev" ] || die "etcd did not report a revision: $out"
curl -fsS -X POST "$etcd/v3/kv/compaction" -d "{\"revision\":\"$rev\",\"physical\":true}" >/dev/null
echo "$rev"
