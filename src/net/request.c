/*
 * request.c - building each API's request and reading its error bodies
 * (see request.h; shapes from shared/reference/providers.md §2-§6).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "net/request.h"
#include "util/json.h"
#include "util/self.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

char *
request_public_url(const char *url)
{
	const char *auth, *end, *at, *p, *cut;
	size_t alen;
	char *out;

	/* After "scheme://", the authority runs to the first '/', '?' or
	 * '#'; user info ends at its last '@'. */
	p = strstr(url, "://");
	auth = p != NULL ? p + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL)
		auth = at + 1;
	cut = end + strcspn(end, "?#");
	alen = (size_t)(cut - auth);
	p = strstr(url, "://");
	if (p == NULL || p >= auth)
		return xasprintf("%.*s", (int)alen, auth);
	out = xasprintf("%.*s%.*s", (int)(p + 3 - url), url, (int)alen, auth);
	return out;
}

char *
request_clean_text(
    const char *s, size_t len, const char *secret, size_t secret_len)
{
	char *c = xmalloc(len + 1), *out, *o;
	const char *p, *hit;
	size_t i = 0, n, clen = 0, hits = 0;
	uint32_t cp;

	/* Each character is kept, turned into one byte or dropped: the
	 * clean text is never longer. */
	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (cp == UTF8_REPLACEMENT && n == 1 &&
		    (unsigned char)s[i] >= 0x80)
			c[clen++] = '?';
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			c[clen++] = ' ';
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			; /* ESC, BEL, CSI (U+009B)...: never to a terminal */
		else {
			memcpy(c + clen, s + i, n);
			clen += n;
		}
		i += n;
	}
	c[clen] = '\0';
	if (secret == NULL || secret_len == 0)
		return c;
	for (p = c; (hit = memmem(p, clen - (size_t)(p - c), secret,
	                 secret_len)) != NULL;
	     p = hit + secret_len)
		hits++;
	if (hits == 0)
		return c;
	o = out = xmalloc(clen + hits * 5 + 1);
	for (p = c; (hit = memmem(p, clen - (size_t)(p - c), secret,
	                 secret_len)) != NULL;
	     p = hit + secret_len) {
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, "[key]", 5);
		o += 5;
	}
	n = clen - (size_t)(p - c);
	memcpy(o, p, n);
	o[n] = '\0';
	explicit_bzero(c, clen);
	free(c);
	return out;
}

bool
request_wants_max_completion_tokens(const char *id)
{
	const char *slash = strrchr(id, '/');

	if (slash != NULL)
		id = slash + 1;
	if (id[0] == 'o' && isdigit((unsigned char)id[1]))
		return true;
	return strncmp(id, "gpt-5", 5) == 0;
}

int
request_check_url(const char *url, const char *provider, char **cause)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = MC_ERR_USAGE;

	if (u == NULL) {
		*cause = xstrdup("out of memory");
		return MC_ERR_NOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		char *pub = request_public_url(url);

		*cause = xasprintf(
		    "provider %s: base_url gives the URL '%s', "
		    "which is not a valid http(s) URL: fix base_url in "
		    "config.json",
		    provider, pub);
		free(pub);
		goto out;
	}
	if (strcasecmp(scheme, "https") == 0) {
		rc = MC_OK;
	} else if (strcasecmp(scheme, "http") == 0) {
		if (config_host_is_loopback(host))
			rc = MC_OK;
		else
			*cause = xasprintf(
			    "provider %s: plain http:// is only "
			    "allowed to this computer (127.0.0.1, ::1, "
			    "localhost), not to %s: use https:// in its "
			    "base_url",
			    provider, host);
	} else {
		*cause = xasprintf(
		    "provider %s: base_url must start with "
		    "https:// (or http:// to this computer), not %s://",
		    provider, scheme);
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* messages as [{"role":..,"content":..}], the system prompt first. */
static void
add_messages(cJSON *root, const struct net_request *req, bool with_system)
{
	cJSON *msgs = cJSON_AddArrayToObject(root, "messages"), *m;
	size_t i;

	if (with_system && req->system != NULL) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", "system");
		cJSON_AddStringToObject(m, "content", req->system);
		cJSON_AddItemToArray(msgs, m);
	}
	for (i = 0; i < req->nmessages; i++) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", req->messages[i].role);
		cJSON_AddStringToObject(m, "content",
		    req->messages[i].text ? req->messages[i].text : "");
		cJSON_AddItemToArray(msgs, m);
	}
}

/* s percent-encoded but for RFC 3986's unreserved characters. */
static char *
url_segment(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

static cJSON *
gemini_text(const char *role, const char *text)
{
	cJSON *c = cJSON_CreateObject(), *parts, *p;

	if (role != NULL)
		cJSON_AddStringToObject(c, "role", role);
	parts = cJSON_AddArrayToObject(c, "parts");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "text", text ? text : "");
	cJSON_AddItemToArray(parts, p);
	return c;
}

