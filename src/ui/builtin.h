/*
 * builtin.h - the built-in copies of themes/NAME.theme and keys/NAME.keys.
 *
 * builtin.c is generated from those files at build time (embed.awk), so
 * the program works without its installed data files and the two can
 * never disagree.  resource.h decides between a user's file and these.
 */
#ifndef MIXCHAT_UI_BUILTIN_H
#define MIXCHAT_UI_BUILTIN_H

struct builtin_file {
	const char *path; /* "themes/default.theme" */
	const char *text; /* NULL on the terminating entry */
};

/* Ends with { NULL, NULL }. */
extern const struct builtin_file builtin_files[];

#endif
