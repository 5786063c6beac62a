/* Unit tests of cached objects and the store's indexes
 * (controller/kube/object.c, controller/kube/store.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kube/store.h"
#include "util/alloc.h"

static struct hf_obj *obj(const char *ns, const char *name, const char *uid, const char *rv,
			  const char *labels_json)
{
	char *json =
		hf_asprintf("{\"kind\":\"NodePool\",\"metadata\":{\"name\":\"%s\",\"namespace\":"
			    "\"%s\",\"uid\":\"%s\",\"resourceVersion\":\"%s\",\"generation\":3,"
			    "\"labels\":%s},\"spec\":{\"nodeCount\":3}}",
			    name, ns, uid, rv, labels_json);
	struct hf_obj *o = hf_obj_new_json(json, strlen(json));
	free(json);
	cr_assert_not_null(o);
	return o;
}

Test(object, extracts_the_indexed_fields_and_keeps_compact_json)
{
	const char *json = "{ \"kind\": \"NodePool\", \"metadata\": { \"name\": \"east.gpu\", "
			   "\"namespace\": \"team-a\", \"uid\": \"u-1\", \"resourceVersion\": "
			   "\"77\", \"generation\": 4, \"deletionTimestamp\": "
			   "\"2026-11-22T00:00:00Z\", \"labels\": { \"workload\": \"gpu\" } }, "
			   "\"spec\": { \"clusterName\": \"east\" } }";
	struct hf_obj *o = hf_obj_new_json(json, strlen(json));
	cr_assert_not_null(o);
	cr_assert_str_eq(o->key, "team-a/east.gpu");
	cr_assert_str_eq(o->ns, "team-a");
	cr_assert_str_eq(o->name, "east.gpu");
	cr_assert_str_eq(o->uid, "u-1");
	cr_assert_str_eq(o->resource_version, "77");
	cr_assert_eq(o->generation, 4);
	cr_assert(o->deleting);
	cr_assert_str_eq(o->cluster, "east", "a NodePool's cluster comes from spec.clusterName");
	cr_assert_str_eq(hf_obj_label(o, "workload"), "gpu");
	cr_assert_null(hf_obj_label(o, "missing"));
	cr_assert_null(strchr(o->json, ' '), "stored JSON is compact: %s", o->json);
	cr_assert_eq(o->json_len, strlen(o->json));
	cr_assert_lt(hf_obj_size(o), o->json_len + 256, "little overhead beyond the JSON text");
	hf_obj_unref(o);
}

Test(object, cluster_label_wins_and_cluster_scoped_keys_have_no_namespace)
{
	const char *json =
		"{\"metadata\":{\"name\":\"x\",\"labels\":{\"hyperfleet.io/cluster-name\":"
		"\"west\"}},\"spec\":{\"clusterName\":\"east\"}}";
	struct hf_obj *o = hf_obj_new_json(json, strlen(json));
	cr_assert_str_eq(o->key, "x");
	cr_assert_str_eq(o->ns, "");
	cr_assert_str_eq(o->cluster, "west");
	hf_obj_unref(o);
}

Test(object, drops_managed_fields)
{
	const char *json =
		"{\"metadata\":{\"name\":\"x\",\"managedFields\":[{\"manager\":\"kubectl\","
		"\"fieldsV1\":{\"f:spec\":{}}}]},\"spec\":{\"a\":1}}";
	struct hf_obj *o = hf_obj_new_json(json, strlen(json));
	cr_assert_str_eq(o->json, "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"a\":1}}");
	hf_obj_unref(o);
}

Test(object, rejects_what_is_not_an_object_with_a_name)
{
	cr_assert_null(hf_obj_new_json("[]", 2));
	cr_assert_null(hf_obj_new_json("{\"metadata\":{}}", 15));
	cr_assert_null(hf_obj_new_json("{\"metadata\":", 12));
}

Test(store, get_put_remove_and_references)
{
	struct hf_store *s = hf_store_new();
	struct hf_obj *a = obj("ns", "a", "uid-a", "1", "{}");
	cr_assert_null(hf_store_put(s, a));
	struct hf_obj *got = hf_store_get(s, "ns/a");
	cr_assert_eq(got, a);
	cr_assert_eq(atomic_load(&got->refs), 2, "the reader holds its own reference");

	struct hf_obj *a2 = obj("ns", "a", "uid-a", "2", "{}");
	struct hf_obj *old = hf_store_put(s, a2);
	cr_assert_eq(old, a, "put returns the replaced object");
	hf_obj_unref(old);
	cr_assert_str_eq(got->resource_version, "1", "a reader's object never changes");
	hf_obj_unref(got);

	cr_assert_eq(hf_store_len(s), 1);
	struct hf_obj *removed = hf_store_remove(s, "ns/a");
	cr_assert_eq(removed, a2);
	hf_obj_unref(removed);
	cr_assert_null(hf_store_get(s, "ns/a"));
	cr_assert_null(hf_store_remove(s, "ns/a"));
	cr_assert_eq(hf_store_len(s), 0);
	cr_assert_eq(hf_store_bytes(s), 0);
	hf_store_free(s);
}

Test(store, indexes_follow_updates_and_removals)
{
	struct hf_store *s = hf_store_new();
	hf_store_put(s, obj("ns", "east.a", "u1", "1",
			    "{\"env\":\"prod\",\"hyperfleet.io/cluster-name\":\"east\"}"));
	hf_store_put(s, obj("ns", "east.b", "u2", "1",
			    "{\"env\":\"dev\",\"hyperfleet.io/cluster-name\":\"east\"}"));
	hf_store_put(s, obj("ns", "west.a", "u3", "1",
			    "{\"env\":\"prod\",\"hyperfleet.io/cluster-name\":\"west\"}"));
	hf_store_put(
		s, obj("other", "east.a", "u4", "1", "{\"hyperfleet.io/cluster-name\":\"east\"}"));

	struct hf_obj_list l;
	hf_store_list_by_label(s, "env", "prod", &l);
	cr_assert_eq(l.n, 2);
	hf_obj_list_free(&l);
	hf_store_list_by_cluster(s, "ns", "east", &l);
	cr_assert_eq(l.n, 2, "the cluster index is per namespace");
	hf_obj_list_free(&l);

	struct hf_obj *by_uid = hf_store_get_by_uid(s, "u3");
	cr_assert_str_eq(by_uid->key, "ns/west.a");
	hf_obj_unref(by_uid);

	/* An update that changes a label moves the object between sets. */
	hf_obj_unref(
		hf_store_put(s, obj("ns", "east.b", "u2", "2",
				    "{\"env\":\"prod\",\"hyperfleet.io/cluster-name\":\"east\"}")));
	hf_store_list_by_label(s, "env", "prod", &l);
	cr_assert_eq(l.n, 3);
	hf_obj_list_free(&l);
	hf_store_list_by_label(s, "env", "dev", &l);
	cr_assert_eq(l.n, 0);
	hf_obj_list_free(&l);

	hf_obj_unref(hf_store_remove(s, "ns/east.a"));
	hf_store_list_by_cluster(s, "ns", "east", &l);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.items[0]->key, "ns/east.b");
	hf_obj_list_free(&l);
	cr_assert_null(hf_store_get_by_uid(s, "u1"));

	hf_store_list(s, &l);
	cr_assert_eq(l.n, 3);
	hf_obj_list_free(&l);
	hf_store_free(s);
}

