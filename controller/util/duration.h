/*
 * duration.h: Go-style durations ("300ms", "10s", "1m30s", "2h"), as
 * Kubernetes flags and the Adapter format write them.
 */
#ifndef HF_DURATION_H
#define HF_DURATION_H

#include <stdbool.h>

/* hf_duration_parse reads s into seconds; false when s is not a duration
 * (a bare number is not one: the unit is required, except for "0"). */
bool hf_duration_parse(const char *s, double *seconds);

#endif
