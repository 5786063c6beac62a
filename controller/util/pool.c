#include "util/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util/alloc.h"

struct job {
	hf_pool_job_fn fn;
	void *arg;
	struct job *next;
};

struct hf_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job *head, *tail;
	size_t queued, max_queued;
	bool stopping;
	int nthreads;
	pthread_t *threads;
};

static void *work(void *arg)
{
	struct hf_pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		struct job *j = p->head;
		if (!j)
			break; /* stopping, and nothing left to run */
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		pthread_mutex_unlock(&p->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct hf_pool *hf_pool_new(int threads, size_t max_queued)
{
	struct hf_pool *p = hf_calloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->max_queued = max_queued;
	p->threads = hf_calloc((size_t)(threads > 0 ? threads : 1), sizeof(*p->threads));
	for (int i = 0; i < (threads > 0 ? threads : 1); i++)
		if (pthread_create(&p->threads[p->nthreads], NULL, work, p) == 0)
			p->nthreads++;
	if (p->nthreads == 0)
		abort(); /* no thread at all: the process cannot serve */
	return p;
}

enum hf_err hf_pool_submit(struct hf_pool *p, hf_pool_job_fn fn, void *arg)
{
	enum hf_err err = HF_OK;
	pthread_mutex_lock(&p->lock);
	if (p->stopping)
		err = HF_ERR_SHUTDOWN;
	else if (p->max_queued && p->queued >= p->max_queued)
		err = HF_ERR_TOO_LARGE;
	if (!err) {
		struct job *j = hf_calloc(1, sizeof(*j));
		j->fn = fn;
		j->arg = arg;
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued++;
		pthread_cond_signal(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return err;
}

size_t hf_pool_queued(struct hf_pool *p)
{
	pthread_mutex_lock(&p->lock);
	size_t n = p->queued;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void hf_pool_free(struct hf_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p);
}
