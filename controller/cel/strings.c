/*
 * strings.c: string builtins (CEL's own plus cel-go's strings extension).
 * Indexes and sizes count code points, as CEL does; searches work on bytes,
 * which gives the same answers on valid UTF-8.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cel/convert.h"
#include "cel/eval.h"
#include "util/buf.h"

#define MAX_PRECISION 100

/* is checks the kinds of the first na (at most 3) arguments. */
static bool is(const struct cel_value *a, size_t na, uint8_t k0, uint8_t k1, uint8_t k2)
{
	const uint8_t kinds[3] = {k0, k1, k2};
	for (size_t i = 0; i < na; i++)
		if (a[i].kind != kinds[i])
			return false;
	return true;
}

static const char *name_of(const struct cel_node *n)
{
	return cel_builtin_get(n->fn)->name;
}

static struct cel_value bad_args(struct cel_eval *e, const struct cel_node *n,
				 const struct cel_value *a, size_t na)
{
	return cel_no_overload(e, n->pos, name_of(n), a, na);
}

/* find returns the byte offset of needle in s at or after from, or -1. */
static long find(struct cel_str s, struct cel_str needle, size_t from)
{
	if (needle.n == 0)
		return from <= s.n ? (long)from : -1;
	if (from >= s.n)
		return -1;
	const char *p = memmem(s.p + from, s.n - from, needle.p, needle.n);
	return p ? (long)(p - s.p) : -1;
}

static struct cel_value fn_contains(struct cel_eval *e, const struct cel_node *n,
				    const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, CEL_STRING, 0))
		return bad_args(e, n, a, na);
	if (!cel_charge(e, a[0].n / 16, n->pos))
		return cel_fatal_value(e);
	struct cel_str s = cel_str_of(a[0]), sub = cel_str_of(a[1]);
	const char *name = name_of(n);
	if (name[0] == 'c')
		return cel_bool(find(s, sub, 0) >= 0);
	if (sub.n > s.n)
		return cel_bool(false);
	if (name[0] == 's')
		return cel_bool(memcmp(s.p, sub.p, sub.n) == 0);
	return cel_bool(memcmp(s.p + s.n - sub.n, sub.p, sub.n) == 0);
}

static struct cel_value fn_case(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, 0, 0))
		return bad_args(e, n, a, na);
	bool upper = name_of(n)[0] == 'u';
	char *p = cel_new_string(e, a[0].n, n->pos);
	if (!p)
		return cel_fatal_value(e);
	for (size_t i = 0; i < a[0].n; i++) {
		char c = a[0].v.p[i];
		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		p[i] = c;
	}
	return cel_string(p, a[0].n);
}

static bool is_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

static struct cel_value fn_trim(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, 0, 0))
		return bad_args(e, n, a, na);
	const char *s = a[0].v.p;
	size_t start = 0, end = a[0].n, last = 0;
	uint32_t cp;
	while (start < end) {
		size_t l = cel_utf8_decode(s + start, end - start, &cp);
		if (!is_space(cp))
			break;
		start += l;
	}
	/* Scan forward so multi-byte spaces at the end are seen whole. */
	for (size_t i = start; i < end;) {
		size_t l = cel_utf8_decode(s + i, end - i, &cp);
		i += l;
		if (!is_space(cp))
			last = i;
	}
	return cel_string(s + start, last > start ? last - start : 0);
}

static struct cel_value fn_replace(struct cel_eval *e, const struct cel_node *n,
				   const struct cel_value *a, size_t na)
{
	if (!is(a, 3, CEL_STRING, CEL_STRING, CEL_STRING) || (na == 4 && a[3].kind != CEL_INT))
		return bad_args(e, n, a, na);
	struct cel_str s = cel_str_of(a[0]), old = cel_str_of(a[1]), rep = cel_str_of(a[2]);
	int64_t limit = na == 4 ? a[3].v.i : -1;
	if (!cel_charge(e, s.n / 16, n->pos))
		return cel_fatal_value(e);
	/* Count first so that the result is allocated once, capped. An empty
	 * old string matches before every code point and at the end. */
	size_t count = 0;
	for (size_t i = 0; limit < 0 || count < (uint64_t)limit;) {
		long at = find(s, old, i);
		if (at < 0)
			break;
		count++;
		if (old.n) {
			i = (size_t)at + old.n;
		} else {
			uint32_t cp;
			if ((size_t)at >= s.n)
				break;
			i = (size_t)at + cel_utf8_decode(s.p + at, s.n - (size_t)at, &cp);
		}
	}
	uint64_t len = s.n - count * old.n + (uint64_t)count * rep.n;
	char *p = cel_new_string(e, len > HF_CEL_MAX_STRING ? HF_CEL_MAX_STRING + 1 : len, n->pos);
	if (!p)
		return cel_fatal_value(e);
	size_t i = 0, o = 0;
	for (size_t k = 0; k < count; k++) {
		size_t at = (size_t)find(s, old, i);
		memcpy(p + o, s.p + i, at - i);
		o += at - i;
		memcpy(p + o, rep.p, rep.n);
		o += rep.n;
		i = at + old.n;
		if (!old.n && at < s.n) {
			uint32_t cp;
			size_t l = cel_utf8_decode(s.p + at, s.n - at, &cp);
			memcpy(p + o, s.p + at, l);
			o += l;
			i = at + l;
		}
	}
	memcpy(p + o, s.p + i, s.n - i);
	return cel_string(p, len);
}

