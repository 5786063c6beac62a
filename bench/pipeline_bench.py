#!/usr/bin/env python3
"""pipeline_bench: one batch of the `pipeline` benchmark (bench/run.sh).

    pipeline_bench.py --api BASE --metrics URL --pid PID --clusters N
                      [--prefix P] [--threads T] [--deadline S] [--pids name=pid,...]

With `hyperfleet run` serving the REST API at BASE (.../api/hyperfleet/v1)
for a fresh namespace and the simulated adapters accepted, creates N
clusters through POST /clusters from T threads (keep-alive connections) and
watches the REST API's NDJSON stream (GET /clusters?watch=true) for the
moment each one first shows phase Ready. Fails (exit 1) unless all are Ready
within the deadline. Around the batch it reads the kube-apiserver's
/metrics (`kubectl get --raw`), the operator's /metrics and /proc of the
operator and of the control plane's processes (--pids), and prints one JSON
object of figures on stdout. Progress goes to stderr.
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

WRITE_VERBS = ("POST", "PUT", "PATCH", "DELETE", "APPLY")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"pipeline_bench: {msg}", file=sys.stderr, flush=True)


def die(msg):
    log(msg)
    sys.exit(1)


# Prometheus text: {(name, frozenset(labels.items())): value}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text, names):
    out = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        m = SAMPLE.match(line)
        if not m or not m.group(1).startswith(names):
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        try:
            out[(m.group(1), frozenset(labels.items()))] = float(m.group(3))
        except ValueError:
            pass
    return out


def apiserver_metrics():
    text = subprocess.run(["kubectl", "get", "--raw", "/metrics"], check=True,
                          capture_output=True, text=True).stdout
    return parse_metrics(text, ("apiserver_request_total", "apiserver_request_duration_seconds_sum",
                                "apiserver_request_duration_seconds_count"))


def operator_metrics(url):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", u.path)
    r = c.getresponse()
    text = r.read().decode()
    c.close()
    return parse_metrics(text, ("rest_client_requests_total", "workqueue_", "controller_runtime_",
                                "rest_client_request_duration_seconds_", "hyperfleet_api_request",
                                "rest_client_rate_limiter_duration_seconds_"))


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def proc_mem_mb(pid):
    mem = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                mem[line.split(":")[0]] = int(line.split()[1]) / 1024
    return mem


def delta(after, before):
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v - before.get(k, 0.0) != 0}


def group(d, name, keyfn):
    out = {}
    for (n, labels), v in d.items():
        if n != name:
            continue
        k = keyfn(dict(labels))
        if k is None:
            continue
        out[k] = out.get(k, 0.0) + v
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def apiserver_writes(d):
    """Write requests of an apiserver_request_total delta, by verb and by resource."""
    def is_write(l):
        return l.get("verb") in WRITE_VERBS and l.get("dry_run", "") == ""
    by_verb = group(d, "apiserver_request_total", lambda l: l["verb"] if is_write(l) else None)
    by_resource = group(d, "apiserver_request_total", lambda l: (
        f'{l["verb"]} {l.get("resource", "")}' + (f'/{l["subresource"]}' if l.get("subresource") else "")
        if is_write(l) else None))
    conflicts = group(d, "apiserver_request_total", lambda l: "409" if is_write(l) and l.get("code") == "409" else None)
    return by_verb, by_resource, conflicts.get("409", 0.0)


def apiserver_latency(d):
    """Mean server-side duration (ms) of each kind of write, from a delta."""
    def key(l):
        if l.get("verb") not in WRITE_VERBS:
            return None
        return f'{l["verb"]} {l.get("resource", "")}' + (f'/{l["subresource"]}' if l.get("subresource") else "")
    s = group(d, "apiserver_request_duration_seconds_sum", key)
    c = group(d, "apiserver_request_duration_seconds_count", key)
    return {k: round(s.get(k, 0) * 1000 / c[k], 1) for k in c if c[k] >= 1}


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


class Watch(threading.Thread):
    """Follows GET /clusters?watch=true and records when each name first shows Ready.

    The REST API ends a watch stream after a few seconds (seen with this
    release: about 5 s, whatever the traffic), so the stream is resumed at
    once from the last resource_version seen; a 410 (too old) lists again.
    """

    def __init__(self, base, names):
        super().__init__(daemon=True)
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.path = u.path + "/clusters?watch=true&fields=name,status"
        self.names = set(names)
        self.ready = {}
        self.events = 0
        self.streams = 0
        self.relists = 0
        self.rv = 0
        self.error = None
        self.cond = threading.Condition()
        self.connected = threading.Event()

    def stream(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        path = self.path + (f"&resource_version={self.rv}" if self.rv else "")
        conn.request("GET", path)
        r = conn.getresponse()
        if r.status != 200:
            raise RuntimeError(f"watch answered {r.status}: {r.read()[:300]!r}")
        self.streams += 1
        self.connected.set()
        try:
            while True:
                line = r.readline()
                if not line:
                    return
                now = time.monotonic()
                line = line.strip()
                if not line:
                    continue
                ev = json.loads(line)
                self.events += 1
                if ev.get("type") == "ERROR":
                    if (ev.get("object") or {}).get("status") == 410:
                        self.rv = 0
                        self.relists += 1
                        return
                    raise RuntimeError(f"watch error: {line[:300]!r}")
                try:
                    self.rv = max(self.rv, int(ev.get("resource_version") or 0))
                except ValueError:
                    pass
                obj = ev.get("object") or {}
                name = obj.get("name")
                if (ev.get("type") in ("ADDED", "MODIFIED") and name in self.names
                        and name not in self.ready and (obj.get("status") or {}).get("phase") == "Ready"):
                    with self.cond:
                        self.ready[name] = now
                        self.cond.notify_all()
        finally:
            conn.close()

    def run(self):
        try:
            while True:
                self.stream()
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = e
            self.connected.set()
            with self.cond:
                self.cond.notify_all()

    def wait_all(self, deadline, progress=30):
        with self.cond:
            next_log = time.monotonic() + progress
            while len(self.ready) < len(self.names) and self.error is None:
                now = time.monotonic()
                if now >= deadline:
                    return False
                if now >= next_log:
                    log(f"{len(self.ready)} of {len(self.names)} Ready")
                    next_log = now + progress
                self.cond.wait(min(deadline - now, next_log - now))
        return self.error is None


def create_all(base, names, threads):
    """POSTs every name from THREADS threads; returns ({name: response time}, first start)."""
    u = urllib.parse.urlsplit(base)
    done, errors, lock = {}, [], threading.Lock()
    queue = list(reversed(names))
    start = [None]

    def worker():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        while True:
            with lock:
                if not queue or errors:
                    break
                name = queue.pop()
            body = json.dumps({"name": name, "spec": {"provider": "gcp", "region": "us-east1"}})
            t0 = time.monotonic()
            with lock:
                if start[0] is None or t0 < start[0]:
                    start[0] = t0
            try:
                conn.request("POST", u.path + "/clusters", body, {"Content-Type": "application/json"})
                r = conn.getresponse()
                text = r.read()
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(f"{name}: {e}")
                break
            t1 = time.monotonic()
            with lock:
                if r.status != 201:
                    errors.append(f"{name}: HTTP {r.status} {text[:300]!r}")
                done[name] = t1
        conn.close()

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        die(f"{len(errors)} creates failed, first: {errors[0]}")
    return done, start[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--clusters", type=int, required=True)
    ap.add_argument("--prefix", default="p")
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--deadline", type=float, default=600)
    ap.add_argument("--pids", default="", help="name=pid,... of control plane processes")
    a = ap.parse_args()

    n = a.clusters
    names = [f"{a.prefix}-{i:04d}" for i in range(1, n + 1)]
    others = dict(kv.split("=", 1) for kv in a.pids.split(",") if kv)

    watch = Watch(a.api, names)
    watch.start()
    if not watch.connected.wait(30) or watch.error:
        die(f"the REST API watch did not start: {watch.error}")

    api_before = apiserver_metrics()
    op_before = operator_metrics(a.metrics)
    cpu_before = proc_cpu_s(a.pid)
    others_before = {k: proc_cpu_s(int(v)) for k, v in others.items()}

    log(f"{n} clusters: creating from {a.threads} threads, watching for Ready")
    created, t_first = create_all(a.api, names, a.threads)
    t_created = max(created.values())
    log(f"{n} clusters: created in {t_created - t_first:.2f} s; waiting up to {a.deadline:.0f} s for Ready")
    ok = watch.wait_all(t_first + a.deadline)
    t_ready = time.monotonic()
    if watch.error:
        die(f"watch failed: {watch.error}")
    if not ok:
        missing = sorted(set(names) - set(watch.ready))
        die(f"{len(missing)} of {n} clusters not Ready {a.deadline:.0f} s after the first POST "
            f"(e.g. {', '.join(missing[:5])})")

    cpu_after = proc_cpu_s(a.pid)
    others_after = {k: proc_cpu_s(int(v)) for k, v in others.items()}
    mem = proc_mem_mb(a.pid)
    api_after = apiserver_metrics()
    op_after = operator_metrics(a.metrics)
    last_ready = max(watch.ready.values())

    # Writes that follow Ready (the Job controller finishing its pods and
    # Jobs, events): wait until fewer than 5 writes land in 2 s (or 120 s).
    def write_total(m):
        return sum(v for (nm, l), v in m.items() if dict(l).get("verb") in WRITE_VERBS)
    settled_deadline, prev, settled = time.monotonic() + 120, write_total(api_after), False
    api_settled, t_settled = api_after, time.monotonic()
    while time.monotonic() < settled_deadline:
        time.sleep(2)  # the sampling interval of the quiescence check, not a stand-in for it
        api_settled, t_settled = apiserver_metrics(), time.monotonic()
        cur = write_total(api_settled)
        if cur - prev < 5:
            settled = True
            break
        prev = cur

    lat = sorted((watch.ready[k] - created[k]) * 1000 for k in names)
    d_api = delta(api_after, api_before)
    by_verb, by_resource, conflicts = apiserver_writes(d_api)
    s_by_verb, s_by_resource, _ = apiserver_writes(delta(api_settled, api_before))
    d_op = delta(op_after, op_before)
    op_writes = group(d_op, "rest_client_requests_total",
                      lambda l: l["method"] if l.get("method") in WRITE_VERBS else None)
    op_conflicts = group(d_op, "rest_client_requests_total",
                         lambda l: "409" if l.get("method") in WRITE_VERBS and l.get("code") == "409" else None)
    op_reads = group(d_op, "rest_client_requests_total",
                     lambda l: l["method"] if l.get("method") not in WRITE_VERBS else None)

    def per_queue(metric):
        return group(d_op, metric, lambda l: l.get("name") or l.get("controller"))

    def mean_ms(sum_metric, count_metric, key="name"):
        s = group(d_op, sum_metric, lambda l: l.get(key))
        c = group(d_op, count_metric, lambda l: l.get(key))
        return {k: round(s.get(k, 0) * 1000 / c[k], 2) for k in c if c[k]}

    writes = sum(by_verb.values())
    operator_writes = sum(op_writes.values())
    r2 = lambda v: round(v, 2)  # noqa: E731
    figures = {
        "clusters": n,
        "create_threads": a.threads,
        "ready_s": round(last_ready - t_first, 3),
        "create_s": round(t_created - t_first, 3),
        "create_per_s": round(n / (t_created - t_first), 1) if t_created > t_first else None,
        "first_ready_s": round(min(watch.ready.values()) - t_first, 3),
        "create_to_ready_ms": {"min": round(lat[0], 1), "p50": round(percentile(lat, 50), 1),
                               "p90": round(percentile(lat, 90), 1), "p99": round(percentile(lat, 99), 1),
                               "max": round(lat[-1], 1)},
        "watch_events": watch.events,
        "watch_streams": watch.streams,
        "watch_relists": watch.relists,
        "writes": int(writes),
        "writes_per_cluster": r2(writes / n),
        "writes_by_verb": {k: int(v) for k, v in by_verb.items()},
        "writes_by_resource": {k: int(v) for k, v in by_resource.items()},
        "write_conflicts_409": int(conflicts),
        "apiserver_write_mean_ms": apiserver_latency(d_api),
        "writes_settled": {"settled": settled, "after_ready_s": round(t_settled - t_ready, 1),
                           "writes": int(sum(s_by_verb.values())),
                           "per_cluster": r2(sum(s_by_verb.values()) / n),
                           "by_resource": {k: int(v) for k, v in s_by_resource.items()}},
        "operator_writes": int(operator_writes),
        "operator_writes_per_cluster": r2(operator_writes / n),
        "operator_writes_by_method": {k: int(v) for k, v in op_writes.items()},
        "operator_write_conflicts_409": int(op_conflicts.get("409", 0)),
        "operator_reads_by_method": {k: int(v) for k, v in op_reads.items()},
        "controller_cpu_s": r2(cpu_after - cpu_before),
        "controller_rss_mb": round(mem.get("VmRSS", 0), 1),
        "controller_hwm_mb": round(mem.get("VmHWM", 0), 1),
        "control_plane_cpu_s": {k: r2(others_after[k] - others_before[k]) for k in others},
        "operator_profile": {
            "workqueue_adds": {k: int(v) for k, v in per_queue("workqueue_adds_total").items()},
            "workqueue_retries": {k: int(v) for k, v in per_queue("workqueue_retries_total").items()},
            "workqueue_wait_mean_ms": mean_ms("workqueue_queue_duration_seconds_sum",
                                              "workqueue_queue_duration_seconds_count"),
            "workqueue_work_mean_ms": mean_ms("workqueue_work_duration_seconds_sum",
                                              "workqueue_work_duration_seconds_count"),
            "reconcile_time_mean_ms": mean_ms("controller_runtime_reconcile_time_seconds_sum",
                                              "controller_runtime_reconcile_time_seconds_count", "controller"),
            "reconciles": {f'{dict(l).get("controller")} {dict(l).get("result")}': int(v)
                           for (nm, l), v in d_op.items() if nm == "controller_runtime_reconcile_total"},
            "kube_request_mean_ms": mean_ms("rest_client_request_duration_seconds_sum",
                                            "rest_client_request_duration_seconds_count", "verb"),
            "kube_rate_limiter_wait_s": r2(sum(v for (nm, l), v in d_op.items()
                                               if nm == "rest_client_rate_limiter_duration_seconds_sum")),
        },
    }
    json.dump(figures, sys.stdout, separators=(",", ":"))
    print()
    log(f"{n} clusters: all Ready {figures['ready_s']} s after the first POST, create to Ready "
        f"p50 {figures['create_to_ready_ms']['p50']} ms p99 {figures['create_to_ready_ms']['p99']} ms, "
        f"{figures['writes_per_cluster']} writes per cluster ({figures['operator_writes_per_cluster']} by the operator)")


if __name__ == "__main__":
    main()
