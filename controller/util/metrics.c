#include "util/metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/strmap.h"

/*
 * Series are found without a lock: each family has a fixed table of
 * singly-linked lists that only ever grow at the head, and a series is
 * published with a release store after it is fully built. Writers of new
 * series (and of histogram data) hold the family's lock; readers follow the
 * lists with acquire loads. Nothing is unlinked before hf_metrics_free.
 */
#define SERIES_SLOTS 64

static const double default_buckets[] = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};

struct series {
	struct series *next; /* immutable once published */
	unsigned long long hash;
	char **values; /* one per label name */
	/* Counters and gauges: the double's bits, so that it can be atomic. */
	_Atomic uint64_t bits;
	/* Histograms, under the family's lock: per-bucket (not cumulative)
	 * counts with the +Inf bucket last, the sum and the count. */
	uint64_t *counts;
	double sum;
	uint64_t count;
};

struct hf_metric_family {
	char *name;
	char *help;
	enum hf_metric_type type;
	char **label_names;
	size_t nlabels;
	double *buckets;
	size_t nbuckets;
	pthread_mutex_t lock; /* new series, histogram data */
	size_t nseries;	      /* under lock */
	_Atomic(struct series *) slots[SERIES_SLOTS];
};

struct collector {
	void (*collect)(void *ctx);
	void *ctx;
};

struct hf_metrics {
	/* Renders take render_lock, then lock; nothing takes them the other
	 * way round, and observations take only family locks. */
	pthread_mutex_t render_lock; /* serialises renders, so collectors */
	pthread_mutex_t lock;	     /* families, collectors */
	struct hf_strmap *by_name;
	struct hf_metric_family **families; /* sorted by name */
	size_t nfamilies;
	size_t families_cap;
	struct collector *collectors;
	size_t ncollectors;
	size_t collectors_cap;
	bool process_registered;
};

static uint64_t double_bits(double d)
{
	uint64_t b;
	memcpy(&b, &d, sizeof(b));
	return b;
}

static double bits_double(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_family(void *p)
{
	struct hf_metric_family *f = p;
	for (size_t i = 0; i < SERIES_SLOTS; i++) {
		struct series *s = atomic_load_explicit(&f->slots[i], memory_order_relaxed);
		while (s) {
			struct series *next = s->next;
			free_strv(s->values, f->nlabels);
			free(s->counts);
			free(s);
			s = next;
		}
	}
	pthread_mutex_destroy(&f->lock);
	free_strv(f->label_names, f->nlabels);
	free(f->buckets);
	free(f->help);
	free(f->name);
	free(f);
}

struct hf_metrics *hf_metrics_new(void)
{
	struct hf_metrics *m = hf_calloc(1, sizeof(*m));
	pthread_mutex_init(&m->render_lock, NULL);
	pthread_mutex_init(&m->lock, NULL);
	m->by_name = hf_strmap_new();
	return m;
}

void hf_metrics_free(struct hf_metrics *m)
{
	if (!m)
		return;
	hf_strmap_free(m->by_name, free_family);
	free(m->families);
	free(m->collectors);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->render_lock);
	free(m);
}

static struct hf_metrics *default_registry;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void create_default(void)
{
	default_registry = hf_metrics_new();
	hf_metrics_register_process(default_registry);
}

struct hf_metrics *hf_metrics_default(void)
{
	pthread_once(&default_once, create_default);
	return default_registry;
}

static bool is_name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (c == ':')
		return colon;
	return !first && c >= '0' && c <= '9';
}

/* valid_name checks a metric name (colons allowed) or a label name. */
static bool valid_name(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (size_t i = 0; s[i]; i++)
		if (!is_name_char(s[i], i == 0, colon))
			return false;
	return true;
}

static size_t count_labels(const char *const *names)
{
	size_t n = 0;
	while (names && names[n])
		n++;
	return n;
}

