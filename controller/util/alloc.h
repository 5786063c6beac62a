/*
 * alloc.h: HyperFleet's memory policy.
 *
 * Allocation failure aborts the process through these wrappers (as redis'
 * zmalloc does): a controller that cannot allocate a few bytes cannot make
 * progress, and Kubernetes restarts it. Code therefore never checks their
 * results. Every growable buffer still has an explicit cap, so outside input
 * cannot exhaust memory.
 */
#ifndef HF_ALLOC_H
#define HF_ALLOC_H

#include <stddef.h>

void *hf_malloc(size_t size);
void *hf_calloc(size_t count, size_t size);
void *hf_realloc(void *ptr, size_t size);
/* hf_strdup of NULL returns NULL. */
char *hf_strdup(const char *s);
char *hf_strndup(const char *s, size_t n);
/* hf_asprintf returns a newly allocated formatted string. */
char *hf_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
