/*
 * value.h: CEL values and the arena they live in (internal to controller/cel).
 *
 * A value is a small struct passed by value. Everything it points to is
 * immutable and owned elsewhere: by the compiled program (literals), by an
 * evaluation's arena (values built while evaluating), or by the caller's
 * cJSON tree. JSON arrays and objects are not converted: a list or map value
 * may wrap the cJSON node itself (`json` set), and its elements are wrapped
 * one at a time as they are reached. Strings are (pointer, length), not
 * NUL-terminated, so a JSON string or a substring is never copied.
 *
 * Nothing here is shared between threads except through immutable data.
 */
#ifndef HF_CEL_VALUE_H
#define HF_CEL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

enum cel_kind {
	CEL_NULL,
	CEL_BOOL,
	CEL_INT,
	CEL_UINT,
	CEL_DOUBLE,
	CEL_STRING,
	CEL_BYTES,
	CEL_LIST,
	CEL_MAP,
	CEL_TIMESTAMP,
	CEL_DURATION,
	CEL_TYPE,
	CEL_OPTIONAL,
	CEL_ERROR,
	CEL_KIND_COUNT,
};

struct cel_str {
	const char *p;
	size_t n;
};

struct cel_value;

struct cel_list {
	size_t n;
	struct cel_value *items;
};

struct cel_entry;

struct cel_map {
	size_t n;
	struct cel_entry *entries;
};

struct cel_error {
	uint32_t pos;	 /* byte offset of the node in the source */
	uint8_t fatal;	 /* a limit: && and || do not absorb it */
	const char *msg; /* NUL-terminated */
};

/* 16 bytes, so that values travel in registers. */
struct cel_value {
	uint8_t kind; /* enum cel_kind */
	uint8_t json; /* CEL_LIST / CEL_MAP: wraps node */
	uint32_t n;   /* CEL_STRING, CEL_BYTES: length; CEL_TIMESTAMP: nanoseconds */
	union {
		bool b;
		int64_t i;     /* CEL_INT; CEL_DURATION in nanoseconds */
		uint64_t u;    /* CEL_UINT */
		double d;      /* CEL_DOUBLE */
		uint8_t type;  /* CEL_TYPE: the enum cel_kind it names */
		const char *p; /* CEL_STRING, CEL_BYTES: n bytes, not NUL-terminated */
		int64_t sec;   /* CEL_TIMESTAMP: seconds since the Unix epoch, UTC */
		const struct cel_list *list;
		const struct cel_map *map;
		const struct cJSON *node;    /* json lists and maps */
		const struct cel_value *opt; /* CEL_OPTIONAL: NULL is none */
		const struct cel_error *err; /* CEL_ERROR */
	} v;
};

_Static_assert(sizeof(struct cel_value) == 16, "values travel in registers");

/* cel_str_of is the text of a string or bytes value. */
static inline struct cel_str cel_str_of(struct cel_value v)
{
	struct cel_str s = {v.v.p, v.n};
	return s;
}

struct cel_entry {
	struct cel_value key, val;
};

/* Arena: bump allocation in chunks, released at once. Allocation never
 * fails; past the cap it sets `over`, which the evaluator turns into an
 * error at the next node (one allocation is itself bounded by the string
 * and list caps, so the overshoot is bounded). */
struct cel_chunk;
struct cel_arena {
	struct cel_chunk *chunks;
	char *ptr;
	size_t left;
	size_t used;
	size_t cap; /* 0: none */
	bool over;
};

/* cel_arena_init starts with the caller's buffer (may be NULL) as the
 * first chunk, so small evaluations do not call malloc at all. */
void cel_arena_init(struct cel_arena *a, void *buf, size_t len, size_t cap);
void cel_arena_free(struct cel_arena *a);
void *cel_arena_alloc(struct cel_arena *a, size_t n);
char *cel_arena_strndup(struct cel_arena *a, const char *s, size_t n);

