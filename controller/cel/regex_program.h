/*
 * regex_program.h: the compiled form of a regular expression, shared by
 * its compiler (regex.c) and its simulator (regex_vm.c); internal to
 * controller/cel.
 *
 * A program is a list of instructions in the Thompson construction: each
 * thread of the automaton is an instruction index; consuming instructions
 * move it past one character, SPLIT forks it, JMP moves it, ASSERT lets it
 * through when the position qualifies, MATCH ends the search.
 */
#ifndef HF_CEL_REGEX_PROGRAM_H
#define HF_CEL_REGEX_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cel_re_op { I_CHAR, I_ANY, I_ANYNL, I_CLASS, I_SPLIT, I_JMP, I_ASSERT, I_MATCH };
enum cel_re_assertion { A_BOT, A_EOT, A_BOL, A_EOL, A_WORDB, A_NWORDB };

struct cel_re_range {
	uint32_t lo, hi;
};

struct cel_re_class {
	uint32_t first, count;
	bool negate;
};

struct cel_re_inst {
	uint8_t op;
	uint32_t x, y;
};

struct cel_regex {
	struct cel_regex *next;
	struct cel_re_inst *code;
	size_t n;
	struct cel_re_range *ranges;
	size_t nranges, range_cap;
	struct cel_re_class *classes;
	size_t nclasses, class_cap;
};

#endif
