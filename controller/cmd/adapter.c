/*
 * adapter.c: `hyperfleet adapter lint` and `hyperfleet adapter dry-run`,
 * the adapter engine without a cluster (docs/adapters.md).
 */
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter/config.h"
#include "adapter/source.h"
#include "adapter/step.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/rfc3339.h"

#define INPUT_MAX (8 * 1024 * 1024)

const char hf_cmd_adapter_lint_usage[] =
	"Usage: hyperfleet adapter lint FILE...\n"
	"\n"
	"Checks each Adapter config file (YAML or JSON: one Adapter, several YAML\n"
	"documents, a list, or a List with items) as the controller does when one is\n"
	"applied: the schema, every CEL expression and every ${} template, with the\n"
	"variables each place may use. Prints FILE:LINE: PATH: MESSAGE for each error\n"
	"(MESSAGE starts with LINE:COLUMN inside the expression when it is about one)\n"
	"and exits 1; prints FILE: ok and exits 0 when every file is valid.\n";

/* read_file reads path ('-' is standard input) into out, at most INPUT_MAX
 * bytes. On failure prints why to stderr. */
static bool read_file(const char *cmd, const char *path, struct hf_buf *out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[8192];
	size_t n;
	bool ok = true;
	if (!f) {
		fprintf(stderr, "hyperfleet adapter %s: %s: %s\n", cmd, path, strerror(errno));
		return false;
	}
	hf_buf_init(out, INPUT_MAX);
	while (ok && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (hf_buf_append(out, chunk, n) != HF_OK) {
			fprintf(stderr, "hyperfleet adapter %s: %s: larger than %d bytes\n", cmd,
				path, INPUT_MAX);
			ok = false;
		}
	if (ok && ferror(f)) {
		fprintf(stderr, "hyperfleet adapter %s: %s: read error\n", cmd, path);
		ok = false;
	}
	if (f != stdin)
		fclose(f);
	if (!ok)
		hf_buf_free(out);
	return ok;
}

static void print_errors(FILE *out, const char *file, const struct hf_adapter_source *s)
{
	for (size_t i = 0; i < s->nerrors; i++) {
		const struct hf_adapter_source_error *e = &s->errors[i];
		fprintf(out, "%s:%d: %s%s%s\n", file, e->line, e->path, e->path[0] ? ": " : "",
			e->message);
	}
}

int hf_cmd_adapter_lint(int argc, char **argv)
{
	int status = HF_EXIT_OK;
	if (argc < 2) {
		fputs("hyperfleet adapter lint: no files given\n", stderr);
		fputs(hf_cmd_adapter_lint_usage, stderr);
		return HF_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		struct hf_buf text;
		struct hf_adapter_source s;
		if (!read_file("lint", argv[i], &text)) {
			status = HF_EXIT_FAILURE;
			continue;
		}
		enum hf_err err = hf_adapter_source_parse(hf_buf_str(&text), text.len, &s);
		if (err == HF_OK && s.nobjects == 0) {
			fprintf(stdout, "%s:1: no Adapter in this file\n", argv[i]);
			status = HF_EXIT_FAILURE;
		} else if (err == HF_OK) {
			fprintf(stdout, "%s: ok\n", argv[i]);
		} else {
			print_errors(stdout, argv[i], &s);
			status = HF_EXIT_FAILURE;
		}
		hf_adapter_source_clear(&s);
		hf_buf_free(&text);
	}
	fflush(stdout);
	return status;
}

const char hf_cmd_adapter_dry_run_usage[] =
	"Usage: hyperfleet adapter dry-run --adapter FILE --resource FILE [options]\n"
	"\n"
	"Runs the adapter engine's decision core on the given objects without a cluster\n"
	"and prints each step: the params, each precondition, every rendered object with\n"
	"its action (create, update, recreate, keep, delete) and the report it would\n"
	"write. Files are YAML or JSON. Exits 0 when it ran (also when a precondition\n"
	"is not met or an expression failed: the report says so), 1 on unusable inputs.\n"
	"\n"
	"Options:\n"
	"  --adapter FILE    the Adapter (one)\n"
	"  --resource FILE   the Cluster or NodePool, as Kubernetes JSON or YAML\n"
	"  --cluster FILE    the NodePool's Cluster (NodePool adapters)\n"
	"  --observed FILE   what the cluster holds: resource name -> object, null (absent),\n"
	"                    or {object, error, terminationMessage}\n"
	"  --reports FILE    other adapters' reports (a list of status.adapters entries or\n"
	"                    a map by name); default: the resource's status.adapters\n"
	"  --catalog FILE    the provider catalog (a ProviderCatalog or its providers map)\n"
	"  --now TIME        the clock, RFC 3339 (default: the wall clock)\n"
	"  --output FORMAT   text (default) or json\n";

/* load_json reads a YAML or JSON file into a tree (NULL after printing why). */
static cJSON *load_json(const char *path)
{
	struct hf_buf text;
	char *error = NULL;
	if (!read_file("dry-run", path, &text))
		return NULL;
	cJSON *j = hf_adapter_source_parse_json(hf_buf_str(&text), text.len, &error);
	if (!j)
		fprintf(stderr, "hyperfleet adapter dry-run: %s:%s\n", path,
			error ? error : " cannot parse");
	free(error);
	hf_buf_free(&text);
	return j;
}

static cJSON *report_json(const struct hf_report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "adapter", r->adapter ? r->adapter : "");
	cJSON_AddNumberToObject(o, "observed_generation", (double)r->observed_generation);
	cJSON_AddStringToObject(o, "observed_time", r->observed_time);
	cJSON_AddItemToObject(o, "conditions", cJSON_Duplicate(r->conditions, true));
	if (r->data)
		cJSON_AddItemToObject(o, "data", cJSON_Duplicate(r->data, true));
	if (r->metadata)
		cJSON_AddItemToObject(o, "metadata", cJSON_Duplicate(r->metadata, true));
	return o;
}

