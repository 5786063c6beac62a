/*
 * list.h: the REST API's list requests: their query parameters (page, size
 * or pageSize, order, fields, search in TSL, the seed journeys' filters
 * phase / status.phase, provider, region, name, labels=k:v,..., and watch
 * with resource_version), the filtering and ordering of a view's rows, and
 * the list envelope.
 *
 * Pure functions over rows; no I/O.
 */
#ifndef HF_API_LIST_H
#define HF_API_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "api/problem.h"
#include "api/tsl.h"
#include "api/view.h"
#include "core/core.h"
#include "http/server.h"

#define HF_API_PAGE_MAX	    100000
#define HF_API_SIZE_MAX	    100
#define HF_API_SIZE_DEFAULT 20

struct hf_api_list_query {
	enum hf_kind kind;
	long page, size;
	struct hf_tsl *search;	    /* NULL: no search */
	struct hf_tsl_order *order; /* NULL or empty: created_time desc */
	char **fields;		    /* sparse fieldset, NULL when absent */
	size_t nfields;
	/* The seed journeys' filters (NULL when absent). */
	const char *phase; /* normalised: "Ready", "Not Ready" or "Terminating" */
	const char *provider, *region, *name;
	char **label_keys, **label_values;
	size_t nlabels;
	const char *cluster_id; /* nested lists: only this cluster's pools */
	bool watch;
	const char *resource_version; /* a watch resumes after it */
};

/* hf_api_list_query_parse reads req's parameters into q (which borrows
 * strings from req). On a bad parameter it fills p (400) and returns
 * HF_ERR_INVALID; q needs hf_api_list_query_free either way. */
HF_MUST_CHECK enum hf_err hf_api_list_query_parse(const struct hf_http_request *req,
						  enum hf_kind kind, struct hf_api_list_query *q,
						  struct hf_problem *p);
void hf_api_list_query_free(struct hf_api_list_query *q);

/* hf_api_list_match: whether row passes every filter of q. */
bool hf_api_list_match(const struct hf_api_list_query *q, const struct hf_api_row *row);

/* hf_api_list_render filters, orders and pages rows into the list
 * envelope {kind, page, size, total, items}; returns a string the caller
 * frees. */
char *hf_api_list_render(const struct hf_api_list_query *q, struct hf_api_row **rows, size_t n);

/* hf_api_project renders one resource with only q's fields (all when
 * none); the caller frees. */
char *hf_api_project(const struct hf_api_list_query *q, const struct hf_api_row *row);

/* The TSL resolver over a row's REST form (object is a struct hf_api_row). */
struct hf_tsl_value hf_api_row_resolve(void *ctx, const void *object,
				       const struct hf_tsl_field *field);

#endif
