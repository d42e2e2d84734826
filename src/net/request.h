/*
 * request.h - what goes on the wire for each API, and what a failed
 * response means to the user.
 *
 *	openai     POST {base}/chat/completions     Authorization: Bearer KEY
 *	anthropic  POST {base}/v1/messages          x-api-key: KEY,
 *	                                            anthropic-version: 2023-06-01
 *	gemini     POST {base}/models/{model}:streamGenerateContent?alt=sse
 *	                                            x-goog-api-key: KEY
 *	ollama     POST {base}/api/chat             Authorization: Bearer KEY
 *	                                            (only when a key is given)
 */
#ifndef MIXCHAT_NET_REQUEST_H
#define MIXCHAT_NET_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

/* Anthropic requires max_tokens; this is sent when the caller gives none. */
#define REQUEST_ANTHROPIC_MAX_TOKENS 4096

/*
 * request_build: the URL and JSON body of req.  *url and *body are the
 * caller's to free.  *auth is the header name prefix for the key
 * ("Authorization: Bearer ", "x-api-key: ", "x-goog-api-key: ") or NULL
 * when none is sent.  MC_ERR_USAGE with *cause for a bad base_url (plain
 * http to a host that is not loopback, not http(s) at all).
 */
int request_build(const struct net_request *req, char **url, char **body,
    const char **auth, char **cause) MC_WUR;

/*
 * request_check_url: MC_OK for https:// URLs and http:// to loopback
 * (127.0.0.0/8, ::1, localhost); else MC_ERR_USAGE with *cause naming the
 * provider.
 */
int request_check_url(
    const char *url, const char *provider, char **cause) MC_WUR;

/*
 * request_wants_max_completion_tokens: whether an OpenAI model rejects
 * max_tokens (the o-series and the gpt-5 family; a "vendor/" prefix as in
 * "openai/gpt-5" is skipped).
 */
bool request_wants_max_completion_tokens(const char *model_id);

/*
 * request_error: the user-facing line for an HTTP error status with body
 * (len bytes, may be empty) from provider `name` serving model `model` at
 * url (named when the status says nothing answers there).
 * *err gets MC_ERR_AGAIN for 429, else MC_ERR_PROVIDER; *key_rejected
 * whether the server refused the credentials (401, or a body that says
 * the key is invalid, as Gemini's 400 does).  The provider's words are
 * cleaned with request_clean_text() (secret: the key sent, to be masked
 * if the provider echoes it) and url is shown in its public form.  The
 * caller frees the string.
 */
char *request_error(enum provider_api api, const char *name, const char *model,
    const char *url, long status, const char *body, size_t len,
    int64_t retry_after_ms, const char *secret, size_t secret_len, int *err,
    bool *key_rejected);

/*
 * request_public_url: url without its user info, query and fragment: the
 * form that may be shown, logged and stored ("http://u:pw@h/p?k=v" gives
 * "http://h/p").  Works on any string.  The caller frees it.
 */
char *request_public_url(const char *url);

/*
 * request_clean_text: text a provider (or libcurl) supplied, made safe to
 * show on a terminal, log and store: C0 and C1 controls and DEL are
 * dropped (tab, CR and LF become a space), a byte that is not UTF-8
 * becomes '?', and each occurrence of the secret (secret_len bytes; NULL
 * for none) becomes "[key]".  NUL-terminated; the caller frees it.
 */
char *request_clean_text(
    const char *s, size_t len, const char *secret, size_t secret_len);

#endif
