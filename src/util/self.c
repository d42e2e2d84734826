/*
 * self.c - the command that runs this mixchat again (see self.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/self.h"
#include "util/xmalloc.h"

static char *self;

/* s as one word of a POSIX shell: as it is when it holds only characters
 * no shell treats specially, else in single quotes ('\'' for a quote). */
static void
self_word(struct buf *b, const char *s)
{
	const char *p;

	if (s[0] != '\0' &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	              "0123456789_./:=@%+,-") == strlen(s) &&
	    s[0] != '=') {
		(void)!buf_add(b, s, strlen(s));
		return;
	}
	(void)!buf_add(b, "'", 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			(void)!buf_add(b, "'\\''", 4);
		else
			(void)!buf_add(b, p, 1);
	}
	(void)!buf_add(b, "'", 1);
}

void
self_set(const char *home, const char *config_file)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	(void)!buf_add(&b, "mixchat", 7);
	if (home != NULL) {
		(void)!buf_add(&b, " --home ", 8);
		self_word(&b, home);
	}
	if (config_file != NULL) {
		(void)!buf_add(&b, " --config ", 10);
		self_word(&b, config_file);
	}
	free(self);
	self = xstrdup(buf_str(&b));
	buf_release(&b);
}

const char *
self_cmd(void)
{
	return self != NULL ? self : "mixchat";
}