static struct cel_value fn_split(struct cel_eval *e, const struct cel_node *n,
				 const struct cel_value *a, size_t na)
{
	if (!is(a, na < 3 ? na : 2, CEL_STRING, CEL_STRING, 0) || (na == 3 && a[2].kind != CEL_INT))
		return bad_args(e, n, a, na);
	struct cel_str s = cel_str_of(a[0]), sep = cel_str_of(a[1]);
	int64_t limit = na == 3 ? a[2].v.i : -1;
	if (limit == 0)
		return cel_list_value(cel_new_list(e, 0, n->pos));
	size_t pieces = 1;
	if (sep.n == 0) {
		pieces = cel_utf8_count(s.p, s.n);
	} else {
		for (long at = find(s, sep, 0); at >= 0; at = find(s, sep, (size_t)at + sep.n))
			pieces++;
	}
	if (limit > 0 && pieces > (uint64_t)limit)
		pieces = (size_t)limit;
	struct cel_list *l = cel_new_list(e, pieces, n->pos);
	if (!l)
		return cel_fatal_value(e);
	size_t i = 0;
	for (size_t k = 0; k < pieces; k++) {
		size_t end;
		if (k == pieces - 1) {
			end = s.n;
		} else if (sep.n == 0) {
			uint32_t cp;
			end = i + cel_utf8_decode(s.p + i, s.n - i, &cp);
		} else {
			end = (size_t)find(s, sep, i);
		}
		l->items[k] = cel_string(s.p + i, end - i);
		i = end + sep.n;
	}
	return cel_list_value(l);
}

static struct cel_value fn_join(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	if (a[0].kind != CEL_LIST || (na == 2 && a[1].kind != CEL_STRING))
		return bad_args(e, n, a, na);
	struct cel_str sep = na == 2 ? cel_str_of(a[1]) : (struct cel_str){"", 0};
	struct hf_buf b;
	hf_buf_init(&b, HF_CEL_MAX_STRING);
	struct cel_iter it = {0};
	struct cel_value x, r;
	for (bool first = true; cel_list_next(a[0], &it, &x); first = false) {
		if (x.kind != CEL_STRING) {
			r = cel_error(e, n->pos, "join: list element of type '%s' is not a string",
				      cel_type_name(x));
			goto cleanup;
		}
		if ((!first && hf_buf_append(&b, sep.p, sep.n) != HF_OK) ||
		    hf_buf_append(&b, x.v.p, x.n) != HF_OK) {
			r = cel_fatal(e, n->pos, "string longer than %d bytes", HF_CEL_MAX_STRING);
			goto cleanup;
		}
	}
	char *p = cel_new_string(e, b.len, n->pos);
	if (!p) {
		r = cel_fatal_value(e);
		goto cleanup;
	}
	if (b.len)
		memcpy(p, b.data, b.len);
	r = cel_string(p, b.len);
cleanup:
	hf_buf_free(&b);
	return r;
}

static struct cel_value out_of_range(struct cel_eval *e, const struct cel_node *n, int64_t i)
{
	return cel_error(e, n->pos, "index out of range: %lld", (long long)i);
}

static struct cel_value fn_substring(struct cel_eval *e, const struct cel_node *n,
				     const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, CEL_INT, CEL_INT))
		return bad_args(e, n, a, na);
	struct cel_str s = cel_str_of(a[0]);
	int64_t size = (int64_t)cel_utf8_count(s.p, s.n);
	int64_t start = a[1].v.i, end = na == 3 ? a[2].v.i : size;
	if (start < 0 || start > size)
		return out_of_range(e, n, start);
	if (end < 0 || end > size)
		return out_of_range(e, n, end);
	if (end < start)
		return cel_error(e, n->pos, "invalid substring range: start %lld, end %lld",
				 (long long)start, (long long)end);
	size_t b0 = cel_utf8_offset(s.p, s.n, (size_t)start);
	size_t b1 = b0 + cel_utf8_offset(s.p + b0, s.n - b0, (size_t)(end - start));
	return cel_string(s.p + b0, b1 - b0);
}

