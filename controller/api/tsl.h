/*
 * tsl.h: the `search` (Tree Search Language) and `order` parameters of the
 * REST list endpoints, parsed, validated and evaluated in memory.
 *
 * A pure module: no I/O, no knowledge of the Kubernetes object layout. The
 * caller parses a query once per request (hf_tsl_parse), then matches it
 * against each cached object (hf_tsl_match) through a resolver callback that
 * returns the value of one field of one object. The same callback serves the
 * order comparator.
 *
 * Grammar (keywords are case-insensitive):
 *
 *   query      := or
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | primary
 *   primary    := '(' or ')' | predicate | literal cmp field
 *   predicate  := field cmp literal
 *               | field [NOT] IN list
 *               | field [NOT] (LIKE | ILIKE) string
 *               | field [NOT] BETWEEN literal AND literal
 *               | field IS [NOT] NULL
 *   cmp        := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
 *   list       := '[' literal ( ',' literal )* ']' | '(' ... ')'
 *   literal    := string | number | TRUE | FALSE
 *   string     := '...' | "..." ('' or "" doubles the quote; \' \" \\ escape
 *                 it; any other backslash stays, so LIKE sees '\%')
 *                 | an unquoted date or time, 2026-01-02 or 2026-01-02T03:04:05Z
 *   number     := -?[0-9]+(.[0-9]+)?([eE][+-]?[0-9]+)?
 *   field      := [A-Za-z_][A-Za-z0-9_./-]*  |  labels['any key']
 *
 * Precedence: () > comparison > NOT > AND > OR. A query is at most
 * HF_TSL_MAX_QUERY bytes and nests at most HF_TSL_MAX_DEPTH levels of
 * parentheses and NOTs.
 *
 * Fields (the original HyperFleet API's rules):
 *   top-level columns  id name kind href created_by updated_by deleted_by
 *                      owner_id owner_kind owner_href phase status.phase
 *                      (strings: compared with quoted strings),
 *                      generation (numbers), created_time updated_time
 *                      deleted_time (RFC 3339 timestamps, compared as instants)
 *   labels.<key>       a label; the key is the rest of the name, so
 *                      labels.app.kubernetes.io/name works; labels['k'] takes
 *                      any key. NOT around a label predicate (also NOT IN, NOT
 *                      LIKE, NOT BETWEEN) is refused; IS NOT NULL is allowed.
 *   spec.<a>[.<b>...]  a spec value, segments [A-Za-z0-9_]+ (at most 32); a
 *                      number on the other side compares numerically (a
 *                      string holding a number is converted), a string as
 *                      text (a number value as its JSON text), TRUE/FALSE
 *                      with = != IN only. An object or array is only
 *                      IS [NOT] NULL.
 *   status.conditions.<Type>        the condition's status; only '=' with
 *                      'True', 'False' or 'Unknown' (or IS [NOT] NULL)
 *   status.conditions.<Type>.<sub>  sub is last_updated_time or
 *                      last_transition_time (RFC 3339) or observed_generation
 *                      (an int32); = != < <= > >= and IS [NOT] NULL.
 *   No IN, LIKE, BETWEEN or NOT with conditions.
 *   Times: quoted or not; an RFC 3339 date-time, or (top-level columns only)
 *   a date meaning midnight UTC. Any other name is an error, worded as the
 *   original's: "<x> is not a valid field name", "<first segment> is not a
 *   related resource of Cluster" (dotted lowercase names) or "invalid field
 *   in search or order query" (unknown plain names). A comparison needs a
 *   field on exactly one side; NULL appears only in IS [NOT] NULL.
 *
 * Semantics are SQL's three-valued logic, as the original's SQL had: a
 * comparison with an absent field (or a value of the wrong type) is unknown,
 * NOT unknown is unknown, and an object matches only when the whole query is
 * true. So `labels.env != 'x'` does not match objects without that label;
 * `IS NULL` is never unknown. Strings compare bytewise; LIKE's '%' matches
 * any run, '_' one UTF-8 character, '\' escapes; ILIKE folds ASCII case.
 *
 * Errors: every failure is one message for a 400 problem (the REST layer
 * adds code HYPERFLEET-VAL-005), printable ASCII, user text cut to about 60
 * characters and escaped. Syntax errors read "failed to parse search query:
 * unexpected <token> at position <N>, expected <what>" (N counts characters
 * from 1) and win over field errors anywhere in the query, as the original
 * parsed before it walked; then the first field error from the left.
 *
 * Threads: parsing has no shared state. A parsed query or order list is
 * immutable: any number of threads may match or compare with it at once, as
 * long as the resolver is safe for them. Matching never allocates.
 */
