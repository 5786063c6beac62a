#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* A slot is empty (key NULL, value NULL), a tombstone (key NULL, value
 * TOMBSTONE) or used. Tombstones keep probe chains intact after removal. */
struct slot {
	char *key;
	void *value;
	uint64_t hash;
};

struct hf_strmap {
	struct slot *slots;
	size_t capacity; /* a power of two */
	size_t used;	 /* live entries */
	size_t filled;	 /* live entries and tombstones */
};

static char tombstone_marker;
#define TOMBSTONE ((void *)&tombstone_marker)

unsigned long long hf_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct hf_strmap *hf_strmap_new_sized(size_t n)
{
	struct hf_strmap *m = hf_calloc(1, sizeof(*m));
	m->capacity = 2;
	while (m->capacity * 3 < n * 4 + 4)
		m->capacity *= 2;
	m->slots = hf_calloc(m->capacity, sizeof(*m->slots));
	return m;
}

struct hf_strmap *hf_strmap_new(void)
{
	return hf_strmap_new_sized(12);
}

void hf_strmap_free(struct hf_strmap *m, void (*free_value)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->capacity; i++) {
		if (m->slots[i].key) {
			free(m->slots[i].key);
			if (free_value)
				free_value(m->slots[i].value);
		}
	}
	free(m->slots);
	free(m);
}

/* find returns the slot holding key, or NULL. */
static struct slot *find(const struct hf_strmap *m, const char *key, uint64_t hash)
{
	size_t mask = m->capacity - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];
		if (!s->key && s->value != TOMBSTONE)
			return NULL;
		if (s->key && s->hash == hash && strcmp(s->key, key) == 0)
			return s;
	}
}

static void grow(struct hf_strmap *m)
{
	struct slot *old = m->slots;
	size_t old_capacity = m->capacity;
	/* Double only when live entries need it; otherwise just drop tombstones. */
	if (m->used * 2 >= m->capacity)
		m->capacity *= 2;
	m->slots = hf_calloc(m->capacity, sizeof(*m->slots));
	m->filled = m->used;
	size_t mask = m->capacity - 1;
	for (size_t i = 0; i < old_capacity; i++) {
		if (!old[i].key)
			continue;
		size_t j = old[i].hash & mask;
		while (m->slots[j].key)
			j = (j + 1) & mask;
		m->slots[j] = old[i];
	}
	free(old);
}

void *hf_strmap_get(const struct hf_strmap *m, const char *key)
{
	struct slot *s = find(m, key, hf_hash_str(key));
	return s ? s->value : NULL;
}

bool hf_strmap_has(const struct hf_strmap *m, const char *key)
{
	return find(m, key, hf_hash_str(key)) != NULL;
}

void *hf_strmap_put(struct hf_strmap *m, const char *key, void *value)
{
	uint64_t hash = hf_hash_str(key);
	struct slot *s = find(m, key, hash);
	if (s) {
		void *old = s->value;
		s->value = value;
		return old;
	}
	/* Keep the load (with tombstones) under 3/4 so probes stay short. */
	if ((m->filled + 1) * 4 > m->capacity * 3)
		grow(m);
	size_t mask = m->capacity - 1;
	size_t i = hash & mask;
	while (m->slots[i].key)
		i = (i + 1) & mask;
	if (m->slots[i].value != TOMBSTONE)
		m->filled++;
	m->slots[i] = (struct slot){.key = hf_strdup(key), .value = value, .hash = hash};
	m->used++;
	return NULL;
}

void *hf_strmap_remove(struct hf_strmap *m, const char *key)
{
	struct slot *s = find(m, key, hf_hash_str(key));
	if (!s)
		return NULL;
	void *value = s->value;
	free(s->key);
	s->key = NULL;
	s->value = TOMBSTONE;
	m->used--;
	return value;
}

size_t hf_strmap_size(const struct hf_strmap *m)
{
	return m->used;
}

bool hf_strmap_next(const struct hf_strmap *m, struct hf_strmap_iter *it, const char **key,
		    void **value)
{
	while (it->next < m->capacity) {
		struct slot *s = &m->slots[it->next++];
		if (s->key) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			return true;
		}
	}
	return false;
}