int
request_build(const struct net_request *req, char **url, char **body,
    const char **auth, char **cause)
{
	const struct provider *pv = req->provider;
	const char *model = req->model->id;
	cJSON *root = NULL, *x;
	char *seg;
	size_t i;
	int rc;

	*url = NULL;
	*body = NULL;
	*auth = NULL;
	root = cJSON_CreateObject();
	switch (pv->api) {
	case API_OPENAI:
		*url = xasprintf("%s/chat/completions", pv->base_url);
		*auth = "Authorization: Bearer ";
		cJSON_AddStringToObject(root, "model", model);
		add_messages(root, req, true);
		cJSON_AddTrueToObject(root, "stream");
		x = cJSON_AddObjectToObject(root, "stream_options");
		cJSON_AddTrueToObject(x, "include_usage");
		if (req->max_tokens > 0)
			cJSON_AddNumberToObject(root,
			    request_wants_max_completion_tokens(model)
			        ? "max_completion_tokens"
			        : "max_tokens",
			    req->max_tokens);
		break;
	case API_ANTHROPIC:
		*url = xasprintf("%s/v1/messages", pv->base_url);
		*auth = "x-api-key: ";
		cJSON_AddStringToObject(root, "model", model);
		cJSON_AddNumberToObject(root, "max_tokens",
		    req->max_tokens > 0 ? req->max_tokens
		                        : REQUEST_ANTHROPIC_MAX_TOKENS);
		if (req->system != NULL)
			cJSON_AddStringToObject(root, "system", req->system);
		add_messages(root, req, false);
		cJSON_AddTrueToObject(root, "stream");
		break;
	case API_GEMINI:
		/* The model is a path segment here: a '?', '#' or '/' in its
		 * name must not change the request. */
		seg = url_segment(model);
		*url = xasprintf("%s/models/%s:streamGenerateContent?alt=sse",
		    pv->base_url, seg);
		free(seg);
		*auth = "x-goog-api-key: ";
		if (req->system != NULL)
			cJSON_AddItemToObject(root, "systemInstruction",
			    gemini_text(NULL, req->system));
		x = cJSON_AddArrayToObject(root, "contents");
		for (i = 0; i < req->nmessages; i++) {
			const char *role = req->messages[i].role;

			/* Gemini calls the assistant "model". */
			if (strcmp(role, "assistant") == 0)
				role = "model";
			cJSON_AddItemToArray(
			    x, gemini_text(role, req->messages[i].text));
		}
		if (req->max_tokens > 0) {
			x = cJSON_AddObjectToObject(root, "generationConfig");
			cJSON_AddNumberToObject(
			    x, "maxOutputTokens", req->max_tokens);
		}
		break;
	case API_OLLAMA:
		*url = xasprintf("%s/api/chat", pv->base_url);
		*auth = "Authorization: Bearer ";
		cJSON_AddStringToObject(root, "model", model);
		add_messages(root, req, true);
		cJSON_AddTrueToObject(root, "stream");
		if (req->max_tokens > 0) {
			x = cJSON_AddObjectToObject(root, "options");
			cJSON_AddNumberToObject(
			    x, "num_predict", req->max_tokens);
		}
		break;
	}
	if ((rc = request_check_url(*url, pv->name, cause)) != MC_OK)
		goto out;
	*body = cJSON_PrintUnformatted(root);
	if (*body == NULL) {
		*cause = xstrdup("out of memory building the request");
		rc = MC_ERR_NOMEM;
	}
out:
	cJSON_Delete(root);
	if (rc != MC_OK) {
		free(*url);
		*url = NULL;
	}
	return rc;
}

/* The provider's own words from an error body, cleaned, or NULL. */
static char *
body_message(const char *body, size_t len, const char *secret,
    size_t secret_len, bool *key_invalid)
{
	cJSON *root = NULL;
	const cJSON *e, *d;
	char *cause = NULL, *msg = NULL;
	const char *m = NULL;

	*key_invalid = false;
	if (len == 0 || json_parse(body, len, 1 << 20, false, "error", &root,
	                    &cause) != MC_OK) {
		free(cause);
		return NULL;
	}
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsString(e))
		m = e->valuestring;
	else if (cJSON_IsObject(e))
		m = json_get_string(e, "message");
	if (m == NULL)
		m = json_get_string(root, "message");
	/* Gemini says a bad key with 400 and reason API_KEY_INVALID. */
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(e, "details")) {
		const char *r = json_get_string(d, "reason");

		if (r != NULL && strcmp(r, "API_KEY_INVALID") == 0)
			*key_invalid = true;
	}
	if (m != NULL) {
		/* Cleaned before it is cut: a key the provider echoed is
		 * masked whole. */
		char *c = request_clean_text(m, strlen(m), secret, secret_len);
		size_t n = strlen(c);

		/* Keep the line readable; rate-limit messages run long. */
		if (n > 300) {
			n = 297;
			while (n > 0 && ((unsigned char)c[n] & 0xc0) == 0x80)
				n--;
			msg = xasprintf("%.*s...", (int)n, c);
			free(c);
		} else
			msg = c;
	}
	cJSON_Delete(root);
	return msg;
}

