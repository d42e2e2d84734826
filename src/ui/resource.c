/*
 * resource.c - themes and key maps by name (see resource.h).  Owns the
 * order of precedence: user's file, built-in copy, installed copy.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/builtin.h"
#include "ui/resource.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xmalloc.h"

#define RESOURCE_MAX (256 * 1024)

#ifndef MIXCHAT_PKGDATADIR
#define MIXCHAT_PKGDATADIR "/usr/local/share/mixchat"
#endif

static const char *
builtin_text(const char *kind, const char *name, const char *ext)
{
	char path[256];
	size_t i;

	snprintf(path, sizeof path, "%s/%s.%s", kind, name, ext);
	for (i = 0; builtin_files[i].path != NULL; i++)
		if (strcmp(builtin_files[i].path, path) == 0)
			return builtin_files[i].text;
	return NULL;
}

static int
read_path(const char *path, char **text, size_t *len, char **cause)
{
	struct buf b;
	int rc;

	buf_init(&b, RESOURCE_MAX);
	rc = fs_read_file(path, &b, cause);
	if (rc != MC_OK) {
		buf_release(&b);
		return rc;
	}
	/* Its every byte, a NUL too: the parser names the line that has
	 * one, rather than the file ending unseen there. */
	*len = b.len;
	if (b.data == NULL)
		*text = xstrdup("");
	else
		*text = buf_detach(&b, NULL);
	return MC_OK;
}

/* read_if_there: no file at path (not an error: look further). */
#define RESOURCE_ABSENT (-1000)

/* Read path (taken over) if a file is there: *origin gets path on
 * success; RESOURCE_ABSENT when there is none. */
static int
read_if_there(char *path, char **text, size_t *len, char **origin, char **cause)
{
	int rc;

	if (!fs_exists(path)) {
		free(path);
		return RESOURCE_ABSENT;
	}
	rc = read_path(path, text, len, cause);
	if (rc == MC_OK)
		*origin = path;
	else
		free(path);
	return rc;
}

int
resource_read(const char *config_dir, const char *kind, const char *name,
    const char *ext, char **text, size_t *len, char **origin, char **cause)
{
	const char *builtin;
	char *names, *mine;
	int rc;

	*text = NULL;
	*origin = NULL;
	*cause = NULL;
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		*cause =
		    xasprintf("'%s' is not a %s name (no slashes)", name, ext);
		return MC_ERR_USAGE;
	}
	if (config_dir != NULL &&
	    (rc = read_if_there(
	         xasprintf("%s/%s/%s.%s", config_dir, kind, name, ext), text,
	         len, origin, cause)) != RESOURCE_ABSENT)
		return rc;
	if ((builtin = builtin_text(kind, name, ext)) != NULL) {
		*text = xstrdup(builtin);
		*len = strlen(builtin);
		*origin = xasprintf("built-in %s/%s.%s", kind, name, ext);
		return MC_OK;
	}
	rc = read_if_there(
	    xasprintf("%s/%s/%s.%s", MIXCHAT_PKGDATADIR, kind, name, ext), text,
	    len, origin, cause);
	if (rc != RESOURCE_ABSENT)
		return rc;
	names = resource_list(kind);
	mine = resource_list_user(config_dir, kind, ext);
	*cause = xasprintf("no %s named '%s' (built in: %s%s%s; or put "
	                   "%s.%s in %s/%s)",
	    ext, name, names, mine[0] != '\0' ? "; yours: " : "", mine, name,
	    ext, config_dir != NULL ? config_dir : "the config folder", kind);
	free(mine);
	free(names);
	return MC_ERR_NOTFOUND;
}

int
resource_theme(
    const char *config_dir, const char *name, struct theme *t, char **cause)
{
	char *text = NULL, *origin = NULL;
	size_t len;
	int rc;

	theme_init(t, name);
	rc = resource_read(
	    config_dir, "themes", name, "theme", &text, &len, &origin, cause);
	if (rc != MC_OK)
		goto out;
	/* Its bad lines are named (*cause) and left out; the good ones,
	 * the user's own choices, are in use. */
	rc = theme_parse(t, text, len, origin, cause);
	if (rc == MC_ERR_PARSE)
		rc = MC_OK;
out:
	free(text);
	free(origin);
	return rc;
}

