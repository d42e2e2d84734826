/*
 * timeutil.h - clocks.  Durations come from CLOCK_MONOTONIC (never goes
 * back), timestamps for records from the wall clock.
 */
#ifndef MIXCHAT_TIMEUTIL_H
#define MIXCHAT_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* time_mono_us: microseconds on the monotonic clock. */
uint64_t time_mono_us(void);
/* time_mono_usf: the same with its fraction (for timing short work). */
double time_mono_usf(void);
/* time_mono_ms: milliseconds on the monotonic clock. */
uint64_t time_mono_ms(void);
/* time_wall_ms: milliseconds since the Unix epoch (UTC). */
int64_t time_wall_ms(void);
/* time_sort: sort n timing samples in place, ascending (for a median or
 * a p99 read off by index). */
void time_sort(double *samples, size_t n);
/* time_day: the local calendar day of a wall-clock time as YYYYMMDD. */
uint32_t time_day(int64_t wall_ms);
/*
 * time_wait_text: a wait of ms as people say it, rounded up: "3 s"
 * below two minutes, "25 min" below two hours, else "5 h (until 14:05)"
 * with the local time it ends, and its day when that is not today:
 * "24 h (until tomorrow 14:05)", "72 h (until Tue 1 Dec 14:05)".  Into
 * buf (n >= 40 holds every one).  time_wait_text_at: the same from the
 * wall-clock time now_ms (milliseconds since the epoch).
 */
void time_wait_text(int64_t ms, char *buf, size_t n);
void time_wait_text_at(int64_t now_ms, int64_t ms, char *buf, size_t n);

#endif
