#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"

/* Room kept at the end of a line for the droppedFields field and "}\n". */
#define LINE_RESERVE 64
/* Keys and logger names are identifiers; a long one is a bug, not data. */
#define KEY_MAX 256

typedef void (*clock_fn)(struct timespec *ts);

static atomic_int min_level = HF_LOG_INFO;
static _Atomic(clock_fn) clock_now;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out_file; /* NULL: stderr; guarded by out_lock */

/* The calling thread's context fields, reached through a pthread key so that
 * they are freed when the thread exits. */
struct context {
	int n;
	char *key[HF_LOG_CONTEXT_MAX];
	char *value[HF_LOG_CONTEXT_MAX];
};
static pthread_key_t context_key;
static pthread_once_t context_once = PTHREAD_ONCE_INIT;

/* A line under construction: appends past the cap set full instead of
 * failing each call, and a field that overflowed is rolled back whole. */
struct line {
	struct hf_buf b;
	bool full;
	int dropped;
};

const char *hf_log_level_name(enum hf_log_level level)
{
	switch (level) {
	case HF_LOG_DEBUG: return "debug";
	case HF_LOG_INFO: return "info";
	case HF_LOG_WARN: return "warn";
	case HF_LOG_ERROR: return "error";
	}
	return "unknown";
}

enum hf_err hf_log_parse_level(const char *s, enum hf_log_level *out)
{
	static const enum hf_log_level levels[] = {HF_LOG_DEBUG, HF_LOG_INFO, HF_LOG_WARN,
						   HF_LOG_ERROR};
	if (!s)
		return HF_ERR_INVALID;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(s, hf_log_level_name(levels[i])) == 0) {
			*out = levels[i];
			return HF_OK;
		}
	}
	return HF_ERR_INVALID;
}

void hf_log_set_level(enum hf_log_level level)
{
	atomic_store(&min_level, (int)level);
}

enum hf_log_level hf_log_get_level(void)
{
	return (enum hf_log_level)atomic_load(&min_level);
}

bool hf_log_enabled(enum hf_log_level level)
{
	return (int)level >= atomic_load(&min_level);
}

void hf_log_set_output(FILE *out)
{
	pthread_mutex_lock(&out_lock);
	out_file = out;
	pthread_mutex_unlock(&out_lock);
}

void hf_log_set_clock(void (*now)(struct timespec *ts))
{
	atomic_store(&clock_now, now);
}