static struct cel_value fn_char_at(struct cel_eval *e, const struct cel_node *n,
				   const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, CEL_INT, 0))
		return bad_args(e, n, a, na);
	struct cel_str s = cel_str_of(a[0]);
	int64_t i = a[1].v.i;
	if (i < 0 || i > (int64_t)cel_utf8_count(s.p, s.n))
		return out_of_range(e, n, i);
	size_t b = cel_utf8_offset(s.p, s.n, (size_t)i);
	uint32_t cp;
	size_t l = b < s.n ? cel_utf8_decode(s.p + b, s.n - b, &cp) : 0;
	return cel_string(s.p + b, l);
}

static struct cel_value fn_index_of(struct cel_eval *e, const struct cel_node *n,
				    const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, CEL_STRING, CEL_INT))
		return bad_args(e, n, a, na);
	struct cel_str s = cel_str_of(a[0]), sub = cel_str_of(a[1]);
	bool last = name_of(n)[0] == 'l';
	int64_t size = (int64_t)cel_utf8_count(s.p, s.n);
	int64_t from = na == 3 ? a[2].v.i : last ? size : 0;
	if (from < 0 || from > size)
		return out_of_range(e, n, from);
	/* lastIndexOf compares at every position: text times needle. */
	if (!cel_charge(e, s.n / 16 + (last ? s.n / 16 * (sub.n / 16) : 0), n->pos))
		return cel_fatal_value(e);
	size_t b = cel_utf8_offset(s.p, s.n, (size_t)from);
	long at = -1;
	if (!last) {
		at = find(s, sub, b);
	} else if (sub.n <= s.n) {
		/* The last match starting at or before code point `from`. */
		for (size_t p = b < s.n - sub.n ? b : s.n - sub.n;; p--) {
			if (memcmp(s.p + p, sub.p, sub.n) == 0) {
				at = (long)p;
				break;
			}
			if (p == 0)
				break;
		}
	}
	return cel_int(at < 0 ? -1 : (int64_t)cel_utf8_count(s.p, (size_t)at));
}

/* put_integer writes v (int or uint) in base 2, 8, 10 or 16. */
static void put_integer(struct hf_buf *b, struct cel_value v, unsigned base, bool upper,
			enum hf_err *err)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool neg = v.kind == CEL_INT && v.v.i < 0;
	uint64_t m = v.kind == CEL_UINT ? v.v.u : neg ? 0 - (uint64_t)v.v.i : (uint64_t)v.v.i;
	char tmp[72];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = digits[m % base];
		m /= base;
	} while (m);
	if (neg)
		tmp[--i] = '-';
	if (*err == HF_OK)
		*err = hf_buf_append(b, tmp + i, sizeof(tmp) - i);
}

/* clause formats one argument for format(); an error value on failure. */
static struct cel_value clause(struct cel_eval *e, const struct cel_node *n, struct hf_buf *b,
			       char verb, int prec, struct cel_value v)
{
	enum hf_err err = HF_OK;
	bool integer = v.kind == CEL_INT || v.kind == CEL_UINT;
	char tmp[512];
	switch (verb) {
	case 's': {
		struct cel_value t = cel_to_text(e, v, n->pos);
		if (t.kind == CEL_ERROR)
			return t;
		err = hf_buf_append(b, t.v.p, t.n);
		break;
	}
	case 'd':
		if (!integer)
			goto bad;
		put_integer(b, v, 10, false, &err);
		break;
	case 'x':
	case 'X':
		if (v.kind == CEL_STRING || v.kind == CEL_BYTES) {
			for (size_t i = 0; i < v.n && err == HF_OK; i++)
				err = hf_buf_printf(b, verb == 'x' ? "%02x" : "%02X",
						    (unsigned char)v.v.p[i]);
			break;
		}
		if (!integer)
			goto bad;
		put_integer(b, v, 16, verb == 'X', &err);
		break;
	case 'o':
	case 'b':
		if (!integer)
			goto bad;
		put_integer(b, v, verb == 'o' ? 8 : 2, false, &err);
		break;
	case 'f':
	case 'e': {
		double d = v.kind == CEL_DOUBLE ? v.v.d
			   : v.kind == CEL_INT	? (double)v.v.i
			   : v.kind == CEL_UINT ? (double)v.v.u
						: 0;
		if (!integer && v.kind != CEL_DOUBLE)
			goto bad;
		if (!isfinite(d))
			snprintf(tmp, sizeof(tmp), "%s",
				 isnan(d) ? "NaN"
				 : d > 0  ? "Infinity"
					  : "-Infinity");
		else
			snprintf(tmp, sizeof(tmp), verb == 'f' ? "%.*f" : "%.*e",
				 prec < 0 ? 6 : prec, d);
		err = hf_buf_appends(b, tmp);
		break;
	}
	default: return cel_error(e, n->pos, "format: unrecognized formatting clause '%%%c'", verb);
	}
	if (err != HF_OK)
		return cel_fatal(e, n->pos, "string longer than %d bytes", HF_CEL_MAX_STRING);
	return cel_null();
bad:
	return cel_error(e, n->pos, "format: '%%%c' cannot format a value of type '%s'", verb,
			 cel_type_name(v));
}

