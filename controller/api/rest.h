/*
 * rest.h: the one place where Clusters, NodePools and adapter reports are
 * mapped between their Kubernetes form (camelCase, metadata, status
 * subresource) and the REST form of the HyperFleet API (snake_case, id =
 * metadata.uid, href, generation, *_time, labels, status.phase and
 * status.conditions).
 *
 * Pure functions over cJSON; callers own what they pass and what they get.
 */
#ifndef HF_API_REST_H
#define HF_API_REST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

struct cJSON;

#define HF_API_BASE "/api/hyperfleet/v1"

/* Annotations the REST API keeps on what it writes: who created and last
 * changed a resource through it, and when. */
#define HF_ANNOTATION_CREATED_BY   "hyperfleet.io/created-by"
#define HF_ANNOTATION_UPDATED_BY   "hyperfleet.io/updated-by"
#define HF_ANNOTATION_UPDATED_TIME "hyperfleet.io/updated-time"

/* hf_rest_resource builds the REST form of a Cluster or NodePool object.
 * For a NodePool, cluster_id is its Cluster's id (NULL when unknown). */
struct cJSON *hf_rest_resource(enum hf_kind kind, const struct cJSON *object,
			       const char *cluster_id);

/* hf_rest_adapter_status maps one entry of status.adapters. */
struct cJSON *hf_rest_adapter_status(const struct cJSON *entry);

/* hf_rest_pool_name is a NodePool's name within its cluster: its
 * metadata.name after "<cluster>.". */
const char *hf_rest_pool_name(const char *object_name, const char *cluster_name);

/* hf_rest_is_system_label: labels the controller sets, hidden from REST. */
bool hf_rest_is_system_label(const char *key);

#endif
