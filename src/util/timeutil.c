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
	time_wait_text_at(time_wall_ms(), ms, buf, n);
}

void
time_wait_text_at(int64_t now_ms, int64_t ms, char *buf, size_t n)
{
	static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t s = ms > 0 ? (ms + 999) / 1000 : 0;
	time_t end, now;
	struct tm tm, today;
	char day[24];

	if (s <= 120) {
		snprintf(buf, n, "%lld s", (long long)s);
		return;
	}
	if (s < 7200) {
		snprintf(buf, n, "%lld min", (long long)((s + 59) / 60));
		return;
	}
	end = (time_t)((now_ms + ms) / 1000);
	now = (time_t)(now_ms / 1000);
	if (localtime_r(&end, &tm) == NULL ||
	    localtime_r(&now, &today) == NULL) {
		snprintf(buf, n, "%lld h", (long long)((s + 3599) / 3600));
		return;
	}
	/* "until 22:23" alone would read as today's (a wait of 24 h ends
	 * at the time it is now): another day is named. */
	day[0] = '\0';
	if (tm.tm_year != today.tm_year || tm.tm_yday != today.tm_yday) {
		today.tm_mday++;
		today.tm_hour = 12; /* not a time a DST change skips */
		today.tm_isdst = -1;
		if (mktime(&today) != (time_t)-1 &&
		    tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
			snprintf(day, sizeof day, "tomorrow ");
		else
			snprintf(day, sizeof day, "%s %d %s ",
			    wday[tm.tm_wday % 7], tm.tm_mday,
			    mon[tm.tm_mon % 12]);
	}
	snprintf(buf, n, "%lld h (until %s%02d:%02d)",
	    (long long)((s + 3599) / 3600), day, tm.tm_hour, tm.tm_min);
}
