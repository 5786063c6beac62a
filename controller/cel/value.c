#include "cel/value.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

struct cel_chunk {
	struct cel_chunk *next;
	max_align_t data[];
};

#define CHUNK_SIZE (16 * 1024)
#define ALIGN	   (sizeof(max_align_t))

void cel_arena_init(struct cel_arena *a, void *buf, size_t len, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->cap = cap;
	if (buf) {
		/* Align the caller's buffer start; its tail is used as is. */
		uintptr_t p = (uintptr_t)buf, q = (p + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
		if (len > q - p) {
			a->ptr = (char *)q;
			a->left = len - (q - p);
		}
	}
}

void cel_arena_free(struct cel_arena *a)
{
	struct cel_chunk *c = a->chunks;
	while (c) {
		struct cel_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->chunks = NULL;
	a->ptr = NULL;
	a->left = 0;
}

void *cel_arena_alloc(struct cel_arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	a->used += n;
	if (a->cap && a->used > a->cap)
		a->over = true;
	if (n > a->left) {
		/* Big requests get a chunk of their own so the current chunk's
		 * remainder is not wasted. */
		size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
		struct cel_chunk *c = hf_malloc(sizeof(*c) + size);
		c->next = a->chunks;
		a->chunks = c;
		if (size != CHUNK_SIZE)
			return c->data;
		a->ptr = (char *)c->data;
		a->left = size;
	}
	void *p = a->ptr;
	a->ptr += n;
	a->left -= n;
	return p;
}

char *cel_arena_strndup(struct cel_arena *a, const char *s, size_t n)
{
	char *p = cel_arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

struct cel_value cel_from_json(const cJSON *node)
{
	struct cel_value v = {.kind = CEL_NULL};
	if (!node)
		return v;
	switch (node->type & 0xff) {
	case cJSON_False: return cel_bool(false);
	case cJSON_True: return cel_bool(true);
	case cJSON_Number: {
		long long i;
		if (hf_json_int64(node, &i))
			return cel_int(i);
		return cel_double(node->valuedouble);
	}
	case cJSON_String:
	case cJSON_Raw:
		return cel_string(node->valuestring ? node->valuestring : "",
				  node->valuestring ? strlen(node->valuestring) : 0);
	case cJSON_Array:
		v.kind = CEL_LIST;
		v.json = 1;
		v.v.node = node;
		return v;
	case cJSON_Object:
		v.kind = CEL_MAP;
		v.json = 1;
		v.v.node = node;
		return v;
	default: return v;
	}
}

const char *cel_kind_name(enum cel_kind k)
{
	static const char *const names[CEL_KIND_COUNT] = {
		[CEL_NULL] = "null_type",
		[CEL_BOOL] = "bool",
		[CEL_INT] = "int",
		[CEL_UINT] = "uint",
		[CEL_DOUBLE] = "double",
		[CEL_STRING] = "string",
		[CEL_BYTES] = "bytes",
		[CEL_LIST] = "list",
		[CEL_MAP] = "map",
		[CEL_TIMESTAMP] = "google.protobuf.Timestamp",
		[CEL_DURATION] = "google.protobuf.Duration",
		[CEL_TYPE] = "type",
		[CEL_OPTIONAL] = "optional_type",
		[CEL_ERROR] = "error",
	};
	return (unsigned)k < CEL_KIND_COUNT ? names[k] : "unknown";
}

bool cel_kind_by_name(const char *name, enum cel_kind *k)
{
	for (int i = 0; i < CEL_ERROR; i++) {
		if (strcmp(name, cel_kind_name((enum cel_kind)i)) == 0) {
			*k = (enum cel_kind)i;
			return true;
		}
	}
	return false;
}

const char *cel_type_name(struct cel_value v)
{
	return cel_kind_name((enum cel_kind)v.kind);
}

size_t cel_list_size(struct cel_value list)
{
	if (list.json)
		return (size_t)cJSON_GetArraySize(list.v.node);
	return list.v.list->n;
}

bool cel_list_next(struct cel_value list, struct cel_iter *it, struct cel_value *out)
{
	if (list.json) {
		/* i counts the elements yielded: 0 means not started. */
		const cJSON *c = it->i == 0 ? list.v.node->child : it->node;
		if (!c)
			return false;
		*out = cel_from_json(c);
		it->node = c->next;
		it->i++;
		return true;
	}
	if (it->i >= list.v.list->n)
		return false;
	*out = list.v.list->items[it->i++];
	return true;
}

struct cel_value cel_list_get(struct cel_value list, size_t i)
{
	if (list.json)
		return cel_from_json(cJSON_GetArrayItem(list.v.node, (int)i));
	return list.v.list->items[i];
}

size_t cel_map_size(struct cel_value map)
{
	if (map.json)
		return (size_t)cJSON_GetArraySize(map.v.node);
	return map.v.map->n;
}

bool cel_map_next(struct cel_value map, struct cel_iter *it, struct cel_value *key,
		  struct cel_value *val)
{
	if (map.json) {
		const cJSON *c = it->i == 0 ? map.v.node->child : it->node;
		if (!c)
			return false;
		const char *k = c->string ? c->string : "";
		*key = cel_string(k, strlen(k));
		if (val)
			*val = cel_from_json(c);
		it->node = c->next;
		it->i++;
		return true;
	}
	if (it->i >= map.v.map->n)
		return false;
	*key = map.v.map->entries[it->i].key;
	if (val)
		*val = map.v.map->entries[it->i].val;
	it->i++;
	return true;
}

bool cel_map_find_str(struct cel_value map, const char *key, size_t len, struct cel_value *out)
{
	if (map.json) {
		/* cJSON keys are C strings: a key with a NUL is never there. */
		if (memchr(key, '\0', len))
			return false;
		for (const cJSON *c = map.v.node->child; c; c = c->next) {
			/* The first byte rules most keys out without a call. */
			const char *k = c->string;
			if (!k || (len && k[0] != key[0]))
				continue;
			if (strncmp(k, key, len) == 0 && k[len] == '\0') {
				*out = cel_from_json(c);
				return true;
			}
		}
		return false;
	}
	for (size_t i = 0; i < map.v.map->n; i++) {
		const struct cel_value *k = &map.v.map->entries[i].key;
		if (k->kind == CEL_STRING && k->n == len && memcmp(k->v.p, key, len) == 0) {
			*out = map.v.map->entries[i].val;
			return true;
		}
	}
	return false;
}

bool cel_map_find(struct cel_value map, struct cel_value key, struct cel_value *out)
{
	if (key.kind == CEL_STRING)
		return cel_map_find_str(map, key.v.p, key.n, out);
	if (map.json)
		return false; /* JSON objects only have string keys */
	for (size_t i = 0; i < map.v.map->n; i++) {
		if (cel_equal(map.v.map->entries[i].key, key)) {
			*out = map.v.map->entries[i].val;
			return true;
		}
	}
	return false;
}

static bool is_number(const struct cel_value *v)
{
	return v->kind == CEL_INT || v->kind == CEL_UINT || v->kind == CEL_DOUBLE;
}

/* compare_numbers orders numbers of any two numeric kinds exactly (no
 * rounding through double for int against uint). Returns false for NaN. */
static bool compare_numbers(struct cel_value a, struct cel_value b, int *cmp)
{
	if (a.kind == CEL_DOUBLE || b.kind == CEL_DOUBLE) {
		if (a.kind == CEL_DOUBLE && b.kind == CEL_DOUBLE) {
			if (isnan(a.v.d) || isnan(b.v.d))
				return false;
			*cmp = a.v.d < b.v.d ? -1 : a.v.d > b.v.d;
			return true;
		}
		/* One double against an integer: compare against the integer's
		 * bounds first so that 2^63 and 2^64 compare exactly. */
		bool swap = a.kind != CEL_DOUBLE;
		double d = swap ? b.v.d : a.v.d;
		struct cel_value n = swap ? a : b;
		if (isnan(d))
			return false;
		int c;
		if (n.kind == CEL_INT) {
			if (d < -9223372036854775808.0)
				c = -1;
			else if (d >= 9223372036854775808.0)
				c = 1;
			else {
				double t = trunc(d);
				int64_t di = (int64_t)t;
				c = di < n.v.i ? -1 : di > n.v.i ? 1 : (d > t) - (d < t);
			}
		} else {
			if (d < 0)
				c = -1;
			else if (d >= 18446744073709551616.0)
				c = 1;
			else {
				double t = trunc(d);
				uint64_t du = (uint64_t)t;
				c = du < n.v.u ? -1 : du > n.v.u ? 1 : (d > t);
			}
		}
		*cmp = swap ? -c : c;
		return true;
	}
	if (a.kind == b.kind) {
		if (a.kind == CEL_INT)
			*cmp = a.v.i < b.v.i ? -1 : a.v.i > b.v.i;
		else
			*cmp = a.v.u < b.v.u ? -1 : a.v.u > b.v.u;
		return true;
	}
	if (a.kind == CEL_INT) /* int against uint */
		*cmp = a.v.i < 0 ? -1 : (uint64_t)a.v.i < b.v.u ? -1 : (uint64_t)a.v.i > b.v.u;
	else
		*cmp = b.v.i < 0 ? 1 : a.v.u < (uint64_t)b.v.i ? -1 : a.v.u > (uint64_t)b.v.i;
	return true;
}

static int compare_bytes(struct cel_str a, struct cel_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return a.n < b.n ? -1 : a.n > b.n;
}

bool cel_compare(struct cel_value a, struct cel_value b, int *cmp, bool *unordered)
{
	*unordered = false;
	if (is_number(&a) && is_number(&b)) {
		if (!compare_numbers(a, b, cmp))
			*unordered = true;
		return true;
	}
	if (a.kind != b.kind)
		return false;
	switch (a.kind) {
	case CEL_BOOL: *cmp = (int)a.v.b - (int)b.v.b; return true;
	case CEL_STRING:
	case CEL_BYTES: *cmp = compare_bytes(cel_str_of(a), cel_str_of(b)); return true;
	case CEL_DURATION: *cmp = a.v.i < b.v.i ? -1 : a.v.i > b.v.i; return true;
	case CEL_TIMESTAMP:
		if (a.v.sec != b.v.sec)
			*cmp = a.v.sec < b.v.sec ? -1 : 1;
		else
			*cmp = a.n < b.n ? -1 : a.n > b.n;
		return true;
	default: return false;
	}
}

static bool eq(struct cel_value a, struct cel_value b, uint64_t *budget);

static bool lists_equal(struct cel_value a, struct cel_value b, uint64_t *budget)
{
	if (cel_list_size(a) != cel_list_size(b))
		return false;
	struct cel_iter ia = {0}, ib = {0};
	struct cel_value x, y;
	while (cel_list_next(a, &ia, &x) && cel_list_next(b, &ib, &y))
		if (!eq(x, y, budget))
			return false;
	return true;
}

static bool maps_equal(struct cel_value a, struct cel_value b, uint64_t *budget)
{
	size_t n = cel_map_size(a);
	if (n != cel_map_size(b))
		return false;
	struct cel_iter it = {0};
	struct cel_value k, x, y;
	while (cel_map_next(a, &it, &k, &x)) {
		/* Each lookup is a linear scan. */
		if (*budget <= n) {
			*budget = 0;
			return false;
		}
		*budget -= n;
		if (!cel_map_find(b, k, &y) || !eq(x, y, budget))
			return false;
	}
	return true;
}

static bool eq(struct cel_value a, struct cel_value b, uint64_t *budget)
{
	if (*budget == 0)
		return false;
	(*budget)--;
	if (is_number(&a) && is_number(&b)) {
		int c;
		return compare_numbers(a, b, &c) && c == 0;
	}
	if (a.kind != b.kind)
		return false;
	switch (a.kind) {
	case CEL_NULL: return true;
	case CEL_BOOL: return a.v.b == b.v.b;
	case CEL_STRING:
	case CEL_BYTES:
		if (a.n != b.n)
			return false;
		*budget -= *budget < a.n / 16 ? *budget : a.n / 16;
		return compare_bytes(cel_str_of(a), cel_str_of(b)) == 0;
	case CEL_LIST: return lists_equal(a, b, budget);
	case CEL_MAP: return maps_equal(a, b, budget);
	case CEL_DURATION: return a.v.i == b.v.i;
	case CEL_TIMESTAMP: return a.v.sec == b.v.sec && a.n == b.n;
	case CEL_TYPE: return a.v.type == b.v.type;
	case CEL_OPTIONAL:
		if (!a.v.opt || !b.v.opt)
			return !a.v.opt && !b.v.opt;
		return eq(*a.v.opt, *b.v.opt, budget);
	default: return false;
	}
}

bool cel_equal_bounded(struct cel_value a, struct cel_value b, uint64_t *budget)
{
	return eq(a, b, budget);
}

bool cel_equal(struct cel_value a, struct cel_value b)
{
	uint64_t unbounded = UINT64_MAX;
	return eq(a, b, &unbounded);
}

static int key_class(const struct cel_value *k)
{
	return k->kind == CEL_BOOL ? 0 : k->kind == CEL_STRING ? 2 : 1;
}

static int compare_entries(const void *pa, const void *pb, void *arg)
{
	const struct cel_entry *e = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct cel_value *a = &e[ia].key, *b = &e[ib].key;
	int ca = key_class(a), cb = key_class(b), c = 0;
	bool unordered;
	if (ca != cb)
		return ca - cb;
	if (!cel_compare(*a, *b, &c, &unordered))
		c = 0;
	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;
}

size_t cel_find_duplicate_key(const struct cel_entry *e, size_t n)
{
	if (n < 2)
		return n;
	/* Sort the indexes by key (then by index), so that equal keys are
	 * adjacent, in source order. */
	size_t *idx = hf_malloc(n * sizeof(*idx)), dup = n;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), compare_entries, (void *)e);
	for (size_t i = 1; i < n; i++)
		if (cel_equal(e[idx[i - 1]].key, e[idx[i]].key) && idx[i] < dup)
			dup = idx[i];
	free(idx);
	return dup;
}

size_t cel_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	uint32_t c = u[0], min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		goto invalid;
	}
	if (len > n)
		goto invalid;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto invalid;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto invalid;
	*cp = c;
	return len;
invalid:
	*cp = u[0];
	return 1;
}

bool cel_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = cel_utf8_decode(s + i, n - i, &cp);
		if (l == 1 && (unsigned char)s[i] >= 0x80)
			return false;
		i += l;
	}
	return true;
}

size_t cel_utf8_count(const char *s, size_t n)
{
	size_t count = 0, i = 0;
	while (i < n) {
		/* Fast path for ASCII runs. */
		if ((unsigned char)s[i] < 0x80) {
			i++;
		} else {
			uint32_t cp;
			i += cel_utf8_decode(s + i, n - i, &cp);
		}
		count++;
	}
	return count;
}

size_t cel_utf8_offset(const char *s, size_t n, size_t idx)
{
	size_t i = 0;
	while (idx > 0 && i < n) {
		uint32_t cp;
		i += cel_utf8_decode(s + i, n - i, &cp);
		idx--;
	}
	return i;
}
