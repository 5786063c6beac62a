/*
 * convert.c: values to text (string(), interpolation, format's %s), to
 * JSON text (toJson) and to cJSON (results of hf_cel_eval and templates).
 */
#include "cel/convert.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/time.h"
#include "util/buf.h"

/* Values nest through lists and maps; JSON input is bounded by cJSON's
 * own nesting limit, values built by expressions by the tree depth. */
#define MAX_NESTING 1200

void cel_format_double(double d, char *buf, size_t len)
{
	/* Go's %g, which cel-go's string(double) uses: the shortest digits
	 * that read back as d, in exponent form below 1e-4 and from 1e6. */
	if (isnan(d)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, len, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	char tmp[40];
	int p;
	for (p = 1; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
	const char *e = strchr(tmp, 'e');
	int exp = e ? (int)strtol(e + 1, NULL, 10) : 0;
	if (exp < -4 || exp >= 6)
		snprintf(buf, len, "%s", tmp);
	else
		snprintf(buf, len, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, d);
}

struct writer {
	struct cel_eval *e;
	uint32_t pos;
	struct hf_buf b;
	const char *error; /* static message; too_large for the cap */
	bool too_large;
};

static void put(struct writer *w, const char *s, size_t n)
{
	if (w->error)
		return;
	if (hf_buf_append(&w->b, s, n) != HF_OK) {
		w->error = "string too long";
		w->too_large = true;
	}
}

static void puts_(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_base64(struct writer *w, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n && !w->error; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char out[4] = {tab[v >> 18], tab[(v >> 12) & 63],
			       i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '='};
		put(w, out, 4);
	}
}

/* put_quoted writes s as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void put_quoted(struct writer *w, const char *s, size_t n)
{
	put(w, "\"", 1);
	size_t i = 0;
	while (i < n && !w->error) {
		size_t start = i;
		while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' &&
		       (unsigned char)s[i] < 0x80)
			i++;
		put(w, s + start, i - start);
		if (i >= n)
			break;
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c >= 0x80) {
			uint32_t cp;
			size_t l = cel_utf8_decode(s + i, n - i, &cp);
			if (l == 1)
				put(w, "\xef\xbf\xbd", 3);
			else
				put(w, s + i, l);
			i += l;
			continue;
		}
		i++;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		default: snprintf(esc, sizeof(esc), "\\u%04x", c); put(w, esc, 6);
		}
	}
	put(w, "\"", 1);
}

static void write_json(struct writer *w, struct cel_value v, unsigned depth);

static void write_key(struct writer *w, struct cel_value k)
{
	char buf[40];
	switch (k.kind) {
	case CEL_STRING: put_quoted(w, k.v.p, k.n); return;
	case CEL_INT: snprintf(buf, sizeof(buf), "\"%lld\"", (long long)k.v.i); break;
	case CEL_UINT: snprintf(buf, sizeof(buf), "\"%llu\"", (unsigned long long)k.v.u); break;
	case CEL_BOOL: snprintf(buf, sizeof(buf), "\"%s\"", k.v.b ? "true" : "false"); break;
	default: w->error = "unsupported map key type"; return;
	}
	puts_(w, buf);
}

/* write_scalar writes what has the same form in JSON and in text, except
 * for the quotes; false if v is not such a value. */
static bool write_scalar(struct writer *w, struct cel_value v, bool quote)
{
	char buf[48];
	size_t n;
	switch (v.kind) {
	case CEL_NULL: puts_(w, "null"); return true;
	case CEL_BOOL: puts_(w, v.v.b ? "true" : "false"); return true;
	case CEL_INT: snprintf(buf, sizeof(buf), "%lld", (long long)v.v.i); break;
	case CEL_UINT: snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v.v.u); break;
	case CEL_TIMESTAMP: n = cel_ts_format(v.v.sec, v.n, buf, sizeof(buf)); goto text;
	case CEL_DURATION: n = cel_dur_format(v.v.i, buf, sizeof(buf)); goto text;
	case CEL_TYPE: {
		const char *name = cel_kind_name((enum cel_kind)v.v.type);
		if (quote)
			put_quoted(w, name, strlen(name));
		else
			puts_(w, name);
		return true;
	}
	default: return false;
	}
	puts_(w, buf);
	return true;
text:
	if (quote)
		put_quoted(w, buf, n);
	else
		put(w, buf, n);
	return true;
}

static void write_json(struct writer *w, struct cel_value v, unsigned depth)
{
	char buf[48];
	struct cel_iter it = {0};
	struct cel_value k, x;
	if (w->error)
		return;
	if (depth > MAX_NESTING) {
		w->error = "value nested too deeply";
		return;
	}
	if (write_scalar(w, v, true))
		return;
	switch (v.kind) {
	case CEL_DOUBLE:
		if (!isfinite(v.v.d)) {
			w->error = "NaN and infinities have no JSON form";
			return;
		}
		cel_format_double(v.v.d, buf, sizeof(buf));
		puts_(w, buf);
		return;
	case CEL_STRING: put_quoted(w, v.v.p, v.n); return;
	case CEL_BYTES:
		put(w, "\"", 1);
		put_base64(w, (const unsigned char *)v.v.p, v.n);
		put(w, "\"", 1);
		return;
	case CEL_LIST:
		put(w, "[", 1);
		for (bool first = true; cel_list_next(v, &it, &x) && !w->error; first = false) {
			if (!first)
				put(w, ",", 1);
			write_json(w, x, depth + 1);
		}
		put(w, "]", 1);
		return;
	case CEL_MAP:
		put(w, "{", 1);
		for (bool first = true; cel_map_next(v, &it, &k, &x) && !w->error; first = false) {
			if (!first)
				put(w, ",", 1);
			write_key(w, k);
			put(w, ":", 1);
			write_json(w, x, depth + 1);
		}
		put(w, "}", 1);
		return;
	case CEL_OPTIONAL:
		if (v.v.opt)
			write_json(w, *v.v.opt, depth + 1);
		else
			puts_(w, "null");
		return;
	default: w->error = "value has no JSON form";
	}
}

static struct cel_value finish(struct writer *w)
{
	struct cel_value r;
	if (w->error) {
		r = w->too_large ? cel_fatal(w->e, w->pos, "string longer than %d bytes",
					     HF_CEL_MAX_STRING)
				 : cel_error(w->e, w->pos, "%s", w->error);
	} else {
		char *p = cel_new_string(w->e, w->b.len, w->pos);
		if (!p) {
			r = cel_fatal_value(w->e);
		} else {
			if (w->b.len)
				memcpy(p, w->b.data, w->b.len);
			r = cel_string(p, w->b.len);
		}
	}
	hf_buf_free(&w->b);
	return r;
}

struct cel_value cel_to_json_text(struct cel_eval *e, struct cel_value v, uint32_t pos)
{
	struct writer w = {.e = e, .pos = pos};
	hf_buf_init(&w.b, HF_CEL_MAX_STRING);
	write_json(&w, v, 0);
	return finish(&w);
}

struct cel_value cel_to_text(struct cel_eval *e, struct cel_value v, uint32_t pos)
{
	char buf[48];
	switch (v.kind) {
	case CEL_STRING:
	case CEL_BYTES: v.kind = CEL_STRING; return v;
	case CEL_DOUBLE: cel_format_double(v.v.d, buf, sizeof(buf)); break;
	case CEL_LIST:
	case CEL_MAP:
	case CEL_OPTIONAL: return cel_to_json_text(e, v, pos);
	default: {
		struct writer w = {.e = e, .pos = pos};
		hf_buf_init(&w.b, HF_CEL_MAX_STRING);
		if (!write_scalar(&w, v, false))
			w.error = "value has no text form";
		return finish(&w);
	}
	}
	size_t n = strlen(buf);
	char *p = cel_new_string(e, n, pos);
	if (!p)
		return cel_fatal_value(e);
	memcpy(p, buf, n);
	return cel_string(p, n);
}

/* count_json counts the nodes of a cJSON subtree, stopping past limit. */
static size_t count_json(const cJSON *n, size_t limit)
{
	size_t count = 1;
	for (const cJSON *c = n->child; c && count <= limit; c = c->next)
		count += count_json(c, limit - count);
	return count;
}

struct conv {
	struct cel_eval *e;
	uint32_t pos;
	size_t nodes;
	const char *error;
	bool too_large;
};

static cJSON *conv_string(struct conv *c, const char *s, size_t n)
{
	if (memchr(s, '\0', n)) {
		c->error = "a string with a NUL byte has no JSON form";
		return NULL;
	}
	char *copy = cel_arena_strndup(&c->e->arena, s, n);
	return cJSON_CreateString(copy);
}

static cJSON *conv(struct conv *c, struct cel_value v, unsigned depth)
{
	if (++c->nodes > CEL_MAX_JSON_NODES) {
		c->error = "result too large";
		c->too_large = true;
		return NULL;
	}
	if (depth > MAX_NESTING) {
		c->error = "value nested too deeply";
		return NULL;
	}
	struct cel_iter it = {0};
	struct cel_value k, x;
	cJSON *out = NULL;
	switch (v.kind) {
	case CEL_NULL: return cJSON_CreateNull();
	case CEL_BOOL: return cJSON_CreateBool(v.v.b);
	case CEL_INT: return cJSON_CreateNumber((double)v.v.i);
	case CEL_UINT: return cJSON_CreateNumber((double)v.v.u);
	case CEL_DOUBLE:
		if (!isfinite(v.v.d)) {
			c->error = "NaN and infinities have no JSON form";
			return NULL;
		}
		return cJSON_CreateNumber(v.v.d);
	case CEL_STRING: return conv_string(c, v.v.p, v.n);
	case CEL_OPTIONAL: return v.v.opt ? conv(c, *v.v.opt, depth + 1) : cJSON_CreateNull();
	case CEL_LIST:
	case CEL_MAP:
		if (v.json) {
			c->nodes += count_json(v.v.node, CEL_MAX_JSON_NODES) - 1;
			if (c->nodes > CEL_MAX_JSON_NODES) {
				c->error = "result too large";
				c->too_large = true;
				return NULL;
			}
			return cJSON_Duplicate(v.v.node, 1);
		}
		if (v.kind == CEL_LIST) {
			out = cJSON_CreateArray();
			while (cel_list_next(v, &it, &x)) {
				cJSON *item = conv(c, x, depth + 1);
				if (!item)
					goto fail;
				cJSON_AddItemToArray(out, item);
			}
			return out;
		}
		out = cJSON_CreateObject();
		bool mixed = false; /* keys other than strings: 1 and '1' could collide */
		while (cel_map_next(v, &it, &k, &x)) {
			struct cel_value ks =
				k.kind == CEL_STRING ? k : cel_to_text(c->e, k, c->pos);
			mixed |= k.kind != CEL_STRING;
			if (ks.kind != CEL_STRING || memchr(ks.v.p, '\0', ks.n)) {
				c->error = "map key has no JSON form";
				goto fail;
			}
			const char *key = cel_arena_strndup(&c->e->arena, ks.v.p, ks.n);
			if (mixed && cJSON_GetObjectItemCaseSensitive(out, key)) {
				c->error = "map keys collide in JSON form";
				goto fail;
			}
			cJSON *item = conv(c, x, depth + 1);
			if (!item)
				goto fail;
			cJSON_AddItemToObject(out, key, item);
		}
		return out;
	default: {
		/* Timestamps, durations, bytes and types: their JSON text. */
		struct cel_value t = cel_to_json_text(c->e, v, c->pos);
		if (t.kind != CEL_STRING) {
			c->error = "value has no JSON form";
			return NULL;
		}
		cJSON *parsed = cJSON_ParseWithLength(t.v.p, t.n);
		if (!parsed)
			c->error = "value has no JSON form";
		return parsed;
	}
	}
fail:
	cJSON_Delete(out);
	return NULL;
}

struct cel_value cel_to_cjson(struct cel_eval *e, struct cel_value v, uint32_t pos, cJSON **out)
{
	struct conv c = {.e = e, .pos = pos};
	*out = conv(&c, v, 0);
	if (*out)
		return cel_null();
	if (c.too_large)
		return cel_fatal(e, pos, "%s (more than %d JSON nodes)", c.error,
				 CEL_MAX_JSON_NODES);
	return cel_error(e, pos, "%s", c.error ? c.error : "cannot convert the result to JSON");
}
