/*
 * metrics.h: Prometheus metrics (counters, gauges, histograms, each with
 * optional labels) and their text exposition format.
 *
 * A registry owns its metric families; a family is created once (by name)
 * and returns the same family when registered again with the same type.
 * Observations are thread-safe and lock-free in the common case of an
 * existing label set (counters and gauges use atomics; the first use of a
 * new label combination takes the family's lock).
 *
 * Names follow client-go / controller-runtime where they overlap
 * (workqueue_depth, rest_client_requests_total, ...).
 *
 * Thread safety: every function may be called from any thread, and
 * hf_metrics_render may run while other threads observe. Families and
 * series live until hf_metrics_free, which no other thread may overlap.
 */
#ifndef HF_METRICS_H
#define HF_METRICS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

struct hf_metrics;	 /* a registry */
struct hf_metric_family; /* one metric name with its HELP, TYPE and label names */

enum hf_metric_type {
	HF_METRIC_COUNTER,
	HF_METRIC_GAUGE,
	HF_METRIC_HISTOGRAM,
};

/* hf_metrics_new returns an empty registry; the caller frees it with
 * hf_metrics_free (NULL is a no-op), which frees its families too. */
struct hf_metrics *hf_metrics_new(void);
void hf_metrics_free(struct hf_metrics *m);

/* hf_metrics_default is the process-wide registry, created on first use.
 * Like client_golang's default registry it already has the process_*
 * collector. It lives until the process exits; never free it. */
struct hf_metrics *hf_metrics_default(void);

/*
 * hf_metrics_family registers (or finds) a family. label_names is a
 * NULL-terminated list (NULL for none). buckets/nbuckets give a histogram's
 * upper bounds in increasing order (NULL: the Prometheus defaults .005 ..
 * 10); a final +Inf bound is implied and dropped if given. The registry
 * owns the family; the arguments are copied.
 *
 * Registering a name again returns the existing family when the type and
 * label names match (its help and buckets stay the first ones). It returns
 * NULL for a conflicting registration or an invalid name, label name or
 * bucket list: a programming error, kept from taking the controller down
 * because observations on a NULL family do nothing.
 */
struct hf_metric_family *hf_metrics_family(struct hf_metrics *m, const char *name, const char *help,
					   enum hf_metric_type type, const char *const *label_names,
					   const double *buckets, size_t nbuckets);

/* Observations. label_values has one value per label name, in order (NULL
 * when the family has no labels; a NULL value counts as ""); they are
 * copied when a new label combination appears. add and set apply to
 * counters and gauges (set on a counter is for collectors that mirror a
 * count kept elsewhere; a negative add to a counter is ignored), observe to
 * histograms; other combinations and a NULL family do nothing. Existing
 * series of counters and gauges are updated with atomics, without a lock. */
void hf_metric_add(struct hf_metric_family *f, const char *const *label_values, double delta);
void hf_metric_set(struct hf_metric_family *f, const char *const *label_values, double value);
void hf_metric_observe(struct hf_metric_family *f, const char *const *label_values, double value);

/*
 * A collector is called at exposition time to set gauges from current state
 * (process_* metrics, a queue's unfinished work). It must not block long.
 * Collectors run one at a time (renders are serialised), in the order they
 * were added; ctx stays the caller's. A collector may register families and
 * observe, but must not render or remove a collector.
 */
void hf_metrics_add_collector(struct hf_metrics *m, void (*collect)(void *ctx), void *ctx);

/* hf_metrics_remove_collector removes the collector added with the same
 * function and ctx (one of them if added twice). When it returns the
 * collector is not running and will not be called again, so ctx may be
 * freed. */
void hf_metrics_remove_collector(struct hf_metrics *m, void (*collect)(void *ctx), void *ctx);

/* hf_metrics_render runs the collectors, then appends the text exposition
 * format (version 0.0.4) of every family, sorted by name, to out; series are
 * sorted by their label values. A family with labels but no series yet is
 * left out, as client_golang does. Returns HF_ERR_TOO_LARGE when out's cap
 * is reached (out then holds a partial text). */
HF_MUST_CHECK enum hf_err hf_metrics_render(struct hf_metrics *m, struct hf_buf *out);

/* hf_metrics_register_process adds the process_* collector
 * (process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds) read from /proc/self (and the boot time
 * from /proc/stat), with client_golang's names, help and meanings. A value
 * that cannot be read is left out. Registering twice adds it once. */
void hf_metrics_register_process(struct hf_metrics *m);

#endif
