/*
 * cel_rows.h: table-driven CEL tests. A file defines VARS (a JSON object
 * whose members are the expressions' variables) before including this; a
 * row is an expression and its expected result as compact JSON, or
 * "error: <line:col: message>", or "compile: <line:col: message>". now() is
 * pinned to 2026-01-01T00:00:00Z.
 */
#ifndef HF_TEST_CEL_ROWS_H
#define HF_TEST_CEL_ROWS_H

#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

#include "cel/cel.h"
#include "util/alloc.h"

static const struct timespec NOW = {1767225600, 0};

struct row {
	const char *expr;
	const char *want;
};

/* run_with compiles and evaluates expr against vars (NULL: none) and
 * returns the result as described above (caller frees). */
static inline char *run_with(const char *expr, const char *vars)
{
	cJSON *obj = vars ? cJSON_Parse(vars) : NULL;
	struct hf_cel_activation a = {.object = obj, .now = &NOW};
	struct hf_cel_program *p = NULL;
	char *err = NULL, *out;
	cJSON *r = NULL;
	if (hf_cel_compile(expr, &p, &err) != HF_OK)
		out = hf_asprintf("compile: %s", err);
	else if (hf_cel_eval(p, &a, &r, &err) != HF_OK)
		out = hf_asprintf("error: %s", err);
	else
		out = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	free(err);
	hf_cel_program_free(p);
	cJSON_Delete(obj);
	return out;
}

static inline char *run(const char *expr)
{
	return run_with(expr, VARS);
}

static inline void check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = run(rows[i].expr);
		cr_expect_str_eq(got, rows[i].want, "%s\n  got:  %s\n  want: %s", rows[i].expr, got,
				 rows[i].want);
		free(got);
	}
}

#define CHECK_ROWS(rows) check_rows(rows, sizeof(rows) / sizeof(rows[0]))

#endif
