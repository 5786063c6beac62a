/*
 * json.h: small, safe accessors over cJSON for input we do not trust.
 */
#ifndef HF_JSON_H
#define HF_JSON_H

#include <stdbool.h>

struct cJSON;

/* hf_json_int64 reads an integral number that fits in 64 bits into *out;
 * false for anything else (not a number, fractional, out of range). */
bool hf_json_int64(const struct cJSON *v, long long *out);

/* hf_json_string returns the string member name of obj, or NULL. */
const char *hf_json_string(const struct cJSON *obj, const char *name);

#endif
