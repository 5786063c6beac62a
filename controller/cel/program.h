/*
 * program.h: a compiled program and the compiler's entry points (internal
 * to controller/cel).
 */
#ifndef HF_CEL_PROGRAM_H
#define HF_CEL_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/value.h"

struct cel_regex;

struct hf_cel_program {
	char *source; /* NUL-terminated copy */
	size_t len;
	struct cel_node *root;
	struct cel_arena arena;	   /* nodes, names, literal values */
	struct cel_regex *regexes; /* literal patterns, compiled */
	unsigned slots;		   /* comprehension variables alive at once, at most */
};

/* A compile error: message and byte offset, formatted by the caller. */
struct cel_diag {
	enum hf_err code;
	uint32_t pos;
	char msg[256];
};

/* cel_parse parses p->source into p->root and resolves it (see ast.h).
 * Returns HF_OK or fills *d. */
enum hf_err cel_parse(struct hf_cel_program *p, struct cel_diag *d);

/* cel_run evaluates p and delivers the result one way: as a new cJSON tree
 * (json), as text (text and text_len, caller frees), or as a bool
 * (boolean; another type is an error). */
enum hf_err cel_run(const struct hf_cel_program *p, const struct hf_cel_activation *a,
		    struct cJSON **json, char **text, size_t *text_len, bool *boolean,
		    char **error);

/* cel_format_error makes the caller's "line:col: message" string. */
char *cel_format_error(const char *source, uint32_t pos, const char *msg);

#endif
