/*
 * regex.c: an RE2-subset regular expression engine (see regex.h). The
 * pattern is parsed into a small tree, compiled into instructions (the
 * classic Thompson construction) and simulated over the text with one set
 * of live states per position, so no input makes it backtrack.
 */
#include "cel/regex.h"
#include "cel/regex_program.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/value.h"
#include "util/alloc.h"

#define MAX_NESTING 100
#define MAX_REPEAT  1000
#define MAX_CP	    0x10ffffu
#define NONE	    (-1)
#define NOTHING	    (-2) /* a flags group: no node */

enum rkind { R_EMPTY, R_LIT, R_CLASS, R_ANY, R_ANYNL, R_ASSERT, R_CAT, R_ALT, R_REPEAT };

/* A tree node; children are a list linked through `next`. */
struct rnode {
	uint8_t kind;
	uint32_t x;   /* code point, class or assertion */
	int min, max; /* R_REPEAT; max -1 is unbounded */
	int child, next;
};

struct rparser {
	const char *p;
	size_t n, i;
	struct rnode *nodes;
	size_t nnodes, cap;
	struct cel_regex *re;
	bool icase, dotall, multiline;
	unsigned depth;
	const char *error;
};

static const struct cel_re_range DIGIT[] = {{'0', '9'}};
static const struct cel_re_range WORD[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const struct cel_re_range SPACE[] = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};

static int node(struct rparser *r, uint8_t kind, uint32_t x)
{
	if (r->nnodes == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->nodes = hf_realloc(r->nodes, r->cap * sizeof(*r->nodes));
	}
	r->nodes[r->nnodes] = (struct rnode){.kind = kind, .x = x, .child = NONE, .next = NONE};
	return (int)r->nnodes++;
}

static void add_range(struct cel_regex *re, uint32_t lo, uint32_t hi)
{
	if (re->nranges == re->range_cap) {
		re->range_cap = re->range_cap ? re->range_cap * 2 : 16;
		re->ranges = hf_realloc(re->ranges, re->range_cap * sizeof(*re->ranges));
	}
	re->ranges[re->nranges++] = (struct cel_re_range){lo, hi};
}

static void add_set(struct cel_regex *re, const struct cel_re_range *set, size_t n, bool negate)
{
	if (!negate) {
		for (size_t i = 0; i < n; i++)
			add_range(re, set[i].lo, set[i].hi);
		return;
	}
	uint32_t next = 0; /* sets are sorted and disjoint */
	for (size_t i = 0; i < n; i++) {
		if (set[i].lo > next)
			add_range(re, next, set[i].lo - 1);
		next = set[i].hi + 1;
	}
	if (next <= MAX_CP)
		add_range(re, next, MAX_CP);
}

static uint32_t begin_class(struct cel_regex *re)
{
	if (re->nclasses == re->class_cap) {
		re->class_cap = re->class_cap ? re->class_cap * 2 : 8;
		re->classes = hf_realloc(re->classes, re->class_cap * sizeof(*re->classes));
	}
	re->classes[re->nclasses] = (struct cel_re_class){.first = (uint32_t)re->nranges};
	return (uint32_t)re->nclasses++;
}

static void end_class(struct cel_regex *re, uint32_t c, bool negate, bool icase)
{
	struct cel_re_class *k = &re->classes[c];
	if (icase) {
		/* ASCII case folding: add the other case of every letter. */
		size_t end = re->nranges;
		for (size_t i = k->first; i < end; i++) {
			uint32_t lo = re->ranges[i].lo, hi = re->ranges[i].hi;
			uint32_t a = lo > 'a' ? lo : 'a', b = hi < 'z' ? hi : 'z';
			if (a <= b)
				add_range(re, a - 32, b - 32);
			a = lo > 'A' ? lo : 'A', b = hi < 'Z' ? hi : 'Z';
			if (a <= b)
				add_range(re, a + 32, b + 32);
		}
	}
	k = &re->classes[c];
	k->count = (uint32_t)(re->nranges - k->first);
	k->negate = negate;
}

static bool at(const struct rparser *r, size_t k, char c)
{
	return r->i + k < r->n && r->p[r->i + k] == c;
}

