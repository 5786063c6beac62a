#include "kube/framer.h"

#include <string.h>

void hf_framer_init(struct hf_framer *f, size_t max_line)
{
	/* The cap is enforced by hf_framer_feed, per line. */
	hf_buf_init(&f->partial, 0);
	f->max_line = max_line;
}

void hf_framer_free(struct hf_framer *f)
{
	hf_buf_free(&f->partial);
}

void hf_framer_reset(struct hf_framer *f)
{
	hf_buf_reset(&f->partial);
}

size_t hf_framer_pending(const struct hf_framer *f)
{
	return f->partial.len;
}

static enum hf_err emit(const char *line, size_t len, hf_framer_line_fn on_line, void *ctx)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return HF_OK;
	return on_line(line, len, ctx);
}

enum hf_err hf_framer_feed(struct hf_framer *f, const char *data, size_t len,
			   hf_framer_line_fn on_line, void *ctx)
{
	enum hf_err err = HF_OK;
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t chunk = nl ? (size_t)(nl - data) : len;
		if (f->partial.len + chunk > f->max_line) {
			hf_framer_reset(f);
			return HF_ERR_TOO_LARGE;
		}
		if (!nl) {
			/* An unfinished line: keep it for the next chunk. */
			err = hf_buf_append(&f->partial, data, chunk);
			return err;
		}
		if (f->partial.len == 0) {
			/* The common case: a whole line inside this chunk, no copy. */
			err = emit(data, chunk, on_line, ctx);
		} else {
			err = hf_buf_append(&f->partial, data, chunk);
			if (!err)
				err = emit(f->partial.data, f->partial.len, on_line, ctx);
			hf_framer_reset(f);
		}
		if (err)
			return err;
		data += chunk + 1;
		len -= chunk + 1;
	}
	return err;
}
