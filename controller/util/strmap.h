/*
 * strmap.h: a hash map from strings to pointers (open addressing, linear
 * probing). The map copies and owns its keys; values belong to the caller
 * unless hf_strmap_free is given a function to free them.
 *
 * Not thread-safe: the owner serialises access.
 */
#ifndef HF_STRMAP_H
#define HF_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hf_strmap;

struct hf_strmap *hf_strmap_new(void);
/* hf_strmap_new_sized starts with room for about n entries (small sets stay
 * small: an index holds many one-element sets). */
struct hf_strmap *hf_strmap_new_sized(size_t n);
/* hf_strmap_free frees the map and its keys; free_value (may be NULL) is
 * called on every value. */
void hf_strmap_free(struct hf_strmap *m, void (*free_value)(void *));

void *hf_strmap_get(const struct hf_strmap *m, const char *key);
bool hf_strmap_has(const struct hf_strmap *m, const char *key);
/* hf_strmap_put stores value (which must not be NULL) under key and returns
 * the value it replaced, or NULL. */
void *hf_strmap_put(struct hf_strmap *m, const char *key, void *value);
/* hf_strmap_remove removes key and returns its value, or NULL. */
void *hf_strmap_remove(struct hf_strmap *m, const char *key);
size_t hf_strmap_size(const struct hf_strmap *m);

/* Iteration in no particular order. The map must not change meanwhile,
 * except through hf_strmap_remove of the current key. */
struct hf_strmap_iter {
	size_t next;
};
#define HF_STRMAP_ITER_INIT                                                                        \
	{                                                                                          \
		0                                                                                  \
	}
bool hf_strmap_next(const struct hf_strmap *m, struct hf_strmap_iter *it, const char **key,
		    void **value);

/* hf_hash_str is the map's string hash (FNV-1a, 64 bits). */
unsigned long long hf_hash_str(const char *s);

#endif
