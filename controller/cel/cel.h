/*
 * cel.h: HyperFleet's Common Expression Language (CEL), the one header users
 * include. Adapters use it for preconditions, postconditions and templates
 * (DESIGN.md section 6).
 *
 * A program is compiled once (when an Adapter is loaded, so that syntax
 * errors, unknown functions and, given the declared variable names,
 * undeclared references surface early) and evaluated many times against
 * variables given as cJSON trees. Compiled programs and templates are
 * immutable: any number of threads may evaluate the same one at once.
 *
 * Errors are strings "line:col: message" (1-based, columns in code points),
 * allocated for the caller to free, with the position of the offending
 * token: "1:14: undeclared reference to 'clustr'", "2:3: syntax error:
 * unexpected ')'", "1:22: no such key: region".
 *
 * The language (see docs at the end of this header for what is left out):
 *   literals     1, -7, 0x1F, 1u, 2.5, 1e3, "s", 's', """s""", r"\d", b"x",
 *                true, false, null, [1, 2], {"k": v}, [?opt], {?"k": opt}
 *   operators    ?: || && == != < <= > >= in + - * / % ! unary-
 *                a.b a[i] a.?b a[?i] f(x) x.f(y), `quoted-field` selectors
 *   macros       has(a.b), l.all(x, p), l.exists(x, p), l.exists_one(x, p),
 *                l.filter(x, p), l.map(x, t), l.map(x, p, t),
 *                o.optMap(x, t), o.optFlatMap(x, t)
 *   functions    size, int, uint, double, string, bool, bytes, dyn, type,
 *                timestamp, duration, matches, contains, startsWith,
 *                endsWith, lowerAscii, upperAscii, trim, replace, split,
 *                join, substring, indexOf, lastIndexOf, charAt, format,
 *                getFullYear, getMonth, getDayOfYear, getDayOfMonth,
 *                getDate, getDayOfWeek, getHours, getMinutes, getSeconds,
 *                getMilliseconds, optional.of, optional.none,
 *                optional.ofNonZeroValue, hasValue, value, orValue, or
 *   HyperFleet   now(), conditionStatus(list, type), toJson(value)
 *
 * Semantics follow cel-go: int, uint and double are distinct types for
 * arithmetic (1 + 1u is "no matching overload"), but equality and ordering
 * compare numbers by value across types (1 == 1.0, 1u < 2.5); equality
 * between other different types is false, never an error. && and || are
 * commutative over errors: false && error is false, true || error is
 * true, otherwise the error wins. Integer arithmetic reports "integer
 * overflow" (uint: "unsigned integer overflow"), "division by zero" and
 * "modulus by zero". all() and exists() absorb errors the same way; a limit
 * (HF_ERR_TOO_LARGE) is never absorbed.
 *
 * Other choices, where CEL leaves room or cel-go has options:
 *  - a missing map key is "no such key: k"; after a .? or [?] the rest of
 *    the chain tests presence (a.?b.c is optional.none() when b or c is
 *    missing), as cel-go does; has() inside such a chain is false;
 *  - variables shadow type names, so a variable may be called `list`;
 *  - string(double) is Go's %g ("1.5", "1e+06"), string(duration) CEL's
 *    seconds ("5400s", "0.5s"), string(timestamp) RFC 3339 in UTC with
 *    the fraction trimmed;
 *  - format()'s %s writes lists and maps as compact JSON, like toJson;
 *  - conditionStatus(list, type) is the "status" string of the first map
 *    whose "type" equals type, "Unknown" when there is none, when the
 *    list is null, or when the status is not a string.
 */
#ifndef HF_CEL_H
#define HF_CEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/error.h"

struct cJSON;

/* Limits that keep hostile expressions and inputs from exhausting the
 * process. Exceeding one is an error (HF_ERR_TOO_LARGE), never a crash. */
#define HF_CEL_MAX_SOURCE     (100 * 1024)	 /* bytes of one expression */
#define HF_CEL_MAX_DEPTH      64		 /* nesting of the syntax tree */
#define HF_CEL_MAX_STRING     (1024 * 1024)	 /* bytes of a string built by evaluation */
#define HF_CEL_MAX_LIST	      100000		 /* elements of a list built by evaluation */
#define HF_CEL_MAX_ITERATIONS 1000000		 /* comprehension steps per evaluation */
#define HF_CEL_MAX_COST	      20000000		 /* work units per evaluation (nodes, bytes/16) */
#define HF_CEL_MAX_MEMORY     (64 * 1024 * 1024) /* bytes allocated per evaluation */

struct hf_cel_program;

