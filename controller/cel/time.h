/*
 * time.h: CEL timestamps and durations (internal to controller/cel).
 *
 * Timestamps are seconds since the epoch plus nanoseconds, between
 * 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z as in CEL;
 * durations are int64 nanoseconds (about +-292 years) as in cel-go. The
 * parsers are exact to the nanosecond, which is why they do not reuse
 * util/rfc3339 and util/duration (seconds as doubles).
 */
#ifndef HF_CEL_TIME_H
#define HF_CEL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CEL_TS_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define CEL_TS_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/* cel_ts_parse reads RFC 3339 ("2026-01-02T03:04:05.5+01:00"). */
bool cel_ts_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec);
/* cel_ts_format writes RFC 3339 in UTC with the fraction's trailing zeros
 * dropped ("2026-01-02T02:04:05.5Z") into buf (40 bytes); returns length. */
size_t cel_ts_format(int64_t sec, int32_t nsec, char *buf, size_t len);
/* cel_ts_add adds ns to a timestamp; false when the result is out of range. */
bool cel_ts_add(int64_t sec, int32_t nsec, int64_t ns, int64_t *osec, int32_t *onsec);
/* cel_ts_sub is a - b in nanoseconds; false on overflow. */
bool cel_ts_sub(int64_t asec, int32_t ansec, int64_t bsec, int32_t bnsec, int64_t *ns);

/* cel_dur_parse reads a Go duration ("1h30m", "-1.5s", "300ms"). */
bool cel_dur_parse(const char *s, size_t n, int64_t *ns);
/* cel_dur_format writes CEL's form: seconds with a fraction only when
 * needed ("5400s", "1.5s") into buf (32 bytes); returns length. */
size_t cel_dur_format(int64_t ns, char *buf, size_t len);

#endif
