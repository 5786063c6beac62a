#include "cel/lexer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cel_lex_init(struct cel_lexer *lx, const char *src, size_t len)
{
	lx->src = src;
	lx->len = len;
	lx->pos = 0;
	lx->error = NULL;
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

static char peek(const struct cel_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? lx->src[lx->pos + ahead] : '\0';
}

static void skip_space(struct cel_lexer *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->src[lx->pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			lx->pos++;
		} else if (c == '/' && peek(lx, 1) == '/') {
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
}

/* lex_quoted scans a string body starting at the opening quote. */
static enum cel_tok lex_quoted(struct cel_lexer *lx, bool raw, bool bytes)
{
	char q = lx->src[lx->pos];
	bool triple = peek(lx, 1) == q && peek(lx, 2) == q;
	lx->pos += triple ? 3 : 1;
	while (lx->pos < lx->len) {
		char c = lx->src[lx->pos];
		if (c == '\\' && !raw) {
			lx->pos += 2;
			continue;
		}
		if (c == q) {
			if (!triple) {
				lx->pos++;
				return bytes ? T_BYTES : T_STRING;
			}
			if (peek(lx, 1) == q && peek(lx, 2) == q) {
				lx->pos += 3;
				return bytes ? T_BYTES : T_STRING;
			}
		}
		if ((c == '\n' || c == '\r') && !triple) {
			lx->error = "newline in string literal";
			return T_ERROR;
		}
		lx->pos++;
	}
	lx->error = "unterminated string literal";
	return T_ERROR;
}

static enum cel_tok lex_number(struct cel_lexer *lx)
{
	const char *s = lx->src;
	if (s[lx->pos] == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
		lx->pos += 2;
		if (!is_hex(peek(lx, 0))) {
			lx->error = "malformed hexadecimal literal";
			return T_ERROR;
		}
		while (is_hex(peek(lx, 0)))
			lx->pos++;
		if (peek(lx, 0) == 'u' || peek(lx, 0) == 'U') {
			lx->pos++;
			return T_UINT;
		}
		return T_INT;
	}
	bool dbl = false;
	while (is_digit(peek(lx, 0)))
		lx->pos++;
	if (peek(lx, 0) == '.' && is_digit(peek(lx, 1))) {
		dbl = true;
		lx->pos++;
		while (is_digit(peek(lx, 0)))
			lx->pos++;
	}
	char e = peek(lx, 0);
	if (e == 'e' || e == 'E') {
		size_t k = 1;
		if (peek(lx, 1) == '+' || peek(lx, 1) == '-')
			k++;
		if (!is_digit(peek(lx, k))) {
			lx->error = "malformed exponent";
			return T_ERROR;
		}
		dbl = true;
		lx->pos += k;
		while (is_digit(peek(lx, 0)))
			lx->pos++;
	}
	if (!dbl && (peek(lx, 0) == 'u' || peek(lx, 0) == 'U')) {
		lx->pos++;
		return T_UINT;
	}
	return dbl ? T_DOUBLE : T_INT;
}

static enum cel_tok ident_kind(const char *p, size_t n)
{
	if (n == 4 && memcmp(p, "true", 4) == 0)
		return T_TRUE;
	if (n == 5 && memcmp(p, "false", 5) == 0)
		return T_FALSE;
	if (n == 4 && memcmp(p, "null", 4) == 0)
		return T_NULL;
	if (n == 2 && memcmp(p, "in", 2) == 0)
		return T_IN;
	return T_IDENT;
}

static enum cel_tok lex_one(struct cel_lexer *lx)
{
	const char *s = lx->src;
	char c = s[lx->pos], d = peek(lx, 1);
	if (is_ident_start(c)) {
		size_t start = lx->pos;
		while (lx->pos < lx->len && (is_ident_start(s[lx->pos]) || is_digit(s[lx->pos])))
			lx->pos++;
		size_t n = lx->pos - start;
		char q = peek(lx, 0);
		if ((q == '"' || q == '\'') && n <= 2) {
			/* String prefixes: r (raw), b (bytes), in either order. */
			bool raw = false, bytes = false, ok = true;
			for (size_t i = 0; i < n; i++) {
				char p = (char)(s[start + i] | 0x20);
				if (p == 'r' && !raw)
					raw = true;
				else if (p == 'b' && !bytes)
					bytes = true;
				else
					ok = false;
			}
			if (ok)
				return lex_quoted(lx, raw, bytes);
		}
		return ident_kind(s + start, n);
	}
	if (is_digit(c) || (c == '.' && is_digit(d)))
		return lex_number(lx);
	if (c == '"' || c == '\'')
		return lex_quoted(lx, false, false);
	lx->pos++;
	switch (c) {
	case '(': return T_LPAREN;
	case ')': return T_RPAREN;
	case '[': return T_LBRACKET;
	case ']': return T_RBRACKET;
	case '{': return T_LBRACE;
	case '}': return T_RBRACE;
	case '.': return T_DOT;
	case ',': return T_COMMA;
	case ':': return T_COLON;
	case '?': return T_QUESTION;
	case '+': return T_PLUS;
	case '-': return T_MINUS;
	case '*': return T_STAR;
	case '/': return T_SLASH;
	case '%': return T_PERCENT;
	case '`':
		while (lx->pos < lx->len && s[lx->pos] != '`' && s[lx->pos] != '\n')
			lx->pos++;
		if (lx->pos >= lx->len || s[lx->pos] != '`') {
			lx->error = "unterminated quoted identifier";
			return T_ERROR;
		}
		lx->pos++;
		return T_QUOTED_IDENT;
	case '!':
		if (d == '=') {
			lx->pos++;
			return T_NE;
		}
		return T_NOT;
	case '=':
		if (d == '=') {
			lx->pos++;
			return T_EQ;
		}
		break;
	case '<':
		if (d == '=') {
			lx->pos++;
			return T_LE;
		}
		return T_LT;
	case '>':
		if (d == '=') {
			lx->pos++;
			return T_GE;
		}
		return T_GT;
	case '&':
		if (d == '&') {
			lx->pos++;
			return T_AND;
		}
		break;
	case '|':
		if (d == '|') {
			lx->pos++;
			return T_OR;
		}
		break;
	default: break;
	}
	lx->pos--;
	lx->error = "unexpected character";
	return T_ERROR;
}

struct cel_token cel_lex_next(struct cel_lexer *lx)
{
	skip_space(lx);
	struct cel_token t = {.kind = T_EOF, .pos = (uint32_t)lx->pos, .len = 0};
	if (lx->pos >= lx->len)
		return t;
	t.kind = lex_one(lx);
	if (lx->pos > lx->len)
		lx->pos = lx->len; /* an escape at the very end */
	t.len = (uint32_t)(lx->pos - t.pos);
	return t;
}

bool cel_lex_number(const char *src, struct cel_token t, struct cel_value *out,
		    bool *magnitude_only)
{
	char buf[64];
	*magnitude_only = false;
	size_t n = t.len;
	if (t.kind == T_UINT)
		n--; /* the suffix */
	if (n >= sizeof(buf))
		return false; /* longer than any value that fits */
	memcpy(buf, src + t.pos, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	if (t.kind == T_DOUBLE) {
		*out = cel_double(strtod(buf, &end));
		/* Overflow to infinity is an error, underflow to zero is not. */
		return !(errno == ERANGE && (out->v.d > 1 || out->v.d < -1));
	}
	unsigned long long u = strtoull(buf, &end, 0);
	if (errno == ERANGE || *end)
		return false;
	if (t.kind == T_UINT) {
		*out = cel_uint(u);
		return true;
	}
	if (u > (unsigned long long)INT64_MAX) {
		*out = cel_uint(u);
		*magnitude_only = u == (unsigned long long)INT64_MAX + 1;
		return false;
	}
	*out = cel_int((int64_t)u);
	return true;
}

/* put_utf8 encodes cp at p (room for 4 bytes) and returns the length. */
static size_t put_utf8(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* escape decodes the escape sequence at s[i] (after the backslash) into
 * *cp; *byte tells a raw byte (\x and octal in bytes) from a code point. */
static bool escape(const char *s, size_t n, size_t *i, bool bytes, uint32_t *cp, bool *byte)
{
	char c = s[*i];
	*byte = false;
	static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\''\"\"``??";
	for (size_t k = 0; simple[k]; k += 2) {
		if (c == simple[k]) {
			*cp = (unsigned char)simple[k + 1];
			(*i)++;
			return true;
		}
	}
	size_t digits = 0;
	if (c == 'x' || c == 'X')
		digits = 2;
	else if (c == 'u')
		digits = 4;
	else if (c == 'U')
		digits = 8;
	if (digits) {
		uint32_t v = 0;
		for (size_t k = 1; k <= digits; k++) {
			if (*i + k >= n || !is_hex(s[*i + k]))
				return false;
			v = v * 16 + (uint32_t)hex_value(s[*i + k]);
		}
		*i += digits + 1;
		if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return false;
		*cp = v;
		*byte = bytes && digits == 2;
		return true;
	}
	if (c >= '0' && c <= '3') {
		uint32_t v = 0;
		for (size_t k = 0; k < 3; k++) {
			if (*i + k >= n || s[*i + k] < '0' || s[*i + k] > '7')
				return false;
			v = v * 8 + (uint32_t)(s[*i + k] - '0');
		}
		*i += 3;
		*cp = v;
		*byte = bytes;
		return true;
	}
	return false;
}

bool cel_lex_string(const char *src, struct cel_token t, struct cel_arena *arena,
		    struct cel_value *out, const char **err, uint32_t *err_pos)
{
	const char *s = src + t.pos;
	size_t n = t.len, i = 0;
	bool raw = false;
	while (s[i] != '"' && s[i] != '\'') {
		raw |= (s[i] | 0x20) == 'r';
		i++;
	}
	size_t q = (n - i >= 6 && s[i + 1] == s[i] && s[i + 2] == s[i]) ? 3 : 1;
	size_t start = i + q, end = n - q;
	/* Escapes only shrink the text, so the body's length bounds it. */
	char *buf = cel_arena_alloc(arena, end - start + 1);
	size_t len = 0;
	for (i = start; i < end;) {
		if (s[i] != '\\' || raw) {
			buf[len++] = s[i++];
			continue;
		}
		size_t at = i++;
		uint32_t cp;
		bool byte;
		if (i >= end || !escape(s, end, &i, t.kind == T_BYTES, &cp, &byte)) {
			*err = "invalid escape sequence";
			*err_pos = t.pos + (uint32_t)at;
			return false;
		}
		if (byte)
			buf[len++] = (char)cp;
		else
			len += put_utf8(buf + len, cp);
	}
	buf[len] = '\0';
	out->kind = t.kind == T_BYTES ? CEL_BYTES : CEL_STRING;
	out->json = 0;
	out->v.p = buf;
	out->n = (uint32_t)len;
	return true;
}

bool cel_lex_close(const char *src, size_t len, size_t *close)
{
	struct cel_lexer lx;
	cel_lex_init(&lx, src, len);
	int depth = 0;
	for (;;) {
		struct cel_token t = cel_lex_next(&lx);
		switch (t.kind) {
		case T_EOF:
		case T_ERROR: return false;
		case T_LBRACE: depth++; break;
		case T_RBRACE:
			if (depth == 0) {
				*close = t.pos;
				return true;
			}
			depth--;
			break;
		default: break;
		}
	}
}

void cel_position(const char *src, size_t pos, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < pos && src[i];) {
		if (src[i] == '\n') {
			l++;
			c = 1;
			i++;
			continue;
		}
		uint32_t cp;
		i += cel_utf8_decode(src + i, strnlen(src + i, 4), &cp);
		c++;
	}
	*line = l;
	*col = c;
}
