/*
 * pool.h: a fixed set of worker threads running submitted jobs in order of
 * submission. The REST API hands them every request that calls the
 * Kubernetes API, so its event loop never waits.
 *
 * Thread safety: hf_pool_submit from any thread; hf_pool_new and
 * hf_pool_free from one owner. hf_pool_free runs the jobs already
 * submitted, then stops the threads.
 */
#ifndef HF_POOL_H
#define HF_POOL_H

#include <stddef.h>

#include "util/error.h"

struct hf_pool;

typedef void (*hf_pool_job_fn)(void *arg);

/* hf_pool_new starts threads workers; max_queued bounds the jobs waiting
 * (0: unbounded). */
struct hf_pool *hf_pool_new(int threads, size_t max_queued);

/* hf_pool_submit queues fn(arg). Returns HF_ERR_TOO_LARGE when max_queued
 * jobs already wait (the caller answers "busy"), HF_ERR_SHUTDOWN once the
 * pool is stopping; fn is then not called and arg stays the caller's. */
HF_MUST_CHECK enum hf_err hf_pool_submit(struct hf_pool *p, hf_pool_job_fn fn, void *arg);

/* hf_pool_queued is the number of jobs waiting for a thread. */
size_t hf_pool_queued(struct hf_pool *p);

void hf_pool_free(struct hf_pool *p);

#endif
