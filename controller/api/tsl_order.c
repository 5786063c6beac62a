/*
 * tsl_order.c: the `order` parameter of list endpoints, parsed into
 * (column, direction) pairs, and the comparator that sorts by them.
 */
#include <stdlib.h>
#include <string.h>

#include "api/tsl_private.h"
#include "util/alloc.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

static enum hf_err invalid(char **error, const char *item, size_t len)
{
	char ex[256];
	*error = hf_asprintf("invalid order format '%s'", tsl_excerpt(item, len, ex, sizeof(ex)));
	return HF_ERR_INVALID;
}

/* parse_item reads `name [asc|desc]` (trimmed) into it. */
static enum hf_err parse_item(const char *s, size_t len, struct hf_tsl_order_item *it, char **error)
{
	size_t n = 0;
	while (n < len && name_char(s[n], n == 0))
		n++;
	if (n == 0)
		return invalid(error, s, len);
	size_t i = n;
	while (i < len && is_space(s[i]))
		i++;
	bool desc = false;
	if (i < len) {
		const char *dir = s + i;
		size_t dlen = len - i;
		if (i == n)
			return invalid(error, s, len);
		if (dlen == 4 && memcmp(dir, "desc", 4) == 0)
			desc = true;
		else if (!(dlen == 3 && memcmp(dir, "asc", 3) == 0))
			return invalid(error, s, len);
	}
	const struct tsl_column *col = tsl_find_column(s, n);
	if (!col) {
		*error = hf_strdup("invalid field in search or order query");
		return HF_ERR_INVALID;
	}
	it->field = (struct hf_tsl_field){
		.type = HF_TSL_COLUMN, .column = col->column, .name = col->name};
	it->descending = desc;
	return HF_OK;
}

enum hf_err hf_tsl_order_parse(const char *order, enum hf_tsl_kind kind, struct hf_tsl_order **out,
			       char **error)
{
	(void)kind; /* both kinds have the same columns */
	*out = NULL;
	*error = NULL;
	if (!order)
		order = "";
	size_t total = strnlen(order, HF_TSL_MAX_QUERY + 1);
	if (total > HF_TSL_MAX_QUERY) {
		*error = hf_asprintf("order exceeds the maximum length of %d characters",
				     HF_TSL_MAX_QUERY);
		return HF_ERR_INVALID;
	}
	size_t blank = 0;
	while (blank < total && is_space(order[blank]))
		blank++;
	size_t count = blank == total ? 0 : 1;
	for (size_t i = 0; i < total && count; i++)
		count += order[i] == ',';
	if (count > HF_TSL_MAX_ORDER) {
		*error = hf_asprintf("too many order items: the maximum is %d", HF_TSL_MAX_ORDER);
		return HF_ERR_INVALID;
	}
	struct hf_tsl_order *o = hf_malloc(sizeof(*o) + count * sizeof(o->items[0]));
	o->len = count;
	const char *s = order;
	for (size_t k = 0; k < count; k++) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		const char *item = s;
		while (len && is_space(*item)) {
			item++;
			len--;
		}
		while (len && is_space(item[len - 1]))
			len--;
		enum hf_err err = parse_item(item, len, &o->items[k], error);
		if (err != HF_OK) {
			free(o);
			return err;
		}
		s = comma ? comma + 1 : s + len;
	}
	*out = o;
	return HF_OK;
}

static enum tsl_class column_class(enum hf_tsl_column column)
{
	switch (column) {
	case HF_TSL_COL_GENERATION: return CLASS_NUMBER;
	case HF_TSL_COL_CREATED_TIME:
	case HF_TSL_COL_UPDATED_TIME:
	case HF_TSL_COL_DELETED_TIME: return CLASS_TIME;
	default: return CLASS_STRING;
	}
}

/* key reads an order value: false when absent or unusable (sorts as NULL). */
static bool key(enum tsl_class cls, const struct hf_tsl_value *v, double *num)
{
	switch (cls) {
	case CLASS_NUMBER: return tsl_value_number(v, num);
	case CLASS_TIME: return tsl_value_time(v, num);
	default: return v->type == HF_TSL_STRING && v->str;
	}
}

int hf_tsl_order_compare(const struct hf_tsl_order *o, hf_tsl_resolve_fn resolve, void *ctx,
			 const void *a, const void *b)
{
	for (size_t i = 0; i < o->len; i++) {
		const struct hf_tsl_order_item *it = &o->items[i];
		enum tsl_class cls = column_class(it->field.column);
		struct hf_tsl_value va = resolve(ctx, a, &it->field);
		struct hf_tsl_value vb = resolve(ctx, b, &it->field);
		double na = 0, nb = 0;
		bool ha = key(cls, &va, &na), hb = key(cls, &vb, &nb);
		int c;
		if (!ha || !hb)
			c = ha == hb ? 0 : ha ? -1 : 1; /* NULLs last */
		else if (cls == CLASS_STRING)
			c = strcmp(va.str, vb.str);
		else
			c = na < nb ? -1 : na > nb ? 1 : 0;
		if (c != 0)
			return it->descending ? -c : c;
	}
	return 0;
}

void hf_tsl_order_free(struct hf_tsl_order *o)
{
	free(o);
}
