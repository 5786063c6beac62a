/* Unit tests of the Prometheus registry and text format (controller/util/metrics.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/metrics_text.h"
#include "util/metrics.h"

/* render returns the registry's text, newly allocated. */
static char *render(struct hf_metrics *m)
{
	struct hf_buf out;
	hf_buf_init(&out, 0);
	cr_assert_eq(hf_metrics_render(m, &out), HF_OK);
	return hf_buf_steal(&out);
}

static void assert_render(struct hf_metrics *m, const char *want)
{
	char *got = render(m);
	cr_assert_str_eq(got, want);
	free(got);
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(metrics, counter_without_labels_is_exposed_from_the_start)
{
	struct hf_metrics *m = hf_metrics_new();
	struct hf_metric_family *f = hf_metrics_family(m, "requests_total", "Requests served.",
						       HF_METRIC_COUNTER, NULL, NULL, 0);
	cr_assert_not_null(f);
	assert_render(m, "# HELP requests_total Requests served.\n"
			 "# TYPE requests_total counter\n"
			 "requests_total 0\n");
	hf_metric_add(f, NULL, 1);
	hf_metric_add(f, NULL, 2.5);
	hf_metric_add(f, NULL, -10); /* a counter never goes down */
	assert_render(m, "# HELP requests_total Requests served.\n"
			 "# TYPE requests_total counter\n"
			 "requests_total 3.5\n");
	hf_metrics_free(m);
}

Test(metrics, gauge_with_labels_sorts_series_by_label_values)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const labels[] = {"code", "method", NULL};
	struct hf_metric_family *f = hf_metrics_family(m, "rest_requests", "Requests.",
						       HF_METRIC_GAUGE, labels, NULL, 0);
	/* Labels but no series yet: nothing, as client_golang. */
	assert_render(m, "");
	hf_metric_set(f, (const char *const[]){"500", "GET"}, 2);
	hf_metric_set(f, (const char *const[]){"200", "PUT"}, 1);
	hf_metric_add(f, (const char *const[]){"200", "GET"}, 7);
	hf_metric_add(f, (const char *const[]){"200", "GET"}, -2);
	assert_render(m, "# HELP rest_requests Requests.\n"
			 "# TYPE rest_requests gauge\n"
			 "rest_requests{code=\"200\",method=\"GET\"} 5\n"
			 "rest_requests{code=\"200\",method=\"PUT\"} 1\n"
			 "rest_requests{code=\"500\",method=\"GET\"} 2\n");
	hf_metrics_free(m);
}

Test(metrics, histogram_without_labels_counts_a_bound_in_its_bucket)
{
	struct hf_metrics *m = hf_metrics_new();
	const double buckets[] = {1, 2, 5};
	struct hf_metric_family *f = hf_metrics_family(m, "latency_seconds", "Latency.",
						       HF_METRIC_HISTOGRAM, NULL, buckets, 3);
	cr_assert_not_null(f);
	const double values[] = {0.5, 1, 2, 3, 10};
	for (size_t i = 0; i < 5; i++)
		hf_metric_observe(f, NULL, values[i]);
	assert_render(m, "# HELP latency_seconds Latency.\n"
			 "# TYPE latency_seconds histogram\n"
			 "latency_seconds_bucket{le=\"1\"} 2\n"
			 "latency_seconds_bucket{le=\"2\"} 3\n"
			 "latency_seconds_bucket{le=\"5\"} 4\n"
			 "latency_seconds_bucket{le=\"+Inf\"} 5\n"
			 "latency_seconds_sum 16.5\n"
			 "latency_seconds_count 5\n");
	hf_metrics_free(m);
}

Test(metrics, histogram_with_labels_and_default_buckets)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const labels[] = {"verb", NULL};
	struct hf_metric_family *f = hf_metrics_family(m, "req_seconds", "Request time.",
						       HF_METRIC_HISTOGRAM, labels, NULL, 0);
	hf_metric_observe(f, (const char *const[]){"GET"}, 0.005);
	hf_metric_observe(f, (const char *const[]){"GET"}, 0.3);
	hf_metric_observe(f, (const char *const[]){"GET"}, 11);
	assert_render(m, "# HELP req_seconds Request time.\n"
			 "# TYPE req_seconds histogram\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.005\"} 1\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.01\"} 1\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.025\"} 1\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.05\"} 1\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.1\"} 1\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.25\"} 1\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"0.5\"} 2\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"1\"} 2\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"2.5\"} 2\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"5\"} 2\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"10\"} 2\n"
			 "req_seconds_bucket{verb=\"GET\",le=\"+Inf\"} 3\n"
			 "req_seconds_sum{verb=\"GET\"} 11.305\n"
			 "req_seconds_count{verb=\"GET\"} 3\n");
	hf_metrics_free(m);
}

