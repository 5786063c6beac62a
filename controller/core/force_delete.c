#include <stddef.h>

#include "core/core.h"
#include "kube/object.h"
#include "util/buf.h"

/* Removes every finalizer: the controller's, and any an adapter left. */
#define DROP_FINALIZERS "{\"metadata\":{\"finalizers\":null}}"

static enum hf_err release(struct hf_core *c, const struct hf_kube_resource *res, const char *ns,
			   const char *name, struct hf_kube_error *kerr)
{
	struct hf_buf body;
	hf_buf_init(&body, 0);
	enum hf_err err = hf_kube_patch(c->client, res, ns, name, NULL, HF_PATCH_MERGE, false,
					DROP_FINALIZERS, &body, kerr);
	hf_buf_free(&body);
	if (!err)
		err = hf_kube_delete(c->client, res, ns, name, NULL, kerr);
	/* Gone already (at the patch or right after it) is what we want. */
	if (err == HF_ERR_HTTP && kerr->http_code == 404) {
		hf_kube_error_clear(kerr);
		err = HF_OK;
	}
	return err;
}

enum hf_err hf_core_force_delete(struct hf_core *c, enum hf_kind kind, const char *ns,
				 const char *name, struct hf_kube_error *kerr)
{
	enum hf_err err = HF_OK;
	if (kind == HF_KIND_CLUSTER && c->nodepools) {
		struct hf_obj_list pools = {0};
		hf_store_list_by_cluster(c->nodepools, ns, name, &pools);
		for (size_t i = 0; i < pools.n && !err; i++)
			err = release(c, &HF_RES_NODEPOOLS, ns, pools.items[i]->name, kerr);
		hf_obj_list_free(&pools);
	}
	if (!err)
		err = release(c, hf_kind_info(kind)->resource, ns, name, kerr);
	return err;
}
