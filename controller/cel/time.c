/*
 * time.c: timestamp and duration parsing, formatting, arithmetic, and the
 * builtins timestamp(), duration() and the get*() accessors.
 */
#include "cel/time.h"

#include <stdio.h>
#include <string.h>

#include "cel/eval.h"

#define NS_PER_S 1000000000LL

/* Civil dates from and to days since 1970-01-01 in the proleptic Gregorian
 * calendar (the well-known era-of-400-years method), exact for any year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool num(const char *s, size_t n, size_t *i, size_t digits, int *out)
{
	int v = 0;
	for (size_t k = 0; k < digits; k++) {
		if (*i + k >= n || s[*i + k] < '0' || s[*i + k] > '9')
			return false;
		v = v * 10 + (s[*i + k] - '0');
	}
	*i += digits;
	*out = v;
	return true;
}

static bool lit(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

bool cel_ts_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
	size_t i = 0;
	int y, mo, d, h, mi, se;
	if (!num(s, n, &i, 4, &y) || !lit(s, n, &i, '-') || !num(s, n, &i, 2, &mo) ||
	    !lit(s, n, &i, '-') || !num(s, n, &i, 2, &d) || !lit(s, n, &i, 'T') ||
	    !num(s, n, &i, 2, &h) || !lit(s, n, &i, ':') || !num(s, n, &i, 2, &mi) ||
	    !lit(s, n, &i, ':') || !num(s, n, &i, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > month_days(y, (unsigned)mo) || h > 23 ||
	    mi > 59 || se > 59)
		return false;
	int32_t frac = 0;
	if (i < n && s[i] == '.') {
		i++;
		size_t digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (++digits > 9)
				return false;
			frac = frac * 10 + (s[i++] - '0');
		}
		if (!digits)
			return false;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	int offset = 0;
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i++] == '-' ? -1 : 1, oh, om;
		if (!num(s, n, &i, 2, &oh) || !lit(s, n, &i, ':') || !num(s, n, &i, 2, &om) ||
		    oh > 23 || om > 59)
			return false;
		offset = sign * (oh * 3600 + om * 60);
	} else {
		return false;
	}
	if (i != n)
		return false;
	int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
		    se - offset;
	if (t < CEL_TS_MIN || t > CEL_TS_MAX)
		return false;
	*sec = t;
	*nsec = frac;
	return true;
}

size_t cel_ts_format(int64_t sec, int32_t nsec, char *buf, size_t len)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	int n = snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (nsec && n > 0 && (size_t)n < len) {
		char f[16];
		snprintf(f, sizeof(f), "%09d", (int)nsec);
		size_t k = 9;
		while (k > 0 && f[k - 1] == '0')
			k--;
		f[k] = '\0';
		n += snprintf(buf + n, len - (size_t)n, ".%s", f);
	}
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "Z");
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

bool cel_ts_add(int64_t sec, int32_t nsec, int64_t ns, int64_t *osec, int32_t *onsec)
{
	int64_t s = sec + ns / NS_PER_S;
	int64_t f = nsec + ns % NS_PER_S;
	if (f < 0) {
		f += NS_PER_S;
		s--;
	} else if (f >= NS_PER_S) {
		f -= NS_PER_S;
		s++;
	}
	if (s < CEL_TS_MIN || s > CEL_TS_MAX)
		return false;
	*osec = s;
	*onsec = (int32_t)f;
	return true;
}

bool cel_ts_sub(int64_t asec, int32_t ansec, int64_t bsec, int32_t bnsec, int64_t *ns)
{
	int64_t d;
	return !__builtin_mul_overflow(asec - bsec, NS_PER_S, &d) &&
	       !__builtin_add_overflow(d, (int64_t)ansec - bnsec, ns);
}

bool cel_dur_parse(const char *s, size_t n, int64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{"ns", 1},	 {"us", 1000},	  {"\xc2\xb5s", 1000},	{"\xce\xbcs", 1000},
		{"ms", 1000000}, {"s", NS_PER_S}, {"m", 60 * NS_PER_S}, {"h", 3600 * NS_PER_S}};
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (n - i == 1 && s[i] == '0') {
		*out = 0;
		return true;
	}
	if (i == n)
		return false;
	uint64_t total = 0;
	while (i < n) {
		uint64_t whole = 0, frac = 0, scale = 1;
		size_t digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (__builtin_mul_overflow(whole, 10, &whole) ||
			    __builtin_add_overflow(whole, (uint64_t)(s[i] - '0'), &whole))
				return false;
			i++, digits++;
		}
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				/* Digits past nanoseconds of an hour cannot matter. */
				if (scale < 1000000000000000000ULL) {
					frac = frac * 10 + (uint64_t)(s[i] - '0');
					scale *= 10;
				}
				i++, digits++;
			}
		}
		if (!digits)
			return false;
		size_t best = 0, best_len = 0;
		for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t l = strlen(units[k].unit);
			if (l <= n - i && memcmp(s + i, units[k].unit, l) == 0 && l > best_len) {
				best = k;
				best_len = l;
			}
		}
		if (!best_len)
			return false;
		i += best_len;
		uint64_t u = units[best].ns, v;
		if (__builtin_mul_overflow(whole, u, &v))
			return false;
		/* frac/scale of a unit, in ns, without overflowing: u <= 3.6e12
		 * and frac < scale <= 1e18, so split the product. */
		v += (uint64_t)((long double)frac * (long double)u / (long double)scale);
		if (__builtin_add_overflow(total, v, &total))
			return false;
	}
	if (total > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return false;
	*out = neg ? (int64_t)(0 - total) : (int64_t)total;
	return true;
}

