/*
 * log.h: structured logs, one JSON object per line, as controller-runtime's
 * zap logger writes them, so that the same tools (jq, Loki, Cloud Logging)
 * read both:
 *
 *   {"ts":"2026-11-22T04:05:06.123Z","level":"info","logger":"reflector",
 *    "msg":"watch restarted","resource":"clusters","rv":"4711"}
 *
 * (one line in reality). The process-wide settings (minimum level, output,
 * clock) are set by the program at start; the library only logs. Every
 * string is JSON-escaped, invalid UTF-8 becomes U+FFFD, and each string and
 * line is capped (HF_LOG_VALUE_MAX, HF_LOG_LINE_MAX) so outside input cannot
 * make a line unbounded.
 *
 * Thread safety: every function may be called from any thread. A line is
 * built outside any lock and written with one write(2) under the output
 * lock, so lines of concurrent threads never interleave. Context fields
 * (hf_log_push_field) belong to the calling thread only.
 */
#ifndef HF_LOG_H
#define HF_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "util/error.h"

enum hf_log_level {
	HF_LOG_DEBUG,
	HF_LOG_INFO,
	HF_LOG_WARN,
	HF_LOG_ERROR,
};

/* Longest escaped string (msg, key or value) kept whole; longer ones are cut
 * at a character boundary and end in "...". */
#define HF_LOG_VALUE_MAX 8192
/* Longest line; fields that would not fit are dropped and counted in a
 * "droppedFields" field. */
#define HF_LOG_LINE_MAX 65536
/* Most context fields a thread may push. */
#define HF_LOG_CONTEXT_MAX 16

/* hf_log_level_name returns "debug", "info", "warn" or "error" (static). */
const char *hf_log_level_name(enum hf_log_level level);

/*
 * hf_log_parse_level parses "debug", "info", "warn" or "error" (exactly, as
 * given on the command line) into *out. Anything else (NULL included) is
 * HF_ERR_INVALID and leaves *out unchanged.
 */
HF_MUST_CHECK enum hf_err hf_log_parse_level(const char *s, enum hf_log_level *out);

/* hf_log_set_level sets the minimum level written (default HF_LOG_INFO);
 * it takes effect at once in every thread. hf_log_get_level returns it. */
void hf_log_set_level(enum hf_log_level level);
enum hf_log_level hf_log_get_level(void);

/* hf_log_enabled says whether a line at level would be written, so callers
 * can skip computing costly fields. */
bool hf_log_enabled(enum hf_log_level level);

/*
 * hf_log_set_output sends lines to out (NULL: back to stderr). The caller
 * keeps ownership of out and keeps it open while logging may happen. Lines
 * go through out's file descriptor with one write(2) each; a FILE without a
 * descriptor (fmemopen) is written with fwrite and flushed.
 */
void hf_log_set_output(FILE *out);

/*
 * hf_log_set_clock replaces the clock that stamps lines (NULL: back to
 * clock_gettime(CLOCK_REALTIME)), so tests get fixed timestamps.
 */
void hf_log_set_clock(void (*now)(struct timespec *ts));

/*
 * hf_log writes one line at level when level is enabled. logger names the
 * component ("reflector", "queue"); msg is a constant human sentence. The
 * variable arguments are const char * key/value pairs ended by a NULL key;
 * a NULL value is written as JSON null. The thread's context fields follow
 * the call's fields. Keys should not repeat ts, level, logger or msg.
 * Nothing is retained after the call; write errors are ignored (a logger
 * has nowhere to report them).
 */
void hf_log(enum hf_log_level level, const char *logger, const char *msg, ...)
	__attribute__((sentinel));

/* Typed fields for hf_log_fields, built with the HF_LOG_* macros below. */
enum hf_log_field_type {
	HF_LOG_FIELD_STR,
	HF_LOG_FIELD_INT,
	HF_LOG_FIELD_BOOL,
};

struct hf_log_field {
	const char *key;
	enum hf_log_field_type type;
	const char *s; /* HF_LOG_FIELD_STR; NULL is written as null */
	long long i;   /* HF_LOG_FIELD_INT */
	bool b;	       /* HF_LOG_FIELD_BOOL */
};

#define HF_LOG_STR(k, v)  ((struct hf_log_field){.key = (k), .type = HF_LOG_FIELD_STR, .s = (v)})
#define HF_LOG_INT(k, v)  ((struct hf_log_field){.key = (k), .type = HF_LOG_FIELD_INT, .i = (v)})
#define HF_LOG_BOOL(k, v) ((struct hf_log_field){.key = (k), .type = HF_LOG_FIELD_BOOL, .b = (v)})
/* HF_LOG_ERR(err) is the conventional "error" field with hf_err_name(err). */
#define HF_LOG_ERR(err) HF_LOG_STR("error", hf_err_name(err))

/*
 * hf_log_fields is hf_log with typed fields: nfields entries of fields
 * (which may be NULL when nfields is 0). Prefer the hf_log_with macro:
 *   hf_log_with(HF_LOG_WARN, "queue", "requeue", HF_LOG_STR("key", key),
 *               HF_LOG_INT("attempt", n));
 */
void hf_log_fields(enum hf_log_level level, const char *logger, const char *msg,
		   const struct hf_log_field *fields, size_t nfields);

#define hf_log_with(level, logger, msg, ...)                                                       \
	hf_log_fields((level), (logger), (msg), (const struct hf_log_field[]){__VA_ARGS__},        \
		      sizeof((const struct hf_log_field[]){__VA_ARGS__}) /                         \
			      sizeof(struct hf_log_field))

/*
 * hf_log_push_field adds key=value (both copied) to every line the calling
 * thread writes until the matching hf_log_pop_field, e.g. the X-Request-ID
 * of the request being served or the key being reconciled. Fields nest like
 * a stack. Returns HF_ERR_TOO_LARGE when the thread already has
 * HF_LOG_CONTEXT_MAX fields. A thread's fields are freed when it exits.
 */
HF_MUST_CHECK enum hf_err hf_log_push_field(const char *key, const char *value);

/* hf_log_pop_field removes the calling thread's most recent context field
 * (no-op when there is none). */
void hf_log_pop_field(void);

/* hf_log_clear_fields removes all of the calling thread's context fields,
 * e.g. when a worker goes back to its queue after an error path. */
void hf_log_clear_fields(void);

#endif
