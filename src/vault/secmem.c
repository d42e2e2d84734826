/*
 * secmem.c - guarded memory for secrets (see secmem.h).
 */
#include "config.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <sodium.h>

#include "util/xmalloc.h"
#include "vault/secmem.h"

int
secmem_init(void)
{
	return sodium_init() < 0 ? MC_ERR_INTERNAL : MC_OK;
}

int
secmem_harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return MC_ERR_INTERNAL;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return MC_ERR_INTERNAL;
	return MC_OK;
}

/* Not inlined, so that its array lies below the caller's frame, where
 * the frames of the calls the caller just made were. */
__attribute__((noinline)) void
secmem_wipe_stack(void)
{
	unsigned char area[SECMEM_STACK_WIPE];

	sodium_memzero(area, sizeof area);
	/* Keep the array (and the call) from being optimised away. */
	__asm__ __volatile__("" : : "r"(area) : "memory");
}

struct secret *
secret_new(size_t len)
{
	struct secret *s;

	if (sodium_init() < 0)
		abort();
	s = xmalloc(sizeof *s);
	s->p = sodium_malloc(len + 1);
	if (s->p == NULL) {
		free(s);
		return xmalloc(SIZE_MAX); /* aborts with the usual message */
	}
	sodium_memzero(s->p, len + 1);
	s->len = len;
	return s;
}

struct secret *
secret_from(const void *p, size_t n)
{
	struct secret *s = secret_new(n);

	memcpy(s->p, p, n);
	return s;
}

void
secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	sodium_mprotect_readwrite(s->p);
	sodium_free(s->p); /* wipes before freeing */
	free(s);
}

void
secret_lock(const struct secret *s)
{
	sodium_mprotect_noaccess(s->p);
}

void
secret_unlock_ro(const struct secret *s)
{
	sodium_mprotect_readonly(s->p);
}

void
secret_unlock_rw(const struct secret *s)
{
	sodium_mprotect_readwrite(s->p);
}

int
secret_equal(const struct secret *a, const struct secret *b)
{
	if (a->len != b->len)
		return 0;
	return sodium_memcmp(a->p, b->p, a->len) == 0;
}
