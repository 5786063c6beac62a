/*
 * operators.h: CEL's arithmetic, comparison and membership operators
 * (internal to controller/cel). Operands are never errors.
 */
#ifndef HF_CEL_OPERATORS_H
#define HF_CEL_OPERATORS_H

#include "cel/eval.h"

/* cel_binary applies n->op (enum cel_binop) to a and b. */
struct cel_value cel_binary(struct cel_eval *e, const struct cel_node *n, struct cel_value a,
			    struct cel_value b);
/* cel_negate is unary minus; v may be an error, returned as is. */
struct cel_value cel_negate(struct cel_eval *e, const struct cel_node *n, struct cel_value v);

#endif
