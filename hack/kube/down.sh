#!/usr/bin/env bash
# Stops the control plane that up.sh started in DIR: only the processes it
# recorded, in reverse order of start. Keeps DIR (logs, data) unless --purge.
#   down.sh DIR [--purge]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 1 ] || die "usage: down.sh DIR [--purge]"
dir=$1
[ -d "$dir" ] || die "no such directory: $dir"
for c in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
	stop_component "$dir" "$c"
done
if [ "${2:-}" = "--purge" ]; then
	rm -rf "$dir"
fi