static uint32_t next_cp(struct rparser *r)
{
	uint32_t cp;
	r->i += cel_utf8_decode(r->p + r->i, r->n - r->i, &cp);
	return cp;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* escape reads the escape after a backslash. A class escape (\d \w \s and
 * their negations) adds its ranges to the current class and returns -2 when
 * `cls` is set; a character returns its code point; -1 is an error. */
static int64_t escape(struct rparser *r, bool in_class, bool *is_set,
		      const struct cel_re_range **set, size_t *nset, bool *neg)
{
	*is_set = false;
	if (r->i >= r->n) {
		r->error = "trailing backslash";
		return -1;
	}
	char c = r->p[r->i++];
	switch (c) {
	case 'd':
	case 'D':
	case 'w':
	case 'W':
	case 's':
	case 'S':
		*is_set = true;
		*neg = c == 'D' || c == 'W' || c == 'S';
		c = (char)(c | 0x20);
		*set = c == 'd' ? DIGIT : c == 'w' ? WORD : SPACE;
		*nset = c == 'd' ? 1 : c == 'w' ? 4 : 3;
		return 0;
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'a': return '\a';
	case 'x': {
		uint32_t v = 0;
		if (at(r, 0, '{')) {
			size_t k = 1;
			for (; r->i + k < r->n && r->p[r->i + k] != '}' && k < 8; k++) {
				int h = hexval(r->p[r->i + k]);
				if (h < 0)
					break;
				v = v * 16 + (uint32_t)h;
			}
			if (k == 1 || !at(r, k, '}') || v > MAX_CP)
				break;
			r->i += k + 1;
			return v;
		}
		int hi = r->i < r->n ? hexval(r->p[r->i]) : -1;
		int lo = r->i + 1 < r->n ? hexval(r->p[r->i + 1]) : -1;
		if (hi < 0 || lo < 0)
			break;
		r->i += 2;
		return hi << 4 | lo;
	}
	default:
		if (c >= '1' && c <= '9') {
			r->error = "backreferences are not supported";
			return -1;
		}
		/* Punctuation stands for itself; letters are reserved. */
		if ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
		    (c >= '{' && c <= '~'))
			return (unsigned char)c;
		if (!in_class && (c == 'b' || c == 'B' || c == 'A' || c == 'z'))
			return -3; /* an assertion: the caller decides */
	}
	r->error = "invalid or unsupported escape sequence";
	return -1;
}

