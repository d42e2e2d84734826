/*
 * config.c - folders, defaults and config.json (see config.h).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/catalog.h"
#include "config/config.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/glyph.h"
#include "util/json.h"
#include "util/suggest.h"
#include "util/xmalloc.h"

#define CONFIG_MAX_BYTES (4u << 20)

static const char *api_names[] = { "openai", "anthropic", "gemini", "ollama" };
static const char *mode_names[] = { "quality", "balanced", "budget" };

const char *
config_api_name(enum provider_api api)
{
	return api_names[api];
}

int
config_api_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof api_names / sizeof api_names[0]; i++)
		if (strcmp(name, api_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
config_mode_name(enum router_mode mode)
{
	return mode_names[mode];
}

int
config_mode_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
		if (strcmp(name, mode_names[i]) == 0)
			return (int)i;
	return -1;
}

bool
config_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char v6[INET6_ADDRSTRLEN];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	/* An address, never a name that looks like one: "127.0.0.1.5"
	 * goes to DNS (and its search domains), wherever that points. */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' &&
	    n - 2 < sizeof v6) {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		host = v6;
	}
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* Whether host is an IPv4 address written the plain way: four decimal
 * numbers 0-255, without leading zeros. */
static bool
plain_ipv4(const char *host)
{
	int parts = 0;
	const char *p = host;

	for (;;) {
		size_t n = strspn(p, "0123456789");

		if (n == 0 || n > 3 || (n > 1 && p[0] == '0') || atoi(p) > 255)
			return false;
		parts++;
		p += n;
		if (*p == '\0')
			return parts == 4;
		if (*p != '.')
			return false;
		p++;
	}
}

/* Whether host is one to four dot-separated labels, each a number
 * (decimal, or hex after 0x): an IPv4 address spelled another way
 * ("0x7f000001", "2130706433", "0177.0.0.1"), not a name ("cafe.be",
 * "127.0.0.1.5": five labels is a name to libcurl, resolved by DNS). */
static bool
number_labels(const char *host)
{
	const char *p = host;
	int labels = 0;

	for (;;) {
		size_t n;

		if (++labels > 4)
			return false;

		if ((p[0] == '0') && (p[1] == 'x' || p[1] == 'X'))
			n = 2 + strspn(p + 2, "0123456789abcdefABCDEF");
		else
			n = strspn(p, "0123456789");
		if (n == 0)
			return false;
		p += n;
		if (*p == '\0')
			return true;
		if (*p != '.')
			return false;
		p++;
	}
}

/*
 * Whether url (http:// or https://) is one net will send to: https://
 * anywhere, plain http:// only to this computer (request_check_url()'s
 * rule).  Sets *remote_http when it is plain http:// to another host.
 * The host is read by hand (config stays below net and libcurl): after
 * the scheme, up to the first '/', '?' or '#', after one '@' (user info),
 * before the port (digits, at most 65535); "[...]" an IPv6 address.
 * Refused here: a host name other than localhost, a plain IPv4 address
 * outside 127/8, an IPv6 address that is not ::1.  Other spellings of an
 * address (hex, one number, %-escapes) are left to net, which checks
 * every request with libcurl's parse.
 */
