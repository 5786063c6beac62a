/* Unit tests of the structured JSON logger (controller/util/log.c). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

/* Each test runs in its own process, so the logger's globals start fresh. */
static FILE *out;

static void fixed_clock(struct timespec *ts)
{
	struct tm tm = {.tm_year = 2026 - 1900,
			.tm_mon = 10,
			.tm_mday = 22,
			.tm_hour = 4,
			.tm_min = 5,
			.tm_sec = 6};
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = 123999999; /* milliseconds are truncated, not rounded */
}

static void setup(void)
{
	out = tmpfile();
	cr_assert_not_null(out);
	hf_log_set_output(out);
	hf_log_set_clock(fixed_clock);
	hf_log_set_level(HF_LOG_DEBUG);
}

static void teardown(void)
{
	hf_log_set_output(NULL);
	hf_log_set_clock(NULL);
	fclose(out);
}

TestSuite(log, .init = setup, .fini = teardown);

/* output returns everything logged so far, in a new string. */
static char *output(void)
{
	fflush(out);
	long len = ftell(out);
	cr_assert_geq(len, 0);
	char *buf = calloc(1, (size_t)len + 1);
	rewind(out);
	cr_assert_eq(fread(buf, 1, (size_t)len, out), (size_t)len);
	return buf;
}

static void expect_output(const char *want)
{
	char *got = output();
	cr_assert_str_eq(got, want);
	free(got);
}

/* only_line parses the single line logged so far. */
static cJSON *only_line(void)
{
	char *got = output();
	char *nl = strchr(got, '\n');
	cr_assert_not_null(nl, "no line: %s", got);
	cr_assert_eq(nl[1], '\0', "more than one line: %s", got);
	cJSON *j = cJSON_Parse(got);
	cr_assert_not_null(j, "not JSON: %s", got);
	free(got);
	return j;
}

Test(log, exact_line_format)
{
	hf_log(HF_LOG_INFO, "reflector", "watch restarted", "resource", "clusters", "rv", "4711",
	       NULL);
	expect_output("{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\","
		      "\"logger\":\"reflector\",\"msg\":\"watch restarted\","
		      "\"resource\":\"clusters\",\"rv\":\"4711\"}\n");
}

Test(log, every_level_name)
{
	hf_log(HF_LOG_DEBUG, "a", "m", NULL);
	hf_log(HF_LOG_INFO, "a", "m", NULL);
	hf_log(HF_LOG_WARN, "a", "m", NULL);
	hf_log(HF_LOG_ERROR, "a", "m", NULL);
	expect_output(
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"debug\",\"logger\":\"a\",\"msg\":\"m\"}\n"
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"a\",\"msg\":\"m\"}\n"
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"warn\",\"logger\":\"a\",\"msg\":\"m\"}\n"
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"error\",\"logger\":\"a\",\"msg\":\"m\"}\n");
}

Test(log, typed_fields_and_null)
{
	hf_log_with(HF_LOG_WARN, "queue", "requeue", HF_LOG_STR("key", "ns/a"),
		    HF_LOG_INT("attempt", -3), HF_LOG_INT("big", 9007199254740993LL),
		    HF_LOG_BOOL("ok", true), HF_LOG_BOOL("done", false), HF_LOG_STR("none", NULL),
		    HF_LOG_ERR(HF_ERR_TIMEOUT));
	hf_log(HF_LOG_INFO, NULL, NULL, "k", NULL, NULL);
	expect_output(
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"warn\",\"logger\":\"queue\","
		"\"msg\":\"requeue\",\"key\":\"ns/a\",\"attempt\":-3,"
		"\"big\":9007199254740993,\"ok\":true,\"done\":false,\"none\":null,"
		"\"error\":\"timed out\"}\n"
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"\","
		"\"msg\":\"\",\"k\":null}\n");
}