static bool valid_labels(const char *const *names, size_t n, enum hf_metric_type type)
{
	for (size_t i = 0; i < n; i++) {
		/* Names starting with __ are reserved for Prometheus itself. */
		if (!valid_name(names[i], false) || strncmp(names[i], "__", 2) == 0)
			return false;
		if (type == HF_METRIC_HISTOGRAM && strcmp(names[i], "le") == 0)
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return false;
	}
	return true;
}

/* same_shape tells whether a re-registration matches the family. */
static bool same_shape(const struct hf_metric_family *f, enum hf_metric_type type,
		       const char *const *names, size_t n)
{
	if (f->type != type || f->nlabels != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(f->label_names[i], names[i]) != 0)
			return false;
	return true;
}

/* copy_buckets validates a histogram's bounds and returns how many are kept
 * in *out (newly allocated), or false. */
static bool copy_buckets(const double *buckets, size_t n, double **out, size_t *nout)
{
	if (!buckets || n == 0) {
		buckets = default_buckets;
		n = sizeof(default_buckets) / sizeof(default_buckets[0]);
	}
	if (isinf(buckets[n - 1]) && buckets[n - 1] > 0)
		n--;
	for (size_t i = 0; i < n; i++) {
		if (isnan(buckets[i]) || isinf(buckets[i]))
			return false;
		if (i > 0 && !(buckets[i] > buckets[i - 1]))
			return false;
	}
	*out = hf_malloc((n ? n : 1) * sizeof(double));
	if (n)
		memcpy(*out, buckets, n * sizeof(double));
	*nout = n;
	return true;
}

static unsigned long long hash_values(const char *const *values, size_t n)
{
	unsigned long long h = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < n; i++) {
		const char *v = values && values[i] ? values[i] : "";
		h = (h ^ hf_hash_str(v)) * 0x100000001b3ULL + i;
	}
	return h;
}

static bool values_equal(const struct series *s, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = values && values[i] ? values[i] : "";
		if (strcmp(s->values[i], v) != 0)
			return false;
	}
	return true;
}

static struct series *lookup(struct hf_metric_family *f, const char *const *values,
			     unsigned long long hash)
{
	struct series *s =
		atomic_load_explicit(&f->slots[hash % SERIES_SLOTS], memory_order_acquire);
	for (; s; s = s->next)
		if (s->hash == hash && values_equal(s, values, f->nlabels))
			return s;
	return NULL;
}

/* series_get finds the series of values, creating it on first use. */
static struct series *series_get(struct hf_metric_family *f, const char *const *values)
{
	unsigned long long hash = hash_values(values, f->nlabels);
	struct series *s = lookup(f, values, hash);
	if (s)
		return s;
	pthread_mutex_lock(&f->lock);
	/* Another thread may have created it since the lock-free lookup. */
	s = lookup(f, values, hash);
	if (s)
		goto unlock;
	s = hf_calloc(1, sizeof(*s));
	s->hash = hash;
	s->values = hf_calloc(f->nlabels ? f->nlabels : 1, sizeof(char *));
	for (size_t i = 0; i < f->nlabels; i++)
		s->values[i] = hf_strdup(values && values[i] ? values[i] : "");
	atomic_init(&s->bits, double_bits(0));
	if (f->type == HF_METRIC_HISTOGRAM)
		s->counts = hf_calloc(f->nbuckets + 1, sizeof(uint64_t));
	_Atomic(struct series *) *slot = &f->slots[hash % SERIES_SLOTS];
	s->next = atomic_load_explicit(slot, memory_order_relaxed);
	atomic_store_explicit(slot, s, memory_order_release);
	f->nseries++;
unlock:
	pthread_mutex_unlock(&f->lock);
	return s;
}