Test(metrics, histogram_just_above_a_bound_goes_to_the_next_bucket)
{
	struct hf_metrics *m = hf_metrics_new();
	const double buckets[] = {1, 2, INFINITY};
	struct hf_metric_family *f =
		hf_metrics_family(m, "h", "", HF_METRIC_HISTOGRAM, NULL, buckets, 3);
	hf_metric_observe(f, NULL, 1.0000000000000002); /* the next double after 1 */
	hf_metric_observe(f, NULL, 0.9999999999999999);
	char *text = render(m);
	cr_assert_eq(sample_value(text, "h_bucket{le=\"1\"}"), 1);
	cr_assert_eq(sample_value(text, "h_bucket{le=\"2\"}"), 2);
	cr_assert_eq(sample_value(text, "h_bucket{le=\"+Inf\"}"), 2);
	cr_assert_eq(count_of(text, "le=\"+Inf\""), 1, "+Inf given once");
	free(text);
	hf_metrics_free(m);
}

Test(metrics, escapes_label_values_and_help)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const labels[] = {"path", NULL};
	struct hf_metric_family *f =
		hf_metrics_family(m, "odd", "Help with \\ and\nnewline and \"quotes\".",
				  HF_METRIC_GAUGE, labels, NULL, 0);
	hf_metric_set(f, (const char *const[]){"a\\b\"c\nd"}, 1);
	hf_metric_set(f, (const char *const[]){NULL}, 2);
	assert_render(m, "# HELP odd Help with \\\\ and\\nnewline and \"quotes\".\n"
			 "# TYPE odd gauge\n"
			 "odd{path=\"\"} 2\n"
			 "odd{path=\"a\\\\b\\\"c\\nd\"} 1\n");
	hf_metrics_free(m);
}

Test(metrics, families_are_sorted_by_name)
{
	struct hf_metrics *m = hf_metrics_new();
	hf_metric_set(hf_metrics_family(m, "b_gauge", "B.", HF_METRIC_GAUGE, NULL, NULL, 0), NULL,
		      2);
	hf_metric_set(hf_metrics_family(m, "c_gauge", "C.", HF_METRIC_GAUGE, NULL, NULL, 0), NULL,
		      3);
	hf_metric_set(hf_metrics_family(m, "a_gauge", "A.", HF_METRIC_GAUGE, NULL, NULL, 0), NULL,
		      1);
	assert_render(m, "# HELP a_gauge A.\n# TYPE a_gauge gauge\na_gauge 1\n"
			 "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 2\n"
			 "# HELP c_gauge C.\n# TYPE c_gauge gauge\nc_gauge 3\n");
	hf_metrics_free(m);
}

Test(metrics, formats_values_like_go)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const labels[] = {"v", NULL};
	struct hf_metric_family *f =
		hf_metrics_family(m, "g", "", HF_METRIC_GAUGE, labels, NULL, 0);
	hf_metric_set(f, (const char *const[]){"a"}, 1e6);
	hf_metric_set(f, (const char *const[]){"b"}, 123456);
	hf_metric_set(f, (const char *const[]){"c"}, 0.1 + 0.2);
	hf_metric_set(f, (const char *const[]){"d"}, 1.5e-5);
	hf_metric_set(f, (const char *const[]){"e"}, 0.0001);
	hf_metric_set(f, (const char *const[]){"f"}, -2.25);
	hf_metric_set(f, (const char *const[]){"g"}, INFINITY);
	hf_metric_set(f, (const char *const[]){"h"}, -INFINITY);
	hf_metric_set(f, (const char *const[]){"i"}, NAN);
	hf_metric_set(f, (const char *const[]){"j"}, 123456789);
	assert_render(m, "# HELP g \n# TYPE g gauge\n"
			 "g{v=\"a\"} 1e+06\n"
			 "g{v=\"b\"} 123456\n"
			 "g{v=\"c\"} 0.30000000000000004\n"
			 "g{v=\"d\"} 1.5e-05\n"
			 "g{v=\"e\"} 0.0001\n"
			 "g{v=\"f\"} -2.25\n"
			 "g{v=\"g\"} +Inf\n"
			 "g{v=\"h\"} -Inf\n"
			 "g{v=\"i\"} NaN\n"
			 "g{v=\"j\"} 1.23456789e+08\n");
	hf_metrics_free(m);
}