Test(log, escaping)
{
	hf_log(HF_LOG_INFO, "l\"x", "a \"quoted\" \\path\\", "ctl", "\n\r\t\b\f\x01\x1f\x7f",
	       "utf8", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", "bad",
	       "a\xff"
	       "b\xc0\xaf"
	       "c\xed\xa0\x80"
	       "d\xf4\x90\x80\x80"
	       "e\xe2\x82",
	       "sep", "x\xe2\x80\xa8y\xe2\x80\xa9z", "q\"k", "v", NULL);
	expect_output(
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"l\\\"x\","
		"\"msg\":\"a \\\"quoted\\\" \\\\path\\\\\","
		"\"ctl\":\"\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\","
		"\"utf8\":\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\","
		/* each byte of an invalid sequence is one replacement, as in Go */
		"\"bad\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd\\ufffde"
		"\\ufffd\\ufffd\","
		"\"sep\":\"x\\u2028y\\u2029z\",\"q\\\"k\":\"v\"}\n");
	/* And a JSON parser agrees on what was meant. */
	cJSON *j = only_line();
	cr_assert_str_eq(cJSON_GetObjectItem(j, "msg")->valuestring, "a \"quoted\" \\path\\");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "ctl")->valuestring, "\n\r\t\b\f\x01\x1f\x7f");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "utf8")->valuestring,
			 "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "sep")->valuestring, "x\xe2\x80\xa8y\xe2\x80\xa9z");
	cJSON_Delete(j);
}

Test(log, long_value_is_cut_at_a_character_boundary)
{
	size_t n = HF_LOG_VALUE_MAX * 2;
	char *big = malloc(n + 1);
	for (size_t i = 0; i < n; i += 2) {
		big[i] = '\xc3'; /* é, two bytes */
		big[i + 1] = '\xa9';
	}
	big[n] = '\0';
	char *ascii = malloc(n + 1);
	memset(ascii, 'x', n);
	ascii[n] = '\0';
	hf_log(HF_LOG_INFO, "l", "m", "big", big, "ascii", ascii, "after", "kept", NULL);
	free(big);
	free(ascii);
	cJSON *j = only_line();
	const char *a = cJSON_GetObjectItem(j, "ascii")->valuestring;
	cr_assert_eq(strlen(a), HF_LOG_VALUE_MAX - 1 + 3,
		     "the opening quote counts, the marker not");
	cr_assert_str_eq(a + strlen(a) - 4, "x...");
	const char *v = cJSON_GetObjectItem(j, "big")->valuestring;
	size_t len = strlen(v);
	cr_assert_leq(len, HF_LOG_VALUE_MAX + 3);
	cr_assert_gt(len, HF_LOG_VALUE_MAX - 8);
	cr_assert_str_eq(v + len - 3, "...");
	cr_assert_eq((unsigned char)v[len - 4], 0xa9, "cut inside a character");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "after")->valuestring, "kept");
	cJSON_Delete(j);
}

Test(log, fields_past_the_line_cap_are_dropped_and_counted)
{
	char *value = malloc(HF_LOG_VALUE_MAX);
	memset(value, 'v', HF_LOG_VALUE_MAX - 1);
	value[HF_LOG_VALUE_MAX - 1] = '\0';
	struct hf_log_field fields[20];
	char keys[20][16];
	for (int i = 0; i < 20; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		fields[i] = HF_LOG_STR(keys[i], value);
	}
	hf_log_fields(HF_LOG_ERROR, "l", "m", fields, 20);
	free(value);
	char *got = output();
	cr_assert_leq(strlen(got), HF_LOG_LINE_MAX);
	free(got);
	cJSON *j = only_line();
	cr_assert_not_null(cJSON_GetObjectItem(j, "k0"));
	cr_assert_null(cJSON_GetObjectItem(j, "k19"));
	int kept = 0;
	for (int i = 0; i < 20; i++)
		kept += cJSON_GetObjectItem(j, keys[i]) != NULL;
	cJSON *dropped = cJSON_GetObjectItem(j, "droppedFields");
	cr_assert_not_null(dropped);
	cr_assert_eq(kept + dropped->valueint, 20);
	cr_assert_eq(kept, 7, "64 KiB hold 7 fields of 8 KiB");
	cJSON_Delete(j);
}