static struct cel_value fn_format(struct cel_eval *e, const struct cel_node *n,
				  const struct cel_value *a, size_t na)
{
	if (!is(a, na, CEL_STRING, CEL_LIST, 0))
		return bad_args(e, n, a, na);
	struct cel_str f = cel_str_of(a[0]);
	size_t nargs = cel_list_size(a[1]), used = 0;
	struct cel_iter it = {0};
	struct hf_buf b;
	hf_buf_init(&b, HF_CEL_MAX_STRING);
	struct cel_value r = cel_null();
	for (size_t i = 0; i < f.n && r.kind != CEL_ERROR; i++) {
		if (f.p[i] != '%') {
			size_t j = i;
			while (j < f.n && f.p[j] != '%')
				j++;
			if (hf_buf_append(&b, f.p + i, j - i) != HF_OK)
				r = cel_fatal(e, n->pos, "string longer than %d bytes",
					      HF_CEL_MAX_STRING);
			i = j - 1;
			continue;
		}
		if (++i >= f.n) {
			r = cel_error(e, n->pos, "format: unterminated formatting clause");
			break;
		}
		if (f.p[i] == '%') {
			if (hf_buf_append(&b, "%", 1) != HF_OK)
				r = cel_fatal(e, n->pos, "string longer than %d bytes",
					      HF_CEL_MAX_STRING);
			continue;
		}
		int prec = -1;
		if (f.p[i] == '.') {
			prec = 0;
			while (++i < f.n && f.p[i] >= '0' && f.p[i] <= '9' && prec <= MAX_PRECISION)
				prec = prec * 10 + (f.p[i] - '0');
			if (prec > MAX_PRECISION || i >= f.n) {
				r = cel_error(e, n->pos, "format: invalid precision");
				break;
			}
		}
		if (used >= nargs) {
			r = cel_error(e, n->pos, "format: not enough arguments (%zu given)", nargs);
			break;
		}
		struct cel_value v;
		cel_list_next(a[1], &it, &v);
		used++;
		r = clause(e, n, &b, f.p[i], prec, v);
	}
	if (r.kind != CEL_ERROR) {
		char *p = cel_new_string(e, b.len, n->pos);
		if (!p) {
			r = cel_fatal_value(e);
		} else {
			if (b.len)
				memcpy(p, b.data, b.len);
			r = cel_string(p, b.len);
		}
	}
	hf_buf_free(&b);
	return r;
}

const struct cel_builtin cel_string_builtins[] = {
	{"contains", FN_METHOD, 1, 1, fn_contains},
	{"startsWith", FN_METHOD, 1, 1, fn_contains},
	{"endsWith", FN_METHOD, 1, 1, fn_contains},
	{"lowerAscii", FN_METHOD, 0, 0, fn_case},
	{"upperAscii", FN_METHOD, 0, 0, fn_case},
	{"trim", FN_METHOD, 0, 0, fn_trim},
	{"replace", FN_METHOD, 2, 3, fn_replace},
	{"split", FN_METHOD, 1, 2, fn_split},
	{"join", FN_METHOD, 0, 1, fn_join},
	{"substring", FN_METHOD, 1, 2, fn_substring},
	{"charAt", FN_METHOD, 1, 1, fn_char_at},
	{"indexOf", FN_METHOD, 1, 2, fn_index_of},
	{"lastIndexOf", FN_METHOD, 1, 2, fn_index_of},
	{"format", FN_METHOD, 1, 1, fn_format},
};
const size_t cel_string_builtin_count =
	sizeof(cel_string_builtins) / sizeof(cel_string_builtins[0]);