/* Constructors of scalar values. */
static inline struct cel_value cel_null(void)
{
	struct cel_value v = {.kind = CEL_NULL};
	return v;
}
static inline struct cel_value cel_bool(bool b)
{
	struct cel_value v = {.kind = CEL_BOOL, .v.b = b};
	return v;
}
static inline struct cel_value cel_int(int64_t i)
{
	struct cel_value v = {.kind = CEL_INT, .v.i = i};
	return v;
}
static inline struct cel_value cel_uint(uint64_t u)
{
	struct cel_value v = {.kind = CEL_UINT, .v.u = u};
	return v;
}
static inline struct cel_value cel_double(double d)
{
	struct cel_value v = {.kind = CEL_DOUBLE, .v.d = d};
	return v;
}
static inline struct cel_value cel_string(const char *p, size_t n)
{
	struct cel_value v = {.kind = CEL_STRING, .n = (uint32_t)n, .v.p = p};
	return v;
}
static inline struct cel_value cel_type(enum cel_kind k)
{
	struct cel_value v = {.kind = CEL_TYPE, .v.type = (uint8_t)k};
	return v;
}
static inline struct cel_value cel_duration(int64_t ns)
{
	struct cel_value v = {.kind = CEL_DURATION, .v.i = ns};
	return v;
}
static inline struct cel_value cel_timestamp(int64_t sec, int32_t nsec)
{
	struct cel_value v = {.kind = CEL_TIMESTAMP, .n = (uint32_t)nsec, .v.sec = sec};
	return v;
}
static inline bool cel_is_error(struct cel_value v)
{
	return v.kind == CEL_ERROR;
}

/* cel_from_json wraps a cJSON node (NULL wraps as null). */
struct cel_value cel_from_json(const struct cJSON *node);

/* cel_kind_name is the CEL type name of a kind ("int", "list",
 * "google.protobuf.Timestamp"); cel_type_name the name of v's type. */
const char *cel_kind_name(enum cel_kind k);
const char *cel_type_name(struct cel_value v);
/* cel_kind_by_name finds the kind a type name names. */
bool cel_kind_by_name(const char *name, enum cel_kind *k);

/* Lists and maps, whatever their representation. */
size_t cel_list_size(struct cel_value list);
struct cel_iter {
	const struct cJSON *node;
	size_t i;
};
/* cel_list_next yields the elements in order (false at the end). */
bool cel_list_next(struct cel_value list, struct cel_iter *it, struct cel_value *out);
/* cel_list_get returns element i (i < size); O(i) for JSON lists. */
struct cel_value cel_list_get(struct cel_value list, size_t i);
size_t cel_map_size(struct cel_value map);
/* cel_map_next yields the keys and values in insertion order. */
bool cel_map_next(struct cel_value map, struct cel_iter *it, struct cel_value *key,
		  struct cel_value *val);
/* cel_map_find looks key up (numbers match across int, uint and double). */
bool cel_map_find(struct cel_value map, struct cel_value key, struct cel_value *out);
/* cel_map_find_str looks a string key up. */
bool cel_map_find_str(struct cel_value map, const char *key, size_t len, struct cel_value *out);

/* cel_equal is CEL's ==: deep for lists and maps, numbers by value across
 * types, false between other different types. */
bool cel_equal(struct cel_value a, struct cel_value b);
/* cel_equal_bounded is cel_equal spending at most *budget work units (one
 * per element, one per 16 bytes); *budget reaches 0 when it ran out, and
 * the result is then meaningless. */
bool cel_equal_bounded(struct cel_value a, struct cel_value b, uint64_t *budget);
/* cel_compare orders a and b into *cmp (-1, 0, 1). Returns false when the
 * types have no ordering; *unordered is set for NaN. */
bool cel_compare(struct cel_value a, struct cel_value b, int *cmp, bool *unordered);

/* cel_find_duplicate_key returns the index of the first entry whose key
 * (string, int, uint or bool) equals an earlier one's, n when there is
 * none; O(n log n). */
size_t cel_find_duplicate_key(const struct cel_entry *e, size_t n);

/* cel_utf8_count counts code points (an invalid byte counts as one);
 * cel_utf8_offset finds the byte offset of code point i (n at the end). */
size_t cel_utf8_count(const char *s, size_t n);
size_t cel_utf8_offset(const char *s, size_t n, size_t i);
/* cel_utf8_decode reads one code point at s (an invalid byte decodes as
 * itself with length 1) into *cp and returns its length. */
size_t cel_utf8_decode(const char *s, size_t n, uint32_t *cp);
bool cel_utf8_valid(const char *s, size_t n);

#endif
