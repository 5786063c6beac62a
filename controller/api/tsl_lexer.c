/*
 * tsl_lexer.c: the tokens of a search query, and the small text helpers the
 * rest of the module shares (positions, message excerpts, numbers, times).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/tsl_private.h"
#include "util/alloc.h"
#include "util/rfc3339.h"

/* ASCII classes: queries are bytes, whatever the locale. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool ident_start(char c)
{
	return is_alpha(c) || c == '_';
}

static bool ident_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '/' || c == '-';
}

static bool time_char(char c)
{
	return is_digit(c) || c == 'T' || c == 't' || c == 'Z' || c == 'z' || c == ':' ||
	       c == '.' || c == '+' || c == '-';
}

size_t tsl_position(const char *src, size_t off)
{
	size_t pos = 1;
	for (size_t i = 0; i < off && src[i]; i++)
		if (((unsigned char)src[i] & 0xC0) != 0x80)
			pos++;
	return pos;
}

char *tsl_excerpt(const char *s, size_t len, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	bool cut = false;
	if (size == 0)
		return buf;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= 60 || o + 8 >= size) {
			cut = true;
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (cut && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o < size ? o : size - 1] = '\0';
	return buf;
}

/* number_end returns the end of the decimal number at s (after an optional
 * '-'), or s when there is none. */
static const char *number_end(const char *s, const char *end)
{
	const char *p = s;
	if (p < end && *p == '-')
		p++;
	if (p >= end || !is_digit(*p))
		return s;
	while (p < end && is_digit(*p))
		p++;
	if (p + 1 < end && *p == '.' && is_digit(p[1])) {
		p++;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p + 1 < end && (*p == 'e' || *p == 'E')) {
		const char *q = p + 1;
		if (q + 1 < end && (*q == '+' || *q == '-'))
			q++;
		if (q < end && is_digit(*q)) {
			while (q < end && is_digit(*q))
				q++;
			p = q;
		}
	}
	return p;
}

bool tsl_parse_number(const char *s, size_t len, double *out)
{
	if (!s || len == 0 || number_end(s, s + len) != s + len)
		return false;
	/* strtod needs a terminated string; numbers in stored values are short. */
	char buf[128];
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *e;
	double d = strtod(buf, &e);
	if (e != buf + len || !isfinite(d))
		return false;
	*out = d;
	return true;
}

bool tsl_parse_time(const char *s, double *out)
{
	if (!s)
		return false;
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		char buf[32];
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return hf_rfc3339_parse(buf, out);
	}
	return hf_rfc3339_parse(s, out);
}

static const struct {
	const char *word;
	enum tsl_tok tok;
} keywords[] = {
	{"and", TOK_AND},   {"or", TOK_OR},	  {"not", TOK_NOT},	    {"in", TOK_IN},
	{"like", TOK_LIKE}, {"ilike", TOK_ILIKE}, {"between", TOK_BETWEEN}, {"is", TOK_IS},
	{"null", TOK_NULL}, {"true", TOK_TRUE},	  {"false", TOK_FALSE},
};

static enum tsl_tok keyword(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == len && strncasecmp(keywords[i].word, s, len) == 0)
			return keywords[i].tok;
	return TOK_IDENT;
}

struct lexer {
	const char *src;
	struct tsl_token *toks;
	size_t n, alloc;
	char **error;
};

static struct tsl_token *push(struct lexer *lx, enum tsl_tok type, size_t off, size_t len)
{
	if (lx->n == lx->alloc) {
		lx->alloc = lx->alloc ? lx->alloc * 2 : 32;
		lx->toks = hf_realloc(lx->toks, lx->alloc * sizeof(*lx->toks));
	}
	struct tsl_token *t = &lx->toks[lx->n++];
	*t = (struct tsl_token){.type = type, .off = off, .len = len};
	return t;
}

static bool fail(struct lexer *lx, size_t off, const char *what, const char *text, size_t len)
{
	char ex[256];
	*lx->error =
		hf_asprintf("failed to parse search query: %s '%s' at position %zu", what,
			    tsl_excerpt(text, len, ex, sizeof(ex)), tsl_position(lx->src, off));
	return false;
}