static bool
base_url_valid(const char *url, bool *remote_http)
{
	const char *auth, *end, *at, *hend, *port;
	char host[256];
	size_t len;

	*remote_http = false;
	if (strncasecmp(url, "https://", 8) == 0)
		return true;
	if (strncasecmp(url, "http://", 7) != 0)
		return false; /* said elsewhere: not http(s) */
	auth = url + 7;
	end = auth + strcspn(auth, "/?#");
	if ((at = memchr(auth, '@', (size_t)(end - auth))) != NULL) {
		if (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
			return false; /* two: not a URL libcurl reads */
		auth = at + 1;
	}
	if (*auth == '[') {
		hend = memchr(auth, ']', (size_t)(end - auth));
		if (hend == NULL)
			return false;
		port = ++hend;
	} else {
		hend = memchr(auth, ':', (size_t)(end - auth));
		if (hend == NULL)
			hend = end;
		port = hend;
	}
	if (port < end) {
		size_t zeros = strspn(port + 1, "0");
		size_t digits = strspn(port + 1, "0123456789");

		/* Leading zeros are libcurl's as well ("0000080"). */
		if (*port != ':' || port + 1 + digits != end ||
		    digits - zeros > 5 ||
		    (digits > zeros && atol(port + 1 + zeros) > 65535))
			return false;
	}
	len = (size_t)(hend - auth);
	if (len == 0 || len >= sizeof host)
		return false;
	memcpy(host, auth, len);
	host[len] = '\0';
	if (host[0] == '[') {
		struct in6_addr a;

		host[len - 1] = '\0';
		host[strcspn(host, "%")] = '\0'; /* a zone: "[::1%25lo]" */
		if (inet_pton(AF_INET6, host + 1, &a) != 1)
			return false;
		if (IN6_IS_ADDR_LOOPBACK(&a))
			return true;
	} else if (config_host_is_loopback(host))
		return true;
	else if (strchr(host, '%') != NULL ||
	         (!plain_ipv4(host) && number_labels(host)))
		return true; /* another spelling of an address: net's */
	*remote_http = true;
	return false;
}

/*
 * The name of a provider (models: a model) of cfg that name was likely
 * meant to be, for "did you mean"; NULL when none is near.
 */
static const char *
near_name(const struct config *cfg, const char *name, bool models)
{
	const char **names, *near;
	size_t i, n = models ? cfg->nmodels : cfg->nproviders;

	names = xreallocarray(NULL, n > 0 ? n : 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = models ? cfg->models[i].id : cfg->providers[i].name;
	near = suggest_name(name, names, n);
	free(names);
	return near;
}

/* " (did you mean \"NAME\"?)" for near, or "" (static). */
static const char *
did_you_mean(const char *near)
{
	static char s[256];

	if (near == NULL)
		return "";
	snprintf(s, sizeof s, " (did you mean \"%s\"?)", near);
	return s;
}

static char *
strip_slash(const char *url)
{
	char *s = xstrdup(url);
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static struct provider *
add_provider(struct config *cfg, const char *name)
{
	struct provider *p;

	cfg->providers = xreallocarray(
	    cfg->providers, cfg->nproviders + 1, sizeof *cfg->providers);
	p = &cfg->providers[cfg->nproviders++];
	memset(p, 0, sizeof *p);
	p->name = xstrdup(name);
	return p;
}

static struct model *
add_model(struct config *cfg, const char *id)
{
	struct model *m;

	cfg->models =
	    xreallocarray(cfg->models, cfg->nmodels + 1, sizeof *cfg->models);
	m = &cfg->models[cfg->nmodels++];
	memset(m, 0, sizeof *m);
	m->id = xstrdup(id);
	m->price_cached_in = -1;
	m->enabled = true;
	return m;
}

void
config_init(struct config *cfg)
{
	size_t i;
	struct provider *p;
	struct model *m;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < catalog_nproviders; i++) {
		p = add_provider(cfg, catalog_providers[i].name);
		p->api = catalog_providers[i].api;
		p->base_url = xstrdup(catalog_providers[i].base_url);
		p->auth_none = catalog_providers[i].auth_none;
	}
	for (i = 0; i < catalog_nmodels; i++) {
		m = add_model(cfg, catalog_models[i].id);
		m->provider = xstrdup(catalog_models[i].provider);
		m->price_in = catalog_models[i].price_in;
		m->price_out = catalog_models[i].price_out;
		m->price_cached_in = catalog_models[i].price_cached_in;
		m->prior = xstrdup(catalog_models[i].prior);
	}
	cfg->mode = MODE_BALANCED;
	cfg->latency_tolerance_ms = 15000;
	cfg->daily_budget_usd = 2.00;
	cfg->theme = xstrdup("default");
	cfg->keys = xstrdup("default");
	cfg->reading_width = CONFIG_READING_WIDTH;
	cfg->max_output_tokens = 4096;
}

void
config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nproviders; i++) {
		free(cfg->providers[i].name);
		free(cfg->providers[i].base_url);
	}
	free(cfg->providers);
	for (i = 0; i < cfg->nmodels; i++) {
		free(cfg->models[i].id);
		free(cfg->models[i].provider);
		free(cfg->models[i].prior);
	}
	free(cfg->models);
	free(cfg->home);
	free(cfg->config_dir);
	free(cfg->data_dir);
	free(cfg->config_file);
	free(cfg->passphrase_command);
	free(cfg->theme);
	free(cfg->keys);
	free(cfg->system_prompt);
	memset(cfg, 0, sizeof *cfg);
}

