/*
 * metrics_text.h: reading Prometheus text in unit tests.
 */
#ifndef HF_TEST_METRICS_TEXT_H
#define HF_TEST_METRICS_TEXT_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* sample_value returns the value on the line "series value" (the name with
 * its labels), failing the test when there is none. */
static inline double sample_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ')
			return strtod(line + n + 1, NULL);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	cr_assert_fail("no sample %s in:\n%s", series, text);
	return 0;
}

#endif
