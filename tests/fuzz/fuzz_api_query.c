/* Fuzz target: a REST request as the HTTP server hands it over: its path
 * (the first line), routed, and its query parameters (the other lines:
 * page, size, order, fields, search, phase, labels, ...), parsed and then
 * used to filter and render a small list. */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_private.h"
#include "api/list.h"
#include "api/rest.h"
#include "util/alloc.h"

static struct hf_api_row *fixture(void)
{
	const char *json =
		"{\"metadata\":{\"name\":\"east\",\"uid\":\"u1\",\"generation\":2,"
		"\"creationTimestamp\":\"2026-01-02T03:04:05Z\",\"labels\":{\"env\":\"prod\"}},"
		"\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\",\"nodeCount\":3},"
		"\"status\":{\"phase\":\"Ready\",\"conditions\":[{\"type\":\"Reconciled\","
		"\"status\":\"True\",\"lastUpdateTime\":\"2026-01-02T03:04:05Z\"}]}}";
	cJSON *o = cJSON_Parse(json);
	struct hf_api_row *r = hf_calloc(1, sizeof(*r));
	atomic_init(&r->refs, 1);
	r->id = hf_strdup("u1");
	r->ns = hf_strdup("ns");
	r->name = hf_strdup("east");
	r->rv = hf_strdup("7");
	r->rest = hf_rest_resource(HF_KIND_CLUSTER, o, NULL);
	r->json = cJSON_PrintUnformatted(r->rest);
	r->json_len = strlen(r->json);
	cJSON_Delete(o);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hf_api_row *row;
	if (!row)
		row = fixture();
	/* Parameters are separated by newlines (the server has decoded them). */
	char *text = hf_strndup((const char *)data, size);
	char *params[32];
	size_t n = 0;
	for (char *p = text; p && n < 32;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		params[n++] = p;
		p = nl ? nl + 1 : NULL;
	}
	struct hf_api_target target;
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	for (size_t m = 0; n && m < 5; m++) {
		const char *allow = hf_api_route_match(params[0], methods[m], &target);
		if (*allow && (strlen(target.id) >= sizeof(target.id) ||
			       strlen(target.cluster_id) >= sizeof(target.cluster_id)))
			abort(); /* ids must fit their buffers */
	}
	struct hf_http_request req = {.params = (const char *const *)(params + (n > 0)),
				      .nparams = n > 0 ? n - 1 : 0};
	for (int kind = 0; kind < 2; kind++) {
		struct hf_api_list_query q;
		struct hf_problem p;
		if (hf_api_list_query_parse(&req, (enum hf_kind)kind, &q, &p) == HF_OK) {
			struct hf_api_row *rows[] = {row, row};
			free(hf_api_list_render(&q, rows, 2));
			free(hf_api_project(&q, row));
		} else {
			cJSON_Delete(p.errors);
		}
		hf_api_list_query_free(&q);
	}
	free(text);
	return 0;
}