Test(store, many_objects)
{
	struct hf_store *s = hf_store_new();
	size_t bytes = 0;
	for (int i = 0; i < 5000; i++) {
		char name[32], uid[32], labels[64];
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(uid, sizeof(uid), "uid-%d", i);
		snprintf(labels, sizeof(labels), "{\"shard\":\"%d\"}", i % 10);
		struct hf_obj *o = obj("ns", name, uid, "1", labels);
		bytes += hf_obj_size(o);
		hf_store_put(s, o);
	}
	cr_assert_eq(hf_store_len(s), 5000);
	cr_assert_eq(hf_store_bytes(s), bytes);
	struct hf_obj_list l;
	hf_store_list_by_label(s, "shard", "7", &l);
	cr_assert_eq(l.n, 500);
	hf_obj_list_free(&l);
	for (int i = 0; i < 5000; i += 2) {
		char key[32];
		snprintf(key, sizeof(key), "ns/c%d", i);
		hf_obj_unref(hf_store_remove(s, key));
	}
	cr_assert_eq(hf_store_len(s), 2500);
	struct hf_obj *o = hf_store_get_by_uid(s, "uid-4999");
	cr_assert_not_null(o);
	hf_obj_unref(o);
	cr_assert_null(hf_store_get_by_uid(s, "uid-4998"));
	hf_store_free(s);
}
