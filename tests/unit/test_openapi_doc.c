/* Unit tests of the embedded OpenAPI document and its HTML page
 * (controller/api/openapi_doc.c): the document is valid JSON, describes
 * exactly the routes the REST API serves, and is internally consistent. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/openapi_doc.h"

static const char *const methods[] = {"get",	 "put",	 "post",  "delete",
				      "options", "head", "patch", "trace"};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

#define V1 "/api/hyperfleet/v1"
/* Every route and exactly its methods (sorted as in methods[]). */
static const struct {
	const char *path;
	const char *methods;
} routes[] = {
	{"/api/hyperfleet", "get"},
	{V1 "/openapi", "get"},
	{V1 "/openapi.html", "get"},
	{V1 "/clusters", "get post"},
	{V1 "/clusters/{cluster_id}", "get delete patch"},
	{V1 "/clusters/{cluster_id}/force-delete", "post"},
	{V1 "/clusters/{cluster_id}/statuses", "get put post"},
	{V1 "/clusters/{cluster_id}/nodepools", "get post"},
	{V1 "/clusters/{cluster_id}/nodepools/{nodepool_id}", "get delete patch"},
	{V1 "/clusters/{cluster_id}/nodepools/{nodepool_id}/force-delete", "post"},
	{V1 "/clusters/{cluster_id}/nodepools/{nodepool_id}/statuses", "get put post"},
	{V1 "/nodepools", "get"},
	{V1 "/nodepools/{nodepool_id}", "get delete patch"},
	{V1 "/nodepools/{nodepool_id}/force-delete", "post"},
	{V1 "/nodepools/{nodepool_id}/statuses", "get put post"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static cJSON *doc;

static void load(void)
{
	size_t len = 0;
	const char *json = hf_openapi_json(&len);
	doc = cJSON_ParseWithLength(json, len);
	cr_assert_not_null(doc, "the embedded openapi.json does not parse near: %.60s",
			   cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
}

static void unload(void)
{
	cJSON_Delete(doc);
	doc = NULL;
}

TestSuite(openapi_doc, .init = load, .fini = unload);

/* resolve follows a local JSON pointer ("#/components/schemas/X") from the
 * document's root; NULL when it leads nowhere. */
static const cJSON *resolve_pointer(const char *ref)
{
	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	const cJSON *node = doc;
	const char *p = ref + 2;
	while (node && *p) {
		char seg[256];
		size_t n = 0;
		for (; *p && *p != '/'; p++) {
			char c = *p;
			if (c == '~' && (p[1] == '0' || p[1] == '1'))
				c = *++p == '0' ? '~' : '/';
			if (n + 1 >= sizeof(seg))
				return NULL;
			seg[n++] = c;
		}
		seg[n] = '\0';
		if (*p == '/')
			p++;
		node = cJSON_IsArray(node) ? NULL : cJSON_GetObjectItemCaseSensitive(node, seg);
	}
	return node;
}

/* deref follows $ref members until it reaches an object without one. */
static const cJSON *deref(const cJSON *node)
{
	for (int i = 0; node && i < 16; i++) {
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(node, "$ref");
		if (!cJSON_IsString(ref))
			return node;
		node = resolve_pointer(ref->valuestring);
	}
	return NULL;
}

static const cJSON *get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static bool is_method(const char *name)
{
	for (size_t i = 0; i < NMETHODS; i++)
		if (strcmp(methods[i], name) == 0)
			return true;
	return false;
}

/* for_each_operation calls fn for each operation of the document. */
static void for_each_operation(void (*fn)(const char *path, const char *method, const cJSON *op,
					  const cJSON *item, void *ctx),
			       void *ctx)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, get(doc, "paths"))
	{
		const cJSON *op;
		cJSON_ArrayForEach(op, item)
		{
			if (is_method(op->string))
				fn(item->string, op->string, op, item, ctx);
		}
	}
}

Test(openapi_doc, embedded_texts_are_nul_terminated)
{
	size_t jlen = 0, hlen = 0;
	const char *json = hf_openapi_json(&jlen);
	const char *html = hf_openapi_html(&hlen);
	cr_assert_gt(jlen, 1000);
	cr_assert_gt(hlen, 1000);
	cr_assert_eq(strlen(json), jlen, "openapi.json holds a NUL or lost its terminator");
	cr_assert_eq(strlen(html), hlen, "openapi.html holds a NUL or lost its terminator");
	cr_assert_eq(json[0], '{');
	cr_assert_eq(hf_openapi_json(NULL), json);
	cr_assert_eq(hf_openapi_html(NULL), html);
	cr_assert_eq(hf_openapi_json_size, jlen);
	cr_assert_eq(hf_openapi_html_size, hlen);
}

Test(openapi_doc, html_fetches_the_document)
{
	const char *html = hf_openapi_html(NULL);
	cr_assert_not_null(strstr(html, "<!DOCTYPE html>"));
	cr_assert_not_null(strstr(html, "fetch("));
	cr_assert_not_null(strstr(html, "\"/api/hyperfleet/v1/openapi\""),
			   "the page must load the document from its URL");
	cr_assert_null(strstr(html, "<script src="), "the page must be self-contained");
	cr_assert_null(strstr(html, "<link "), "the page must be self-contained");
	cr_assert_null(strstr(html, "https://cdn"), "the page must be self-contained");
}

Test(openapi_doc, is_openapi_3_0)
{
	const cJSON *v = get(doc, "openapi");
	cr_assert(cJSON_IsString(v));
	cr_assert_eq(strncmp(v->valuestring, "3.0.", 4), 0, "openapi is %s", v->valuestring);
	const cJSON *info = get(doc, "info");
	cr_assert(cJSON_IsString(get(info, "title")));
	cr_assert(cJSON_IsString(get(info, "version")));
	cr_assert(cJSON_IsString(get(info, "description")));
}

Test(openapi_doc, paths_have_exactly_the_served_methods)
{
	const cJSON *paths = get(doc, "paths");
	cr_assert(cJSON_IsObject(paths));
	cr_assert_eq((size_t)cJSON_GetArraySize(paths), NROUTES, "the document lists %d paths",
		     cJSON_GetArraySize(paths));
	for (size_t i = 0; i < NROUTES; i++) {
		const cJSON *item = get(paths, routes[i].path);
		cr_assert(cJSON_IsObject(item), "missing path %s", routes[i].path);
		char have[64] = "";
		for (size_t m = 0; m < NMETHODS; m++) {
			if (!get(item, methods[m]))
				continue;
			size_t n = strlen(have);
			snprintf(have + n, sizeof(have) - n, "%s%s", n ? " " : "", methods[m]);
		}
		cr_assert_str_eq(have, routes[i].methods, "methods of %s", routes[i].path);
	}
}

static void check_refs(const cJSON *node, int *count)
{
	const cJSON *child;
	cJSON_ArrayForEach(child, node)
	{
		if (child->string && strcmp(child->string, "$ref") == 0) {
			cr_assert(cJSON_IsString(child), "a $ref that is not a string");
			cr_assert_not_null(resolve_pointer(child->valuestring),
					   "$ref %s does not resolve", child->valuestring);
			(*count)++;
		}
		check_refs(child, count);
	}
}

Test(openapi_doc, every_ref_resolves)
{
	int count = 0;
	check_refs(doc, &count);
	cr_assert_gt(count, 100, "only %d references: the walk missed them", count);
}

struct op_check {
	const char *ids[128];
	size_t n;
};

static void check_operation(const char *path, const char *method, const cJSON *op,
			    const cJSON *item, void *ctx)
{
	(void)item;
	struct op_check *c = ctx;
	const cJSON *id = get(op, "operationId");
	cr_assert(cJSON_IsString(id) && id->valuestring[0], "%s %s has no operationId", method,
		  path);
	for (size_t i = 0; i < c->n; i++)
		cr_assert_str_neq(c->ids[i], id->valuestring, "operationId %s used twice",
				  id->valuestring);
	cr_assert_lt(c->n, sizeof(c->ids) / sizeof(c->ids[0]));
	c->ids[c->n++] = id->valuestring;
	cr_assert(cJSON_IsString(get(op, "summary")), "%s has no summary", id->valuestring);
	cr_assert(cJSON_IsArray(get(op, "tags")), "%s has no tags", id->valuestring);

	const cJSON *responses = get(op, "responses");
	cr_assert(cJSON_IsObject(responses) && cJSON_GetArraySize(responses) > 0,
		  "%s has no responses", id->valuestring);
	bool success = false;
	const cJSON *r;
	cJSON_ArrayForEach(r, responses)
	{
		const cJSON *resp = deref(r);
		cr_assert_not_null(resp);
		cr_assert(cJSON_IsString(get(resp, "description")), "%s %s: no description",
			  id->valuestring, r->string);
		cr_assert_not_null(get(get(resp, "headers"), "X-Request-ID"),
				   "%s %s does not document X-Request-ID", id->valuestring,
				   r->string);
		success = success || r->string[0] == '2';
		bool error = r->string[0] == '4' || r->string[0] == '5';
		const cJSON *content = get(resp, "content");
		if (error)
			cr_assert_not_null(get(content, "application/problem+json"),
					   "%s %s is not problem+json", id->valuestring, r->string);
		const cJSON *media;
		cJSON_ArrayForEach(media, content)
		{
			if (strcmp(media->string, "application/problem+json") != 0)
				continue;
			cr_assert(error, "%s %s: problem+json on a success", id->valuestring,
				  r->string);
			const cJSON *ref = get(get(media, "schema"), "$ref");
			cr_assert(cJSON_IsString(ref) &&
					  strcmp(ref->valuestring,
						 "#/components/schemas/ProblemDetails") == 0,
				  "%s %s: problem+json without the ProblemDetails schema",
				  id->valuestring, r->string);
		}
	}
	cr_assert(success, "%s has no success response", id->valuestring);
}

Test(openapi_doc, operations_are_complete)
{
	struct op_check c = {.n = 0};
	for_each_operation(check_operation, &c);
	cr_assert_eq(c.n, 29, "%zu operations", c.n);
}

/* has_path_param looks for parameter name "in: path" in a parameter list. */
static bool has_path_param(const cJSON *params, const char *name)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, params)
	{
		const cJSON *param = deref(p);
		if (cJSON_IsString(get(param, "name")) &&
		    strcmp(get(param, "name")->valuestring, name) == 0 &&
		    cJSON_IsString(get(param, "in")) &&
		    strcmp(get(param, "in")->valuestring, "path") == 0) {
			cr_assert(cJSON_IsTrue(get(param, "required")),
				  "path parameter %s optional", name);
			return true;
		}
	}
	return false;
}

