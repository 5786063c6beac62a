#include "util/clock.h"

#include <errno.h>
#include <math.h>
#include <time.h>

double hf_monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timespec to_timespec(double t)
{
	double whole = floor(t);
	struct timespec ts = {.tv_sec = (time_t)whole, .tv_nsec = (long)((t - whole) * 1e9)};
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

void hf_sleep(double seconds)
{
	if (!(seconds > 0))
		return;
	/* A day is longer than any wait here; the cap keeps the conversion sane. */
	struct timespec ts = to_timespec(fmin(seconds, 86400));
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void hf_cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

void hf_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, double deadline)
{
	/* Far deadlines are capped so the conversion cannot overflow; the
	 * caller loops anyway. */
	double now = hf_monotonic_now();
	if (!(deadline < now + 86400))
		deadline = now + 86400;
	struct timespec ts = to_timespec(deadline > 0 ? deadline : 0);
	(void)pthread_cond_timedwait(cond, lock, &ts);
}
