/*
 * timeutil.c - clocks (see timeutil.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/timeutil.h"

uint64_t
time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

double
time_mono_usf(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_sample(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
time_sort(double *samples, size_t n)
{
	qsort(samples, n, sizeof *samples, cmp_sample);
}

uint64_t
time_mono_ms(void)
{
	return time_mono_us() / 1000u;
}

int64_t
time_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t
time_day(int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	                  tm.tm_mday);
}

void
time_wait_text(int64_t ms, char *buf, size_t n)
{
	int64_t s = ms > 0 ? (ms + 999) / 1000 : 0;
	time_t end;
	struct tm tm;

	if (s <= 120) {
		snprintf(buf, n, "%lld s", (long long)s);
		return;
	}
	if (s < 7200) {
		snprintf(buf, n, "%lld min", (long long)((s + 59) / 60));
		return;
	}
	end = (time_t)((time_wall_ms() + ms) / 1000);
	if (localtime_r(&end, &tm) == NULL) {
		snprintf(buf, n, "%lld h", (long long)((s + 3599) / 3600));
		return;
	}
	snprintf(buf, n, "%lld h (until %02d:%02d)",
	    (long long)((s + 3599) / 3600), tm.tm_hour, tm.tm_min);
}
