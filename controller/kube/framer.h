/*
 * framer.h: splits a byte stream (a Kubernetes watch response) into lines.
 *
 * The watch API sends one JSON event per line. Data arrives in arbitrary
 * chunks, so a line may be split anywhere; the framer keeps the unfinished
 * tail, up to a cap, and hands complete lines to a callback. A line longer
 * than the cap is an error (the watch should be restarted), not a reason to
 * grow without bound.
 *
 * Not thread-safe: one framer per stream.
 */
#ifndef HF_KUBE_FRAMER_H
#define HF_KUBE_FRAMER_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/* Called with one line without its '\n' (not NUL-terminated). A non-HF_OK
 * return stops feeding and is returned by hf_framer_feed. */
typedef enum hf_err (*hf_framer_line_fn)(const char *line, size_t len, void *ctx);

struct hf_framer {
	struct hf_buf partial; /* bytes of the unfinished line */
	size_t max_line;
};

/* hf_framer_init prepares f for lines of at most max_line bytes. */
void hf_framer_init(struct hf_framer *f, size_t max_line);
void hf_framer_free(struct hf_framer *f);
/* hf_framer_reset drops any unfinished line (a new stream starts). */
void hf_framer_reset(struct hf_framer *f);

/*
 * hf_framer_feed consumes len bytes, calling on_line for every line they
 * complete, in order. Empty lines are skipped. Returns HF_ERR_TOO_LARGE
 * when a line exceeds the cap, or the callback's error.
 */
HF_MUST_CHECK enum hf_err hf_framer_feed(struct hf_framer *f, const char *data, size_t len,
					 hf_framer_line_fn on_line, void *ctx);

/* hf_framer_pending is the number of bytes of an unfinished line. */
size_t hf_framer_pending(const struct hf_framer *f);

#endif