static void check_path_params(const char *path, const char *method, const cJSON *op,
			      const cJSON *item, void *ctx)
{
	(void)ctx;
	int templated = 0;
	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		cr_assert_not_null(end);
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		cr_assert(has_path_param(get(op, "parameters"), name) ||
				  has_path_param(get(item, "parameters"), name),
			  "%s %s does not declare {%s}", method, path, name);
		templated++;
	}
	/* And no path parameter that the template lacks. */
	const cJSON *p;
	int declared = 0;
	cJSON_ArrayForEach(p, get(op, "parameters"))
	{
		const cJSON *param = deref(p);
		cr_assert_not_null(param);
		cr_assert(cJSON_IsString(get(param, "name")) && cJSON_IsString(get(param, "in")));
		if (strcmp(get(param, "in")->valuestring, "path") == 0)
			declared++;
	}
	cr_assert_eq(declared, templated, "%s %s: %d path parameters for %d placeholders", method,
		     path, declared, templated);
}

Test(openapi_doc, path_parameters_match_templates)
{
	for_each_operation(check_path_params, NULL);
}

Test(openapi_doc, problem_details_schema)
{
	const cJSON *pd = resolve_pointer("#/components/schemas/ProblemDetails");
	cr_assert_not_null(pd);
	const char *required[] = {"type", "title", "status"};
	const cJSON *req = get(pd, "required");
	for (size_t i = 0; i < 3; i++) {
		bool found = false;
		const cJSON *r;
		cJSON_ArrayForEach(r, req) found =
			found || strcmp(r->valuestring, required[i]) == 0;
		cr_assert(found, "ProblemDetails does not require %s", required[i]);
	}
	const char *props[] = {"type",	 "title",     "status",	    "detail",
			       "code",	 "timestamp", "instance",   "trace_id",
			       "errors", "error",     "cluster_id", "nodepool_id"};
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		cr_assert_not_null(get(get(pd, "properties"), props[i]), "ProblemDetails.%s",
				   props[i]);
}