static struct hf_metric_family *new_family(const char *name, const char *help,
					   enum hf_metric_type type, const char *const *names,
					   size_t nlabels, double *buckets, size_t nbuckets)
{
	struct hf_metric_family *f = hf_calloc(1, sizeof(*f));
	f->name = hf_strdup(name);
	f->help = hf_strdup(help ? help : "");
	f->type = type;
	f->nlabels = nlabels;
	f->label_names = hf_calloc(nlabels ? nlabels : 1, sizeof(char *));
	for (size_t i = 0; i < nlabels; i++)
		f->label_names[i] = hf_strdup(names[i]);
	f->buckets = buckets;
	f->nbuckets = nbuckets;
	pthread_mutex_init(&f->lock, NULL);
	for (size_t i = 0; i < SERIES_SLOTS; i++)
		atomic_init(&f->slots[i], NULL);
	/* A family without labels has its one series from the start, so that
	 * it is exposed (as 0) before the first observation. */
	if (nlabels == 0)
		series_get(f, NULL);
	return f;
}

/* insert_sorted adds f to the name-sorted family list; m->lock is held. */
static void insert_sorted(struct hf_metrics *m, struct hf_metric_family *f)
{
	if (m->nfamilies == m->families_cap) {
		m->families_cap = m->families_cap ? m->families_cap * 2 : 16;
		m->families = hf_realloc(m->families, m->families_cap * sizeof(*m->families));
	}
	size_t i = m->nfamilies;
	while (i > 0 && strcmp(m->families[i - 1]->name, f->name) > 0) {
		m->families[i] = m->families[i - 1];
		i--;
	}
	m->families[i] = f;
	m->nfamilies++;
}

struct hf_metric_family *hf_metrics_family(struct hf_metrics *m, const char *name, const char *help,
					   enum hf_metric_type type, const char *const *label_names,
					   const double *buckets, size_t nbuckets)
{
	struct hf_metric_family *f = NULL;
	double *kept = NULL;
	size_t nkept = 0;
	size_t nlabels = count_labels(label_names);
	if (!valid_name(name, true) || !valid_labels(label_names, nlabels, type))
		return NULL;
	if (type != HF_METRIC_COUNTER && type != HF_METRIC_GAUGE && type != HF_METRIC_HISTOGRAM)
		return NULL;

	pthread_mutex_lock(&m->lock);
	f = hf_strmap_get(m->by_name, name);
	if (f) {
		if (!same_shape(f, type, label_names, nlabels))
			f = NULL;
		goto unlock;
	}
	if (type == HF_METRIC_HISTOGRAM && !copy_buckets(buckets, nbuckets, &kept, &nkept))
		goto unlock;
	f = new_family(name, help, type, label_names, nlabels, kept, nkept);
	hf_strmap_put(m->by_name, name, f);
	insert_sorted(m, f);
unlock:
	pthread_mutex_unlock(&m->lock);
	return f;
}

static bool is_scalar(const struct hf_metric_family *f)
{
	return f && (f->type == HF_METRIC_COUNTER || f->type == HF_METRIC_GAUGE);
}

void hf_metric_add(struct hf_metric_family *f, const char *const *label_values, double delta)
{
	if (!is_scalar(f))
		return;
	/* A counter only goes up; Prometheus reads a decrease as a restart. */
	if (f->type == HF_METRIC_COUNTER && !(delta >= 0))
		return;
	struct series *s = series_get(f, label_values);
	uint64_t old = atomic_load_explicit(&s->bits, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&s->bits, &old,
						      double_bits(bits_double(old) + delta),
						      memory_order_relaxed, memory_order_relaxed))
		;
}

void hf_metric_set(struct hf_metric_family *f, const char *const *label_values, double value)
{
	if (!is_scalar(f))
		return;
	struct series *s = series_get(f, label_values);
	atomic_store_explicit(&s->bits, double_bits(value), memory_order_relaxed);
}

/* bucket_index is the first bucket whose bound is >= value (le means
 * "less than or equal"), or nbuckets for the +Inf bucket. */
