/*
 * report.c: `hyperfleet report`, which writes one adapter report about a
 * Cluster or NodePool through the same path the adapter engine and the
 * REST API use (validation, discard rules, aggregation, one write). For
 * external adapters, scripts and tests.
 */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "core/core.h"
#include "kube/config.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/rfc3339.h"

const char hf_cmd_report_usage[] =
	"Usage: hyperfleet report [options] cluster|nodepool NAMESPACE/NAME\n"
	"\n"
	"Reads an adapter report (JSON, as the REST API's statuses endpoint takes it:\n"
	"adapter, observed_generation, observed_time, conditions, data, metadata) from\n"
	"--file or standard input and writes it into the resource's status. Prints the\n"
	"outcome as JSON: stored (with the stored entry) or discarded (with why).\n"
	"Exits 0 when stored or discarded, 2 when the report is invalid, 1 on errors.\n"
	"\n"
	"Options:\n"
	"  --file PATH         read the report from PATH ('-' for standard input, the default)\n"
	"  --kubeconfig PATH   kubeconfig file\n"
	"  --context NAME      kubeconfig context\n";

static bool read_all(FILE *in, struct hf_buf *out)
{
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		if (hf_buf_append(out, chunk, n) != HF_OK)
			return false;
	return !ferror(in);
}

int hf_cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{"file", required_argument, NULL, 'f'},
		{"kubeconfig", required_argument, NULL, 'k'},
		{"context", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *file = "-", *kubeconfig = NULL, *context = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:", options, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'k': kubeconfig = optarg; break;
		case 'c': context = optarg; break;
		default:
			fprintf(stderr, "hyperfleet report: unknown option '%s'\n\n%s",
				argv[optind - 1], hf_cmd_report_usage);
			return 64;
		}
	}
	if (argc - optind != 2 ||
	    (strcmp(argv[optind], "cluster") != 0 && strcmp(argv[optind], "nodepool") != 0) ||
	    !strchr(argv[optind + 1], '/')) {
		fprintf(stderr, "hyperfleet report: expected cluster|nodepool NAMESPACE/NAME\n\n%s",
			hf_cmd_report_usage);
		return 64;
	}
	enum hf_kind kind =
		strcmp(argv[optind], "cluster") == 0 ? HF_KIND_CLUSTER : HF_KIND_NODEPOOL;
	char *ns = hf_strdup(argv[optind + 1]);
	char *name = strchr(ns, '/');
	*name++ = '\0';

	int rc = 1;
	struct hf_buf body;
	hf_buf_init(&body, 1u << 20);
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!in || !read_all(in, &body)) {
		fprintf(stderr, "hyperfleet report: cannot read %s (at most 1 MiB)\n", file);
		goto out_body;
	}
	struct hf_report r;
	bool malformed;
	char msg[512];
	if (hf_report_parse(body.data, body.len, hf_rfc3339_now(), &r, &malformed, msg,
			    sizeof(msg))) {
		fprintf(stderr, "hyperfleet report: invalid report: %s\n", msg);
		rc = 2;
		goto out_body;
	}
	struct hf_kube_config *cfg = NULL;
	if (hf_kube_config_load(kubeconfig, context, &cfg, msg, sizeof(msg))) {
		fprintf(stderr, "hyperfleet report: %s\n", msg);
		goto out_report;
	}
	struct hf_kube_client *client = NULL;
	if (hf_kube_client_new(cfg, NULL, &client)) {
		fprintf(stderr, "hyperfleet report: cannot create the Kubernetes client\n");
		goto out_config;
	}
	struct hf_core core = {.client = client};
	hf_core_init(&core);
	struct hf_report_outcome outcome;
	struct hf_kube_error kerr = {0};
	enum hf_err err = hf_core_write_report(&core, kind, ns, name, &r, &outcome, &kerr);
	if (err == HF_ERR_NOT_FOUND) {
		fprintf(stderr, "hyperfleet report: %s %s/%s not found\n", hf_kind_info(kind)->kind,
			ns, name);
	} else if (err) {
		fprintf(stderr, "hyperfleet report: %s\n",
			kerr.message ? kerr.message : hf_err_name(err));
	} else if (outcome.verdict == HF_REPORT_REJECTED) {
		fprintf(stderr, "hyperfleet report: invalid report: %s\n", outcome.message);
		rc = 2;
	} else {
		cJSON *result = cJSON_CreateObject();
		bool stored = outcome.verdict == HF_REPORT_STORED;
		cJSON_AddStringToObject(result, "result", stored ? "stored" : "discarded");
		if (stored && outcome.stored)
			cJSON_AddItemToObject(result, "report", outcome.stored);
		else
			cJSON_AddStringToObject(result, "reason", outcome.message);
		if (!stored || !outcome.stored)
			cJSON_Delete(outcome.stored);
		char *text = cJSON_PrintUnformatted(result);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(result);
		rc = 0;
	}
	hf_kube_error_clear(&kerr);
	hf_core_cleanup(&core);
	hf_kube_client_free(client);
out_config:
	hf_kube_config_free(cfg);
out_report:
	hf_report_clear(&r);
out_body:
	if (in && in != stdin)
		fclose(in);
	hf_buf_free(&body);
	free(ns);
	return rc;
}
