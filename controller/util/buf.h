/*
 * buf.h: a growable byte buffer with a cap, always NUL-terminated.
 *
 * The owner embeds struct hf_buf, initialises it with hf_buf_init (cap 0
 * means no cap) and releases it with hf_buf_free. Appending past the cap
 * fails with HF_ERR_TOO_LARGE and leaves the buffer unchanged.
 */
#ifndef HF_BUF_H
#define HF_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/error.h"

struct hf_buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap;
};

void hf_buf_init(struct hf_buf *b, size_t cap);
void hf_buf_free(struct hf_buf *b);
/* hf_buf_reset empties the buffer and keeps its memory. */
void hf_buf_reset(struct hf_buf *b);
HF_MUST_CHECK enum hf_err hf_buf_append(struct hf_buf *b, const void *data, size_t len);
HF_MUST_CHECK enum hf_err hf_buf_appends(struct hf_buf *b, const char *s);
HF_MUST_CHECK enum hf_err hf_buf_printf(struct hf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* hf_buf_consume drops the first n bytes. */
void hf_buf_consume(struct hf_buf *b, size_t n);
/* hf_buf_steal returns the data (never NULL; caller frees) and empties b. */
char *hf_buf_steal(struct hf_buf *b);
/* hf_buf_str returns the contents, "" when empty; valid until the next change. */
const char *hf_buf_str(const struct hf_buf *b);

#endif
