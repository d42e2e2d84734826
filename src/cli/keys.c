/*
 * keys.c - `mixchat keys add PROVIDER | list | remove PROVIDER | passwd`,
 * with [--passphrase-fd N] on each: the user's side of the key vault.
 *
 * The process is hardened (no core dumps, not dumpable) before anything
 * secret is read.  Keys come from the terminal with echo off or from
 * standard input, never from argv or the environment, and are never
 * printed: `list` shows a fingerprint.  Exit codes: 0 ok, 1 runtime, 2
 * usage, 3 locked or wrong passphrase.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/self.h"
#include "util/suggest.h"
#include "util/xmalloc.h"
#include "vault/passphrase.h"
#include "vault/secmem.h"
#include "vault/vault.h"

static const char keys_usage[] =
    "Usage: mixchat keys add PROVIDER [--passphrase-fd N]\n"
    "       mixchat keys list [--names-only] [--passphrase-fd N]\n"
    "       mixchat keys remove PROVIDER [--passphrase-fd N]\n"
    "       mixchat keys passwd [--passphrase-fd N]\n"
    "Keep provider API keys in the vault (encrypted with your passphrase).\n"
    "\n"
    "  add PROVIDER     store PROVIDER's key, read from the terminal with\n"
    "                   echo off, or the first line of standard input;\n"
    "                   never from the command line.  The first add makes\n"
    "                   the vault and asks for a new passphrase twice\n"
    "  list             each provider and its key's fingerprint (never the\n"
    "                   key)\n"
    "  remove PROVIDER  delete PROVIDER's key\n"
    "  passwd           change the passphrase (the vault is re-encrypted)\n"
    "\n"
    "      --names-only      list the providers without asking for the\n"
    "                        passphrase\n"
    "      --passphrase-fd N read the passphrase from descriptor N, one\n"
    "                        line (passwd: the current one, then the new)\n"
    "\n"
    "Without --passphrase-fd the passphrase comes from\n"
    "vault.passphrase_command in config.json, else the terminal.\n"
    "Exit status: 0 ok, 1 failure, 2 usage, 3 vault locked or wrong\n"
    "passphrase, 130 Ctrl-C at the passphrase or key prompt.\n";

struct keys_args {
	const char *sub;
	const char *provider;
	int fd;
	bool names_only;
};

/* A word that is more likely a key than a provider's name: long, or with a
 * known key prefix. */
static int
key_in_place_of_provider(const char *sub)
{
	return cli_usage_error("keys",
	    "that looks like an API key, not a provider name: keys are never "
	    "taken from the command line; run `%s keys %s PROVIDER`%s",
	    self_cmd(), sub,
	    strcmp(sub, "add") == 0 ? " and type it when asked or pipe it on "
	                              "standard input"
	                            : "");
}