static void put(struct line *l, const char *s, size_t n)
{
	if (!l->full && hf_buf_append(&l->b, s, n) != HF_OK)
		l->full = true;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* utf8_len returns the length of the valid UTF-8 sequence at s (at most n
 * bytes long), or 0 when s does not start one: overlong forms, surrogates
 * and code points past U+10FFFF are invalid, as in RFC 3629. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * put_string appends s (len bytes, or NULL for null) as a JSON string of at
 * most about max bytes. Valid UTF-8 is copied as is except U+2028 and U+2029,
 * which JavaScript readers take for line ends; each invalid byte becomes
 * \ufffd, as Go's encoding/json does, so a line is always valid JSON.
 */
static void put_string(struct line *l, const char *str, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	if (!str) {
		puts_(l, "null");
		return;
	}
	const unsigned char *s = (const unsigned char *)str;
	size_t start = l->b.len;
	size_t i = 0;
	put(l, "\"", 1);
	while (i < len && !l->full) {
		char esc[8];
		size_t esc_len = 0, in_len = 1;
		unsigned char c = s[i];
		if (plain_ascii(c)) {
			/* Most text: copy the whole run at once. */
			size_t run = 1, room = max - (l->b.len - start);
			while (i + run < len && plain_ascii(s[i + run]))
				run++;
			if (run > room) {
				put(l, str + i, room);
				puts_(l, "...");
				break;
			}
			put(l, str + i, run);
			i += run;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			esc_len = 2;
		} else if (c < 0x20) {
			const char *short_esc = c == '\n'   ? "\\n"
						: c == '\r' ? "\\r"
						: c == '\t' ? "\\t"
						: c == '\b' ? "\\b"
						: c == '\f' ? "\\f"
							    : NULL;
			if (short_esc) {
				memcpy(esc, short_esc, 2);
				esc_len = 2;
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0xf];
				esc_len = 6;
			}
		} else if (c >= 0x80) {
			in_len = utf8_len(s + i, len - i);
			if (in_len == 0) {
				memcpy(esc, "\\ufffd", 6);
				esc_len = 6;
				in_len = 1;
			} else if (in_len == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
				   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
				memcpy(esc, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
				esc_len = 6;
			}
		}
		size_t piece = esc_len ? esc_len : in_len;
		if (l->b.len - start + piece > max) {
			puts_(l, "...");
			break;
		}
		if (esc_len)
			put(l, esc, esc_len);
		else
			put(l, str + i, in_len);
		i += in_len;
	}
	put(l, "\"", 1);
}

static void put_cstring(struct line *l, const char *s, size_t max)
{
	put_string(l, s, s ? strlen(s) : 0, max);
}

/* begin_field and end_field bracket one field: a field that made the line
 * too long is removed whole, so the line stays valid JSON. */
static size_t begin_field(struct line *l, const char *key)
{
	size_t mark = l->b.len;
	put(l, ",", 1);
	put_cstring(l, key ? key : "", KEY_MAX);
	put(l, ":", 1);
	return mark;
}

static void end_field(struct line *l, size_t mark)
{
	if (l->full || l->b.len > HF_LOG_LINE_MAX - LINE_RESERVE) {
		l->b.len = mark;
		l->b.data[mark] = '\0';
		l->full = false;
		l->dropped++;
	}
}

static void put_str_field(struct line *l, const char *key, const char *value)
{
	size_t mark = begin_field(l, key);
	put_cstring(l, value, HF_LOG_VALUE_MAX);
	end_field(l, mark);
}

static void put_typed_field(struct line *l, const struct hf_log_field *f)
{
	char num[32];
	size_t mark;
	switch (f->type) {
	case HF_LOG_FIELD_INT:
		mark = begin_field(l, f->key);
		snprintf(num, sizeof(num), "%lld", f->i);
		puts_(l, num);
		end_field(l, mark);
		return;
	case HF_LOG_FIELD_BOOL:
		mark = begin_field(l, f->key);
		puts_(l, f->b ? "true" : "false");
		end_field(l, mark);
		return;
	case HF_LOG_FIELD_STR: break;
	}
	put_str_field(l, f->key, f->s);
}

static void format_time(char *out, size_t len)
{
	struct timespec ts;
	clock_fn now = atomic_load(&clock_now);
	if (now)
		now(&ts);
	else
		clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	if (!gmtime_r(&ts.tv_sec, &tm)) {
		snprintf(out, len, "invalid time");
		return;
	}
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03ldZ", date, (long)(ts.tv_nsec / 1000000) % 1000);
}

static void put_header(struct line *l, enum hf_log_level level, const char *logger, const char *msg)
{
	char ts[64];
	format_time(ts, sizeof(ts));
	puts_(l, "{\"ts\":\"");
	puts_(l, ts);
	puts_(l, "\",\"level\":\"");
	puts_(l, hf_log_level_name(level));
	puts_(l, "\",\"logger\":");
	put_cstring(l, logger ? logger : "", KEY_MAX);
	puts_(l, ",\"msg\":");
	put_cstring(l, msg ? msg : "", HF_LOG_VALUE_MAX);
}

static void free_context(void *p)
{
	struct context *c = p;
	for (int i = 0; i < c->n; i++) {
		free(c->key[i]);
		free(c->value[i]);
	}
	free(c);
}

static void make_context_key(void)
{
	/* Without a key there is nowhere to keep context fields; the process
	 * cannot do anything useful either, as with a failed allocation. */
	if (pthread_key_create(&context_key, free_context) != 0)
		abort();
}

static struct context *context_get(bool create)
{
	pthread_once(&context_once, make_context_key);
	struct context *c = pthread_getspecific(context_key);
	if (!c && create) {
		c = hf_calloc(1, sizeof(*c));
		if (pthread_setspecific(context_key, c) != 0)
			abort();
	}
	return c;
}

static void put_trailer(struct line *l)
{
	const struct context *c = context_get(false);
	for (int i = 0; c && i < c->n; i++)
		put_str_field(l, c->key[i], c->value[i]);
	if (l->dropped) {
		char num[48];
		snprintf(num, sizeof(num), ",\"droppedFields\":%d", l->dropped);
		puts_(l, num);
	}
	puts_(l, "}\n");
}

/* write_line writes the line with as few write(2) calls as the kernel allows
 * (one, except for a huge line to a pipe), under out_lock so that no other
 * thread's line lands in between. */
static void write_line(const char *data, size_t len)
{
	pthread_mutex_lock(&out_lock);
	FILE *f = out_file ? out_file : stderr;
	fflush(f);
	int fd = fileno(f);
	if (fd < 0) {
		fwrite(data, 1, len, f);
		fflush(f);
		goto unlock;
	}
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		data += n;
		len -= (size_t)n;
	}
unlock:
	pthread_mutex_unlock(&out_lock);
}

static void emit(struct line *l)
{
	put_trailer(l);
	if (!l->full)
		write_line(l->b.data, l->b.len);
	hf_buf_free(&l->b);
}

void hf_log(enum hf_log_level level, const char *logger, const char *msg, ...)
{
	if (!hf_log_enabled(level))
		return;
	struct line l = {.full = false};
	hf_buf_init(&l.b, HF_LOG_LINE_MAX);
	put_header(&l, level, logger, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *key = va_arg(ap, const char *);
		if (!key)
			break;
		const char *value = va_arg(ap, const char *);
		put_str_field(&l, key, value);
	}
	va_end(ap);
	emit(&l);
}

void hf_log_fields(enum hf_log_level level, const char *logger, const char *msg,
		   const struct hf_log_field *fields, size_t nfields)
{
	if (!hf_log_enabled(level))
		return;
	struct line l = {.full = false};
	hf_buf_init(&l.b, HF_LOG_LINE_MAX);
	put_header(&l, level, logger, msg);
	for (size_t i = 0; i < nfields; i++)
		put_typed_field(&l, &fields[i]);
	emit(&l);
}

enum hf_err hf_log_push_field(const char *key, const char *value)
{
	if (!key)
		return HF_ERR_INVALID;
	struct context *c = context_get(true);
	if (c->n >= HF_LOG_CONTEXT_MAX)
		return HF_ERR_TOO_LARGE;
	c->key[c->n] = hf_strdup(key);
	c->value[c->n] = hf_strdup(value);
	c->n++;
	return HF_OK;
}

void hf_log_pop_field(void)
{
	struct context *c = context_get(false);
	if (!c || c->n == 0)
		return;
	c->n--;
	free(c->key[c->n]);
	free(c->value[c->n]);
}

void hf_log_clear_fields(void)
{
	struct context *c = context_get(false);
	while (c && c->n > 0)
		hf_log_pop_field();
}