static cJSON *result_json(const struct hf_adapter_result *res)
{
	cJSON *o = cJSON_CreateObject(), *steps = cJSON_AddArrayToObject(o, "decisions");
	for (size_t i = 0; i < res->ndecisions; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "phase", res->decisions[i].phase);
		cJSON_AddStringToObject(d, "name", res->decisions[i].name);
		cJSON_AddStringToObject(d, "outcome", res->decisions[i].outcome);
		cJSON_AddBoolToObject(d, "ok", res->decisions[i].ok);
		cJSON_AddItemToArray(steps, d);
	}
	cJSON_AddItemToObject(o, "params", cJSON_Duplicate(res->params, true));
	if (res->unmet)
		cJSON_AddStringToObject(o, "unmetPrecondition", res->unmet);
	if (res->error)
		cJSON_AddStringToObject(o, "error", res->error);
	cJSON_AddBoolToObject(o, "deleting", res->deleting);
	cJSON *objs = cJSON_AddArrayToObject(o, "objects");
	for (size_t i = 0; i < res->nobjects; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "resource", res->objects[i].resource);
		cJSON_AddStringToObject(d, "action",
					hf_adapter_action_name(res->objects[i].action));
		cJSON_AddStringToObject(d, "name", res->objects[i].name);
		cJSON_AddStringToObject(d, "selector", res->objects[i].selector);
		if (res->objects[i].manifest)
			cJSON_AddItemToObject(d, "manifest",
					      cJSON_Duplicate(res->objects[i].manifest, true));
		cJSON_AddItemToArray(objs, d);
	}
	cJSON_AddItemToObject(o, "report", report_json(&res->report));
	return o;
}

static void print_json(FILE *out, const cJSON *j)
{
	char *text = cJSON_Print(j);
	fprintf(out, "%s\n", text ? text : "null");
	free(text);
}

static void print_text(FILE *out, const struct hf_adapter *a, const cJSON *resource,
		       const struct hf_adapter_result *res)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(resource, "metadata");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "name"));
	fprintf(out, "adapter %s (%s%s) on %s %s, generation %lld%s\n", a->name,
		a->target == HF_ADAPTER_NODEPOOL ? "NodePool" : "Cluster",
		a->required ? ", required" : "",
		a->target == HF_ADAPTER_NODEPOOL ? "NodePool" : "Cluster", name ? name : "?",
		res->report.observed_generation, res->deleting ? ", being deleted" : "");
	fputs("\nsteps:\n", out);
	for (size_t i = 0; i < res->ndecisions; i++)
		fprintf(out, "  %s %-12s %s: %s\n", res->decisions[i].ok ? " " : "!",
			res->decisions[i].phase, res->decisions[i].name, res->decisions[i].outcome);
	if (res->unmet)
		fprintf(out, "\nno objects: precondition %s is not met\n", res->unmet);
	else if (res->error && !res->nobjects)
		fprintf(out, "\nno objects: %s\n", res->error);
	for (size_t i = 0; i < res->nobjects; i++) {
		const struct hf_adapter_object *o = &res->objects[i];
		fprintf(out, "\nobject %s: %s %s\n  selector %s\n", o->resource,
			hf_adapter_action_name(o->action), o->name, o->selector);
		if (o->manifest)
			print_json(out, o->manifest);
	}
	fputs("\nreport:\n", out);
	cJSON *r = report_json(&res->report);
	print_json(out, r);
	cJSON_Delete(r);
}

/* observed_list turns the --observed map into the core's array; the
 * trees stay owned by map. */
