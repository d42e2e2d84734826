/*
 * resource.h - finding a theme or key map by name: the user's copy in
 * <config folder>/themes/NAME.theme (keys/NAME.keys) first, then the
 * built-in copy, then the installed one in the package data folder.
 */
#ifndef MIXCHAT_UI_RESOURCE_H
#define MIXCHAT_UI_RESOURCE_H

#include <stddef.h>

#include "ui/keymap.h"
#include "ui/theme.h"
#include "util/error.h"

/*
 * resource_read: the text of kind/name.ext ("themes", "mono", "theme").
 * *text (NUL-terminated, caller frees) and *len get its contents, *origin
 * (caller frees) the file's path or "built-in themes/mono.theme".
 * MC_ERR_NOTFOUND when there is no such theme; MC_ERR_USAGE for a name
 * with a slash; *cause says what to do.
 */
int resource_read(const char *config_dir, const char *kind, const char *name,
    const char *ext, char **text, size_t *len, char **origin,
    char **cause) MC_WUR;

/*
 * resource_theme: load theme name into t (initialised here; release it
 * even on failure).  A file with bad lines is used without them: MC_OK,
 * with *cause their "FILE:LINE: ..." lines (caller frees).  On failure
 * (no such theme) t holds the built-in default styles.
 */
int resource_theme(const char *config_dir, const char *name, struct theme *t,
    char **cause) MC_WUR;

/*
 * resource_keymap: load key map name into km (initialised here; release it
 * even on failure).  A file with bad lines (or a key bound twice) is used
 * without them: MC_OK, with *cause their "FILE:LINE: ..." lines (caller
 * frees).  When it cannot be used (no such map, or no key in it sends or
 * quits) an error, *cause says why, and km holds the built-in default map.
 */
int resource_keymap(const char *config_dir, const char *name, struct keymap *km,
    char **cause) MC_WUR;

/* resource_list: the names of the built-in kind ("themes"), comma-joined. */
char *resource_list(const char *kind);
/* resource_list_user: the names of the user's own kind in
 * <config_dir>/kind/NAME.ext, sorted and comma-joined; "" when none. */
char *resource_list_user(
    const char *config_dir, const char *kind, const char *ext);

#endif