Test(metrics, reregistration_returns_the_same_family)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const labels[] = {"name", NULL};
	const char *const other[] = {"queue", NULL};
	struct hf_metric_family *f =
		hf_metrics_family(m, "adds_total", "Adds.", HF_METRIC_COUNTER, labels, NULL, 0);
	cr_assert_not_null(f);
	cr_assert_eq(hf_metrics_family(m, "adds_total", "Other help.", HF_METRIC_COUNTER, labels,
				       NULL, 0),
		     f);
	cr_assert_null(
		hf_metrics_family(m, "adds_total", "Adds.", HF_METRIC_GAUGE, labels, NULL, 0));
	cr_assert_null(
		hf_metrics_family(m, "adds_total", "Adds.", HF_METRIC_COUNTER, other, NULL, 0));
	cr_assert_null(
		hf_metrics_family(m, "adds_total", "Adds.", HF_METRIC_COUNTER, NULL, NULL, 0));
	/* The first help stays. */
	hf_metric_add(f, (const char *const[]){"q"}, 1);
	assert_render(m, "# HELP adds_total Adds.\n# TYPE adds_total counter\n"
			 "adds_total{name=\"q\"} 1\n");
	hf_metrics_free(m);
}

Test(metrics, rejects_invalid_names_and_buckets)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const le[] = {"le", NULL};
	const char *const reserved[] = {"__x", NULL};
	const char *const dup[] = {"a", "a", NULL};
	const char *const bad[] = {"a-b", NULL};
	const double unsorted[] = {1, 0.5};
	const double nan[] = {NAN};
	cr_assert_null(hf_metrics_family(m, "9lives", "", HF_METRIC_GAUGE, NULL, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "a-b", "", HF_METRIC_GAUGE, NULL, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "", "", HF_METRIC_GAUGE, NULL, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "h", "", HF_METRIC_HISTOGRAM, le, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "g", "", HF_METRIC_GAUGE, reserved, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "g", "", HF_METRIC_GAUGE, dup, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "g", "", HF_METRIC_GAUGE, bad, NULL, 0));
	cr_assert_null(hf_metrics_family(m, "h", "", HF_METRIC_HISTOGRAM, NULL, unsorted, 2));
	cr_assert_null(hf_metrics_family(m, "h", "", HF_METRIC_HISTOGRAM, NULL, nan, 1));
	cr_assert_not_null(hf_metrics_family(m, "ns:sub_name", "", HF_METRIC_GAUGE, le, NULL, 0));
	/* Observations on a NULL family and mismatched calls do nothing. */
	hf_metric_add(NULL, NULL, 1);
	hf_metric_set(NULL, NULL, 1);
	hf_metric_observe(NULL, NULL, 1);
	struct hf_metric_family *h =
		hf_metrics_family(m, "hist", "", HF_METRIC_HISTOGRAM, NULL, (const double[]){1}, 1);
	hf_metric_set(h, NULL, 5);
	hf_metric_add(h, NULL, 5);
	char *text = render(m);
	cr_assert_eq(sample_value(text, "hist_count"), 0);
	cr_assert_eq(sample_value(text, "hist_sum"), 0);
	free(text);
	hf_metrics_free(m);
}

Test(metrics, render_respects_the_buffer_cap)
{
	struct hf_metrics *m = hf_metrics_new();
	hf_metrics_family(m, "some_counter_total", "A counter with a long help text.",
			  HF_METRIC_COUNTER, NULL, NULL, 0);
	struct hf_buf out;
	hf_buf_init(&out, 20);
	cr_assert_eq(hf_metrics_render(m, &out), HF_ERR_TOO_LARGE);
	hf_buf_free(&out);
	hf_metrics_free(m);
}

static int collect_calls;

static void collect_gauge(void *ctx)
{
	collect_calls++;
	hf_metric_set(ctx, NULL, collect_calls * 10);
}

Test(metrics, collectors_run_at_each_render_until_removed)
{
	struct hf_metrics *m = hf_metrics_new();
	struct hf_metric_family *f = hf_metrics_family(m, "collected", "Set by a collector.",
						       HF_METRIC_GAUGE, NULL, NULL, 0);
	hf_metrics_add_collector(m, collect_gauge, f);
	char *text = render(m);
	cr_assert_eq(sample_value(text, "collected"), 10);
	free(text);
	text = render(m);
	cr_assert_eq(sample_value(text, "collected"), 20);
	free(text);
	hf_metrics_remove_collector(m, collect_gauge, f);
	text = render(m);
	cr_assert_eq(sample_value(text, "collected"), 20);
	cr_assert_eq(collect_calls, 2);
	free(text);
	hf_metrics_free(m);
}

#define THREADS 8
#define ADDS	20000

struct worker {
	struct hf_metric_family *counter;
	struct hf_metric_family *labelled;
	struct hf_metric_family *hist;
	int id;
};