static bool
looks_like_key(const char *s)
{
	static const char *const prefixes[] = { "sk-", "sk_", "AIza", "xai-",
		"gsk_", "pk-", "key-" };
	size_t i;

	if (strlen(s) >= 24)
		return true;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static int
exit_code(int rc)
{
	switch (rc) {
	case MC_OK:
		return EXIT_OK;
	case MC_ERR_LOCKED:
	case MC_ERR_PASSPHRASE:
		return EXIT_VAULT;
	case MC_ERR_CANCELLED:
		/* Ctrl-C at the passphrase prompt, said by the caller: an
		 * interrupt, as in the chat and ask (nothing was changed). */
		fflush(stderr);
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
		return EXIT_VAULT;
	case MC_ERR_USAGE:
		return EXIT_USAGE;
	default:
		return EXIT_RUNTIME;
	}
}

/* Report rc with its cause (freed here) and give the exit code. */
static int
fail(int rc, char *cause)
{
	cli_error("%s", cause != NULL ? cause : mixchat_strerror(rc));
	free(cause);
	return exit_code(rc);
}

/* The same for a command that would have changed the vault: a wrong
 * passphrase left it as it was, and the user may wonder. */
static int
fail_change(int rc, char *cause)
{
	if (rc == MC_ERR_PASSPHRASE)
		cli_error("%s; nothing was changed",
		    cause != NULL ? cause : mixchat_strerror(rc));
	else
		cli_error("%s", cause != NULL ? cause : mixchat_strerror(rc));
	free(cause);
	return exit_code(rc);
}

static int
parse_args(int argc, char **argv, struct keys_args *a)
{
	const char *pos[3];
	size_t npos = 0;
	const char *val;
	char *end;
	long n;
	int i;

	memset(a, 0, sizeof *a);
	a->fd = -1;
	if (cli_wants_help(argc, argv)) {
		fputs(keys_usage, stdout);
		return -1;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--names-only") == 0) {
			a->names_only = true;
			continue;
		}
		if (strncmp(argv[i], "--passphrase-fd", 15) == 0 &&
		    (argv[i][15] == '\0' || argv[i][15] == '=')) {
			if (argv[i][15] == '=')
				val = argv[i] + 16;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return cli_usage_error("keys",
				    "--passphrase-fd needs a descriptor "
				    "number");
			errno = 0;
			n = strtol(val, &end, 10);
			if (errno != 0 || end == val || *end != '\0' || n < 0 ||
			    n > INT_MAX)
				return cli_usage_error("keys",
				    "--passphrase-fd '%s': not a descriptor "
				    "number",
				    val);
			a->fd = (int)n;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(
			    "keys", "%s: unknown option", argv[i]);
		if (npos == 3)
			return cli_usage_error("keys", "too many arguments");
		pos[npos++] = argv[i];
	}
	if (npos == 0)
		return cli_usage_error("keys",
		    "which one: add PROVIDER, list, remove PROVIDER or passwd?");
	a->sub = pos[0];
	if (a->names_only && strcmp(a->sub, "list") != 0)
		return cli_usage_error(
		    "keys", "--names-only goes with 'keys list' only");
	if (strcmp(a->sub, "add") == 0 || strcmp(a->sub, "remove") == 0) {
		if (npos < 2)
			return cli_usage_error(
			    "keys", "%s needs a PROVIDER", a->sub);
		if (npos > 2)
			return cli_usage_error("keys",
			    "%s takes only PROVIDER: keys are never taken from "
			    "the command line; type it when asked or pipe it "
			    "on standard input",
			    a->sub);
		a->provider = pos[1];
		if (!vault_name_valid(a->provider) &&
		    looks_like_key(a->provider))
			return key_in_place_of_provider(a->sub);
		if (!vault_name_valid(a->provider))
			return cli_usage_error(
			    "keys", "'%s' is not a provider name", a->provider);
	} else if (strcmp(a->sub, "list") == 0 ||
	           strcmp(a->sub, "passwd") == 0) {
		if (npos > 1)
			return cli_usage_error(
			    "keys", "%s takes no argument", a->sub);
	} else
		return cli_usage_error("keys",
		    "'%s' is not a keys command (add, list, remove, passwd)",
		    a->sub);
	return 0;
}

/* Open the existing vault at path, asking for its passphrase. */
static int
open_vault(const struct config *cfg, const char *path, int fd, struct vault **v,
    char **cause)
{
	struct secret *pass = NULL;
	char *prompt;
	int rc;

	prompt = xasprintf("Passphrase for %s: ", path);
	rc = passphrase_get(cfg, fd, prompt, false, &pass, cause);
	free(prompt);
	if (rc == MC_OK)
		rc = vault_open(path, pass, v, cause);
	if (rc == MC_ERR_PASSPHRASE)
		passphrase_blame(cfg, fd, cause);
	secret_free(pass);
	return rc;
}

/* Said after a key is stored: when no model would use it (OpenRouter's
 * models are the user's to name), or all of them are turned off. */
static void
key_users(const struct config *cfg, const char *provider)
{
	size_t i, named = 0, enabled = 0;

	for (i = 0; i < cfg->nmodels; i++)
		if (strcmp(cfg->models[i].provider, provider) == 0) {
			named++;
			if (cfg->models[i].enabled)
				enabled++;
		}
	if (named == 0)
		printf("no model uses it yet: name %s's models in %s, e.g.\n"
		       "  { \"models\": [ { \"id\": \"MODEL\", "
		       "\"provider\": \"%s\", \"price\": [IN, OUT] } ] }\n"
		       "(price: USD per million input and output tokens)\n",
		    provider, cfg->config_file, provider);
	else if (enabled == 0)
		printf("no model uses it yet: %s's models are all "
		       "\"enabled\": false in %s\n",
		    provider, cfg->config_file);
}

static int
keys_add(const struct config *cfg, const struct keys_args *a, const char *path)
{
	const struct provider *prov;
	struct vault *v = NULL;
	struct secret *pass = NULL, *key = NULL;
	char *cause = NULL, fp[9];
	bool replaced;
	int rc;

	prov = config_find_provider(cfg, a->provider);
	/* Never echo what may be a key typed in the wrong place. */
	if (prov == NULL && looks_like_key(a->provider))
		return key_in_place_of_provider("add");
	if (prov == NULL) {
		struct buf names;
		const char **keyed, *near;
		size_t i, n = 0;

		buf_init(&names, 1 << 16);
		keyed = xcalloc(cfg->nproviders + 1, sizeof *keyed);
		for (i = 0; i < cfg->nproviders; i++) {
			if (cfg->providers[i].auth_none)
				continue;
			keyed[n++] = cfg->providers[i].name;
			if (buf_printf(&names, "%s%s", names.len ? ", " : "",
			        cfg->providers[i].name) != MC_OK)
				break;
		}
		near = suggest_name(a->provider, keyed, n);
		if (near != NULL)
			cli_error(
			    "'%s' is not a provider in %s or the built-in "
			    "catalog; did you mean '%s'?",
			    a->provider, cfg->config_file, near);
		else
			cli_error(
			    "'%s' is not a provider in %s or the built-in "
			    "catalog (those that take a key: %s); add it "
			    "under \"providers\" first",
			    a->provider, cfg->config_file,
			    names.len ? buf_str(&names) : "none");
		free(keyed);
		buf_release(&names);
		return EXIT_USAGE;
	}
	if (prov->auth_none) {
		/* Where it is said: config.json, or (not set there, and
		 * config.json perhaps not there at all) the catalog. */
		if (prov->auth_user)
			cli_error("provider '%s' has \"auth\": \"none\" in "
			          "%s: it needs no key",
			    a->provider, cfg->config_file);
		else
			cli_error("provider '%s' needs no key (\"auth\": "
			          "\"none\" in the built-in catalog; set "
			          "\"auth\": \"key\" for it in %s if it "
			          "does)",
			    a->provider, cfg->config_file);
		return EXIT_USAGE;
	}
	if (vault_exists(path))
		rc = open_vault(cfg, path, a->fd, &v, &cause);
	else {
		rc = config_ensure_dirs(cfg, &cause);
		if (rc == MC_OK)
			rc = passphrase_get(cfg, a->fd,
			    "New passphrase for the key vault: ", true, &pass,
			    &cause);
		if (rc == MC_OK)
			rc = vault_create(
			    path, pass, vault_cost_from_env(), &v, &cause);
	}
	if (rc != MC_OK)
		goto out;
	rc = passphrase_read_key(a->provider, VAULT_KEY_MAX, &key, &cause);
	if (rc == MC_ERR_CANCELLED) {
		/* Ctrl-C at the key's prompt: said, then an interrupt, as at
		 * the passphrase's (nothing was stored). */
		cli_error("%s", cause);
		free(cause);
		secret_free(pass);
		vault_close(v);
		return exit_code(rc);
	}
	if (rc != MC_OK)
		goto out;
	vault_fingerprint(key, fp);
	replaced = vault_get(v, a->provider) != NULL;
	rc = vault_set(v, a->provider, key, &cause); /* takes key */
	if (rc != MC_OK)
		goto out;
	if ((rc = vault_save(v, &cause)) != MC_OK)
		goto out;
	printf("%s the key for %s (fingerprint %s) in %s\n",
	    replaced ? "replaced" : "stored", a->provider, fp, path);
	key_users(cfg, a->provider);
out:
	secret_free(pass);
	vault_close(v);
	return rc == MC_OK ? EXIT_OK : fail_change(rc, cause);
}

static int
keys_list(const struct config *cfg, const struct keys_args *a, const char *path)
{
	struct vault *v = NULL;
	char **names = NULL, *cause = NULL, fp[9];
	size_t i, n = 0;
	int rc;

	if (!vault_exists(path)) {
		fprintf(stderr,
		    "mixchat: no keys yet (no vault at %s): add "
		    "one with '%s keys add PROVIDER'\n",
		    path, self_cmd());
		return EXIT_OK;
	}
	rc = vault_list_names(path, &names, &n, &cause);
	if (rc != MC_OK)
		goto out;
	if (!a->names_only && n > 0) {
		rc = open_vault(cfg, path, a->fd, &v, &cause);
		if (rc == MC_ERR_LOCKED && a->fd < 0 &&
		    cfg->passphrase_command == NULL) {
			/* No way to ask: the names alone, and say why. */
			fprintf(stderr, "mixchat: %s; fingerprints left out\n",
			    cause);
			free(cause);
			cause = NULL;
			rc = MC_OK;
		}
		if (rc != MC_OK)
			goto out;
	}
	if (n == 0)
		fprintf(stderr,
		    "mixchat: the vault at %s holds no keys: add one with "
		    "'%s keys add PROVIDER'\n",
		    path, self_cmd());
	for (i = 0; i < n; i++) {
		const struct secret *key =
		    v != NULL ? vault_get(v, names[i]) : NULL;

		if (key != NULL) {
			vault_fingerprint(key, fp);
			printf("%s\t%s\n", names[i], fp);
		} else
			printf("%s\n", names[i]);
	}
out:
	vault_names_free(names, n);
	vault_close(v);
	return rc == MC_OK ? EXIT_OK : fail(rc, cause);
}

static int
keys_remove(
    const struct config *cfg, const struct keys_args *a, const char *path)
{
	struct vault *v = NULL;
	char **names = NULL, *cause = NULL;
	size_t i, n = 0;
	bool present = false;
	int rc;

	/* Say "no such key" before asking for a passphrase. */
	rc = vault_list_names(path, &names, &n, &cause);
	if (rc != MC_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], a->provider) == 0)
			present = true;
	if (!present && looks_like_key(a->provider) &&
	    config_find_provider(cfg, a->provider) == NULL) {
		vault_names_free(names, n);
		return key_in_place_of_provider("remove");
	}
	if (!present) {
		cause = xasprintf("no key for %s in %s ('%s keys list' "
		                  "shows what is there)",
		    a->provider, path, self_cmd());
		rc = MC_ERR_NOTFOUND;
		goto out;
	}
	if ((rc = open_vault(cfg, path, a->fd, &v, &cause)) != MC_OK)
		goto out;
	if ((rc = vault_remove(v, a->provider)) != MC_OK) {
		cause = xasprintf("no key for %s in %s", a->provider, path);
		goto out;
	}
	if ((rc = vault_save(v, &cause)) != MC_OK)
		goto out;
	printf("removed the key for %s from %s\n", a->provider, path);