static size_t bucket_index(const struct hf_metric_family *f, double value)
{
	size_t lo = 0, hi = f->nbuckets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (value <= f->buckets[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void hf_metric_observe(struct hf_metric_family *f, const char *const *label_values, double value)
{
	if (!f || f->type != HF_METRIC_HISTOGRAM)
		return;
	struct series *s = series_get(f, label_values);
	size_t i = bucket_index(f, value);
	pthread_mutex_lock(&f->lock);
	s->counts[i]++;
	s->sum += value;
	s->count++;
	pthread_mutex_unlock(&f->lock);
}

void hf_metrics_add_collector(struct hf_metrics *m, void (*collect)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&m->lock);
	if (m->ncollectors == m->collectors_cap) {
		m->collectors_cap = m->collectors_cap ? m->collectors_cap * 2 : 4;
		m->collectors =
			hf_realloc(m->collectors, m->collectors_cap * sizeof(*m->collectors));
	}
	m->collectors[m->ncollectors++] = (struct collector){collect, ctx};
	pthread_mutex_unlock(&m->lock);
}

void hf_metrics_remove_collector(struct hf_metrics *m, void (*collect)(void *ctx), void *ctx)
{
	/* Holding render_lock waits for a render that may be calling it. */
	pthread_mutex_lock(&m->render_lock);
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->ncollectors; i++) {
		if (m->collectors[i].collect == collect && m->collectors[i].ctx == ctx) {
			memmove(&m->collectors[i], &m->collectors[i + 1],
				(m->ncollectors - i - 1) * sizeof(*m->collectors));
			m->ncollectors--;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->render_lock);
}

/*
 * format_value writes v as Go's strconv.FormatFloat(v, 'g', -1, 64) does,
 * which is what Prometheus clients print: the shortest digits that read
 * back as v, with an exponent below 1e-4 and from 1e+06 up.
 */
static void format_value(double v, char *out, size_t len)
{
	if (isnan(v)) {
		snprintf(out, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	char e[40];
	int digits = 1;
	for (; digits < 17; digits++) {
		snprintf(e, sizeof(e), "%.*e", digits - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", digits - 1, v);
	const char *exp = strchr(e, 'e');
	long x = exp ? strtol(exp + 1, NULL, 10) : 0;
	if (x < -4 || x >= 6) {
		snprintf(out, len, "%s", e);
		return;
	}
	long decimals = digits - 1 - x;
	snprintf(out, len, "%.*f", decimals > 0 ? (int)decimals : 0, v);
}

/* append_escaped escapes backslash and newline, and the double quote too
 * inside label values. */
static enum hf_err append_escaped(struct hf_buf *out, const char *s, bool quote)
{
	enum hf_err err = HF_OK;
	const char *run = s;
	for (; *s && !err; s++) {
		const char *esc = NULL;
		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '"' && quote)
			esc = "\\\"";
		if (!esc)
			continue;
		err = hf_buf_append(out, run, (size_t)(s - run));
		if (!err)
			err = hf_buf_appends(out, esc);
		run = s + 1;
	}
	if (!err)
		err = hf_buf_appends(out, run);
	return err;
}

/* append_sample writes one line: name and suffix, the labels (plus le when
 * given) and the value. */
static enum hf_err append_sample(struct hf_buf *out, const struct hf_metric_family *f,
				 const struct series *s, const char *suffix, const char *le,
				 double value)
{
	char num[64];
	enum hf_err err = hf_buf_printf(out, "%s%s", f->name, suffix);
	if (!err && (f->nlabels > 0 || le))
		err = hf_buf_appends(out, "{");
	for (size_t i = 0; i < f->nlabels && !err; i++) {
		err = hf_buf_printf(out, "%s%s=\"", i ? "," : "", f->label_names[i]);
		if (!err)
			err = append_escaped(out, s->values[i], true);
		if (!err)
			err = hf_buf_appends(out, "\"");
	}
	if (!err && le)
		err = hf_buf_printf(out, "%sle=\"%s\"", f->nlabels ? "," : "", le);
	if (!err && (f->nlabels > 0 || le))
		err = hf_buf_appends(out, "}");
	format_value(value, num, sizeof(num));
	if (!err)
		err = hf_buf_printf(out, " %s\n", num);
	return err;
}

static enum hf_err append_histogram(struct hf_buf *out, const struct hf_metric_family *f,
				    const struct series *s)
{
	enum hf_err err = HF_OK;
	char le[64];
	uint64_t cumulative = 0;
	for (size_t i = 0; i <= f->nbuckets && !err; i++) {
		cumulative += s->counts[i];
		if (i < f->nbuckets)
			format_value(f->buckets[i], le, sizeof(le));
		else
			snprintf(le, sizeof(le), "+Inf");
		err = append_sample(out, f, s, "_bucket", le, (double)cumulative);
	}
	if (!err)
		err = append_sample(out, f, s, "_sum", NULL, s->sum);
	if (!err)
		err = append_sample(out, f, s, "_count", NULL, (double)s->count);
	return err;
}

/* A series with its family's label count, for qsort (no context argument
 * in C17). */
struct sorted_series {
	const struct series *s;
	size_t nlabels;
};

static int compare_series(const void *a, const void *b)
{
	const struct sorted_series *x = a;
	const struct sorted_series *y = b;
	for (size_t i = 0; i < x->nlabels; i++) {
		int c = strcmp(x->s->values[i], y->s->values[i]);
		if (c)
			return c;
	}
	return 0;
}

static const char *type_name(enum hf_metric_type type)
{
	switch (type) {
	case HF_METRIC_COUNTER: return "counter";
	case HF_METRIC_GAUGE: return "gauge";
	case HF_METRIC_HISTOGRAM: return "histogram";
	}
	return "untyped";
}

/* render_family holds the family's lock so that histograms are consistent
 * and the series list is complete; counters and gauges keep moving. */
static enum hf_err render_family(struct hf_metric_family *f, struct hf_buf *out)
{
	enum hf_err err = HF_OK;
	struct sorted_series *all = NULL;
	size_t n = 0;
	pthread_mutex_lock(&f->lock);
	if (f->nseries == 0)
		goto unlock;
	all = hf_malloc(f->nseries * sizeof(*all));
	for (size_t i = 0; i < SERIES_SLOTS; i++)
		for (const struct series *s =
			     atomic_load_explicit(&f->slots[i], memory_order_acquire);
		     s && n < f->nseries; s = s->next)
			all[n++] = (struct sorted_series){s, f->nlabels};
	qsort(all, n, sizeof(*all), compare_series);

	err = hf_buf_printf(out, "# HELP %s ", f->name);
	if (!err)
		err = append_escaped(out, f->help, false);
	if (!err)
		err = hf_buf_printf(out, "\n# TYPE %s %s\n", f->name, type_name(f->type));
	for (size_t i = 0; i < n && !err; i++) {
		const struct series *s = all[i].s;
		if (f->type == HF_METRIC_HISTOGRAM)
			err = append_histogram(out, f, s);
		else
			err = append_sample(
				out, f, s, "", NULL,
				bits_double(atomic_load_explicit(&s->bits, memory_order_relaxed)));
	}
unlock:
	pthread_mutex_unlock(&f->lock);
	free(all);
	return err;
}

enum hf_err hf_metrics_render(struct hf_metrics *m, struct hf_buf *out)
{
	enum hf_err err = HF_OK;
	struct collector *collectors = NULL;
	size_t ncollectors;

	pthread_mutex_lock(&m->render_lock);
	/* Collectors run without m->lock so that they may register families. */
	pthread_mutex_lock(&m->lock);
	ncollectors = m->ncollectors;
	collectors = hf_malloc((ncollectors ? ncollectors : 1) * sizeof(*collectors));
	if (ncollectors)
		memcpy(collectors, m->collectors, ncollectors * sizeof(*collectors));
	pthread_mutex_unlock(&m->lock);
	for (size_t i = 0; i < ncollectors; i++)
		collectors[i].collect(collectors[i].ctx);

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nfamilies && !err; i++)
		err = render_family(m->families[i], out);
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->render_lock);
	free(collectors);
	return err;
}

/* The process collector, after client_golang's (Linux procfs). */

/* read_small reads a small /proc file into buf, NUL-terminated. */
static bool read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t n = 0;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			close(fd);
			return false;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(fd);
	return n > 0;
}

/* boot_time returns the system's boot time (seconds since the epoch) from
 * the btime line of /proc/stat, or -1. */
static double boot_time(void)
{
	double btime = -1;
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "btime ", 6) == 0) {
			char *end;
			unsigned long long v = strtoull(line + 6, &end, 10);
			if (end != line + 6)
				btime = (double)v;
			break;
		}
	}
	free(line);
	fclose(f);
	return btime;
}

