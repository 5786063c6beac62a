/*
 * status.h: the status of a Cluster or NodePool, computed from the reports
 * of its adapters (DESIGN.md section 4). Pure functions over the object's
 * JSON: no I/O, no clock except the one the caller passes in.
 *
 *  - Reconciled: True exactly when every required adapter reports
 *    Available=True at the object's current generation (while deleting:
 *    Finalized=True, and no node pools left).
 *  - LastKnownReconciled: sticky across generations; stays True while a new
 *    generation is in flight, until a required adapter reports False at the
 *    generation it tracks.
 *  - <Adapter>Successful: one per required adapter, mirroring its Available.
 *  - phase: Terminating while deleting, Ready when Reconciled is True, else
 *    Not Ready.
 *
 * Reasons, messages and times follow the original HyperFleet server: times
 * come from the reports; lastTransitionTime moves only when a status flips.
 */
#ifndef HF_CORE_STATUS_H
#define HF_CORE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

#define HF_PHASE_READY	     "Ready"
#define HF_PHASE_NOT_READY   "Not Ready"
#define HF_PHASE_TERMINATING "Terminating"

struct hf_status_context {
	const char *const *required; /* names of the required adapters, sorted */
	size_t nrequired;
	bool has_children; /* a Cluster that still has NodePools */
	double now;	   /* wall clock: dates a generation nobody reported on yet */
};

/*
 * hf_status_aggregate returns a new status object for object (a Cluster or
 * NodePool as JSON): phase, observedGeneration, observedGenerationTime,
 * conditions (the aggregated ones first, then any other types the object
 * had, unchanged) and adapters (unchanged). The caller deletes it.
 */
struct cJSON *hf_status_aggregate(const struct cJSON *object, const struct hf_status_context *ctx);

/* hf_status_condition_type writes the <Adapter>Successful condition type of
 * an adapter name ("pull-secret" -> "PullSecretSuccessful") into buf. */
char *hf_status_condition_type(const char *adapter, char *buf, size_t len);

/* hf_status_find_condition returns the condition of that type in a
 * conditions array, or NULL. */
const struct cJSON *hf_status_find_condition(const struct cJSON *conditions, const char *type);

#endif
