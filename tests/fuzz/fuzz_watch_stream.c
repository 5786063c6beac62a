/*
 * Fuzz target: a watch response body as the API server (or anything posing
 * as one) might send it, cut into lines by the framer and parsed as watch
 * events. Nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "kube/framer.h"
#include "kube/watch_event.h"

static enum hf_err parse_line(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	struct hf_watch_event ev;
	if (hf_watch_event_parse(line, len, &ev) == HF_OK)
		hf_watch_event_clear(&ev);
	return HF_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_framer f;
	hf_framer_init(&f, 4096);
	/* Feed in two pieces, split where the first byte says, to exercise
	 * lines that straddle chunks. */
	size_t cut = size ? data[0] % (size + 1) : 0;
	if (hf_framer_feed(&f, (const char *)data, cut, parse_line, NULL) == HF_OK)
		(void)hf_framer_feed(&f, (const char *)data + cut, size - cut, parse_line, NULL);
	hf_framer_free(&f);
	return 0;
}
