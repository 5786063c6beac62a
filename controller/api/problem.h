/*
 * problem.h: the REST API's errors as RFC 9457 problem details
 * (application/problem+json), with the original HyperFleet codes, and the
 * `error` member (plus the ids involved) that the seed journeys' clients
 * read.
 */
#ifndef HF_API_PROBLEM_H
#define HF_API_PROBLEM_H

#include "http/server.h"

struct cJSON;

/* The codes, by family. */
#define HF_PROBLEM_VALIDATION  "HYPERFLEET-VAL-000" /* 400 field validation */
#define HF_PROBLEM_BAD_QUERY   "HYPERFLEET-VAL-005" /* 400 search, order, empty patch */
#define HF_PROBLEM_MALFORMED   "HYPERFLEET-VAL-006" /* 400 body not JSON, unknown member */
#define HF_PROBLEM_NO_AUTH     "HYPERFLEET-AUT-001" /* 401 no credentials */
#define HF_PROBLEM_BAD_AUTH    "HYPERFLEET-AUT-002" /* 401 credentials refused */
#define HF_PROBLEM_EXPIRED     "HYPERFLEET-AUT-003" /* 401 token expired */
#define HF_PROBLEM_FORBIDDEN   "HYPERFLEET-AUZ-001" /* 403 */
#define HF_PROBLEM_NO_ENDPOINT "HYPERFLEET-NTF-000" /* 404 unknown path */
#define HF_PROBLEM_NOT_FOUND   "HYPERFLEET-NTF-001" /* 404 unknown resource */
#define HF_PROBLEM_EXISTS      "HYPERFLEET-CNF-001" /* 409 name taken */
#define HF_PROBLEM_STATE       "HYPERFLEET-CNF-003" /* 409 state conflict */
#define HF_PROBLEM_TOO_LARGE   "HYPERFLEET-LMT-002" /* 413, 414, 431 */
#define HF_PROBLEM_RATE	       "HYPERFLEET-LMT-001" /* 429 */
#define HF_PROBLEM_UNAVAILABLE "HYPERFLEET-SVC-001" /* 503 */
#define HF_PROBLEM_INTERNAL    "HYPERFLEET-INT-001" /* 500 */

#define HF_PROBLEM_MAX_IDS 3

struct hf_problem {
	int status;
	const char *code;
	char detail[1024];
	/* The seed clients' message; the detail when empty. */
	char error[1024];
	/* Ids involved, e.g. {"id", "..."} or {"cluster_id", "..."}. */
	const char *id_names[HF_PROBLEM_MAX_IDS];
	char id_values[HF_PROBLEM_MAX_IDS][128];
	int nids;
	/* Field errors [{field, value?, constraint?, message}] (owned). */
	struct cJSON *errors;
};

/* hf_problem_init starts a problem; detail is a printf format. */
void hf_problem_init(struct hf_problem *p, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* hf_problem_id adds an id the problem is about. */
void hf_problem_id(struct hf_problem *p, const char *name, const char *value);

/* hf_problem_field_error adds one entry of errors[]. */
void hf_problem_field_error(struct hf_problem *p, const char *field, const char *value,
			    const char *constraint, const char *message);

/* hf_problem_respond writes the problem into resp (instance is the request
 * path, trace_id the request id) and releases p's field errors. */
void hf_problem_respond(struct hf_problem *p, const char *instance, const char *trace_id,
			struct hf_http_response *resp);

#endif
