/*
 * json.h - the one way JSON enters mixchat.
 *
 * json_parse() caps the input size, optionally strips // and slash-star
 * comments (keeping every newline, so positions still name the right line),
 * and reports a syntax error as "NAME:LINE:COL: ...".  json_locate() finds
 * the line of a value by its path ("models[2].price") for error messages
 * about well-formed JSON with a wrong field.  Never put a secret in a cJSON
 * tree: cJSON's memory is not guarded.
 */
#ifndef MIXCHAT_JSON_H
#define MIXCHAT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/error.h"

#define JSON_MAX_DEFAULT (16u << 20)

/*
 * json_parse: parse len bytes of text named `name` (for messages).  On
 * success *out is a tree the caller frees with cJSON_Delete().  On failure
 * returns MC_ERR_PARSE or MC_ERR_LIMIT and sets *cause (caller frees).
 */
int json_parse(const char *text, size_t len, size_t max, bool comments,
    const char *name, cJSON **out, char **cause) MC_WUR;

/*
 * json_strip_comments: replace comments in text (len bytes, modified in
 * place) with spaces, keeping newlines.  Strings are left alone.
 * Returns MC_ERR_PARSE for an unterminated block comment.
 */
int json_strip_comments(char *text, size_t len) MC_WUR;

/*
 * json_locate: the 1-based line at which the value at path begins in text
 * (comments allowed), or 0 when the path is not there.  Path components are
 * object keys joined by '.', array indexes as [N].
 */
int json_locate(const char *text, size_t len, const char *path);

/*
 * json_locate_nth: the same for the nth (0: the first) occurrence of the
 * path's last key in its object, for a key given twice (cJSON keeps both;
 * lookups find the first).
 */
int json_locate_nth(const char *text, size_t len, const char *path, int nth);

/* Typed getters: NULL / the default when absent or of another type. */
const char *json_get_string(const cJSON *obj, const char *key);
double json_get_number(const cJSON *obj, const char *key, double dflt);
bool json_get_bool(const cJSON *obj, const char *key, bool dflt);

#endif
