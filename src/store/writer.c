/*
 * writer.c - who wrote a record that outlives the call that made it (a
 * draft of a reply still arriving, a budget hold), and whether that
 * process still lives.  A pid alone cannot say: after a reboot, or in
 * another container on the same data folder, the pid of a dead writer may
 * belong to some other process.  So a writer is its pid, its start time
 * and a random token, and a live pid is the writer only if it started
 * when the writer did.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/timeutil.h"

/* This process as a writer, made on first use (again in a forked child:
 * its pid, start and token are its own). */
static struct store_writer me;

/* Process pid's start time from /proc (field 22 of its stat), 0 when
 * it cannot be read. */
static uint64_t
proc_start(uint32_t pid)
{
	char path[64], line[1024], *p;
	unsigned long long v = 0;
	size_t n;
	FILE *f;
	int field;

	snprintf(path, sizeof path, "/proc/%u/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[n] = '\0';
	/* After the name (which may hold spaces and parentheses) come
	 * fields 3, 4, ...; starttime is the 22nd. */
	if ((p = strrchr(line, ')')) == NULL)
		return 0;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &v) != 1)
		return 0;
	return (uint64_t)v;
}

const struct store_writer *
store_writer_me(void)
{
	uint32_t pid = (uint32_t)getpid();

	if (me.pid == pid && me.token != 0)
		return &me;
	me.pid = pid;
	me.start = proc_start(pid);
	if (getrandom(&me.token, sizeof me.token, 0) !=
	    (ssize_t)sizeof me.token)
		me.token =
		    ((uint64_t)pid << 32) ^ (uint64_t)time_wall_ms() ^ me.start;
	if (me.token == 0)
		me.token = 1;
	return &me;
}

bool
store_writer_alive(const struct store_writer *w)
{
	uint64_t now_start;

	if (w->token == store_writer_me()->token)
		return true; /* this process's own */
	if (w->pid == 0 || w->pid > INT_MAX)
		return false;
	if (kill((pid_t)w->pid, 0) != 0 && errno != EPERM)
		return false;
	/* The pid lives: the same process only if it started when the
	 * writer did (when both can be read). */
	now_start = w->start != 0 ? proc_start(w->pid) : 0;
	return now_start == 0 || now_start == w->start;
}