static void *add_many(void *arg)
{
	const struct worker *w = arg;
	char own[16];
	snprintf(own, sizeof(own), "t%d", w->id);
	for (int i = 0; i < ADDS; i++) {
		hf_metric_add(w->counter, NULL, 1);
		/* Every thread creates "shared" at once, and its own series. */
		hf_metric_add(w->labelled, (const char *const[]){"shared"}, 1);
		hf_metric_add(w->labelled, (const char *const[]){own}, 1);
		if (i % 10 == 0)
			hf_metric_observe(w->hist, NULL, 0.5);
	}
	return NULL;
}

struct renderer {
	struct hf_metrics *m;
	atomic_int stop;
	int renders;
	int failures;
};

static void *render_loop(void *arg)
{
	struct renderer *r = arg;
	do {
		struct hf_buf out;
		hf_buf_init(&out, 0);
		if (hf_metrics_render(r->m, &out) != HF_OK)
			r->failures++;
		hf_buf_free(&out);
		r->renders++;
	} while (!atomic_load(&r->stop));
	return NULL;
}

Test(metrics, concurrent_adds_give_the_exact_sum_while_rendering)
{
	struct hf_metrics *m = hf_metrics_new();
	const char *const labels[] = {"who", NULL};
	struct worker w[THREADS];
	pthread_t t[THREADS], rt;
	struct renderer r = {.m = m};
	atomic_init(&r.stop, 0);
	for (int i = 0; i < THREADS; i++) {
		w[i].counter =
			hf_metrics_family(m, "c_total", "", HF_METRIC_COUNTER, NULL, NULL, 0);
		w[i].labelled =
			hf_metrics_family(m, "l_total", "", HF_METRIC_COUNTER, labels, NULL, 0);
		w[i].hist = hf_metrics_family(m, "h", "", HF_METRIC_HISTOGRAM, NULL, NULL, 0);
		w[i].id = i;
	}
	cr_assert_eq(pthread_create(&rt, NULL, render_loop, &r), 0);
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, add_many, &w[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	atomic_store(&r.stop, 1);
	pthread_join(rt, NULL);

	char *text = render(m);
	cr_assert_eq(sample_value(text, "c_total"), THREADS * ADDS);
	cr_assert_eq(sample_value(text, "l_total{who=\"shared\"}"), THREADS * ADDS);
	for (int i = 0; i < THREADS; i++) {
		char series[64];
		snprintf(series, sizeof(series), "l_total{who=\"t%d\"}", i);
		cr_assert_eq(sample_value(text, series), ADDS);
	}
	cr_assert_eq(sample_value(text, "h_count"), THREADS * ADDS / 10);
	cr_assert_eq(sample_value(text, "h_bucket{le=\"0.5\"}"), THREADS * ADDS / 10);
	cr_assert_eq(sample_value(text, "h_sum"), THREADS * ADDS / 10 * 0.5);
	/* One "shared" series, not one per racing thread. */
	cr_assert_eq(count_of(text, "who=\"shared\""), 1);
	cr_assert_eq(r.failures, 0);
	cr_assert_gt(r.renders, 0);
	free(text);
	hf_metrics_free(m);
}

Test(metrics, process_metrics_are_present_and_plausible)
{
	struct hf_metrics *m = hf_metrics_new();
	hf_metrics_register_process(m);
	hf_metrics_register_process(m); /* once only */
	char *text = render(m);
	double rss = sample_value(text, "process_resident_memory_bytes");
	double vsize = sample_value(text, "process_virtual_memory_bytes");
	double open_fds = sample_value(text, "process_open_fds");
	double max_fds = sample_value(text, "process_max_fds");
	double cpu = sample_value(text, "process_cpu_seconds_total");
	double start = sample_value(text, "process_start_time_seconds");
	double now = (double)time(NULL);
	cr_assert_gt(rss, 0);
	cr_assert_geq(vsize, rss);
	cr_assert_geq(open_fds, 3, "stdin, stdout, stderr at least");
	cr_assert_geq(max_fds, open_fds);
	cr_assert_geq(cpu, 0);
	cr_assert_leq(start, now + 1, "start %f now %f", start, now);
	cr_assert_gt(start, now - 86400, "start %f now %f", start, now);
	cr_assert_not_null(strstr(text, "# TYPE process_cpu_seconds_total counter\n"));
	cr_assert_not_null(strstr(text, "# TYPE process_resident_memory_bytes gauge\n"));
	const char *first = strstr(text, "# HELP process_");
	cr_assert_not_null(first);
	cr_assert_eq(count_of(text, "\nprocess_open_fds "), 1, "one collector");
	free(text);
	hf_metrics_free(m);
}

Test(metrics, default_registry_is_created_once_with_process_metrics)
{
	struct hf_metrics *m = hf_metrics_default();
	cr_assert_not_null(m);
	cr_assert_eq(hf_metrics_default(), m);
	char *text = render(m);
	cr_assert_gt(sample_value(text, "process_resident_memory_bytes"), 0);
	free(text);
}