/* set_process registers the gauge or counter on first use and sets it. */
static void set_process(struct hf_metrics *m, const char *name, const char *help,
			enum hf_metric_type type, double value)
{
	hf_metric_set(hf_metrics_family(m, name, help, type, NULL, NULL, 0), NULL, value);
}

static void collect_stat(struct hf_metrics *m)
{
	char buf[1024];
	if (!read_small("/proc/self/stat", buf, sizeof(buf)))
		return;
	/* The command name (field 2) is in parentheses and may contain spaces
	 * and parentheses; the fields after the last ')' are plain. */
	char *p = strrchr(buf, ')');
	if (!p)
		return;
	p++;
	unsigned long long field[25] = {0};
	bool seen[25] = {false};
	for (int i = 3; i <= 24; i++) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *end;
		field[i] = strtoull(p, &end, 10);
		seen[i] = end != p;
		while (*end && *end != ' ')
			end++;
		p = end;
	}
	long ticks = sysconf(_SC_CLK_TCK);
	if (ticks <= 0)
		return;
	if (seen[14] && seen[15])
		set_process(m, "process_cpu_seconds_total",
			    "Total user and system CPU time spent in seconds.", HF_METRIC_COUNTER,
			    (double)(field[14] + field[15]) / (double)ticks);
	double btime = boot_time();
	if (seen[22] && btime >= 0)
		set_process(m, "process_start_time_seconds",
			    "Start time of the process since unix epoch in seconds.",
			    HF_METRIC_GAUGE, btime + (double)field[22] / (double)ticks);
}