static const struct {
	const char *name;
	struct cel_re_range r[4];
	size_t n;
} POSIX[] = {
	{"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}, 3},
	{"alpha", {{'A', 'Z'}, {'a', 'z'}}, 2},
	{"ascii", {{0, 0x7f}}, 1},
	{"blank", {{'\t', '\t'}, {' ', ' '}}, 2},
	{"cntrl", {{0, 0x1f}, {0x7f, 0x7f}}, 2},
	{"digit", {{'0', '9'}}, 1},
	{"graph", {{'!', '~'}}, 1},
	{"lower", {{'a', 'z'}}, 1},
	{"print", {{' ', '~'}}, 1},
	{"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}, 4},
	{"space", {{'\t', '\r'}, {' ', ' '}}, 2},
	{"upper", {{'A', 'Z'}}, 1},
	{"word", {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}, 4},
	{"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}, 3},
};

static bool posix_class(struct rparser *r)
{
	/* r->i is on "[:" */
	const char *end = memchr(r->p + r->i + 2, ']', r->n - r->i - 2);
	if (!end || end[-1] != ':') {
		r->error = "invalid character class";
		return false;
	}
	const char *name = r->p + r->i + 2;
	size_t len = (size_t)(end - 1 - name);
	bool neg = len && name[0] == '^';
	if (neg)
		name++, len--;
	for (size_t k = 0; k < sizeof(POSIX) / sizeof(POSIX[0]); k++) {
		if (strlen(POSIX[k].name) == len && memcmp(POSIX[k].name, name, len) == 0) {
			add_set(r->re, POSIX[k].r, POSIX[k].n, neg);
			r->i = (size_t)(end - r->p) + 1;
			return true;
		}
	}
	r->error = "invalid character class";
	return false;
}

/* class_char reads one member of a class: a code point, or a set added
 * directly (returns -2). */
static int64_t class_char(struct rparser *r)
{
	if (r->p[r->i] != '\\')
		return next_cp(r);
	r->i++;
	bool is_set, neg;
	const struct cel_re_range *set;
	size_t nset;
	int64_t cp = escape(r, true, &is_set, &set, &nset, &neg);
	if (cp >= 0 && is_set) {
		add_set(r->re, set, nset, neg);
		return -2;
	}
	return cp;
}

static int parse_class(struct rparser *r)
{
	r->i++; /* [ */
	bool negate = false;
	if (at(r, 0, '^')) {
		negate = true;
		r->i++;
	}
	uint32_t c = begin_class(r->re);
	for (bool first = true;; first = false) {
		if (r->i >= r->n) {
			r->error = "missing closing ]";
			return NONE;
		}
		if (r->p[r->i] == ']' && !first) {
			r->i++;
			break;
		}
		if (at(r, 0, '[') && at(r, 1, ':')) {
			if (!posix_class(r))
				return NONE;
			continue;
		}
		int64_t lo = class_char(r);
		if (lo == -2)
			continue;
		if (lo < 0)
			return NONE;
		int64_t hi = lo;
		if (at(r, 0, '-') && r->i + 1 < r->n && r->p[r->i + 1] != ']') {
			r->i++;
			hi = class_char(r);
			if (hi < lo) {
				if (!r->error)
					r->error = "invalid character class range";
				return NONE;
			}
		}
		add_range(r->re, (uint32_t)lo, (uint32_t)hi);
	}
	end_class(r->re, c, negate, r->icase);
	return node(r, R_CLASS, c);
}

static int literal(struct rparser *r, uint32_t cp)
{
	if (r->icase && ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))) {
		uint32_t c = begin_class(r->re);
		add_range(r->re, cp, cp);
		end_class(r->re, c, false, true);
		return node(r, R_CLASS, c);
	}
	return node(r, R_LIT, cp);
}

static int parse_alt(struct rparser *r);

/* flags reads "imsU" letters, '-' turning the following ones off. */
static bool flags(struct rparser *r)
{
	bool on = true, any = false;
	for (; r->i < r->n; r->i++) {
		switch (r->p[r->i]) {
		case 'i': r->icase = on; break;
		case 's': r->dotall = on; break;
		case 'm': r->multiline = on; break;
		case 'U': break; /* ungreedy: the same strings match */
		case '-':
			if (!on)
				return false;
			on = false;
			continue;
		default: return any;
		}
		any = true;
	}
	return false;
}

static int parse_group(struct rparser *r)
{
	bool icase = r->icase, dotall = r->dotall, multiline = r->multiline;
	r->i++; /* ( */
	if (at(r, 0, '?')) {
		r->i++;
		if (at(r, 0, '<') || (at(r, 0, 'P') && at(r, 1, '<'))) {
			r->i += at(r, 0, 'P') ? 2 : 1;
			size_t start = r->i;
			while (r->i < r->n &&
			       (r->p[r->i] == '_' || (r->p[r->i] >= '0' && r->p[r->i] <= '9') ||
				((r->p[r->i] | 0x20) >= 'a' && (r->p[r->i] | 0x20) <= 'z')))
				r->i++;
			if (r->i == start || !at(r, 0, '>')) {
				r->error = "invalid named capture group";
				return NONE;
			}
			r->i++;
		} else if (at(r, 0, ':')) {
			r->i++; /* (?:...) */
		} else {
			if (!flags(r) || (!at(r, 0, ')') && !at(r, 0, ':'))) {
				r->error = "invalid or unsupported group flags";
				return NONE;
			}
			if (at(r, 0, ')')) {
				/* (?flags) holds until the end of the enclosing group. */
				r->i++;
				return NOTHING;
			}
			r->i++; /* : */
		}
	}
	if (++r->depth > MAX_NESTING) {
		r->error = "regular expression nested too deeply";
		return NONE;
	}
	int sub = parse_alt(r);
	if (sub < 0)
		return NONE;
	if (!at(r, 0, ')')) {
		r->error = "missing )";
		return NONE;
	}
	r->i++;
	r->depth--;
	r->icase = icase, r->dotall = dotall, r->multiline = multiline;
	return sub;
}

static int parse_atom(struct rparser *r)
{
	char c = r->p[r->i];
	switch (c) {
	case '(': return parse_group(r);
	case '[': return parse_class(r);
	case '.': r->i++; return node(r, r->dotall ? R_ANY : R_ANYNL, 0);
	case '^': r->i++; return node(r, R_ASSERT, r->multiline ? A_BOL : A_BOT);
	case '$': r->i++; return node(r, R_ASSERT, r->multiline ? A_EOL : A_EOT);
	case '\\': {
		r->i++;
		bool is_set, neg;
		const struct cel_re_range *set;
		size_t nset;
		char e = r->i < r->n ? r->p[r->i] : '\0';
		int64_t cp = escape(r, false, &is_set, &set, &nset, &neg);
		if (cp == -3) {
			r->error = NULL;
			return node(r, R_ASSERT,
				    e == 'b'   ? A_WORDB
				    : e == 'B' ? A_NWORDB
				    : e == 'A' ? A_BOT
					       : A_EOT);
		}
		if (cp < 0)
			return NONE;
		if (is_set) {
			uint32_t k = begin_class(r->re);
			add_set(r->re, set, nset, neg);
			end_class(r->re, k, false, false);
			return node(r, R_CLASS, k);
		}
		return literal(r, (uint32_t)cp);
	}
	default: return literal(r, next_cp(r));
	}
}

/* counted reads {n}, {n,} or {n,m}; false (nothing read) when the brace
 * is not one, as RE2 then takes it literally. */
static bool counted(struct rparser *r, int *min, int *max)
{
	size_t j = r->i + 1;
	long lo = 0, hi;
	size_t digits = 0;
	while (j < r->n && r->p[j] >= '0' && r->p[j] <= '9' && digits < 5)
		lo = lo * 10 + (r->p[j++] - '0'), digits++;
	if (!digits)
		return false;
	hi = lo;
	if (j < r->n && r->p[j] == ',') {
		j++;
		hi = -1;
		if (j < r->n && r->p[j] >= '0' && r->p[j] <= '9') {
			hi = 0;
			for (digits = 0; j < r->n && r->p[j] >= '0' && r->p[j] <= '9' && digits < 5;
			     digits++)
				hi = hi * 10 + (r->p[j++] - '0');
		}
	}
	if (j >= r->n || r->p[j] != '}')
		return false;
	r->i = j + 1;
	if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo))
		r->error = "invalid repeat count";
	*min = (int)lo;
	*max = (int)hi;
	return true;
}

