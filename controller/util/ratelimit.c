#include "util/ratelimit.h"

#include <math.h>

double hf_backoff_delay(double base, double max, int failures)
{
	if (!(base > 0))
		return 0;
	double d = base;
	/* Doubling stops at the cap, so a huge failure count costs nothing. */
	for (int i = 0; i < failures && d < max; i++)
		d *= 2;
	return d > max ? max : d;
}

void hf_token_bucket_init(struct hf_token_bucket *b, double qps, int burst, double now)
{
	b->qps = qps;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = now;
}

double hf_token_bucket_reserve(struct hf_token_bucket *b, double now)
{
	if (!(b->qps > 0) || isinf(b->qps))
		return 0;
	/* A clock that went backwards refills nothing. */
	if (now > b->last) {
		b->tokens += (now - b->last) * b->qps;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	b->tokens -= 1;
	return b->tokens < 0 ? -b->tokens / b->qps : 0;
}
