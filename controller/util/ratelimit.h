/*
 * ratelimit.h: the arithmetic of rate limits: exponential backoff and a
 * token bucket. Pure functions of the time passed in, so tests can drive
 * them with a fake clock; callers that share a bucket serialise access.
 */
#ifndef HF_RATELIMIT_H
#define HF_RATELIMIT_H

/*
 * hf_backoff_delay is base * 2^failures capped at max (0 when base <= 0):
 * 5 ms, 10 ms, 20 ms, ... with client-go's defaults.
 */
double hf_backoff_delay(double base, double max, int failures);

/*
 * A token bucket like golang.org/x/time/rate's Limiter: it starts full with
 * burst tokens and refills at qps tokens per second. Not thread-safe; the
 * owner serialises access. A qps <= 0 means no limit.
 */
struct hf_token_bucket {
	double qps;
	double burst;
	double tokens; /* negative when tokens are promised to the future */
	double last;   /* the time tokens was computed for */
};

void hf_token_bucket_init(struct hf_token_bucket *b, double qps, int burst, double now);

/* hf_token_bucket_reserve takes one token at time now and returns how many
 * seconds after now it is available (0 when the bucket had one). */
double hf_token_bucket_reserve(struct hf_token_bucket *b, double now);

#endif