/* quantifier reads one quantifier at r->i; false when there is none. */
static bool quantifier(struct rparser *r, int *min, int *max)
{
	if (r->i >= r->n)
		return false;
	switch (r->p[r->i]) {
	case '*': *min = 0, *max = -1; break;
	case '+': *min = 1, *max = -1; break;
	case '?': *min = 0, *max = 1; break;
	case '{': return counted(r, min, max);
	default: return false;
	}
	r->i++;
	return true;
}

static int parse_repeat(struct rparser *r)
{
	int min, max;
	size_t start = r->i;
	if (quantifier(r, &min, &max)) {
		if (!r->error)
			r->error = "missing argument to repetition operator";
		return NONE;
	}
	r->i = start;
	int a = parse_atom(r);
	if (a < 0)
		return a;
	if (!quantifier(r, &min, &max))
		return a;
	if (r->error)
		return NONE;
	if (at(r, 0, '?'))
		r->i++; /* lazy: the same strings match */
	start = r->i;
	if (quantifier(r, &min, &max)) {
		r->error = "bad repetition operator";
		return NONE;
	}
	r->i = start;
	int rep = node(r, R_REPEAT, 0);
	r->nodes[rep].min = min;
	r->nodes[rep].max = max;
	r->nodes[rep].child = a;
	return rep;
}

static int parse_cat(struct rparser *r)
{
	int cat = node(r, R_CAT, 0), last = NONE;
	while (r->i < r->n && r->p[r->i] != '|' && r->p[r->i] != ')') {
		int a = parse_repeat(r);
		if (a == NOTHING) {
			if (quantifier(r, &(int){0}, &(int){0})) {
				r->error = "missing argument to repetition operator";
				return NONE;
			}
			continue;
		}
		if (a < 0)
			return NONE;
		if (last == NONE)
			r->nodes[cat].child = a;
		else
			r->nodes[last].next = a;
		last = a;
	}
	return cat;
}

static int parse_alt(struct rparser *r)
{
	int first = parse_cat(r);
	if (first < 0 || !at(r, 0, '|'))
		return first;
	int alt = node(r, R_ALT, 0), last = first;
	r->nodes[alt].child = first;
	while (at(r, 0, '|')) {
		r->i++;
		int c = parse_cat(r);
		if (c < 0)
			return NONE;
		r->nodes[last].next = c;
		last = c;
	}
	return alt;
}

struct emitter {
	struct cel_regex *re;
	size_t cap;
	const struct rnode *nodes;
	bool too_large;
};

static size_t emit_inst(struct emitter *e, uint8_t op, uint32_t x, uint32_t y)
{
	if (e->re->n >= CEL_REGEX_MAX_PROGRAM) {
		e->too_large = true;
		return 0;
	}
	if (e->re->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 32;
		e->re->code = hf_realloc(e->re->code, e->cap * sizeof(*e->re->code));
	}
	e->re->code[e->re->n] = (struct cel_re_inst){op, x, y};
	return e->re->n++;
}

