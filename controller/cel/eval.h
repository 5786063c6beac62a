/*
 * eval.h: the evaluator's state and the builtin function interface
 * (internal to controller/cel).
 *
 * One struct cel_eval lives on the stack of one hf_cel_eval call: it owns
 * the arena of the values built meanwhile and counts the work done against
 * the limits of cel.h. Builtins receive it with their node (for the error
 * position) and already evaluated arguments, none of them an error.
 */
#ifndef HF_CEL_EVAL_H
#define HF_CEL_EVAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/value.h"

struct cel_eval {
	const struct hf_cel_program *prog;
	const struct hf_cel_activation *act;
	struct cel_arena arena;
	struct cel_value *locals; /* comprehension variables by slot */
	uint64_t cost;
	uint64_t iterations;
	const struct cel_error *fatal; /* a limit was hit: everything fails */
	bool now_read;
	int64_t now_sec;
	int32_t now_nsec;
};

struct cel_value cel_eval_node(struct cel_eval *e, const struct cel_node *n);

/* cel_error makes an error value at pos; cel_fatal one that && and || do
 * not absorb and that ends the evaluation (limits). */
struct cel_value cel_error(struct cel_eval *e, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct cel_value cel_fatal(struct cel_eval *e, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* cel_no_overload is "no matching overload for 'name' applied to
 * (int, string)". */
struct cel_value cel_no_overload(struct cel_eval *e, uint32_t pos, const char *name,
				 const struct cel_value *args, size_t nargs);
/* cel_charge adds work units; false (with e->fatal set) past the limit. */
bool cel_charge(struct cel_eval *e, uint64_t units, uint32_t pos);

/* cel_equal_charged is cel_equal charged to e; false with e->fatal set
 * when the budget runs out. */
bool cel_equal_charged(struct cel_eval *e, struct cel_value a, struct cel_value b, uint32_t pos);

/* cel_new_string allocates room for a string or bytes value of len bytes
 * built at pos; NULL (with e->fatal set) over HF_CEL_MAX_STRING. */
char *cel_new_string(struct cel_eval *e, size_t len, uint32_t pos);
/* cel_new_list allocates a native list of n elements (items uninitialised);
 * NULL (with e->fatal set) over HF_CEL_MAX_LIST. */
struct cel_list *cel_new_list(struct cel_eval *e, size_t n, uint32_t pos);
/* cel_fatal_value is the value to return after a NULL from the two above. */
struct cel_value cel_fatal_value(const struct cel_eval *e);
static inline struct cel_value cel_list_value(const struct cel_list *l)
{
	struct cel_value v = {.kind = CEL_LIST, .v.list = l};
	return v;
}
struct cel_value cel_optional(struct cel_eval *e, const struct cel_value *inner);

/* cel_now is now(), read once per evaluation. */
struct cel_value cel_now(struct cel_eval *e);

/*
 * Builtins. args[0] is the receiver of a method. An implementation checks
 * the kinds it accepts and returns cel_no_overload otherwise.
 */
typedef struct cel_value (*cel_builtin_fn)(struct cel_eval *e, const struct cel_node *n,
					   const struct cel_value *args, size_t nargs);

enum { FN_GLOBAL = 1, FN_METHOD = 2, FN_LAZY = 4 };

struct cel_builtin {
	const char *name;
	uint8_t flags;
	uint8_t min, max; /* arguments besides the receiver */
	cel_builtin_fn fn;
};

/* cel_builtin_find returns the builtin's index, -1 when the name is not a
 * builtin of that style. */
int cel_builtin_find(const char *name, size_t len, bool method);
const struct cel_builtin *cel_builtin_get(unsigned index);

/* Index of the builtin `matches`, whose literal patterns compile early. */
bool cel_builtin_is_matches(unsigned index);

/* Builtins defined by the other modules, gathered by functions.c. */
extern const struct cel_builtin cel_string_builtins[];
extern const size_t cel_string_builtin_count;
extern const struct cel_builtin cel_time_builtins[];
extern const size_t cel_time_builtin_count;

/* cel_to_text writes v as text for string interpolation and format's %s
 * (strings unquoted at the top, quoted inside lists and maps) into a new
 * arena string. */
struct cel_value cel_to_text(struct cel_eval *e, struct cel_value v, uint32_t pos);
/* cel_format_double writes d as string(double) does (Go's %g, shortest
 * round-trip digits) into buf (32 bytes). */
void cel_format_double(double d, char *buf, size_t len);

#endif