/* hf_cel_compile parses source into *out (free with hf_cel_program_free).
 * Unknown functions, malformed macros and invalid regular expression
 * literals are compile errors too. On failure *out is NULL and, when error
 * is not NULL, *error is a "line:col: message" string the caller frees.
 * Returns HF_ERR_INVALID, or HF_ERR_TOO_LARGE over the source and depth
 * limits. */
HF_MUST_CHECK enum hf_err hf_cel_compile(const char *source, struct hf_cel_program **out,
					 char **error);

/* hf_cel_check reports the first reference to a top-level variable that is
 * not among names[0..count) ("1:14: undeclared reference to 'clustr'"). */
HF_MUST_CHECK enum hf_err hf_cel_check(const struct hf_cel_program *p, const char *const *names,
				       size_t count, char **error);

void hf_cel_program_free(struct hf_cel_program *p);

/* hf_cel_program_source returns the source the program was compiled from. */
const char *hf_cel_program_source(const struct hf_cel_program *p);

/* One top-level variable. The tree is borrowed: it must outlive the
 * evaluation. JSON numbers without a fraction that fit in 64 bits become
 * int, other numbers double; objects are maps with string keys; arrays are
 * lists. The tree is wrapped, never copied or converted up front. */
struct hf_cel_var {
	const char *name;
	const struct cJSON *value;
};

/* The variables of one evaluation: vars[0..count), then the members of the
 * object `object` (either may be empty). now pins now() (tests, replays);
 * NULL reads the wall clock once per evaluation. */
struct hf_cel_activation {
	const struct hf_cel_var *vars;
	size_t count;
	const struct cJSON *object;
	const struct timespec *now;
};

/* hf_cel_eval evaluates p and converts the result to a new cJSON tree in
 * *result (caller frees with cJSON_Delete): int, uint and double become
 * numbers (integers beyond 2^53 lose precision, as in any JSON double),
 * timestamps RFC 3339 strings ("2026-01-02T03:04:05Z"), durations CEL's
 * seconds form ("5400s"), bytes base64 strings, types their names,
 * optionals their value or null. a may be NULL (no variables). Returns
 * HF_ERR_INVALID with *error for evaluation errors, HF_ERR_TOO_LARGE when a
 * limit was hit. */
HF_MUST_CHECK enum hf_err hf_cel_eval(const struct hf_cel_program *p,
				      const struct hf_cel_activation *a, struct cJSON **result,
				      char **error);

/* hf_cel_eval_bool evaluates a condition; a result that is not a bool is an
 * error ("1:1: expected bool, got string"). */
HF_MUST_CHECK enum hf_err hf_cel_eval_bool(const struct hf_cel_program *p,
					   const struct hf_cel_activation *a, bool *result,
					   char **error);

/*
 * Templates: every string value of a JSON tree may embed expressions as
 * "${expr}". A string that is exactly one "${expr}" takes the value of the
 * expression with its type (an int stays a number, a map an object); in a
 * longer string each result is written as text (strings as they are,
 * timestamps RFC 3339, lists and maps as compact JSON, null as "null").
 * "$${" writes a literal "${". Object keys are not templated. The closing
 * brace is found by the CEL lexer, so "${ {'a': 1}.a }" works.
 */
struct hf_cel_template;

/* hf_cel_template_compile compiles every expression of tree (copied; the
 * caller keeps tree) into *out. names/count, when names is not NULL, are the
 * declared variables (see hf_cel_check). Errors name the JSON path and the
 * position inside the expression: "spec.containers[0].image: 1:5: syntax
 * error: unexpected end of input". */
HF_MUST_CHECK enum hf_err hf_cel_template_compile(const struct cJSON *tree,
						  const char *const *names, size_t count,
						  struct hf_cel_template **out, char **error);

/* hf_cel_template_render evaluates the template into a new tree in *out
 * (caller frees). Errors are prefixed by the JSON path like compile errors. */
HF_MUST_CHECK enum hf_err hf_cel_template_render(const struct hf_cel_template *t,
						 const struct hf_cel_activation *a,
						 struct cJSON **out, char **error);

void hf_cel_template_free(struct hf_cel_template *t);

/*
 * Not supported (by choice, for the subset adapters use): protobuf messages
 * and message construction, type checking before evaluation (types are
 * checked at run time), unknowns and partial evaluation, namespaces and
 * containers, time zones other than "UTC" and fixed offsets ("+05:30"),
 * two-variable comprehensions, the math/sets/lists extensions. Regular
 * expressions are RE2's syntax, matched by our own linear-time automaton
 * (no backtracking, so a pattern cannot make matching explode): see
 * regex.h for the subset; case folding is ASCII only and \p{...} classes
 * are not supported.
 */

#endif