int
resource_keymap(
    const char *config_dir, const char *name, struct keymap *km, char **cause)
{
	char *text = NULL, *origin = NULL, *ignored = NULL;
	const char *builtin;
	size_t len;
	int rc;

	keymap_init(km, name);
	rc = resource_read(
	    config_dir, "keys", name, "keys", &text, &len, &origin, cause);
	/* Its bad lines are named (*cause) and left out; the good ones
	 * are in use. */
	if (rc == MC_OK &&
	    (rc = keymap_parse(km, text, len, origin, cause)) == MC_ERR_PARSE)
		rc = MC_OK;
	/* A map in which no key sends or none quits would lock the user in
	 * (a file written with only the keys to change): refused, after
	 * the lines that explain it (C-d bound twice, a bad line). */
	if (rc == MC_OK &&
	    (!keymap_binds(km, ACT_SEND) || !keymap_binds(km, ACT_QUIT))) {
		char *why = xasprintf("%s%s%s: no key %s (a key map replaces "
		                      "the default one whole: start from a "
		                      "copy of it)",
		    *cause != NULL ? *cause : "", *cause != NULL ? "\n" : "",
		    origin,
		    !keymap_binds(km, ACT_SEND) ? "sends the message (send)"
		                                : "quits (quit)");

		free(*cause);
		*cause = why;
		rc = MC_ERR_PARSE;
	}
	if (rc != MC_OK) {
		keymap_release(km);
		keymap_init(km, "default");
		builtin = builtin_text("keys", "default", "keys");
		/* It parses (built_in_copies_match_the_files). */
		if (builtin != NULL &&
		    keymap_parse(km, builtin, strlen(builtin), "default.keys",
		        &ignored) != MC_OK) {
		}
		free(ignored);
	}
	free(text);
	free(origin);
	return rc;
}

char *
resource_list(const char *kind)
{
	struct buf b;
	size_t i, klen = strlen(kind);
	const char *p, *dot;
	int rc = MC_OK;

	buf_init(&b, 4096);
	for (i = 0; builtin_files[i].path != NULL && rc == MC_OK; i++) {
		p = builtin_files[i].path;
		if (strncmp(p, kind, klen) != 0 || p[klen] != '/')
			continue;
		p += klen + 1;
		dot = strrchr(p, '.');
		if (b.len > 0)
			rc = buf_addstr(&b, ", ");
		if (rc == MC_OK)
			rc = buf_add(
			    &b, p, dot != NULL ? (size_t)(dot - p) : strlen(p));
	}
	if (rc != MC_OK || b.data == NULL) {
		buf_release(&b);
		return xstrdup("");
	}
	return buf_detach(&b, NULL);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
resource_list_user(const char *config_dir, const char *kind, const char *ext)
{
	DIR *d;
	struct dirent *de;
	char *path, **names = NULL, *out;
	size_t n = 0, cap = 0, i, l, elen = strlen(ext);
	struct buf b;
	int rc = MC_OK;

	if (config_dir == NULL)
		return xstrdup("");
	path = xasprintf("%s/%s", config_dir, kind);
	d = opendir(path);
	free(path);
	if (d == NULL)
		return xstrdup("");
	while ((de = readdir(d)) != NULL && n < 200) {
		l = strlen(de->d_name);
		/* NAME.ext, as resource_read takes NAME. */
		if (de->d_name[0] == '.' || l <= elen + 1 ||
		    de->d_name[l - elen - 1] != '.' ||
		    strcmp(de->d_name + l - elen, ext) != 0)
			continue;
		names = xgrowarray(names, &cap, n + 1, sizeof *names);
		names[n++] = xstrndup(de->d_name, l - elen - 1);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	buf_init(&b, 64 * 1024);
	for (i = 0; i < n; i++) {
		if (rc == MC_OK && i > 0)
			rc = buf_addstr(&b, ", ");
		if (rc == MC_OK)
			rc = buf_addstr(&b, names[i]);
		free(names[i]);
	}
	free(names);
	if (rc != MC_OK || b.data == NULL) {
		buf_release(&b);
		return xstrdup("");
	}
	out = buf_detach(&b, NULL);
	return out;
}