static bool observed_list(const cJSON *map, struct hf_adapter_observed **out, size_t *n)
{
	const cJSON *e;
	*out = hf_calloc((size_t)cJSON_GetArraySize(map) + 1, sizeof(**out));
	*n = 0;
	if (!cJSON_IsObject(map)) {
		fputs("hyperfleet adapter dry-run: --observed must hold an object (resource name -> object)\n",
		      stderr);
		return false;
	}
	cJSON_ArrayForEach(e, map)
	{
		struct hf_adapter_observed *o = &(*out)[(*n)++];
		o->resource = e->string;
		if (cJSON_IsNull(e))
			continue;
		if (!cJSON_IsObject(e)) {
			fprintf(stderr,
				"hyperfleet adapter dry-run: --observed: %s must be an object or null\n",
				e->string);
			return false;
		}
		if (cJSON_GetObjectItemCaseSensitive(e, "apiVersion")) {
			o->object = e;
			continue;
		}
		const cJSON *obj = cJSON_GetObjectItemCaseSensitive(e, "object");
		o->object = cJSON_IsObject(obj) ? obj : NULL;
		o->error = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "error"));
		o->termination_message = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "terminationMessage"));
	}
	return true;
}

int hf_cmd_adapter_dry_run(int argc, char **argv)
{
	static const struct option options[] = {
		{"adapter", required_argument, NULL, 'a'},
		{"resource", required_argument, NULL, 'r'},
		{"cluster", required_argument, NULL, 'c'},
		{"observed", required_argument, NULL, 'o'},
		{"reports", required_argument, NULL, 'p'},
		{"catalog", required_argument, NULL, 'k'},
		{"now", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	const char *files[6] = {0}; /* adapter resource cluster observed reports catalog */
	const char *now_s = NULL, *format = "text";
	int c, status = HF_EXIT_FAILURE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'a': files[0] = optarg; break;
		case 'r': files[1] = optarg; break;
		case 'c': files[2] = optarg; break;
		case 'o': files[3] = optarg; break;
		case 'p': files[4] = optarg; break;
		case 'k': files[5] = optarg; break;
		case 'n': now_s = optarg; break;
		case 'f': format = optarg; break;
		default:
			fprintf(stderr,
				"hyperfleet adapter dry-run: unknown option or missing value '%s'\n",
				argv[optind - 1]);
			return HF_EXIT_USAGE;
		}
	}
	if (optind < argc || !files[0] || !files[1]) {
		fputs("hyperfleet adapter dry-run: --adapter and --resource are required\n",
		      stderr);
		return HF_EXIT_USAGE;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr,
			"hyperfleet adapter dry-run: --output must be text or json, not '%s'\n",
			format);
		return HF_EXIT_USAGE;
	}
	double now = hf_rfc3339_now();
	if (now_s && !hf_rfc3339_parse(now_s, &now)) {
		fprintf(stderr,
			"hyperfleet adapter dry-run: --now must be an RFC 3339 time, not '%s'\n",
			now_s);
		return HF_EXIT_USAGE;
	}

	struct hf_buf text;
	struct hf_adapter_source src = {0};
	cJSON *in[6] = {0};
	struct hf_adapter_observed *obs = NULL;
	size_t nobs = 0;
	struct hf_adapter_result res = {0};
	bool have_result = false;
	cJSON *env = hf_adapter_env(environ);

	if (!read_file("dry-run", files[0], &text))
		goto out;
	enum hf_err err = hf_adapter_source_parse(hf_buf_str(&text), text.len, &src);
	hf_buf_free(&text);
	if (err) {
		print_errors(stderr, files[0], &src);
		goto out;
	}
	if (src.count != 1) {
		fprintf(stderr, "hyperfleet adapter dry-run: %s: holds %zu Adapters, give one\n",
			files[0], src.count);
		goto out;
	}
	for (int i = 1; i < 6; i++)
		if (files[i] && !(in[i] = load_json(files[i])))
			goto out;
	if (in[3] && !observed_list(in[3], &obs, &nobs))
		goto out;
	const cJSON *catalog = in[5];
	const cJSON *providers = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(catalog, "spec"), "providers");
	if (providers)
		catalog = providers;
	struct hf_adapter_input input = {
		.adapter = src.adapters[0],
		.resource = in[1],
		.cluster = in[2],
		.reports = in[4],
		.catalog = catalog,
		.env = env,
		.observed = obs,
		.nobserved = nobs,
		.now = now,
	};
	have_result = true;
	if (hf_adapter_step(&input, &res) != HF_OK) {
		fprintf(stderr, "hyperfleet adapter dry-run: %s\n", res.error);
		goto out;
	}
	if (!strcmp(format, "json")) {
		cJSON *j = result_json(&res);
		print_json(stdout, j);
		cJSON_Delete(j);
	} else {
		print_text(stdout, src.adapters[0], in[1], &res);
	}
	fflush(stdout);
	status = HF_EXIT_OK;
out:
	if (have_result)
		hf_adapter_result_clear(&res);
	free(obs);
	for (int i = 1; i < 6; i++)
		cJSON_Delete(in[i]);
	cJSON_Delete(env);
	hf_adapter_source_clear(&src);
	return status;
}
