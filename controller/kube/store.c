#include "kube/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/strmap.h"

/* The indexes map a value to a set of keys: a strmap whose values are this
 * marker, because strmap values must not be NULL. */
static char member;
#define MEMBER ((void *)&member)

struct hf_store {
	pthread_rwlock_t lock;
	struct hf_strmap *items;      /* key -> struct hf_obj* (one reference) */
	struct hf_strmap *by_uid;     /* uid -> struct hf_obj* (borrowed from items) */
	struct hf_strmap *by_label;   /* "k=v" -> set of keys */
	struct hf_strmap *by_cluster; /* "ns/cluster" -> set of keys */
	size_t bytes;
	unsigned long long version;
};

struct hf_store *hf_store_new(void)
{
	struct hf_store *s = hf_calloc(1, sizeof(*s));
	pthread_rwlock_init(&s->lock, NULL);
	s->items = hf_strmap_new();
	s->by_uid = hf_strmap_new();
	s->by_label = hf_strmap_new();
	s->by_cluster = hf_strmap_new();
	return s;
}

static void free_obj(void *o)
{
	hf_obj_unref(o);
}

static void free_set(void *set)
{
	hf_strmap_free(set, NULL);
}

void hf_store_free(struct hf_store *s)
{
	if (!s)
		return;
	hf_strmap_free(s->items, free_obj);
	hf_strmap_free(s->by_uid, NULL);
	hf_strmap_free(s->by_label, free_set);
	hf_strmap_free(s->by_cluster, free_set);
	pthread_rwlock_destroy(&s->lock);
	free(s);
}

static void index_add(struct hf_strmap *index, const char *value, const char *key)
{
	struct hf_strmap *set = hf_strmap_get(index, value);
	if (!set) {
		set = hf_strmap_new_sized(1);
		hf_strmap_put(index, value, set);
	}
	hf_strmap_put(set, key, MEMBER);
}

static void index_remove(struct hf_strmap *index, const char *value, const char *key)
{
	struct hf_strmap *set = hf_strmap_get(index, value);
	if (!set)
		return;
	hf_strmap_remove(set, key);
	if (hf_strmap_size(set) == 0)
		hf_strmap_free(hf_strmap_remove(index, value), NULL);
}

/* index_values calls fn for every (index, value) pair obj is indexed under. */
static void index_each(struct hf_store *s, const struct hf_obj *o,
		       void (*fn)(struct hf_strmap *, const char *, const char *))
{
	char *v;
	for (size_t i = 0; i < o->nlabels; i++) {
		v = hf_asprintf("%s=%s", o->labels[2 * i], o->labels[2 * i + 1]);
		fn(s->by_label, v, o->key);
		free(v);
	}
	if (o->cluster) {
		v = hf_asprintf("%s/%s", o->ns, o->cluster);
		fn(s->by_cluster, v, o->key);
		free(v);
	}
}

static void unindex(struct hf_store *s, const struct hf_obj *o)
{
	if (o->uid[0] && hf_strmap_get(s->by_uid, o->uid) == o)
		hf_strmap_remove(s->by_uid, o->uid);
	index_each(s, o, index_remove);
	s->bytes -= hf_obj_size(o);
}

struct hf_obj *hf_store_put(struct hf_store *s, struct hf_obj *obj)
{
	pthread_rwlock_wrlock(&s->lock);
	struct hf_obj *old = hf_strmap_put(s->items, obj->key, obj);
	if (old)
		unindex(s, old);
	if (obj->uid[0])
		hf_strmap_put(s->by_uid, obj->uid, obj);
	index_each(s, obj, index_add);
	s->bytes += hf_obj_size(obj);
	s->version++;
	pthread_rwlock_unlock(&s->lock);
	return old;
}

struct hf_obj *hf_store_remove(struct hf_store *s, const char *key)
{
	pthread_rwlock_wrlock(&s->lock);
	struct hf_obj *old = hf_strmap_remove(s->items, key);
	if (old)
		unindex(s, old);
	s->version++;
	pthread_rwlock_unlock(&s->lock);
	return old;
}

struct hf_obj *hf_store_get(struct hf_store *s, const char *key)
{
	pthread_rwlock_rdlock(&s->lock);
	struct hf_obj *o = hf_obj_ref(hf_strmap_get(s->items, key));
	pthread_rwlock_unlock(&s->lock);
	return o;
}

struct hf_obj *hf_store_get_by_uid(struct hf_store *s, const char *uid)
{
	pthread_rwlock_rdlock(&s->lock);
	struct hf_obj *o = hf_obj_ref(hf_strmap_get(s->by_uid, uid));
	pthread_rwlock_unlock(&s->lock);
	return o;
}

void hf_store_list(struct hf_store *s, struct hf_obj_list *out)
{
	pthread_rwlock_rdlock(&s->lock);
	out->n = 0;
	out->items = hf_malloc(hf_strmap_size(s->items) * sizeof(*out->items));
	struct hf_strmap_iter it = HF_STRMAP_ITER_INIT;
	void *value;
	while (hf_strmap_next(s->items, &it, NULL, &value))
		out->items[out->n++] = hf_obj_ref(value);
	pthread_rwlock_unlock(&s->lock);
}

/* list_set fills out with the objects whose keys are in the set index[value]. */
static void list_set(struct hf_store *s, struct hf_strmap *index, const char *value,
		     struct hf_obj_list *out)
{
	pthread_rwlock_rdlock(&s->lock);
	struct hf_strmap *set = hf_strmap_get(index, value);
	out->n = 0;
	out->items = hf_malloc((set ? hf_strmap_size(set) : 0) * sizeof(*out->items));
	struct hf_strmap_iter it = HF_STRMAP_ITER_INIT;
	const char *key;
	while (set && hf_strmap_next(set, &it, &key, NULL))
		out->items[out->n++] = hf_obj_ref(hf_strmap_get(s->items, key));
	pthread_rwlock_unlock(&s->lock);
}

void hf_store_list_by_label(struct hf_store *s, const char *key, const char *value,
			    struct hf_obj_list *out)
{
	char *v = hf_asprintf("%s=%s", key, value);
	list_set(s, s->by_label, v, out);
	free(v);
}

void hf_store_list_by_cluster(struct hf_store *s, const char *ns, const char *cluster,
			      struct hf_obj_list *out)
{
	char *v = hf_asprintf("%s/%s", ns, cluster);
	list_set(s, s->by_cluster, v, out);
	free(v);
}

size_t hf_store_len(struct hf_store *s)
{
	pthread_rwlock_rdlock(&s->lock);
	size_t n = hf_strmap_size(s->items);
	pthread_rwlock_unlock(&s->lock);
	return n;
}

unsigned long long hf_store_version(struct hf_store *s)
{
	pthread_rwlock_rdlock(&s->lock);
	unsigned long long v = s->version;
	pthread_rwlock_unlock(&s->lock);
	return v;
}

size_t hf_store_bytes(struct hf_store *s)
{
	pthread_rwlock_rdlock(&s->lock);
	size_t n = s->bytes;
	pthread_rwlock_unlock(&s->lock);
	return n;
}
