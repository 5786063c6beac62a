/* Unit tests of the small utilities: strmap and buf (controller/util). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/strmap.h"

static int one = 1, two = 2;

Test(strmap, put_get_replace_remove)
{
	struct hf_strmap *m = hf_strmap_new();
	cr_assert_null(hf_strmap_put(m, "a", &one));
	cr_assert_eq(hf_strmap_get(m, "a"), &one);
	cr_assert_eq(hf_strmap_put(m, "a", &two), &one, "put returns the replaced value");
	cr_assert_eq(hf_strmap_get(m, "a"), &two);
	cr_assert_eq(hf_strmap_size(m), 1);
	cr_assert_eq(hf_strmap_remove(m, "a"), &two);
	cr_assert_null(hf_strmap_get(m, "a"));
	cr_assert_null(hf_strmap_remove(m, "a"));
	cr_assert_eq(hf_strmap_size(m), 0);
	hf_strmap_free(m, NULL);
}

Test(strmap, survives_growth_and_tombstone_churn)
{
	struct hf_strmap *m = hf_strmap_new_sized(1);
	char key[32];
	/* Interleave inserts and removals so tombstones pile up and get
	 * cleared by rehashing, then check every survivor. */
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 1000; i++) {
			snprintf(key, sizeof(key), "k%d-%d", round, i);
			hf_strmap_put(m, key, &one);
		}
		for (int i = 0; i < 1000; i++) {
			if (i % 10 == 0)
				continue;
			snprintf(key, sizeof(key), "k%d-%d", round, i);
			cr_assert_eq(hf_strmap_remove(m, key), &one);
		}
	}
	cr_assert_eq(hf_strmap_size(m), 20 * 100);
	for (int round = 0; round < 20; round++)
		for (int i = 0; i < 1000; i++) {
			snprintf(key, sizeof(key), "k%d-%d", round, i);
			cr_assert_eq(hf_strmap_has(m, key), i % 10 == 0, "%s", key);
		}
	size_t seen = 0;
	struct hf_strmap_iter it = HF_STRMAP_ITER_INIT;
	const char *k;
	while (hf_strmap_next(m, &it, &k, NULL)) {
		seen++;
		hf_strmap_remove(m, k); /* removing the current key is allowed */
	}
	cr_assert_eq(seen, 2000);
	cr_assert_eq(hf_strmap_size(m), 0);
	hf_strmap_free(m, NULL);
}

Test(buf, appends_formats_and_consumes)
{
	struct hf_buf b;
	hf_buf_init(&b, 0);
	cr_assert_str_eq(hf_buf_str(&b), "");
	cr_assert_eq(hf_buf_appends(&b, "hello"), HF_OK);
	cr_assert_eq(hf_buf_printf(&b, ", %s %d", "world", 42), HF_OK);
	cr_assert_str_eq(hf_buf_str(&b), "hello, world 42");
	hf_buf_consume(&b, 7);
	cr_assert_str_eq(hf_buf_str(&b), "world 42");
	char *s = hf_buf_steal(&b);
	cr_assert_str_eq(s, "world 42");
	free(s);
	cr_assert_eq(b.len, 0);
	hf_buf_free(&b);
}

Test(buf, refuses_to_grow_past_its_cap)
{
	struct hf_buf b;
	hf_buf_init(&b, 8);
	cr_assert_eq(hf_buf_appends(&b, "12345678"), HF_OK);
	cr_assert_eq(hf_buf_appends(&b, "9"), HF_ERR_TOO_LARGE);
	cr_assert_eq(hf_buf_printf(&b, "%d", 1), HF_ERR_TOO_LARGE);
	cr_assert_str_eq(hf_buf_str(&b), "12345678", "a refused append changes nothing");
	hf_buf_free(&b);
}

#include "util/duration.h"
#include "util/rfc3339.h"

Test(duration, parses_go_durations)
{
	double s;
	cr_assert(hf_duration_parse("10s", &s));
	cr_assert_float_eq(s, 10, 1e-9);
	cr_assert(hf_duration_parse("1h30m", &s));
	cr_assert_float_eq(s, 5400, 1e-9);
	cr_assert(hf_duration_parse("250ms", &s));
	cr_assert_float_eq(s, 0.25, 1e-9);
	cr_assert(hf_duration_parse("1.5m", &s));
	cr_assert_float_eq(s, 90, 1e-9);
	cr_assert(hf_duration_parse("0", &s));
	cr_assert_float_eq(s, 0, 1e-9);
	cr_assert_not(hf_duration_parse("10", &s), "the unit is required");
	cr_assert_not(hf_duration_parse("", &s));
	cr_assert_not(hf_duration_parse("5 minutes", &s));
	cr_assert_not(hf_duration_parse("m", &s));
}

Test(rfc3339, parses_and_formats)
{
	double t;
	cr_assert(hf_rfc3339_parse("2026-11-22T04:05:06Z", &t));
	char buf[32];
	cr_assert_str_eq(hf_rfc3339_format(t, buf, sizeof(buf)), "2026-11-22T04:05:06Z");
	double u;
	cr_assert(hf_rfc3339_parse("2026-11-22T05:05:06.5+01:00", &u));
	cr_assert_float_eq(u, t + 0.5, 1e-6);
	cr_assert_not(hf_rfc3339_parse("2026-11-22 04:05:06", &u), "a zone is required");
	cr_assert_not(hf_rfc3339_parse("2026-02-30T00:00:00Z", &u), "no February 30th");
	cr_assert_not(hf_rfc3339_parse("2026-11-22T04:05:06Zjunk", &u));
	cr_assert_not(hf_rfc3339_parse("yesterday", &u));
}
