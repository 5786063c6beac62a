/*
 * regex_vm.c: matching a compiled regular expression (regex_program.h):
 * the set of live threads advances one character at a time, each thread
 * visited once per position, so a match costs at most text length times
 * program size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cel/regex.h"
#include "cel/regex_program.h"
#include "cel/value.h"
#include "util/alloc.h"

size_t cel_regex_size(const struct cel_regex *re)
{
	return re->n;
}

static bool is_word(int64_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '_';
}

static bool in_class(const struct cel_regex *re, const struct cel_re_class *k, uint32_t c)
{
	bool found = false;
	for (uint32_t i = 0; i < k->count && !found; i++)
		found = c >= re->ranges[k->first + i].lo && c <= re->ranges[k->first + i].hi;
	return found != k->negate;
}

struct thread_list {
	uint32_t *pc;
	size_t n;
};

struct sim {
	const struct cel_regex *re;
	uint32_t *mark, *stack;
	uint32_t gen;
	bool matched;
};

/* add puts pc and everything reachable from it without consuming a
 * character (between characters prev and cur, -1 at the ends) into l. */
static void add(struct sim *s, struct thread_list *l, uint32_t pc, int64_t prev, int64_t cur)
{
	size_t top = 0;
	s->stack[top++] = pc;
	while (top) {
		pc = s->stack[--top];
		if (s->mark[pc] == s->gen)
			continue;
		s->mark[pc] = s->gen;
		const struct cel_re_inst *in = &s->re->code[pc];
		bool ok;
		switch (in->op) {
		case I_JMP: s->stack[top++] = in->x; break;
		case I_SPLIT:
			s->stack[top++] = in->y;
			s->stack[top++] = in->x;
			break;
		case I_ASSERT:
			switch (in->x) {
			case A_BOT: ok = prev < 0; break;
			case A_EOT: ok = cur < 0; break;
			case A_BOL: ok = prev < 0 || prev == '\n'; break;
			case A_EOL: ok = cur < 0 || cur == '\n'; break;
			case A_WORDB: ok = is_word(prev) != is_word(cur); break;
			default: ok = is_word(prev) == is_word(cur);
			}
			if (ok)
				s->stack[top++] = pc + 1;
			break;
		case I_MATCH: s->matched = true; break;
		default: l->pc[l->n++] = pc;
		}
	}
}

static int64_t cp_at(const char *s, size_t len, size_t i, size_t *l)
{
	uint32_t cp;
	if (i >= len) {
		*l = 0;
		return -1;
	}
	*l = cel_utf8_decode(s + i, len - i, &cp);
	return cp;
}

bool cel_regex_match(const struct cel_regex *re, const char *s, size_t len)
{
	/* Per match: a mark per instruction, two thread lists and a stack
	 * (every instruction pushes at most two others). */
	uint32_t small[5 * 64 + 2], *mem = small;
	size_t n = re->n;
	if (5 * n + 2 > sizeof(small) / sizeof(small[0]))
		mem = hf_malloc((5 * n + 2) * sizeof(*mem));
	memset(mem, 0, n * sizeof(*mem));
	struct sim sim = {.re = re, .mark = mem, .stack = mem + 3 * n, .gen = 1};
	struct thread_list a = {mem + n, 0}, b = {mem + 2 * n, 0}, *cl = &a, *nl = &b;
	size_t i = 0, l;
	int64_t prev = -1, cur = cp_at(s, len, 0, &l);
	add(&sim, cl, 0, prev, cur);
	while (!sim.matched && cur >= 0) {
		size_t nl_len;
		int64_t next = cp_at(s, len, i + l, &nl_len);
		sim.gen++;
		nl->n = 0;
		for (size_t k = 0; k < cl->n && !sim.matched; k++) {
			const struct cel_re_inst *in = &re->code[cl->pc[k]];
			bool ok;
			switch (in->op) {
			case I_CHAR: ok = cur == in->x; break;
			case I_ANY: ok = true; break;
			case I_ANYNL: ok = cur != '\n'; break;
			default: ok = in_class(re, &re->classes[in->x], (uint32_t)cur);
			}
			if (ok)
				add(&sim, nl, cl->pc[k] + 1, cur, next);
		}
		/* Unanchored: a match may also start at the next position. */
		add(&sim, nl, 0, cur, next);
		struct thread_list *t = cl;
		cl = nl;
		nl = t;
		i += l;
		l = nl_len;
		prev = cur;
		cur = next;
	}
	(void)prev;
	if (mem != small)
		free(mem);
	return sim.matched;
}