Test(log, level_filtering)
{
	hf_log_set_level(HF_LOG_WARN);
	cr_assert_eq(hf_log_get_level(), HF_LOG_WARN);
	cr_assert_not(hf_log_enabled(HF_LOG_INFO));
	cr_assert(hf_log_enabled(HF_LOG_ERROR));
	hf_log(HF_LOG_DEBUG, "l", "debug", NULL);
	hf_log(HF_LOG_INFO, "l", "info", NULL);
	hf_log_with(HF_LOG_INFO, "l", "info", HF_LOG_INT("n", 1));
	hf_log(HF_LOG_WARN, "l", "warn", NULL);
	hf_log_with(HF_LOG_ERROR, "l", "error", HF_LOG_INT("n", 2));
	expect_output(
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"warn\",\"logger\":\"l\",\"msg\":\"warn\"}\n"
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"error\",\"logger\":\"l\",\"msg\":\"error\",\"n\":2}\n");
}

Test(log, parse_level)
{
	enum hf_log_level level = HF_LOG_ERROR;
	cr_assert_eq(hf_log_parse_level("debug", &level), HF_OK);
	cr_assert_eq(level, HF_LOG_DEBUG);
	cr_assert_eq(hf_log_parse_level("info", &level), HF_OK);
	cr_assert_eq(level, HF_LOG_INFO);
	cr_assert_eq(hf_log_parse_level("warn", &level), HF_OK);
	cr_assert_eq(level, HF_LOG_WARN);
	cr_assert_eq(hf_log_parse_level("error", &level), HF_OK);
	cr_assert_eq(level, HF_LOG_ERROR);
	const char *bad[] = {"", "INFO", "warning", "verbose", "info ", "0", NULL};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(hf_log_parse_level(bad[i], &level), HF_ERR_INVALID, "%s", bad[i]);
		cr_assert_eq(level, HF_LOG_ERROR, "unchanged on error");
	}
}

Test(log, default_level_is_info_and_default_clock_is_now)
{
	hf_log_set_clock(NULL);
	hf_log_set_level(HF_LOG_INFO);
	hf_log(HF_LOG_DEBUG, "l", "hidden", NULL);
	time_t before = time(NULL);
	hf_log(HF_LOG_INFO, "l", "shown", NULL);
	cJSON *j = only_line();
	const char *ts = cJSON_GetObjectItem(j, "ts")->valuestring;
	struct tm tm = {0};
	const char *rest = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm);
	cr_assert_not_null(rest, "%s", ts);
	cr_assert_eq(strlen(rest), 5, "%s", ts); /* .mmmZ */
	cr_assert_eq(rest[4], 'Z');
	cr_assert_leq(labs((long)(timegm(&tm) - before)), 2);
	cJSON_Delete(j);
}

Test(log, thread_context_fields)
{
	cr_assert_eq(hf_log_push_field("requestID", "r-1"), HF_OK);
	cr_assert_eq(hf_log_push_field("reconcileKey", "ns/x"), HF_OK);
	hf_log(HF_LOG_INFO, "api", "m", "k", "v", NULL);
	hf_log_pop_field();
	hf_log_with(HF_LOG_INFO, "api", "m", HF_LOG_INT("n", 1));
	hf_log_pop_field();
	hf_log_pop_field(); /* one too many: nothing happens */
	hf_log(HF_LOG_INFO, "api", "m", NULL);
	expect_output("{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"api\","
		      "\"msg\":\"m\",\"k\":\"v\",\"requestID\":\"r-1\",\"reconcileKey\":\"ns/x\"}\n"
		      "{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"api\","
		      "\"msg\":\"m\",\"n\":1,\"requestID\":\"r-1\"}\n"
		      "{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"api\","
		      "\"msg\":\"m\"}\n");
}

