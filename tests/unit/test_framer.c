/* Unit tests of the watch line framer (controller/kube/framer.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/framer.h"
#include "util/alloc.h"

#define MAX_LINES 16

struct lines {
	char *line[MAX_LINES];
	size_t n;
};

static enum hf_err collect(const char *line, size_t len, void *ctx)
{
	struct lines *l = ctx;
	cr_assert_lt(l->n, MAX_LINES);
	l->line[l->n++] = hf_strndup(line, len);
	return HF_OK;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = hf_malloc((size_t)size + 1);
	cr_assert_eq(fread(data, 1, (size_t)size, f), (size_t)size);
	data[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return data;
}

/* The lines of the recorded stream, split the simple way, as the oracle. */
static struct lines expected_lines(const char *stream, size_t len)
{
	struct lines l = {0};
	const char *p = stream, *end = stream + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (nl > p)
			collect(p, (size_t)(nl - p), &l);
		p = nl + 1;
	}
	return l;
}

static void assert_same(const struct lines *want, const struct lines *got, const char *how)
{
	cr_assert_eq(got->n, want->n, "%s: %zu lines, want %zu", how, got->n, want->n);
	for (size_t i = 0; i < want->n; i++)
		cr_assert_str_eq(got->line[i], want->line[i], "%s: line %zu differs", how, i);
}

Test(framer, recorded_stream_split_at_every_byte_offset)
{
	size_t len;
	char *stream = read_file("tests/unit/data/watch-stream.jsonl", &len);
	struct lines want = expected_lines(stream, len);
	cr_assert_eq(want.n, 5, "the recording has ADDED, MODIFIED, BOOKMARK, DELETED, ERROR");
	cr_assert(strstr(want.line[2], "\"BOOKMARK\""));
	cr_assert(strstr(want.line[4], "\"code\":410"));

	for (size_t cut = 0; cut <= len; cut++) {
		struct hf_framer f;
		hf_framer_init(&f, 4096);
		struct lines got = {0};
		cr_assert_eq(hf_framer_feed(&f, stream, cut, collect, &got), HF_OK);
		cr_assert_eq(hf_framer_feed(&f, stream + cut, len - cut, collect, &got), HF_OK);
		char how[64];
		snprintf(how, sizeof(how), "split at %zu", cut);
		assert_same(&want, &got, how);
		cr_assert_eq(hf_framer_pending(&f), 0);
		lines_free(&got);
		hf_framer_free(&f);
	}
	lines_free(&want);
	free(stream);
}

Test(framer, recorded_stream_one_byte_at_a_time_and_in_three_pieces)
{
	size_t len;
	char *stream = read_file("tests/unit/data/watch-stream.jsonl", &len);
	struct lines want = expected_lines(stream, len);

	struct hf_framer f;
	hf_framer_init(&f, 4096);
	struct lines got = {0};
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(hf_framer_feed(&f, stream + i, 1, collect, &got), HF_OK);
	assert_same(&want, &got, "byte by byte");
	lines_free(&got);

	for (size_t a = 0; a < len; a += 7) {
		for (size_t b = a; b < len; b += 13) {
			hf_framer_reset(&f);
			cr_assert_eq(hf_framer_feed(&f, stream, a, collect, &got), HF_OK);
			cr_assert_eq(hf_framer_feed(&f, stream + a, b - a, collect, &got), HF_OK);
			cr_assert_eq(hf_framer_feed(&f, stream + b, len - b, collect, &got), HF_OK);
			assert_same(&want, &got, "three pieces");
			lines_free(&got);
		}
	}
	hf_framer_free(&f);
	lines_free(&want);
	free(stream);
}

Test(framer, keeps_an_unfinished_line_until_its_newline)
{
	struct hf_framer f;
	hf_framer_init(&f, 64);
	struct lines got = {0};
	cr_assert_eq(hf_framer_feed(&f, "{\"a\":", 5, collect, &got), HF_OK);
	cr_assert_eq(got.n, 0);
	cr_assert_eq(hf_framer_pending(&f), 5);
	cr_assert_eq(hf_framer_feed(&f, "1}\r\n\n{\"b\"", 10, collect, &got), HF_OK);
	cr_assert_eq(got.n, 1);
	cr_assert_str_eq(got.line[0], "{\"a\":1}", "CR before LF is dropped, empty lines skipped");
	cr_assert_eq(hf_framer_pending(&f), 5);
	lines_free(&got);
	hf_framer_free(&f);
}

Test(framer, refuses_a_line_over_the_cap)
{
	struct hf_framer f;
	hf_framer_init(&f, 8);
	struct lines got = {0};
	cr_assert_eq(hf_framer_feed(&f, "12345678\n", 9, collect, &got), HF_OK, "8 bytes fit");
	cr_assert_eq(hf_framer_feed(&f, "12345", 5, collect, &got), HF_OK);
	cr_assert_eq(hf_framer_feed(&f, "6789", 4, collect, &got), HF_ERR_TOO_LARGE);
	cr_assert_eq(hf_framer_pending(&f), 0, "the oversized line is dropped");
	cr_assert_eq(hf_framer_feed(&f, "ok\n", 3, collect, &got), HF_OK);
	cr_assert_eq(got.n, 2);
	cr_assert_str_eq(got.line[1], "ok");
	lines_free(&got);
	hf_framer_free(&f);
}

static enum hf_err stop_at_second(const char *line, size_t len, void *ctx)
{
	(void)line;
	(void)len;
	int *calls = ctx;
	return ++*calls == 2 ? HF_ERR_INVALID : HF_OK;
}

Test(framer, a_callback_error_stops_feeding)
{
	struct hf_framer f;
	hf_framer_init(&f, 64);
	int calls = 0;
	cr_assert_eq(hf_framer_feed(&f, "a\nb\nc\n", 6, stop_at_second, &calls), HF_ERR_INVALID);
	cr_assert_eq(calls, 2);
	hf_framer_free(&f);
}
