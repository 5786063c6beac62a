/*
 * rfc3339.h: RFC 3339 timestamps as Kubernetes and the HyperFleet API write
 * them ("2026-11-22T04:05:06Z", optionally with a fraction and an offset).
 */
#ifndef HF_RFC3339_H
#define HF_RFC3339_H

#include <stdbool.h>
#include <stddef.h>

/* hf_rfc3339_parse reads s into seconds since the epoch (with fraction);
 * false when s is not an RFC 3339 date-time. */
bool hf_rfc3339_parse(const char *s, double *out);

/* hf_rfc3339_format writes t as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, as
 * metav1.Time) into buf, which needs 21 bytes. Returns buf. */
char *hf_rfc3339_format(double t, char *buf, size_t len);

/* hf_rfc3339_now is the wall clock in seconds since the epoch. */
double hf_rfc3339_now(void);

#endif
