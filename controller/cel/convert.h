/*
 * convert.h: CEL values as text, as JSON text and as cJSON trees (internal
 * to controller/cel).
 */
#ifndef HF_CEL_CONVERT_H
#define HF_CEL_CONVERT_H

#include "cel/eval.h"

struct cJSON;

/* Bound on the nodes of one converted result: a value may share one list
 * many times, which would otherwise multiply into a huge tree. */
#define CEL_MAX_JSON_NODES 200000

/* cel_to_json_text is toJson(): compact JSON in a new string value (ints
 * exact, NaN and infinities an error, bytes base64). */
struct cel_value cel_to_json_text(struct cel_eval *e, struct cel_value v, uint32_t pos);

/* cel_to_cjson converts v into a new tree in *out (caller frees); returns
 * an error value, or null on success. */
struct cel_value cel_to_cjson(struct cel_eval *e, struct cel_value v, uint32_t pos,
			      struct cJSON **out);

#endif