struct provider *
config_find_provider(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nproviders; i++)
		if (strcmp(cfg->providers[i].name, name) == 0)
			return &cfg->providers[i];
	return NULL;
}

struct model *
config_find_model(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nmodels; i++)
		if (strcmp(cfg->models[i].id, id) == 0)
			return &cfg->models[i];
	return NULL;
}

static char *
absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

int
config_set_paths(
    struct config *cfg, const char *home, const char *file, char **cause)
{
	const char *env, *userhome;

	free(cfg->home);
	free(cfg->config_dir);
	free(cfg->data_dir);
	free(cfg->config_file);
	cfg->home = cfg->config_dir = cfg->data_dir = cfg->config_file = NULL;

	if (home == NULL && (env = getenv("MIXCHAT_HOME")) != NULL &&
	    *env != '\0')
		home = env;
	if (home != NULL) {
		if (*home == '\0') {
			*cause = xstrdup("--home: the folder name is empty");
			return MC_ERR_USAGE;
		}
		cfg->home = absolute(home);
		cfg->config_dir = xstrdup(cfg->home);
		cfg->data_dir = xstrdup(cfg->home);
	} else {
		userhome = getenv("HOME");
		if (userhome == NULL || *userhome == '\0')
			userhome = "/";
		env = getenv("XDG_CONFIG_HOME");
		if (env != NULL && env[0] == '/')
			cfg->config_dir = xasprintf("%s/mixchat", env);
		else
			cfg->config_dir =
			    xasprintf("%s/.config/mixchat", userhome);
		env = getenv("XDG_DATA_HOME");
		if (env != NULL && env[0] == '/')
			cfg->data_dir = xasprintf("%s/mixchat", env);
		else
			cfg->data_dir =
			    xasprintf("%s/.local/share/mixchat", userhome);
	}
	if (file != NULL)
		cfg->config_file = absolute(file);
	else
		cfg->config_file = xasprintf("%s/config.json", cfg->config_dir);
	return MC_OK;
}

int
config_ensure_dirs(const struct config *cfg, char **cause)
{
	return fs_mkdir_p(cfg->data_dir, 0700, cause);
}

int
config_ensure_config_dir(const struct config *cfg, char **cause)
{
	return fs_mkdir_p(cfg->config_dir, 0700, cause);
}

char *
config_data_path(const struct config *cfg, const char *name)
{
	return xasprintf("%s/%s", cfg->data_dir, name);
}

/*
 * Merging config.json.  `struct merge` carries what an error message
 * needs: the file's name and text, to find the line of a field.
 */
struct merge {
	struct config *cfg;
	const char *name;
	const char *text;
	size_t len;
	char **cause;
};

static int MC_PRINTF(3, 4)
    merge_error(struct merge *mg, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *what;
	int line;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	line = json_locate(mg->text, mg->len, path);
	if (line > 0)
		*mg->cause =
		    xasprintf("%s:%d: %s: %s", mg->name, line, path, what);
	else
		*mg->cause = xasprintf("%s: %s: %s", mg->name, path, what);
	free(what);
	return MC_ERR_PARSE;
}

/*
 * A key given twice in one object: cJSON keeps both and every lookup
 * finds the first, so the second would be quietly ignored.  Checked
 * over the whole tree before anything is merged; names the first such
 * key in the file (the one whose second time comes first), with both
 * lines.
 */
struct dup_key {
	const char *name;
	int index;
};