char *
request_error(enum provider_api api, const char *name, const char *model,
    const char *url, long status, const char *body, size_t len,
    int64_t retry_after_ms, const char *secret, size_t secret_len, int *err,
    bool *key_rejected)
{
	bool key_invalid;
	char *said = body_message(body, len, secret, secret_len, &key_invalid);
	char *line;
	char *tail =
	    said ? xasprintf(" (%s said: %s)", name, said) : xstrdup("");

	/* A server that takes no key (a local one) is never told of one. */
	bool keyed = secret != NULL && secret_len > 0;

	*err = MC_ERR_PROVIDER;
	/* (For a server that takes no key, a 401 still refuses every one
	 * of its models: the caller says it without a key.) */
	*key_rejected = status == 401 || key_invalid;
	if (*key_rejected) {
		line = xasprintf("key rejected by %s (HTTP %ld): run `%s "
		                 "keys add %s`",
		    name, status, self_cmd(), name);
	} else if (status == 404) {
		/* Nothing at that URL, or no such model: which one, the
		 * status does not say.  The usual slip of the first kind is
		 * a base_url ending in /v1 where mixchat adds the path. */
		char *pub = request_public_url(url != NULL ? url : "?");
		const char *v1 = strstr(pub, "/v1/");
		bool doubled = v1 != NULL &&
		               ((api == API_ANTHROPIC &&
		                    strstr(v1 + 3, "/v1/messages") != NULL) ||
		                   (api == API_OLLAMA &&
		                       strstr(v1 + 3, "/api/chat") != NULL));

		line = xasprintf("%s answered HTTP 404 for model %s at %s: "
		                 "the model id or %s's base_url in config.json "
		                 "is wrong%s%s%s%s%s",
		    name, model, pub, name,
		    keyed ? ", or the key may not use that model" : "",
		    api == API_OLLAMA
		        ? ", or the model is not pulled yet (`ollama pull "
		        : "",
		    api == API_OLLAMA ? model : "",
		    api == API_OLLAMA ? "`)" : "",
		    doubled ? " (for this API the base_url ends before "
		              "/v1: mixchat adds the path)"
		            : "");
		{
			char *with = xasprintf("%s%s", line, tail);

			free(line);
			line = with;
		}
		free(pub);
	} else if (status == 429) {
		*err = MC_ERR_AGAIN;
		if (retry_after_ms > 0) {
			char wait[48];

			time_wait_text(retry_after_ms, wait, sizeof wait);
			line = xasprintf("rate limited by %s (HTTP 429): retry "
			                 "after %s%s",
			    name, wait, tail);
		} else
			line = xasprintf("rate limited by %s (HTTP 429): try "
			                 "again later%s",
			    name, tail);
	} else if (status == 403) {
		line = keyed ? xasprintf("%s refused the request (HTTP 403): "
		                         "the key may lack access to %s%s",
		                   name, model, tail)
		             : xasprintf("%s refused the request for %s (HTTP "
		                         "403): its server does not let it be "
		                         "used (\"enabled\": false in "
		                         "config.json leaves it out)%s",
		                   name, model, tail);
	} else if (status == 529 || status == 503) {
		line = xasprintf("%s is overloaded (HTTP %ld): try again later "
		                 "or choose another model%s",
		    name, status, tail);
	} else if (status >= 300 && status < 400) {
		line =
		    xasprintf("%s answered with a redirect (HTTP %ld), which "
		              "mixchat does not follow: check its base_url",
		        name, status);
	} else if (status == 402) {
		line = xasprintf("%s refused the request for lack of credit "
		                 "(HTTP 402): the account's balance needs "
		                 "topping up%s",
		    name, tail);
	} else {
		/* Where, and what to do: a server's failure passes; a request
		 * it would not take, its own words say why (a conversation
		 * too long, a parameter), else the config is to check. */
		char *pub = request_public_url(url != NULL ? url : "?");

		line = xasprintf(
		    "%s returned HTTP %ld for model %s at %s: %s%s", name,
		    status, model, pub,
		    status >= 500   ? "its server failed; try again later"
		    : status == 408 ? "it gave up waiting; try again"
		    : said != NULL
		        ? "it did not take the request"
		        : "it did not take the request: check the model id and "
		          "the base_url in config.json",
		    tail);
		free(pub);
	}
	free(said);
	free(tail);
	return line;
}
