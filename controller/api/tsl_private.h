/*
 * tsl_private.h: what the files of the TSL module share (lexer, parser,
 * evaluator, order list). Not for use outside controller/api/tsl*.c.
 */
#ifndef HF_TSL_PRIVATE_H
#define HF_TSL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/tsl.h"

/* Tokens. */
enum tsl_tok {
	TOK_END,
	TOK_IDENT,
	TOK_STRING, /* quoted, or an unquoted date/time */
	TOK_NUMBER,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_COMMA,
	TOK_EQ,
	TOK_NE,
	TOK_LT,
	TOK_LE,
	TOK_GT,
	TOK_GE,
	TOK_AND,
	TOK_OR,
	TOK_NOT,
	TOK_IN,
	TOK_LIKE,
	TOK_ILIKE,
	TOK_BETWEEN,
	TOK_IS,
	TOK_NULL,
	TOK_TRUE,
	TOK_FALSE,
};

struct tsl_token {
	enum tsl_tok type;
	size_t off, len; /* the source text */
	char *str;	 /* TOK_STRING: the decoded value (owned) */
	double num;	 /* TOK_NUMBER */
};

/* tsl_lex splits src into tokens ending with TOK_END. On a lexical error it
 * returns false with *error set (a full message). */
bool tsl_lex(const char *src, struct tsl_token **toks, size_t *n, char **error);
void tsl_tokens_free(struct tsl_token *toks, size_t n);

/* tsl_position is the 1-based character (UTF-8 code point) position of byte
 * offset off in src. */
size_t tsl_position(const char *src, size_t off);

/* tsl_excerpt writes s[0..len) into buf for a message: at most about 60
 * characters, non-printable bytes as \xNN, "..." when cut. Returns buf. */
char *tsl_excerpt(const char *s, size_t len, char *buf, size_t size);

/* tsl_parse_number reads all of s[0..len) as a decimal number (no hex, inf
 * or nan); false otherwise. */
bool tsl_parse_number(const char *s, size_t len, double *out);

/* tsl_parse_time reads an RFC 3339 date-time or a date (midnight UTC). */
bool tsl_parse_time(const char *s, double *out);

/* Operators of a predicate. */
enum tsl_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IN,
	OP_LIKE,
	OP_ILIKE,
	OP_BETWEEN,
	OP_IS_NULL,
};

/* How a field's values compare. */
enum tsl_class {
	CLASS_STRING, /* string columns, labels, condition status */
	CLASS_NUMBER, /* generation, observed_generation */
	CLASS_TIME,   /* *_time */
	CLASS_SPEC,   /* by the literal's type */
};

enum tsl_lit_type { LIT_STRING, LIT_NUMBER, LIT_BOOL };

struct tsl_lit {
	enum tsl_lit_type type;
	char *str;	 /* LIT_STRING: the value (owned) */
	double num;	 /* LIT_NUMBER; for CLASS_TIME the parsed instant */
	bool b;		 /* LIT_BOOL */
	size_t off, len; /* source text, for messages */
};

enum tsl_node_type { NODE_AND, NODE_OR, NODE_NOT, NODE_PRED };

struct tsl_pred {
	char *name;	 /* the field as written (owned) */
	size_t name_off; /* for messages */
	bool bracket;	 /* labels['key']: name is the key */
	enum tsl_op op;
	bool negate; /* NOT IN, NOT LIKE, NOT BETWEEN, IS NOT NULL */
	struct tsl_lit *lits;
	size_t nlits;
	/* Filled when the predicate is checked. */
	struct hf_tsl_field field;
	enum tsl_class cls;
	char *key;   /* owned string field.name points to, if any */
	char **path; /* owned segments field.path points to */
};

struct tsl_node {
	enum tsl_node_type type;
	struct tsl_node **kids; /* AND, OR: nkids >= 2; NOT: one */
	size_t nkids;
	struct tsl_pred pred; /* NODE_PRED */
};

struct hf_tsl {
	struct tsl_node *root;
	enum hf_tsl_kind kind;
};

void tsl_node_free(struct tsl_node *n);

/* tsl_check resolves and validates the fields and literals of every
 * predicate under root, parsed from src (fills pred.field and pred.cls,
 * parses time literals). On failure returns false with *error set. */
bool tsl_check(struct tsl_node *root, const char *src, enum hf_tsl_kind kind, char **error);

/* Columns. */
struct tsl_column {
	const char *name;
	enum hf_tsl_column column;
	enum tsl_class cls;
};

/* tsl_find_column returns the top-level column called name[0..len), or NULL. */
const struct tsl_column *tsl_find_column(const char *name, size_t len);

/* tsl_value_number reads v as a number: a number, or a string holding one. */
bool tsl_value_number(const struct hf_tsl_value *v, double *out);

/* tsl_value_time reads v as an instant: seconds, or an RFC 3339 string. */
bool tsl_value_time(const struct hf_tsl_value *v, double *out);

/* tsl_compare_values compares a resolved value v with literal l of a field of
 * class cls. Returns false when they are not comparable (absent, wrong type,
 * unparseable time); else *cmp is <0, 0 or >0. */
bool tsl_compare_values(enum tsl_class cls, const struct hf_tsl_value *v, const struct tsl_lit *l,
			int *cmp);

#endif