/* lex_string reads the quoted string at off; returns its length or 0. */
static size_t lex_string(struct lexer *lx, size_t off)
{
	const char *s = lx->src + off;
	char q = s[0];
	char *val = hf_malloc(strlen(s));
	size_t i = 1, o = 0;
	for (;;) {
		char c = s[i];
		if (c == '\0') {
			free(val);
			*lx->error =
				hf_asprintf("failed to parse search query: unterminated string "
					    "starting at position %zu",
					    tsl_position(lx->src, off));
			return 0;
		}
		if (c == q && s[i + 1] == q) {
			val[o++] = q;
			i += 2;
		} else if (c == q) {
			i++;
			break;
		} else if (c == '\\' && (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\')) {
			val[o++] = s[i + 1];
			i += 2;
		} else {
			val[o++] = c;
			i++;
		}
	}
	val[o] = '\0';
	push(lx, TOK_STRING, off, i)->str = val;
	return i;
}

/* lex_number reads a number, or an unquoted date or time, at off. */
static size_t lex_number(struct lexer *lx, size_t off)
{
	const char *s = lx->src + off;
	const char *end = s + strlen(s);
	if (is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-' &&
	    is_digit(s[5])) {
		size_t len = 0;
		while (time_char(s[len]))
			len++;
		push(lx, TOK_STRING, off, len)->str = hf_strndup(s, len);
		return len;
	}
	const char *e = number_end(s, end);
	size_t len = (size_t)(e - s);
	double d;
	if (ident_char(*e) || !tsl_parse_number(s, len, &d)) {
		while (ident_char(s[len]))
			len++;
		fail(lx, off, "invalid number", s, len);
		return 0;
	}
	push(lx, TOK_NUMBER, off, len)->num = d;
	return len;
}

static size_t lex_operator(struct lexer *lx, size_t off)
{
	const char *s = lx->src + off;
	static const struct {
		const char *text;
		enum tsl_tok tok;
	} ops[] = {
		{"==", TOK_EQ},	   {"!=", TOK_NE},    {"<>", TOK_NE},	   {"<=", TOK_LE},
		{">=", TOK_GE},	   {"=", TOK_EQ},     {"<", TOK_LT},	   {">", TOK_GT},
		{"(", TOK_LPAREN}, {")", TOK_RPAREN}, {"[", TOK_LBRACKET}, {"]", TOK_RBRACKET},
		{",", TOK_COMMA},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t len = strlen(ops[i].text);
		if (strncmp(s, ops[i].text, len) == 0) {
			push(lx, ops[i].tok, off, len);
			return len;
		}
	}
	size_t len = 1;
	while (len < 4 && (((unsigned char)s[len]) & 0xC0) == 0x80)
		len++;
	fail(lx, off, "unexpected character", s, len);
	return 0;
}

bool tsl_lex(const char *src, struct tsl_token **toks, size_t *n, char **error)
{
	struct lexer lx = {.src = src, .error = error};
	size_t off = 0;
	while (src[off]) {
		char c = src[off];
		size_t len;
		if (is_space(c)) {
			off++;
			continue;
		}
		if (c == '\'' || c == '"') {
			len = lex_string(&lx, off);
		} else if (is_digit(c) || (c == '-' && is_digit(src[off + 1]))) {
			len = lex_number(&lx, off);
		} else if (ident_start(c)) {
			len = 1;
			while (ident_char(src[off + len]))
				len++;
			push(&lx, keyword(src + off, len), off, len);
		} else {
			len = lex_operator(&lx, off);
		}
		if (len == 0) {
			tsl_tokens_free(lx.toks, lx.n);
			return false;
		}
		off += len;
	}
	push(&lx, TOK_END, off, 0);
	*toks = lx.toks;
	*n = lx.n;
	return true;
}

void tsl_tokens_free(struct tsl_token *toks, size_t n)
{
	if (!toks)
		return;
	for (size_t i = 0; i < n; i++)
		free(toks[i].str);
	free(toks);
}