static void collect_statm(struct hf_metrics *m)
{
	char buf[256];
	if (!read_small("/proc/self/statm", buf, sizeof(buf)))
		return;
	char *end;
	unsigned long long size = strtoull(buf, &end, 10);
	if (end == buf)
		return;
	char *p = end;
	unsigned long long resident = strtoull(p, &end, 10);
	if (end == p)
		return;
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return;
	set_process(m, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
		    HF_METRIC_GAUGE, (double)size * (double)page);
	set_process(m, "process_resident_memory_bytes", "Resident memory size in bytes.",
		    HF_METRIC_GAUGE, (double)resident * (double)page);
}

static void collect_fds(struct hf_metrics *m)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	/* Like client_golang, the count includes the descriptor reading it. */
	double n = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	set_process(m, "process_open_fds", "Number of open file descriptors.", HF_METRIC_GAUGE, n);
}

static void collect_limits(struct hf_metrics *m)
{
	char buf[4096];
	if (!read_small("/proc/self/limits", buf, sizeof(buf)))
		return;
	const char *key = "Max open files";
	char *p = strstr(buf, key);
	if (!p)
		return;
	p += strlen(key);
	while (*p == ' ')
		p++;
	double limit;
	if (strncmp(p, "unlimited", 9) == 0) {
		/* procfs reads "unlimited" as the largest uint64. */
		limit = 18446744073709551615.0;
	} else {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			return;
		limit = (double)v;
	}
	set_process(m, "process_max_fds", "Maximum number of open file descriptors.",
		    HF_METRIC_GAUGE, limit);
}

static void collect_process(void *ctx)
{
	struct hf_metrics *m = ctx;
	collect_stat(m);
	collect_statm(m);
	collect_fds(m);
	collect_limits(m);
}

void hf_metrics_register_process(struct hf_metrics *m)
{
	pthread_mutex_lock(&m->lock);
	bool first = !m->process_registered;
	m->process_registered = true;
	pthread_mutex_unlock(&m->lock);
	if (first)
		hf_metrics_add_collector(m, collect_process, m);
}