size_t cel_dur_format(int64_t ns, char *buf, size_t len)
{
	uint64_t mag = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t whole = mag / NS_PER_S, frac = mag % NS_PER_S;
	int n;
	if (!frac) {
		n = snprintf(buf, len, "%s%llus", ns < 0 ? "-" : "", (unsigned long long)whole);
	} else {
		char f[16];
		snprintf(f, sizeof(f), "%09llu", (unsigned long long)frac);
		size_t k = 9;
		while (f[k - 1] == '0')
			k--;
		f[k] = '\0';
		n = snprintf(buf, len, "%s%llu.%ss", ns < 0 ? "-" : "", (unsigned long long)whole,
			     f);
	}
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

static struct cel_value fn_timestamp(struct cel_eval *e, const struct cel_node *n,
				     const struct cel_value *a, size_t na)
{
	int64_t sec;
	int32_t nsec;
	switch (a[0].kind) {
	case CEL_TIMESTAMP: return a[0];
	case CEL_STRING:
		if (!cel_ts_parse(a[0].v.p, a[0].n, &sec, &nsec))
			return cel_error(e, n->pos, "invalid timestamp '%.*s'",
					 (int)(a[0].n > 64 ? 64 : a[0].n), a[0].v.p);
		return cel_timestamp(sec, nsec);
	case CEL_INT:
		if (a[0].v.i < CEL_TS_MIN || a[0].v.i > CEL_TS_MAX)
			return cel_error(e, n->pos, "timestamp out of range");
		return cel_timestamp(a[0].v.i, 0);
	default: return cel_no_overload(e, n->pos, "timestamp", a, na);
	}
}

static struct cel_value fn_duration(struct cel_eval *e, const struct cel_node *n,
				    const struct cel_value *a, size_t na)
{
	int64_t ns;
	if (a[0].kind == CEL_DURATION)
		return a[0];
	if (a[0].kind != CEL_STRING)
		return cel_no_overload(e, n->pos, "duration", a, na);
	if (!cel_dur_parse(a[0].v.p, a[0].n, &ns))
		return cel_error(e, n->pos, "invalid duration '%.*s'",
				 (int)(a[0].n > 64 ? 64 : a[0].n), a[0].v.p);
	return cel_duration(ns);
}

/* zone reads a time zone argument into an offset in seconds: "UTC", or a
 * fixed offset "+05:30", "-08:00", "05:30". */
static bool zone(struct cel_str z, int *offset)
{
	if ((z.n == 3 && memcmp(z.p, "UTC", 3) == 0) || (z.n == 1 && z.p[0] == 'Z') || z.n == 0) {
		*offset = 0;
		return true;
	}
	size_t i = 0;
	int sign = 1, h, m;
	if (z.n && (z.p[0] == '+' || z.p[0] == '-'))
		sign = z.p[i++] == '-' ? -1 : 1;
	if (!num(z.p, z.n, &i, 2, &h) || !lit(z.p, z.n, &i, ':') || !num(z.p, z.n, &i, 2, &m) ||
	    i != z.n || h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return true;
}

enum part {
	YEAR,
	MONTH,
	DAY_OF_YEAR,
	DAY_OF_MONTH,
	DATE,
	DAY_OF_WEEK,
	HOURS,
	MINUTES,
	SECONDS,
	MILLIS
};

static struct cel_value accessor(struct cel_eval *e, const struct cel_node *n,
				 const struct cel_value *a, size_t na, enum part part)
{
	const char *name = cel_builtin_get(n->fn)->name;
	if (a[0].kind == CEL_DURATION && na == 1 && part >= HOURS) {
		static const int64_t div[] = {3600 * NS_PER_S, 60 * NS_PER_S, NS_PER_S, 1000000};
		return cel_int(a[0].v.i / div[part - HOURS]);
	}
	if (a[0].kind != CEL_TIMESTAMP || (na == 2 && a[1].kind != CEL_STRING))
		return cel_no_overload(e, n->pos, name, a, na);
	int offset = 0;
	if (na == 2 && !zone(cel_str_of(a[1]), &offset))
		return cel_error(e, n->pos, "unsupported time zone '%.*s'",
				 (int)(a[1].n > 64 ? 64 : a[1].n), a[1].v.p);
	int64_t t = a[0].v.sec + offset;
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	switch (part) {
	case YEAR: return cel_int(y);
	case MONTH: return cel_int(m - 1);
	case DAY_OF_YEAR: return cel_int(days - days_from_civil(y, 1, 1));
	case DAY_OF_MONTH: return cel_int(d - 1);
	case DATE: return cel_int(d);
	case DAY_OF_WEEK: return cel_int(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	case HOURS: return cel_int(rem / 3600);
	case MINUTES: return cel_int(rem / 60 % 60);
	case SECONDS: return cel_int(rem % 60);
	default: return cel_int(a[0].n / 1000000);
	}
}

#define ACCESSOR(fname, part)                                                                      \
	static struct cel_value fname(struct cel_eval *e, const struct cel_node *n,                \
				      const struct cel_value *a, size_t na)                        \
	{                                                                                          \
		return accessor(e, n, a, na, part);                                                \
	}
ACCESSOR(get_year, YEAR)
ACCESSOR(get_month, MONTH)
ACCESSOR(get_day_of_year, DAY_OF_YEAR)
ACCESSOR(get_day_of_month, DAY_OF_MONTH)
ACCESSOR(get_date, DATE)
ACCESSOR(get_day_of_week, DAY_OF_WEEK)
ACCESSOR(get_hours, HOURS)
ACCESSOR(get_minutes, MINUTES)
ACCESSOR(get_seconds, SECONDS)
ACCESSOR(get_millis, MILLIS)

const struct cel_builtin cel_time_builtins[] = {
	{"timestamp", FN_GLOBAL, 1, 1, fn_timestamp},
	{"duration", FN_GLOBAL, 1, 1, fn_duration},
	{"getFullYear", FN_METHOD, 0, 1, get_year},
	{"getMonth", FN_METHOD, 0, 1, get_month},
	{"getDayOfYear", FN_METHOD, 0, 1, get_day_of_year},
	{"getDayOfMonth", FN_METHOD, 0, 1, get_day_of_month},
	{"getDate", FN_METHOD, 0, 1, get_date},
	{"getDayOfWeek", FN_METHOD, 0, 1, get_day_of_week},
	{"getHours", FN_METHOD, 0, 1, get_hours},
	{"getMinutes", FN_METHOD, 0, 1, get_minutes},
	{"getSeconds", FN_METHOD, 0, 1, get_seconds},
	{"getMilliseconds", FN_METHOD, 0, 1, get_millis},
};
const size_t cel_time_builtin_count = sizeof(cel_time_builtins) / sizeof(cel_time_builtins[0]);
