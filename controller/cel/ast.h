/*
 * ast.h: the syntax tree of a compiled CEL program (internal to
 * controller/cel).
 *
 * The parser builds it, the resolver (parser.c, after parsing) binds
 * comprehension variables to slots, turns type names into constants, folds
 * constant lists and maps and precompiles literal regular expressions.
 * After compilation the tree is immutable; every node carries the byte
 * offset of its token for error messages.
 */
#ifndef HF_CEL_AST_H
#define HF_CEL_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "cel/value.h"

enum cel_node_kind {
	N_CONST,  /* v */
	N_IDENT,  /* top-level variable `name` */
	N_LOCAL,  /* comprehension variable in `slot` */
	N_SELECT, /* kids[0].name; `opt`: kids[0].?name */
	N_HAS,	  /* has(kids[0].name) */
	N_INDEX,  /* kids[0][kids[1]]; `opt`: kids[0][?kids[1]] */
	N_CALL,	  /* builtin `fn` over kids (the receiver first for methods) */
	N_LIST,	  /* [kids...]; opt_mask marks [?x] elements */
	N_MAP,	  /* {kids[0]: kids[1], ...}; opt_mask marks {?k: v} entries */
	N_NOT,	  /* !kids[0] */
	N_NEG,	  /* -kids[0] */
	N_BINARY, /* kids[0] op kids[1] */
	N_AND,	  /* kids[0] && kids[1] */
	N_OR,	  /* kids[0] || kids[1] */
	N_COND,	  /* kids[0] ? kids[1] : kids[2] */
	N_LOOP,	  /* comprehension `macro` over kids[0], variable `name` in `slot` */
};

enum cel_binop {
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IN,
};

enum cel_macro {
	M_ALL,	       /* kids[1]: predicate */
	M_EXISTS,      /* kids[1]: predicate */
	M_EXISTS_ONE,  /* kids[1]: predicate */
	M_FILTER,      /* kids[1]: predicate */
	M_MAP,	       /* kids[1]: transform */
	M_MAP_FILTER,  /* kids[1]: predicate, kids[2]: transform */
	M_OPT_MAP,     /* kids[1]: transform of the optional's value */
	M_OPT_FLATMAP, /* kids[1]: transform returning an optional */
};

struct cel_regex;

struct cel_node {
	uint8_t kind; /* enum cel_node_kind */
	uint8_t op;   /* enum cel_binop, enum cel_macro */
	uint8_t opt;  /* optional select or index */
	uint8_t height;
	uint16_t fn; /* N_CALL: index in the builtin table */
	uint16_t slot;
	uint32_t pos;
	uint32_t nkids;
	struct cel_node **kids;
	const char *name; /* NUL-terminated; identifiers, fields, functions */
	size_t name_len;
	const uint8_t *opt_mask;
	struct cel_value v;
	struct cel_regex *regex; /* N_CALL matches() with a literal pattern */
};

#endif
