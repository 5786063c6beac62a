#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void hf_buf_init(struct hf_buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
}

void hf_buf_free(struct hf_buf *b)
{
	free(b->data);
	size_t cap = b->cap;
	hf_buf_init(b, cap);
}

void hf_buf_reset(struct hf_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum hf_err reserve(struct hf_buf *b, size_t extra)
{
	if (b->cap && (extra > b->cap || b->len > b->cap - extra))
		return HF_ERR_TOO_LARGE;
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return HF_OK;
	size_t alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc *= 2;
	b->data = hf_realloc(b->data, alloc);
	b->alloc = alloc;
	return HF_OK;
}

enum hf_err hf_buf_append(struct hf_buf *b, const void *data, size_t len)
{
	enum hf_err err = reserve(b, len);
	if (err)
		return err;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return HF_OK;
}

enum hf_err hf_buf_appends(struct hf_buf *b, const char *s)
{
	return hf_buf_append(b, s, strlen(s));
}

enum hf_err hf_buf_printf(struct hf_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return HF_ERR_INVALID;
	enum hf_err err = reserve(b, (size_t)n);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return HF_OK;
}

void hf_buf_consume(struct hf_buf *b, size_t n)
{
	if (n >= b->len) {
		hf_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char *hf_buf_steal(struct hf_buf *b)
{
	char *data = b->data ? b->data : hf_strdup("");
	size_t cap = b->cap;
	hf_buf_init(b, cap);
	return data;
}

const char *hf_buf_str(const struct hf_buf *b)
{
	return b->data ? b->data : "";
}