Test(openapi_doc, security_and_headers)
{
	const cJSON *bearer = resolve_pointer("#/components/securitySchemes/BearerAuth");
	cr_assert_str_eq(get(bearer, "type")->valuestring, "http");
	cr_assert_str_eq(get(bearer, "scheme")->valuestring, "bearer");
	cr_assert_not_null(resolve_pointer("#/components/headers/X-Request-ID"));
	/* The metadata and the documentation need no credentials. */
	const char *public_paths[] = {"/api/hyperfleet", V1 "/openapi", V1 "/openapi.html"};
	for (size_t i = 0; i < 3; i++) {
		const cJSON *sec =
			get(get(get(get(doc, "paths"), public_paths[i]), "get"), "security");
		cr_assert(cJSON_IsArray(sec) && cJSON_GetArraySize(sec) == 0, "%s is not public",
			  public_paths[i]);
	}
	/* The 429 answer says when to retry. */
	cr_assert_not_null(
		resolve_pointer("#/components/responses/TooManyRequests/headers/Retry-After"));
}

Test(openapi_doc, seed_examples_present)
{
	const char *json = hf_openapi_json(NULL);
	cr_assert_not_null(strstr(json, "Invalid region 'invalid-region' for provider gcp. "
					"Supported regions: us-east1, us-west1, ..."));
	cr_assert_not_null(strstr(json, "Invalid phase value 'InvalidPhase'. Supported values: "
					"Not Ready, Ready"));
	cr_assert_not_null(strstr(json, "Invalid label filter format. Expected format: key:value"));
}