static void emit(struct emitter *e, int i)
{
	if (e->too_large)
		return;
	const struct rnode *n = &e->nodes[i];
	switch (n->kind) {
	case R_LIT: emit_inst(e, I_CHAR, n->x, 0); break;
	case R_CLASS: emit_inst(e, I_CLASS, n->x, 0); break;
	case R_ANY: emit_inst(e, I_ANY, 0, 0); break;
	case R_ANYNL: emit_inst(e, I_ANYNL, 0, 0); break;
	case R_ASSERT: emit_inst(e, I_ASSERT, n->x, 0); break;
	case R_CAT:
		for (int c = n->child; c != NONE && !e->too_large; c = e->nodes[c].next)
			emit(e, c);
		break;
	case R_ALT: {
		/* split to each branch in turn; every branch jumps to the end,
		 * the jumps chained through their x until patched. */
		uint32_t jumps = UINT32_MAX;
		for (int c = n->child; c != NONE && !e->too_large; c = e->nodes[c].next) {
			if (e->nodes[c].next == NONE) {
				emit(e, c);
				break;
			}
			size_t split = emit_inst(e, I_SPLIT, 0, 0);
			e->re->code[split].x = (uint32_t)e->re->n;
			emit(e, c);
			size_t j = emit_inst(e, I_JMP, jumps, 0);
			jumps = (uint32_t)j;
			e->re->code[split].y = (uint32_t)e->re->n;
		}
		while (!e->too_large && jumps != UINT32_MAX) {
			uint32_t next = e->re->code[jumps].x;
			e->re->code[jumps].x = (uint32_t)e->re->n;
			jumps = next;
		}
		break;
	}
	case R_REPEAT: {
		for (int k = 0; k < n->min && !e->too_large; k++)
			emit(e, n->child);
		if (n->max < 0) {
			size_t loop = emit_inst(e, I_SPLIT, 0, 0);
			e->re->code[loop].x = (uint32_t)e->re->n;
			emit(e, n->child);
			emit_inst(e, I_JMP, (uint32_t)loop, 0);
			if (!e->too_large)
				e->re->code[loop].y = (uint32_t)e->re->n;
			break;
		}
		/* Optional copies, each split skipping to the end (chained
		 * through y until patched). */
		uint32_t splits = UINT32_MAX;
		for (int k = n->min; k < n->max && !e->too_large; k++) {
			size_t s = emit_inst(e, I_SPLIT, 0, splits);
			e->re->code[s].x = (uint32_t)e->re->n;
			splits = (uint32_t)s;
			emit(e, n->child);
		}
		while (!e->too_large && splits != UINT32_MAX) {
			uint32_t next = e->re->code[splits].y;
			e->re->code[splits].y = (uint32_t)e->re->n;
			splits = next;
		}
		break;
	}
	default: break;
	}
}

struct cel_regex *cel_regex_compile(struct cel_regex **owner, const char *pattern, size_t len,
				    char *err, size_t errlen)
{
	struct rparser r = {.p = pattern, .n = len};
	struct cel_regex *re = hf_calloc(1, sizeof(*re));
	r.re = re;
	if (len > CEL_REGEX_MAX_PATTERN) {
		snprintf(err, errlen, "invalid regex: pattern longer than %d bytes",
			 CEL_REGEX_MAX_PATTERN);
		goto fail;
	}
	int root = parse_alt(&r);
	if (root >= 0 && r.i < r.n)
		r.error = "unexpected )";
	if (root < 0 || r.error) {
		snprintf(err, errlen, "invalid regex: %s", r.error ? r.error : "syntax error");
		goto fail;
	}
	struct emitter e = {.re = re, .nodes = r.nodes};
	emit(&e, root);
	emit_inst(&e, I_MATCH, 0, 0);
	if (e.too_large) {
		snprintf(err, errlen, "invalid regex: regular expression too large");
		goto fail;
	}
	free(r.nodes);
	if (owner) {
		re->next = *owner;
		*owner = re;
	}
	return re;
fail:
	free(r.nodes);
	cel_regex_free(re);
	return NULL;
}

void cel_regex_free(struct cel_regex *re)
{
	if (!re)
		return;
	free(re->code);
	free(re->ranges);
	free(re->classes);
	free(re);
}

void cel_regex_list_free(struct cel_regex *list)
{
	while (list) {
		struct cel_regex *next = list->next;
		cel_regex_free(list);
		list = next;
	}
}
