/*
 * config.h: an Adapter object (docs/adapters.md), parsed, validated and
 * compiled. Every CEL expression and ${} template is compiled and checked
 * against the variables its place may use when the config is loaded, so a
 * config that loads cannot fail later with a syntax error or an undeclared
 * name (only with run-time errors such as a missing key).
 *
 * A compiled adapter is immutable: any number of threads may evaluate it
 * at once (hf_adapter_step). The loader is pure (no I/O, no clock).
 */
#ifndef HF_ADAPTER_CONFIG_H
#define HF_ADAPTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct cJSON;
struct hf_cel_program;
struct hf_cel_template;

#define HF_ADAPTER_DEFAULT_TIMEOUT     1800.0 /* 30m */
#define HF_ADAPTER_DEFAULT_JOB_HISTORY 2

enum hf_adapter_target {
	HF_ADAPTER_CLUSTER,
	HF_ADAPTER_NODEPOOL,
};

struct hf_adapter_param {
	char *name;
	struct hf_cel_program *expression;
};

struct hf_adapter_precondition {
	char *name;
	struct hf_cel_program *expression; /* NULL for a dependsOn entry */
	struct hf_cel_template *message;   /* NULL: the default message */
	char *depends_on;		   /* the adapter waited for, or NULL */
};

struct hf_adapter_resource {
	char *name;
	struct hf_cel_template *manifest;
	char *api_version, *kind; /* literal in the manifest (checked at load) */
	bool job;		  /* kind Job of batch/v1 */
	bool fixed_name;	  /* the manifest sets metadata.name itself */
	bool recreate_on_change;
};

struct hf_adapter_condition {
	char *type;
	struct hf_cel_program *status;	 /* bool or "True"/"False"/"Unknown" */
	struct hf_cel_template *reason;	 /* NULL: derived */
	struct hf_cel_template *message; /* NULL: derived */
};

struct hf_adapter {
	char *name;
	enum hf_adapter_target target;
	bool required, external;
	double timeout; /* seconds */
	int job_history_limit;
	char **depends_on;
	size_t ndepends_on;
	struct hf_adapter_param *params;
	size_t nparams;
	/* dependsOn entries first (one each), then spec.preconditions */
	struct hf_adapter_precondition *preconditions;
	size_t npreconditions;
	struct hf_adapter_resource *resources;
	size_t nresources;
	struct hf_adapter_condition *conditions;
	size_t nconditions;
	struct hf_cel_template *data; /* NULL when not set */
	/* deletion */
	char **delete_names; /* spec.resources to delete; all when has_delete is false */
	size_t ndelete;
	bool has_delete;
	struct hf_adapter_resource *deletion_resources;
	size_t ndeletion_resources;
	struct hf_cel_program *finalized; /* NULL: derived */
};

/* One problem found in a config: the JSON path inside the Adapter object
 * ("spec.preconditions[1].expression") and the message ("1:14: undeclared
 * reference to 'clustr'"). */
struct hf_adapter_error {
	char *path;
	char *message;
};

struct hf_adapter_errors {
	struct hf_adapter_error *items;
	size_t count, alloc;
};

/*
 * hf_adapter_load checks the Adapter object obj (borrowed; apiVersion
 * hyperfleet.io/v1alpha1, kind Adapter, metadata.name, spec) and compiles
 * it into *out (caller frees with hf_adapter_free). Every problem found is
 * appended to errs (caller clears with hf_adapter_errors_clear); the loader
 * goes on after an error to report as many as it can. Returns HF_OK, or
 * HF_ERR_INVALID with *out NULL when errs got at least one entry.
 */
HF_MUST_CHECK enum hf_err hf_adapter_load(const struct cJSON *obj, struct hf_adapter **out,
					  struct hf_adapter_errors *errs);

void hf_adapter_free(struct hf_adapter *a);
void hf_adapter_errors_clear(struct hf_adapter_errors *errs);

/* hf_adapter_errors_format returns the errors as "path: message" lines
 * (caller frees): the message of the Accepted condition. */
char *hf_adapter_errors_format(const struct hf_adapter_errors *errs);

/* hf_adapter_resource_find returns the resource (spec.resources or
 * deletion.resources) with that name, or NULL. */
const struct hf_adapter_resource *hf_adapter_resource_find(const struct hf_adapter *a,
							   const char *name);

/* hf_adapter_is_dns_label: a valid adapter name (lowercase DNS label). */
bool hf_adapter_is_dns_label(const char *s);

#endif