out:
	vault_names_free(names, n);
	vault_close(v);
	return rc == MC_OK ? EXIT_OK : fail_change(rc, cause);
}

static int
keys_passwd(
    const struct config *cfg, const struct keys_args *a, const char *path)
{
	struct vault *v = NULL;
	struct secret *pass = NULL;
	char *cause = NULL;
	int rc;

	if ((rc = open_vault(cfg, path, a->fd, &v, &cause)) != MC_OK)
		goto out;
	/* The new one never comes from passphrase_command (cfg NULL). */
	rc = passphrase_get(
	    NULL, a->fd, "New passphrase: ", true, &pass, &cause);
	/* The descriptor ended after the current passphrase: one line was
	 * written, as "write one line" would have it; the command's use is
	 * wrong, not the vault locked. */
	if (rc == MC_ERR_LOCKED && a->fd >= 0 && !isatty(a->fd)) {
		free(cause);
		cause = xasprintf("passwd reads two lines from descriptor %d: "
		                  "the current passphrase, then the new one "
		                  "(the new one is missing)",
		    a->fd);
		rc = MC_ERR_USAGE;
	}
	if (rc != MC_OK)
		goto out;
	if ((rc = vault_passwd(v, pass, &cause)) != MC_OK)
		goto out;
	if ((rc = vault_save(v, &cause)) != MC_OK)
		goto out;
	printf("changed the passphrase of %s\n", path);
	if (cfg->passphrase_command != NULL)
		fprintf(stderr, "mixchat: remember to update what "
		                "vault.passphrase_command prints\n");
out:
	secret_free(pass);
	vault_close(v);
	return rc == MC_OK ? EXIT_OK : fail_change(rc, cause);
}

int
cli_keys(const struct cli_global *g, int argc, char **argv)
{
	struct keys_args a;
	struct config cfg;
	char *path = NULL;
	int rc, code;

	/* Before anything secret is read: no core dumps, not dumpable. */
	if (secmem_init() != MC_OK || secmem_harden_process() != MC_OK) {
		cli_error("cannot protect the process's memory (libsodium or "
		          "prctl failed): refusing to handle keys");
		return EXIT_RUNTIME;
	}
	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((code = cli_load_config(g, &cfg)) != EXIT_OK) {
		config_release(&cfg);
		return code;
	}
	path = config_data_path(&cfg, "vault");
	if (strcmp(a.sub, "add") == 0)
		code = keys_add(&cfg, &a, path);
	else if (strcmp(a.sub, "list") == 0)
		code = keys_list(&cfg, &a, path);
	else if (strcmp(a.sub, "remove") == 0)
		code = keys_remove(&cfg, &a, path);
	else
		code = keys_passwd(&cfg, &a, path);
	free(path);
	config_release(&cfg);
	return code;
}