#ifndef HF_TSL_H
#define HF_TSL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define HF_TSL_MAX_QUERY 4096 /* bytes of a search query or an order list */
#define HF_TSL_MAX_DEPTH 64   /* nested parentheses and NOTs */
#define HF_TSL_MAX_ORDER 16   /* items of an order list */

/* The original's order when the client gives none. */
#define HF_TSL_DEFAULT_ORDER "created_time desc"

/* The resource kind a query lists; it appears in some messages. */
enum hf_tsl_kind { HF_TSL_CLUSTER, HF_TSL_NODEPOOL };

/* The top-level columns of the original API (section 8), plus phase. */
enum hf_tsl_column {
	HF_TSL_COL_ID,
	HF_TSL_COL_NAME,
	HF_TSL_COL_KIND,
	HF_TSL_COL_HREF,
	HF_TSL_COL_GENERATION, /* a number */
	HF_TSL_COL_CREATED_BY,
	HF_TSL_COL_UPDATED_BY,
	HF_TSL_COL_DELETED_BY,
	HF_TSL_COL_CREATED_TIME, /* a time */
	HF_TSL_COL_UPDATED_TIME, /* a time */
	HF_TSL_COL_DELETED_TIME, /* a time */
	HF_TSL_COL_OWNER_ID,
	HF_TSL_COL_OWNER_KIND,
	HF_TSL_COL_OWNER_HREF,
	HF_TSL_COL_PHASE, /* `phase` and `status.phase` */
};

enum hf_tsl_field_type {
	HF_TSL_COLUMN,		/* column, name */
	HF_TSL_LABEL,		/* name is the label key */
	HF_TSL_SPEC,		/* path, path_len: the segments after "spec" */
	HF_TSL_CONDITION,	/* name is the condition type; wants its status */
	HF_TSL_CONDITION_FIELD, /* name is the condition type; sub, sub_name */
};

enum hf_tsl_condition_field {
	HF_TSL_COND_LAST_UPDATED_TIME,	  /* a time */
	HF_TSL_COND_LAST_TRANSITION_TIME, /* a time */
	HF_TSL_COND_OBSERVED_GENERATION,  /* a number */
};

/* A field a query or an order list refers to. The strings belong to the
 * parsed query and live as long as it does. */
struct hf_tsl_field {
	enum hf_tsl_field_type type;
	enum hf_tsl_column column; /* HF_TSL_COLUMN */
	/* HF_TSL_COLUMN: the column's name ("phase" for status.phase);
	 * HF_TSL_LABEL: the label key; HF_TSL_CONDITION(_FIELD): the type. */
	const char *name;
	const char *const *path; /* HF_TSL_SPEC */
	size_t path_len;
	enum hf_tsl_condition_field sub; /* HF_TSL_CONDITION_FIELD */
	const char *sub_name;		 /* e.g. "last_updated_time" */
};

enum hf_tsl_value_type {
	HF_TSL_ABSENT,	  /* no such field on this object (SQL NULL) */
	HF_TSL_STRING,	  /* str */
	HF_TSL_NUMBER,	  /* num */
	HF_TSL_BOOL,	  /* b (spec values) */
	HF_TSL_COMPOSITE, /* present but an object or an array (spec values) */
};