static int
dup_key_cmp(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

static int
merge_unique(struct merge *mg, const cJSON *node, const char *where)
{
	const cJSON *item;
	struct dup_key *keys;
	char *path;
	int n = 0, i, second = -1, rc = MC_OK, first_line, second_line;
	const char *name = NULL;

	if (cJSON_IsArray(node)) {
		cJSON_ArrayForEach(item, node) {
			if (!cJSON_IsObject(item) && !cJSON_IsArray(item)) {
				n++;
				continue;
			}
			path = xasprintf("%s[%d]", where, n++);
			rc = merge_unique(mg, item, path);
			free(path);
			if (rc != MC_OK)
				return rc;
		}
		return MC_OK;
	}
	if (!cJSON_IsObject(node))
		return MC_OK;
	cJSON_ArrayForEach(item, node)
		n++;
	keys = xreallocarray(NULL, n > 0 ? n : 1, sizeof *keys);
	i = 0;
	cJSON_ArrayForEach(item, node) {
		keys[i].name = item->string;
		keys[i].index = i;
		i++;
	}
	qsort(keys, n, sizeof *keys, dup_key_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(keys[i].name, keys[i - 1].name) == 0 &&
		    (i < 2 || strcmp(keys[i].name, keys[i - 2].name) != 0) &&
		    (second < 0 || keys[i].index < second)) {
			second = keys[i].index;
			name = keys[i].name;
		}
	free(keys);
	if (name != NULL) {
		path = *where ? xasprintf("%s.%s", where, name) : xstrdup(name);
		first_line = json_locate_nth(mg->text, mg->len, path, 0);
		second_line = json_locate_nth(mg->text, mg->len, path, 1);
		if (first_line > 0 && first_line == second_line)
			*mg->cause = xasprintf(
			    "%s:%d: %s: given twice (both on line %d)",
			    mg->name, first_line, path, first_line);
		else if (first_line > 0 && second_line > 0)
			*mg->cause = xasprintf(
			    "%s:%d: %s: given twice (line %d and line %d)",
			    mg->name, second_line, path, first_line,
			    second_line);
		else
			*mg->cause =
			    xasprintf("%s: %s: given twice", mg->name, path);
		free(path);
		return MC_ERR_PARSE;
	}
	cJSON_ArrayForEach(item, node) {
		if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
			continue;
		path = *where ? xasprintf("%s.%s", where, item->string)
		              : xstrdup(item->string);
		rc = merge_unique(mg, item, path);
		free(path);
		if (rc != MC_OK)
			return rc;
	}
	return MC_OK;
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int
merge_known(struct merge *mg, const cJSON *obj, const char *where,
    const char *const *allowed)
{
	const cJSON *item;
	const char *near;
	size_t i;
	char *path;
	int rc;

	cJSON_ArrayForEach(item, obj) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(item->string, allowed[i]) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		if (*where != '\0')
			path = xasprintf("%s.%s", where, item->string);
		else
			path = xstrdup(item->string);
		/* A typo names the field that was meant. */
		near = suggest_name(item->string, allowed, i);
		if (near != NULL)
			rc = merge_error(mg, path,
			    "unknown field (did you mean \"%s\"?)", near);
		else
			rc = merge_error(mg, path, "unknown field");
		free(path);
		return rc;
	}
	return MC_OK;
}

/* A string field: absent leaves *out alone; wrong type is an error. */
static int
merge_string(struct merge *mg, const cJSON *obj, const char *key,
    const char *where, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *path;
	int rc;

	if (v == NULL)
		return MC_OK;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		path = *where ? xasprintf("%s.%s", where, key) : xstrdup(key);
		rc = merge_error(mg, path, "expected a non-empty string");
		free(path);
		return rc;
	}
	free(*out);
	*out = xstrdup(v->valuestring);
	return MC_OK;
}

/*
 * A string field with a few allowed words: absent leaves *out alone; a
 * word parse() does not know (it returns < 0) is an error that lists
 * them (choices).
 */
static int
merge_choice(struct merge *mg, const cJSON *obj, const char *key,
    const char *where, int (*parse)(const char *), const char *choices,
    int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *path;
	int rc, val;

	if (v == NULL)
		return MC_OK;
	val = cJSON_IsString(v) ? parse(v->valuestring) : -1;
	if (val >= 0) {
		*out = val;
		return MC_OK;
	}
	path = *where ? xasprintf("%s.%s", where, key) : xstrdup(key);
	rc = merge_error(mg, path, "expected %s", choices);
	free(path);
	return rc;
}

