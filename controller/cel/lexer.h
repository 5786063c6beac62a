/*
 * lexer.h: CEL tokens (internal to controller/cel).
 *
 * The lexer only finds token boundaries and kinds; the parser decodes
 * literals (cel_lex_number, cel_lex_string) when it builds nodes. Positions
 * are byte offsets into the source; cel_position turns one into a 1-based
 * line and column (columns count code points).
 */
#ifndef HF_CEL_LEXER_H
#define HF_CEL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cel/value.h"

enum cel_tok {
	T_EOF,
	T_ERROR, /* lexer->error says why */
	T_IDENT,
	T_QUOTED_IDENT, /* `field-name` */
	T_INT,
	T_UINT,
	T_DOUBLE,
	T_STRING,
	T_BYTES,
	T_TRUE,
	T_FALSE,
	T_NULL,
	T_IN,
	T_LPAREN,
	T_RPAREN,
	T_LBRACKET,
	T_RBRACKET,
	T_LBRACE,
	T_RBRACE,
	T_DOT,
	T_COMMA,
	T_COLON,
	T_QUESTION,
	T_PLUS,
	T_MINUS,
	T_STAR,
	T_SLASH,
	T_PERCENT,
	T_NOT,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_AND,
	T_OR,
};

struct cel_token {
	enum cel_tok kind;
	uint32_t pos; /* byte offset */
	uint32_t len;
};

struct cel_lexer {
	const char *src;
	size_t len;
	size_t pos;
	const char *error; /* static message of the last T_ERROR */
};

void cel_lex_init(struct cel_lexer *lx, const char *src, size_t len);
/* cel_lex_next reads the next token; T_ERROR leaves the message in
 * lx->error and the position in the token. */
struct cel_token cel_lex_next(struct cel_lexer *lx);

/* cel_lex_number decodes an int, uint or double token. Returns false when
 * the value does not fit (an int literal of 2^63 is returned in *u with
 * *magnitude_only set, for the parser's unary minus). */
bool cel_lex_number(const char *src, struct cel_token t, struct cel_value *out,
		    bool *magnitude_only);

/* cel_lex_string decodes a string or bytes token into arena memory. On
 * failure returns false with *err and *err_pos (offset of the bad escape). */
bool cel_lex_string(const char *src, struct cel_token t, struct cel_arena *arena,
		    struct cel_value *out, const char **err, uint32_t *err_pos);

/* cel_lex_close finds the '}' that closes a "${" whose expression starts at
 * src[0]: the first '}' outside strings and nested braces. Returns its
 * offset, or false when there is none (or a token does not lex). */
bool cel_lex_close(const char *src, size_t len, size_t *close);

/* cel_position turns the byte offset pos into a line and column. */
void cel_position(const char *src, size_t pos, unsigned *line, unsigned *col);

#endif