/* A resolved value. For time fields the resolver returns either the RFC 3339
 * string as stored (parsed while matching) or a number of seconds since the
 * epoch (faster, for callers that keep parsed times). str points into the
 * object or static storage: it must stay valid while the object does (the
 * order comparator holds two values at once). */
struct hf_tsl_value {
	enum hf_tsl_value_type type;
	const char *str;
	double num;
	bool b;
};

/* The resolver: the value of field on object. It must not fail; a field the
 * object lacks is HF_TSL_ABSENT. Called once per predicate and per object. */
typedef struct hf_tsl_value (*hf_tsl_resolve_fn)(void *ctx, const void *object,
						 const struct hf_tsl_field *field);

static inline struct hf_tsl_value hf_tsl_absent(void)
{
	return (struct hf_tsl_value){.type = HF_TSL_ABSENT};
}

/* hf_tsl_string of NULL is absent. */
static inline struct hf_tsl_value hf_tsl_string(const char *s)
{
	return (struct hf_tsl_value){.type = s ? HF_TSL_STRING : HF_TSL_ABSENT, .str = s};
}

static inline struct hf_tsl_value hf_tsl_number(double n)
{
	return (struct hf_tsl_value){.type = HF_TSL_NUMBER, .num = n};
}

/* A parsed search query (opaque, immutable). */
struct hf_tsl;

/* hf_tsl_parse parses and validates query for a list of kind. On success
 * *out is the query (free it with hf_tsl_free) and *error NULL; otherwise
 * it returns HF_ERR_INVALID, *out is NULL and *error a message the caller
 * frees with free(). An empty or blank query is an error: the caller decides
 * whether an empty `search` means no filter. */
HF_MUST_CHECK enum hf_err hf_tsl_parse(const char *query, enum hf_tsl_kind kind,
				       struct hf_tsl **out, char **error);

/* hf_tsl_match is true when object satisfies q. resolve(ctx, object, field)
 * supplies the values. No allocation; safe from many threads at once. */
bool hf_tsl_match(const struct hf_tsl *q, hf_tsl_resolve_fn resolve, void *ctx, const void *object);

/* hf_tsl_visit_fields calls fn once per predicate of q, in query order, with
 * the field it reads (a caller can, for example, index or prefetch). */
void hf_tsl_visit_fields(const struct hf_tsl *q,
			 void (*fn)(void *ctx, const struct hf_tsl_field *field), void *ctx);

/* hf_tsl_free frees q; NULL is allowed. */
void hf_tsl_free(struct hf_tsl *q);

/* The `order` parameter: a list of (column, direction). */
struct hf_tsl_order_item {
	struct hf_tsl_field field; /* always HF_TSL_COLUMN */
	bool descending;
};

struct hf_tsl_order {
	size_t len;
	struct hf_tsl_order_item items[];
};

/* hf_tsl_order_parse parses a comma list of `column [asc|desc]` (each item
 * ^[a-z_][a-z0-9_]*(\s+(asc|desc))?$ once trimmed; asc by default; only
 * top-level columns except status.phase's dotted form). An empty or blank
 * string is an empty list (len 0): the caller applies its default order.
 * Errors as hf_tsl_parse: "invalid order format '<item>'" or "invalid field
 * in search or order query". Free *out with hf_tsl_order_free. */
HF_MUST_CHECK enum hf_err hf_tsl_order_parse(const char *order, enum hf_tsl_kind kind,
					     struct hf_tsl_order **out, char **error);

/* hf_tsl_order_compare orders a against b: <0 when a comes first, 0 when
 * the list does not tell them apart (the caller breaks ties, e.g. by id).
 * Columns compare by type (generation as numbers, *_time as instants, others
 * bytewise); absent values sort last ascending and first descending, as
 * PostgreSQL's NULLs do. No allocation; safe from many threads at once. */
int hf_tsl_order_compare(const struct hf_tsl_order *o, hf_tsl_resolve_fn resolve, void *ctx,
			 const void *a, const void *b);

void hf_tsl_order_free(struct hf_tsl_order *o);

#endif