static int
merge_bool(struct merge *mg, const cJSON *obj, const char *key,
    const char *where, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *path;
	int rc;

	if (v == NULL)
		return MC_OK;
	if (!cJSON_IsBool(v)) {
		path = *where ? xasprintf("%s.%s", where, key) : xstrdup(key);
		rc = merge_error(mg, path, "expected true or false");
		free(path);
		return rc;
	}
	*out = cJSON_IsTrue(v);
	return MC_OK;
}

/* A number field from min to max (whole: a whole number, for a count
 * kept as an int, not cut short quietly). */
static int
merge_number_of(struct merge *mg, const cJSON *obj, const char *key,
    const char *where, double min, double max, bool whole, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *path;
	int rc;

	if (v == NULL)
		return MC_OK;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble < min || v->valuedouble > max ||
	    (whole && v->valuedouble != floor(v->valuedouble))) {
		path = *where ? xasprintf("%s.%s", where, key) : xstrdup(key);
		rc = merge_error(mg, path, "expected a %s from %.15g to %.15g",
		    whole ? "whole number" : "number", min, max);
		free(path);
		return rc;
	}
	*out = v->valuedouble;
	return MC_OK;
}

static int
merge_number(struct merge *mg, const cJSON *obj, const char *key,
    const char *where, double min, double max, double *out)
{
	return merge_number_of(mg, obj, key, where, min, max, false, out);
}

static int
merge_whole(struct merge *mg, const cJSON *obj, const char *key,
    const char *where, double min, double max, double *out)
{
	return merge_number_of(mg, obj, key, where, min, max, true, out);
}

static int
merge_providers(struct merge *mg, const cJSON *providers)
{
	static const char *const allowed[] = { "api", "base_url", "auth",
		"timeout_s", NULL };
	const cJSON *item, *v;
	struct provider *p;
	char *where, *s = NULL;
	int rc = MC_OK, api;

	if (!cJSON_IsObject(providers))
		return merge_error(
		    mg, "providers", "expected an object of provider names");
	cJSON_ArrayForEach(item, providers) {
		where = xasprintf("providers.%s", item->string);
		if (!cJSON_IsObject(item)) {
			rc = merge_error(mg, where, "expected an object");
			goto next;
		}
		if ((rc = merge_known(mg, item, where, allowed)) != MC_OK)
			goto next;
		p = config_find_provider(mg->cfg, item->string);
		if (p == NULL) {
			if (cJSON_GetObjectItemCaseSensitive(item, "api") ==
			    NULL) {
				rc = merge_error(mg, where,
				    "a new provider "
				    "needs \"api\" (openai, anthropic, "
				    "gemini or ollama)%s",
				    did_you_mean(near_name(
				        mg->cfg, item->string, false)));
				goto next;
			}
			if (cJSON_GetObjectItemCaseSensitive(
			        item, "base_url") == NULL) {
				rc = merge_error(mg, where,
				    "a new provider needs \"base_url\"%s",
				    did_you_mean(near_name(
				        mg->cfg, item->string, false)));
				goto next;
			}
			p = add_provider(mg->cfg, item->string);
		}
		p->user = true;
		s = NULL;
		if ((rc = merge_string(mg, item, "api", where, &s)) != MC_OK)
			goto next;
		if (s != NULL) {
			if ((api = config_api_from_name(s)) < 0) {
				char *path = xasprintf("%s.api", where);

				rc = merge_error(mg, path,
				    "unknown API \"%s\" "
				    "(use openai, anthropic, gemini or "
				    "ollama)",
				    s);
				free(path);
				goto next;
			}
			p->api = (enum provider_api)api;
			free(s);
			s = NULL;
		}
		if ((rc = merge_string(mg, item, "base_url", where, &s)) !=
		    MC_OK)
			goto next;
		if (s != NULL) {
			bool remote_http = false;

			if ((strncmp(s, "https://", 8) != 0 &&
			        strncmp(s, "http://", 7) != 0) ||
			    !base_url_valid(s, &remote_http)) {
				char *path = xasprintf("%s.base_url", where);

				if (remote_http)
					rc = merge_error(mg, path,
					    "plain http:// is only for this "
					    "computer (127.0.0.1, ::1, "
					    "localhost): use https://");
				else
					rc = merge_error(mg, path,
					    "expected an http:// or https:// "
					    "URL");
				free(path);
				goto next;
			}
			free(p->base_url);
			p->base_url = strip_slash(s);
			free(s);
			s = NULL;
		}
		v = cJSON_GetObjectItemCaseSensitive(item, "auth");
		if (v != NULL) {
			if (!cJSON_IsString(v) ||
			    (strcmp(v->valuestring, "none") != 0 &&
			        strcmp(v->valuestring, "key") != 0)) {
				char *path = xasprintf("%s.auth", where);

				rc = merge_error(
				    mg, path, "expected \"none\" or \"key\"");
				free(path);
				goto next;
			}
			p->auth_none = strcmp(v->valuestring, "none") == 0;
			p->auth_user = true;
		}
		if (cJSON_GetObjectItemCaseSensitive(item, "timeout_s") !=
		    NULL) {
			double t = 0;

			if ((rc = merge_whole(mg, item, "timeout_s", where, 1,
			         3600, &t)) != MC_OK)
				goto next;
			p->timeout_s = (int)t;
		}
	next:
		free(s);
		s = NULL;
		free(where);
		if (rc != MC_OK)
			return rc;
	}
	return MC_OK;
}

