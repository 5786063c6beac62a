/*
 * step.h: the adapter engine's decision core. One call evaluates an
 * Adapter against one Cluster or NodePool and what the cluster holds, and
 * says what to do and what to report; it performs no I/O and reads no
 * clock (the caller passes now), so the controller, `adapter dry-run` and
 * tests run the very same code (docs/adapters.md, "How an evaluation goes").
 *
 * Any thread may call it; the adapter, inputs and outputs are not shared.
 */
#ifndef HF_ADAPTER_STEP_H
#define HF_ADAPTER_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/report.h"
#include "util/error.h"

struct cJSON;
struct hf_adapter;

/* What the Kubernetes side found for one resource (by its name in the
 * config), borrowed. */
struct hf_adapter_observed {
	const char *resource;		 /* name in spec.resources or deletion.resources */
	const struct cJSON *object;	 /* as the API server returned it, or NULL: absent */
	const char *error;		 /* an API error reading or writing it, or NULL */
	const char *termination_message; /* a finished Job's pod termination message, or NULL */
};

struct hf_adapter_input {
	const struct hf_adapter *adapter;
	const struct cJSON *resource; /* the Cluster or NodePool (Kubernetes JSON) */
	const struct cJSON *cluster;  /* the NodePool's Cluster; NULL for a Cluster */
	/* Other adapters' reports: an object name -> entry, or a list of
	 * status.adapters entries; NULL reads resource's status.adapters. */
	const struct cJSON *reports;
	const struct cJSON *catalog; /* providers map, or NULL */
	const struct cJSON *env;     /* see hf_adapter_env, or NULL */
	const struct hf_adapter_observed *observed;
	size_t nobserved;
	double now; /* seconds since the epoch */
};

enum hf_adapter_action {
	HF_ADAPTER_KEEP,     /* exists and is up to date */
	HF_ADAPTER_CREATE,   /* absent: create it */
	HF_ADAPTER_UPDATE,   /* exists with another manifest: update it */
	HF_ADAPTER_RECREATE, /* exists with another manifest, recreateOnChange: delete, then create
			      */
	HF_ADAPTER_DELETE,   /* deletion: delete it (every generation: use selector) */
};

/* One object to act on. manifest is the rendered object with its name,
 * labels and annotations, or NULL for HF_ADAPTER_DELETE. */
struct hf_adapter_object {
	const char *resource; /* borrowed from the adapter */
	char *name;
	char *selector; /* labels selecting this resource's objects of every generation */
	struct cJSON *manifest;
	enum hf_adapter_action action;
	bool deletion; /* from spec.deletion */
};

/* One line of the trace: what was evaluated and what came out. */
struct hf_adapter_decision {
	char *phase;   /* "param", "precondition", "resource", "condition", "data", "deletion" */
	char *name;    /* the param, precondition, resource or condition */
	char *outcome; /* "= <json>", "met", "not met: <message>", "create <name>", ... */
	bool ok;       /* false: this decision stopped the run or is an error */
};

struct hf_adapter_result {
	struct hf_adapter_decision *decisions;
	size_t ndecisions;
	struct cJSON *params; /* the computed params (an object) */
	char *unmet;	      /* the first unmet precondition, or NULL */
	char *error;	      /* the first evaluation or API error, or NULL */
	bool deleting;	      /* the resource is Terminating: deletion steps ran */
	struct hf_adapter_object *objects;
	size_t nobjects;
	struct hf_report report; /* Applied, Available, Health (+ Finalized), data */
};

/*
 * hf_adapter_step evaluates in->adapter and fills *out (caller clears with
 * hf_adapter_result_clear). Every evaluation yields a report, including
 * when a precondition is unmet or an expression fails (Health=False with
 * the positioned message). Returns HF_ERR_INVALID only when the inputs
 * themselves are unusable (no resource object, or an external adapter),
 * with out->error saying why.
 */
HF_MUST_CHECK enum hf_err hf_adapter_step(const struct hf_adapter_input *in,
					  struct hf_adapter_result *out);

void hf_adapter_result_clear(struct hf_adapter_result *r);

/* hf_adapter_object_name writes the deterministic name of an adapter's
 * resource into buf (64 bytes): "<adapter>-<resource>-<uid8>[-g<gen>]",
 * lowercase, '_' as '-', at most 63 characters (shortened with a hash when
 * longer). uid is the target's metadata.uid; with_generation for Jobs. */
char *hf_adapter_object_name(const char *adapter, const char *resource, const char *uid,
			     long long generation, bool with_generation, char *buf, size_t len);

/* hf_adapter_env returns the env variable's object from environ: every
 * HYPERFLEET_ENV_<NAME>=value becomes "<NAME>": "value". Caller deletes. */
struct cJSON *hf_adapter_env(char **environ_);

const char *hf_adapter_action_name(enum hf_adapter_action a);

#endif
