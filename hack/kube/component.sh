#!/usr/bin/env bash
# Stops, kills or restarts one component of a running test control plane, for
# failure tests (an API server restart, say).
#   component.sh DIR stop|kill|restart|alive NAME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -eq 3 ] || die "usage: component.sh DIR stop|kill|restart|alive NAME"
dir=$1 action=$2 name=$3
case $action in
stop) stop_component "$dir" "$name" ;;
kill) stop_component "$dir" "$name" KILL ;;
restart)
	stop_component "$dir" "$name"
	restart_component "$dir" "$name"
	;;
alive) component_alive "$dir" "$name" ;;
*) die "unknown action '$action'" ;;
esac