static int
merge_models(struct merge *mg, const cJSON *models)
{
	static const char *const allowed[] = { "id", "provider", "price",
		"prior", "enabled", "cached_price", NULL };
	const cJSON *item, *v;
	struct model *m;
	char *where, *path;
	const char *id;
	int rc = MC_OK, i = 0;

	if (!cJSON_IsArray(models))
		return merge_error(mg, "models", "expected a list of models");
	cJSON_ArrayForEach(item, models) {
		bool fresh = false; /* not in the catalog */

		where = xasprintf("models[%d]", i++);
		if (!cJSON_IsObject(item)) {
			rc = merge_error(mg, where, "expected an object");
			goto next;
		}
		if ((rc = merge_known(mg, item, where, allowed)) != MC_OK)
			goto next;
		id = json_get_string(item, "id");
		if (id == NULL || *id == '\0') {
			path = xasprintf("%s.id", where);
			rc = merge_error(mg,
			    cJSON_GetObjectItem(item, "id") ? path : where,
			    "expected \"id\": the model's "
			    "name at its provider");
			free(path);
			goto next;
		}
		/* Twice in the list: the second would quietly replace the
		 * first's price or provider. */
		{
			const cJSON *e;
			int k = 0;

			for (e = models->child; e != item; e = e->next, k++) {
				const char *eid = json_get_string(e, "id");

				if (eid != NULL && strcmp(eid, id) == 0)
					break;
			}
			if (e != item) {
				path = xasprintf("%s.id", where);
				rc = merge_error(mg, path,
				    "\"%s\" is already models[%d]: one "
				    "entry a model",
				    id, k);
				free(path);
				goto next;
			}
		}
		m = config_find_model(mg->cfg, id);
		if (m == NULL) {
			if (json_get_string(item, "provider") == NULL) {
				rc = merge_error(mg, where,
				    "a new model "
				    "needs \"provider\"%s",
				    did_you_mean(near_name(mg->cfg, id, true)));
				goto next;
			}
			m = add_model(mg->cfg, id);
			fresh = true;
		}
		m->user = true;
		if ((rc = merge_string(
		         mg, item, "provider", where, &m->provider)) != MC_OK)
			goto next;
		if (config_find_provider(mg->cfg, m->provider) == NULL) {
			path = xasprintf("%s.provider", where);
			const char *near =
			    near_name(mg->cfg, m->provider, false);

			if (near != NULL)
				rc = merge_error(mg, path,
				    "no provider named \"%s\" (did you mean "
				    "\"%s\"? else add it under "
				    "\"providers\")",
				    m->provider, near);
			else
				rc = merge_error(mg, path,
				    "no provider named \"%s\" "
				    "(add it under \"providers\")",
				    m->provider);
			free(path);
			goto next;
		}
		v = cJSON_GetObjectItemCaseSensitive(item, "price");
		if (v != NULL) {
			const cJSON *in = cJSON_GetArrayItem(v, 0);
			const cJSON *out = cJSON_GetArrayItem(v, 1);

			if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 ||
			    !cJSON_IsNumber(in) || !cJSON_IsNumber(out) ||
			    !(in->valuedouble >= 0) ||
			    !(out->valuedouble >= 0) || in->valuedouble > 1e5 ||
			    out->valuedouble > 1e5) {
				path = xasprintf("%s.price", where);
				rc = merge_error(mg, path,
				    "expected [input, "
				    "output]: USD per 1M tokens, 0 or more");
				free(path);
				goto next;
			}
			m->price_in = in->valuedouble;
			m->price_out = out->valuedouble;
		} else if (fresh && !config_find_provider(mg->cfg, m->provider)
		                         ->auth_none) {
			/* Unpriced, it would be free to the router and the
			 * budget: a paid provider's model (every OpenRouter
			 * one) sent whatever is left. */
			rc = merge_error(mg, where,
			    "\"%s\" is not in the catalog, so it needs "
			    "\"price\": [input, output], USD per 1M tokens "
			    "(%s bills for it; [0, 0] if it is free)",
			    id, m->provider);
			goto next;
		}
		if ((rc = merge_number(mg, item, "cached_price", where, 0, 1e5,
		         &m->price_cached_in)) != MC_OK)
			goto next;
		if ((rc = merge_string(mg, item, "prior", where, &m->prior)) !=
		    MC_OK)
			goto next;
		/* Whether the router holds it is known only later (a
		 * router.state brings its own): where it was, for then. */
		if (cJSON_GetObjectItemCaseSensitive(item, "prior") != NULL) {
			path = xasprintf("%s.prior", where);
			m->prior_line = json_locate(mg->text, mg->len, path);
			free(path);
		}
		rc = merge_bool(mg, item, "enabled", where, &m->enabled);
	next:
		free(where);
		if (rc != MC_OK)
			return rc;
	}
	return MC_OK;
}

