/*
 * bench_vault.c - how long unlocking the vault takes: the Argon2id KDF at
 * the default (MODERATE) and the testing (MIN) cost, and a save.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/timeutil.h"
#include "util/xmalloc.h"
#include "vault/vault.h"

static double
now_ms(void)
{
	return (double)time_mono_us() / 1e3;
}

static void
run(const char *label, enum vault_cost cost, int rounds)
{
	char dir[] = "/tmp/mixchat-bench.XXXXXX", *path, *cause = NULL;
	struct secret *pass = secret_from("correct horse", 13);
	struct vault *v = NULL;
	double t0, create_ms, save_ms, open_ms = 0;
	int i;

	secret_lock(pass);
	if (mkdtemp(dir) == NULL)
		abort();
	path = xasprintf("%s/vault", dir);
	t0 = now_ms();
	if (vault_create(path, pass, cost, &v, &cause) != MC_OK)
		goto fail;
	create_ms = now_ms() - t0;
	if (vault_set(v, "openai", secret_from("sk-bench-key", 12), &cause) !=
	    MC_OK)
		goto fail;
	t0 = now_ms();
	if (vault_save(v, &cause) != MC_OK)
		goto fail;
	save_ms = now_ms() - t0;
	vault_close(v);
	for (i = 0; i < rounds; i++) {
		t0 = now_ms();
		if (vault_open(path, pass, &v, &cause) != MC_OK)
			goto fail;
		open_ms += now_ms() - t0;
		vault_close(v);
	}
	printf("%-8s create (KDF) %8.2f ms   save %6.2f ms   open %8.2f ms "
	       "(mean of %d)\n",
	    label, create_ms, save_ms, open_ms / rounds, rounds);
	unlink(path);
	rmdir(dir);
	free(path);
	secret_free(pass);
	return;
fail:
	fprintf(stderr, "bench_vault: %s\n", cause ? cause : "failed");
	exit(1);
}

int
main(void)
{
	if (secmem_init() != MC_OK)
		return 1;
	run("min", VAULT_COST_MIN, 100);
	run("default", VAULT_COST_DEFAULT, 3);
	return 0;
}
