# Shared functions of the hack/kube scripts: process records and waiting.
#
# Every process a script starts is recorded in $dir/pids/<name>: its pid and
# its start time in clock ticks since boot (/proc/<pid>/stat field 22), so a
# later stop never signals an unrelated process that reused the pid. Its
# command line is kept in $dir/cmd/<name> so one component can be restarted.

log() { echo "${0##*/}: $*" >&2; }
die() { log "$*"; exit 1; }

now_ms() { date +%s%3N; }

proc_start_time() { # pid
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # drop "pid (comm) ", comm may contain spaces
	set -- $stat
	echo "${20}"
}

# start_component DIR NAME CMD ARGS...: runs CMD in the background, logs to
# DIR/logs/NAME.log, records it.
start_component() {
	local dir=$1 name=$2
	shift 2
	mkdir -p "$dir/logs" "$dir/pids" "$dir/cmd"
	printf '%q ' "$@" >"$dir/cmd/$name"
	setsid "$@" >>"$dir/logs/$name.log" 2>&1 </dev/null &
	local pid=$!
	echo "$pid $(proc_start_time "$pid")" >"$dir/pids/$name"
}

# restart_component DIR NAME: starts NAME again from its recorded command.
restart_component() {
	local dir=$1 name=$2
	[ -f "$dir/cmd/$name" ] || die "no recorded command for $name in $dir"
	setsid bash -c "exec $(cat "$dir/cmd/$name")" >>"$dir/logs/$name.log" 2>&1 </dev/null &
	local pid=$!
	echo "$pid $(proc_start_time "$pid")" >"$dir/pids/$name"
}

# component_alive DIR NAME: true when the recorded process still runs.
component_alive() {
	local rec pid start
	rec=$(cat "$1/pids/$2" 2>/dev/null) || return 1
	read -r pid start <<<"$rec"
	[ -n "$pid" ] && [ "$(proc_start_time "$pid")" = "$start" ]
}

# stop_component DIR NAME [SIGNAL]: signals the recorded process (TERM by
# default), waits up to 15 s for it to end, then kills it.
stop_component() {
	local dir=$1 name=$2 sig=${3:-TERM} pid start i
	component_alive "$dir" "$name" || { rm -f "$dir/pids/$name"; return 0; }
	read -r pid start <"$dir/pids/$name"
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		[ "$(proc_start_time "$pid")" = "$start" ] || break
		sleep 0.1
	done
	if [ "$(proc_start_time "$pid")" = "$start" ]; then
		log "$name (pid $pid) did not stop after SIG$sig; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/pids/$name"
}

# wait_until DEADLINE_S DESCRIPTION DIR NAME CMD...: runs CMD until it
# succeeds; fails with the end of NAME's log when the deadline passes or the
# component exits.
wait_until() {
	local deadline=$(($(date +%s) + $1)) what=$2 dir=$3 name=$4
	shift 4
	until "$@" >/dev/null 2>&1; do
		if ! component_alive "$dir" "$name"; then
			tail -n 30 "$dir/logs/$name.log" >&2
			die "$name exited while waiting for $what (log: $dir/logs/$name.log)"
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			tail -n 30 "$dir/logs/$name.log" >&2
			die "timed out waiting for $what (log: $dir/logs/$name.log)"
		fi
		sleep 0.1
	done
}

# free_port: a loopback TCP port no socket uses now, below the kernel's
# ephemeral range (a port in that range may be taken by any outgoing
# connection between our check and the server's bind).
free_port() {
	local low port i
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$low" -gt 12000 ] || low=32768
	for ((i = 0; i < 100; i++)); do
		port=$((10000 + RANDOM % (low - 10000)))
		if [ -z "$(ss -Htan "( sport = :$port )")" ] && ! grep -qx "$port" "${HF_PORTS_TAKEN:-/dev/null}" 2>/dev/null; then
			[ -n "${HF_PORTS_TAKEN:-}" ] && echo "$port" >>"$HF_PORTS_TAKEN"
			echo "$port"
			return 0
		fi
	done
	die "no free loopback port found"
}
