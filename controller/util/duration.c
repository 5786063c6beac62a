#include "util/duration.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool hf_duration_parse(const char *s, double *seconds)
{
	if (!s || !*s)
		return false;
	double sign = 1;
	if (*s == '-' || *s == '+') {
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	if (strcmp(s, "0") == 0) {
		*seconds = 0;
		return true;
	}
	static const struct {
		const char *unit;
		double scale;
	} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3},
		     {"s", 1},	   {"m", 60},	 {"h", 3600}};
	double total = 0;
	while (*s) {
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
		char *end;
		double v = strtod(s, &end);
		if (end == s)
			return false;
		s = end;
		size_t best = 0, best_len = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, n) == 0 && n > best_len) {
				best = i;
				best_len = n;
			}
		}
		if (!best_len)
			return false;
		total += v * units[best].scale;
		s += best_len;
	}
	*seconds = sign * total;
	return true;
}
