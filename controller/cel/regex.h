/*
 * regex.h: matches() (internal to controller/cel).
 *
 * CEL specifies RE2. This is a small RE2-subset engine in RE2's spirit: the
 * pattern compiles to an automaton that is simulated over the text (Thompson
 * NFA), so matching takes time proportional to text length times program
 * size, whatever the pattern, with no backtracking. The program size is
 * capped, so the cost of a match is known before it starts (the evaluator
 * charges it). Supported: literals and escapes, . [classes] [^negated]
 * [[:posix:]] \d \D \w \W \s \S, ^ $ \A \z \b \B, groups ( ) (?: ) (?P<n> )
 * (?<n> ), alternation, * + ? {n} {n,} {n,m} (lazy forms match the same
 * strings), flags i s m (as (?flags) or (?flags:...)). Case folding is
 * ASCII only; \b and \w are ASCII as in RE2. Not supported: backreferences
 * (RE2 has none either), \p{...}, \Q...\E, \C.
 *
 * A compiled regex is immutable; any number of threads may match with it.
 */
#ifndef HF_CEL_REGEX_H
#define HF_CEL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#define CEL_REGEX_MAX_PATTERN 4096  /* bytes of one pattern */
#define CEL_REGEX_MAX_PROGRAM 20000 /* instructions of one compiled pattern */

struct cel_regex;

/* cel_regex_compile compiles pattern[0..len). With owner, the regex joins
 * the list *owner and is freed by cel_regex_list_free; without, the caller
 * frees it with cel_regex_free. NULL with a message in err on failure. */
struct cel_regex *cel_regex_compile(struct cel_regex **owner, const char *pattern, size_t len,
				    char *err, size_t errlen);
void cel_regex_free(struct cel_regex *re);
void cel_regex_list_free(struct cel_regex *list);

/* cel_regex_size is the program size, the factor of a match's cost. */
size_t cel_regex_size(const struct cel_regex *re);

/* cel_regex_match tells whether re matches anywhere in s[0..len) (UTF-8;
 * an invalid byte counts as one character). */
bool cel_regex_match(const struct cel_regex *re, const char *s, size_t len);

#endif