static int
merge_root(struct merge *mg, const cJSON *root)
{
	static const char *const allowed[] = { "providers", "models", "router",
		"budget", "vault", "theme", "keys", "mouse", "glyphs",
		"reading_width", "system_prompt", "max_output_tokens", "resume",
		"bell_after_s", NULL };
	static const char *const router_allowed[] = { "mode",
		"latency_tolerance_ms", NULL };
	static const char *const budget_allowed[] = { "daily_usd", NULL };
	static const char *const vault_allowed[] = { "passphrase_command",
		NULL };
	struct config *cfg = mg->cfg;
	const cJSON *v;
	double d;
	int rc, mode;

	if (!cJSON_IsObject(root)) {
		*mg->cause =
		    xasprintf("%s:1: expected a JSON object", mg->name);
		return MC_ERR_PARSE;
	}
	if ((rc = merge_unique(mg, root, "")) != MC_OK)
		return rc;
	if ((rc = merge_known(mg, root, "", allowed)) != MC_OK)
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "providers")) != NULL &&
	    (rc = merge_providers(mg, v)) != MC_OK)
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "models")) != NULL &&
	    (rc = merge_models(mg, v)) != MC_OK)
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "router")) != NULL) {
		if (!cJSON_IsObject(v))
			return merge_error(mg, "router", "expected an object");
		if ((rc = merge_known(mg, v, "router", router_allowed)) !=
		    MC_OK)
			return rc;
		mode = (int)cfg->mode;
		if ((rc = merge_choice(mg, v, "mode", "router",
		         config_mode_from_name,
		         "\"quality\", \"balanced\" or \"budget\"", &mode)) !=
		    MC_OK)
			return rc;
		cfg->mode = (enum router_mode)mode;
		if ((rc = merge_number(mg, v, "latency_tolerance_ms", "router",
		         1, 3600e3, &cfg->latency_tolerance_ms)) != MC_OK)
			return rc;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "budget")) != NULL) {
		if (!cJSON_IsObject(v))
			return merge_error(mg, "budget", "expected an object");
		if ((rc = merge_known(mg, v, "budget", budget_allowed)) !=
		    MC_OK)
			return rc;
		if ((rc = merge_number(mg, v, "daily_usd", "budget", 0, 1e6,
		         &cfg->daily_budget_usd)) != MC_OK)
			return rc;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "vault")) != NULL) {
		if (!cJSON_IsObject(v))
			return merge_error(mg, "vault", "expected an object");
		if ((rc = merge_known(mg, v, "vault", vault_allowed)) != MC_OK)
			return rc;
		if ((rc = merge_string(mg, v, "passphrase_command", "vault",
		         &cfg->passphrase_command)) != MC_OK)
			return rc;
	}
	if ((rc = merge_string(mg, root, "theme", "", &cfg->theme)) != MC_OK)
		return rc;
	if ((rc = merge_string(mg, root, "keys", "", &cfg->keys)) != MC_OK)
		return rc;
	if ((rc = merge_bool(mg, root, "mouse", "", &cfg->mouse)) != MC_OK)
		return rc;
	if ((rc = merge_choice(mg, root, "glyphs", "", glyph_set_from_name,
	         "\"auto\", \"unicode\" or \"ascii\"", &cfg->glyphs)) != MC_OK)
		return rc;
	/* 0 (off) or at least 20 columns, as the README promises: 10 is
	 * refused, not quietly read as 20. */
	v = cJSON_GetObjectItemCaseSensitive(root, "reading_width");
	if (v != NULL &&
	    (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	        (v->valuedouble != 0 &&
	            (v->valuedouble < 20 || v->valuedouble > 10000))))
		return merge_error(mg, "reading_width",
		    "expected a whole number from 20 to 10000, or 0 (the "
		    "pane's width)");
	if (v != NULL)
		cfg->reading_width = (int)v->valuedouble;
	if ((rc = merge_string(
	         mg, root, "system_prompt", "", &cfg->system_prompt)) != MC_OK)
		return rc;
	d = cfg->max_output_tokens;
	if ((rc = merge_whole(mg, root, "max_output_tokens", "", 1, 1e6, &d)) !=
	    MC_OK)
		return rc;
	cfg->max_output_tokens = (int)d;
	if ((rc = merge_bool(mg, root, "resume", "", &cfg->resume)) != MC_OK)
		return rc;
	d = cfg->bell_after_s;
	if ((rc = merge_whole(mg, root, "bell_after_s", "", 0, 86400, &d)) !=
	    MC_OK)
		return rc;
	cfg->bell_after_s = (int)d;
	return MC_OK;
}