Test(log, context_fields_are_capped_and_cleared)
{
	char key[16];
	for (int i = 0; i < HF_LOG_CONTEXT_MAX; i++) {
		snprintf(key, sizeof(key), "c%d", i);
		cr_assert_eq(hf_log_push_field(key, "v"), HF_OK);
	}
	cr_assert_eq(hf_log_push_field("one", "more"), HF_ERR_TOO_LARGE);
	cr_assert_eq(hf_log_push_field(NULL, "v"), HF_ERR_INVALID);
	hf_log_clear_fields();
	hf_log(HF_LOG_INFO, "l", "m", NULL);
	expect_output("{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"l\","
		      "\"msg\":\"m\"}\n");
}

static void *log_from_other_thread(void *arg)
{
	(void)arg;
	hf_log(HF_LOG_INFO, "other", "m", NULL);
	/* Left pushed on purpose: the thread's exit must free it (ASan). */
	cr_assert_eq(hf_log_push_field("thread", "other"), HF_OK);
	return NULL;
}

Test(log, context_fields_belong_to_their_thread)
{
	pthread_t t;
	cr_assert_eq(hf_log_push_field("thread", "main"), HF_OK);
	cr_assert_eq(pthread_create(&t, NULL, log_from_other_thread, NULL), 0);
	pthread_join(t, NULL);
	hf_log_clear_fields();
	expect_output(
		"{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\",\"logger\":\"other\","
		"\"msg\":\"m\"}\n");
}

Test(log, file_without_descriptor)
{
	char buf[512] = {0};
	FILE *mem = fmemopen(buf, sizeof(buf), "w");
	cr_assert_not_null(mem);
	hf_log_set_output(mem);
	hf_log(HF_LOG_INFO, "l", "m", NULL);
	hf_log_set_output(out);
	fclose(mem);
	cr_assert_str_eq(buf, "{\"ts\":\"2026-11-22T04:05:06.123Z\",\"level\":\"info\","
			      "\"logger\":\"l\",\"msg\":\"m\"}\n");
}

#define WRITERS 8
#define LINES	400

static void *writer(void *arg)
{
	int id = (int)(long)arg;
	char idbuf[16], pad[5000];
	snprintf(idbuf, sizeof(idbuf), "%d", id);
	/* Lines longer than PIPE_BUF and stdio's buffer, where tearing would
	 * show first. */
	memset(pad, 'a' + id, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	cr_assert_eq(hf_log_push_field("worker", idbuf), HF_OK);
	for (int i = 0; i < LINES; i++) {
		if (i % 2)
			hf_log_with(HF_LOG_INFO, "w", "line", HF_LOG_INT("i", i),
				    HF_LOG_STR("pad", pad));
		else
			hf_log(HF_LOG_INFO, "w", "line", "pad", pad, NULL);
	}
	hf_log_pop_field();
	return NULL;
}

Test(log, concurrent_writers_write_whole_lines)
{
	pthread_t threads[WRITERS];
	int count[WRITERS] = {0};
	for (long i = 0; i < WRITERS; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, writer, (void *)i), 0);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(threads[i], NULL);
	char *all = output();
	int lines = 0;
	for (char *line = all, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		cJSON *j = cJSON_Parse(line);
		cr_assert_not_null(j, "torn line %d: %.80s", lines, line);
		/* The thread's own context field, next to its own padding. */
		long id = strtol(cJSON_GetObjectItem(j, "worker")->valuestring, NULL, 10);
		cr_assert(id >= 0 && id < WRITERS);
		const char *pad = cJSON_GetObjectItem(j, "pad")->valuestring;
		cr_assert_eq(strlen(pad), 4999);
		cr_assert_eq(pad[0], 'a' + id);
		cr_assert_eq(pad[4998], 'a' + id);
		count[id]++;
		cJSON_Delete(j);
		lines++;
	}
	free(all);
	cr_assert_eq(lines, WRITERS * LINES);
	for (int i = 0; i < WRITERS; i++)
		cr_assert_eq(count[i], LINES, "worker %d", i);
}
