/*
 * clock.h: monotonic time in seconds, sleeping, and condition variables
 * that wait on the monotonic clock (immune to wall-clock jumps).
 */
#ifndef HF_CLOCK_H
#define HF_CLOCK_H

#include <pthread.h>

/* hf_monotonic_now is CLOCK_MONOTONIC in seconds. */
double hf_monotonic_now(void);

/* hf_sleep sleeps seconds (nothing when <= 0), resuming after signals. */
void hf_sleep(double seconds);

/* hf_cond_init_monotonic initialises cond to time out on CLOCK_MONOTONIC. */
void hf_cond_init_monotonic(pthread_cond_t *cond);

/* hf_cond_wait_until waits on cond (initialised with hf_cond_init_monotonic,
 * lock held) until woken or the monotonic time deadline passes. Callers
 * re-check their condition either way. */
void hf_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, double deadline);

#endif