int
config_load_text(struct config *cfg, const char *text, size_t len,
    const char *name, char **cause)
{
	struct merge mg;
	cJSON *root;
	size_t i;
	int rc;

	/* An empty file (`touch config.json`) sets nothing, as no file
	 * does: every field is optional. */
	for (i = 0; i < len && (text[i] == ' ' || text[i] == '\t' ||
	                           text[i] == '\r' || text[i] == '\n');
	     i++)
		;
	if (i == len)
		return MC_OK;
	rc = json_parse(text, len, CONFIG_MAX_BYTES, true, name, &root, cause);
	if (rc != MC_OK)
		return rc;
	mg.cfg = cfg;
	mg.name = name;
	mg.text = text;
	mg.len = len;
	mg.cause = cause;
	rc = merge_root(&mg, root);
	cJSON_Delete(root);
	return rc;
}

int
config_load(struct config *cfg, bool must_exist, char **cause)
{
	struct buf b;
	int rc;

	buf_init(&b, CONFIG_MAX_BYTES);
	rc = fs_read_file(cfg->config_file, &b, cause);
	if (rc == MC_ERR_NOTFOUND && !must_exist) {
		free(*cause);
		*cause = NULL;
		cfg->config_found = false;
		buf_release(&b);
		return MC_OK;
	}
	if (rc != MC_OK) {
		buf_release(&b);
		return rc;
	}
	cfg->config_found = true;
	rc = config_load_text(cfg, buf_str(&b), b.len, cfg->config_file, cause);
	buf_release(&b);
	return rc;
}
