/*
 * vault.c - the key vault (see vault.h; the file layout is in format.h).
 *
 * Owns: reading the vault file safely (permissions, owner, no symlinks),
 * deriving keys from the passphrase (Argon2id), decrypting into guarded
 * memory, and writing a new file atomically.  Plaintext keys only ever sit
 * in struct secret allocations; the only ordinary-memory copies of vault
 * data are the ciphertext and the public header.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/self.h"
#include "util/xmalloc.h"
#include "vault/format.h"
#include "vault/vault.h"

/* crypto_kdf context: 8 bytes, names the purpose of the subkeys. */
static const char kdf_context[crypto_kdf_CONTEXTBYTES] = { 'm', 'c', 'v', 'a',
	'u', 'l', 't', '1' };
#define SUBKEY_ENCRYPT 1
#define SUBKEY_CHECK   2

/* The public BLAKE2b key of fingerprints (domain separation only). */
static const char fingerprint_label[] = "mixchat key fingerprint v1";

struct vault_entry {
	char *name;
	struct secret *key; /* locked while idle */
};

struct vault {
	char *path;
	struct secret *enc_key; /* XChaCha20-Poly1305 key, locked */
	unsigned char check[VAULT_CHECK_BYTES];
	unsigned char salt[VAULT_SALT_BYTES];
	uint32_t opslimit;
	uint32_t mem_kib;
	struct vault_entry *entries; /* sorted by name */
	size_t n;
	/* The file as it was read (or absent): vault_save refuses to
	 * overwrite a vault another process changed meanwhile. */
	bool had_file;
	struct stat seen;
	/* The file at the last look (open, save, vault_reload), present
	 * or not: vault_reload reads it again only when it changed. */
	bool looked_had;
	struct stat looked;
};

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

enum vault_cost
vault_cost_from_env(void)
{
	const char *s = getenv("MIXCHAT_VAULT_KDF");

	return s != NULL && strcmp(s, "min") == 0 ? VAULT_COST_MIN
	                                          : VAULT_COST_DEFAULT;
}

bool
vault_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool
vault_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > VAULT_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '-'))
			return false;
	}
	return true;
}

/*
 * Open path for reading and check it is a regular file of ours that no one
 * else can read or write; read it whole into b.
 */
static int
read_vault_file(
    const char *path, struct buf *b, struct stat *seen, char **cause)
{
	struct stat st;
	int fd, rc = MC_OK;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			*cause = xasprintf("no vault at %s: add a key with "
			                   "'%s keys add PROVIDER'",
			    path, self_cmd());
			return MC_ERR_NOTFOUND;
		}
		if (errno == ELOOP) {
			*cause = xasprintf("the vault %s is a symbolic link: "
			                   "refused; replace it with the file "
			                   "itself",
			    path);
			return MC_ERR_PERM;
		}
		*cause = xasprintf(
		    "cannot open the vault %s: %s", path, strerror(errno));
		return errno == EACCES ? MC_ERR_PERM : MC_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		*cause = xasprintf(
		    "cannot read the vault %s: %s", path, strerror(errno));
		rc = MC_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("the vault %s is not a regular file: "
		                   "refused; move it away",
		    path);
		rc = MC_ERR_PERM;
		goto out;
	}
	if (st.st_uid != geteuid()) {
		*cause = xasprintf(
		    "the vault %s belongs to uid %lu, not to you "
		    "(uid %lu): refused; check who put it there, "
		    "then 'chown' it",
		    path, (unsigned long)st.st_uid, (unsigned long)geteuid());
		rc = MC_ERR_PERM;
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		*cause = xasprintf("the vault %s has mode %04o: other users "
		                   "may read or change it; refused: run "
		                   "'chmod 600 %s'",
		    path, (unsigned)(st.st_mode & 07777), path);
		rc = MC_ERR_PERM;
		goto out;
	}
	if (seen != NULL)
		*seen = st;
	rc = fs_read_fd(fd, b);
	if (rc == MC_ERR_LIMIT) {
		*cause = xasprintf("the vault %s is larger than any vault "
		                   "(%u bytes): it is damaged or not a vault",
		    path, VAULT_FILE_MAX);
		rc = MC_ERR_CORRUPT;
	} else if (rc != MC_OK)
		*cause = xasprintf(
		    "cannot read the vault %s: %s", path, strerror(errno));
out:
	close(fd);
	return rc;
}

void
vault_names_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
vault_list_names(const char *path, char ***names, size_t *n, char **cause)
{
	struct vault_header h;
	struct buf b;
	int rc;

	*names = NULL;
	*n = 0;
	buf_init(&b, VAULT_FILE_MAX);
	if ((rc = read_vault_file(path, &b, NULL, cause)) != MC_OK)
		goto out;
	rc = vault_header_parse(
	    (const unsigned char *)b.data, b.len, path, &h, cause);
	if (rc != MC_OK)
		goto out;
	*names = h.names;
	*n = h.nnames;
out:
	buf_release(&b);
	return rc;
}

/*
 * Argon2id over the passphrase and salt, then the two subkeys.  *enc is a
 * new locked secret.
 */
static int
derive_keys(const struct secret *pass, const unsigned char *salt, uint32_t ops,
    uint32_t mem_kib, struct secret **enc,
    unsigned char check[VAULT_CHECK_BYTES], const char *path, char **cause)
{
	struct secret *master;
	int r;

	*enc = NULL;
	master = secret_new(crypto_kdf_KEYBYTES);
	secret_unlock_ro(pass);
	r = crypto_pwhash((unsigned char *)master->p, crypto_kdf_KEYBYTES,
	    pass->p, pass->len, salt, ops, (size_t)mem_kib * 1024,
	    crypto_pwhash_ALG_ARGON2ID13);
	secret_lock(pass);
	secmem_wipe_stack();
	if (r != 0) {
		secret_free(master);
		*cause =
		    xasprintf("the vault %s: the KDF could not get %lu KiB "
		              "of memory: free some memory and retry",
		        path, (unsigned long)mem_kib);
		return MC_ERR_NOMEM;
	}
	*enc = secret_new(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	crypto_kdf_derive_from_key((unsigned char *)(*enc)->p, (*enc)->len,
	    SUBKEY_ENCRYPT, kdf_context, (unsigned char *)master->p);
	crypto_kdf_derive_from_key(check, VAULT_CHECK_BYTES, SUBKEY_CHECK,
	    kdf_context, (unsigned char *)master->p);
	secmem_wipe_stack();
	secret_free(master);
	secret_lock(*enc);
	return MC_OK;
}

static struct vault *
vault_new(const char *path)
{
	struct vault *v = xcalloc(1, sizeof *v);

	v->path = xstrdup(path);
	return v;
}

void
vault_close(struct vault *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->entries[i].name);
		secret_free(v->entries[i].key);
	}
	free(v->entries);
	secret_free(v->enc_key);
	sodium_memzero(v->check, sizeof v->check);
	free(v->path);
	free(v);
}

/* Split the decrypted plaintext into one secret per name. */
static int
split_plaintext(struct vault *v, const struct vault_header *h,
    const struct secret *pt, size_t pt_len)
{
	const unsigned char *p = (const unsigned char *)pt->p;
	size_t i, off = 0, klen;

	v->entries =
	    xcalloc(h->nnames == 0 ? 1 : h->nnames, sizeof *v->entries);
	for (i = 0; i < h->nnames; i++) {
		if (pt_len - off < 2)
			return MC_ERR_CORRUPT;
		klen = (size_t)p[off] << 8 | p[off + 1];
		off += 2;
		if (klen == 0 || klen > VAULT_KEY_MAX || pt_len - off < klen)
			return MC_ERR_CORRUPT;
		v->entries[i].name = xstrdup(h->names[i]);
		v->entries[i].key = secret_from(p + off, klen);
		secret_lock(v->entries[i].key);
		v->n++;
		off += klen;
	}
	return off == pt_len ? MC_OK : MC_ERR_CORRUPT;
}

/*
 * Decrypt the key list of the vault file b (header h) with enc_key into
 * into's entries.  A failure names path, with advice to restore a backup
 * when advise is set (an open: nothing else to do), in *cause.
 */
static int
decrypt_entries(const struct secret *enc_key, const struct vault_header *h,
    const struct buf *b, const char *path, bool advise, struct vault *into,
    char **cause)
{
	struct secret *pt = secret_new(h->ct_len - VAULT_TAG_BYTES);
	unsigned long long pt_len = 0;
	int r, rc = MC_OK;

	secret_unlock_ro(enc_key);
	r = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)pt->p,
	    &pt_len, NULL, h->ct, h->ct_len, (const unsigned char *)b->data,
	    h->ad_len, h->nonce, (const unsigned char *)enc_key->p);
	secret_lock(enc_key);
	secmem_wipe_stack();
	if (r != 0) {
		*cause = xasprintf("the vault %s does not authenticate: it was "
		                   "damaged or tampered with after it was "
		                   "written%s",
		    path,
		    advise ? "; it was not changed; restore it from a backup"
		           : "");
		rc = MC_ERR_CORRUPT;
	} else if (split_plaintext(into, h, pt, (size_t)pt_len) != MC_OK) {
		*cause =
		    xasprintf("the vault %s authenticates but its key list "
		              "is malformed%s",
		        path,
		        advise ? ": it was not written by mixchat; restore it "
		                 "from a backup"
		               : "");
		rc = MC_ERR_CORRUPT;
	}
	secret_free(pt);
	return rc;
}

int
vault_open(const char *path, const struct secret *passphrase,
    struct vault **out, char **cause)
{
	struct vault_header h;
	struct vault *v = NULL;
	struct stat seen;
	struct buf b;
	int rc;

	*out = NULL;
	memset(&h, 0, sizeof h);
	buf_init(&b, VAULT_FILE_MAX);
	if ((rc = read_vault_file(path, &b, &seen, cause)) != MC_OK)
		goto out;
	rc = vault_header_parse(
	    (const unsigned char *)b.data, b.len, path, &h, cause);
	if (rc != MC_OK)
		goto out;
	v = vault_new(path);
	v->had_file = true;
	v->seen = seen;
	v->looked_had = true;
	v->looked = seen;
	v->opslimit = h.opslimit;
	v->mem_kib = h.mem_kib;
	memcpy(v->salt, h.salt, sizeof v->salt);
	rc = derive_keys(passphrase, h.salt, h.opslimit, h.mem_kib, &v->enc_key,
	    v->check, path, cause);
	if (rc != MC_OK)
		goto out;
	if (sodium_memcmp(v->check, h.check, sizeof v->check) != 0) {
		*cause = xasprintf("wrong passphrase for the vault %s", path);
		rc = MC_ERR_PASSPHRASE;
		goto out;
	}
	rc = decrypt_entries(v->enc_key, &h, &b, path, true, v, cause);
	if (rc != MC_OK)
		goto out;
	*out = v;
	v = NULL;
out:
	vault_close(v);
	vault_header_release(&h);
	buf_release(&b);
	return rc;
}

int
vault_create(const char *path, const struct secret *passphrase,
    enum vault_cost cost, struct vault **out, char **cause)
{
	struct vault *v;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return MC_ERR_INTERNAL;
	if (vault_exists(path)) {
		*cause = xasprintf("a vault is already at %s: open it instead "
		                   "of creating one",
		    path);
		return MC_ERR_EXISTS;
	}
	v = vault_new(path);
	if (cost == VAULT_COST_MIN) {
		v->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
		v->mem_kib = crypto_pwhash_argon2id_MEMLIMIT_MIN / 1024;
	} else {
		v->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		v->mem_kib = crypto_pwhash_argon2id_MEMLIMIT_MODERATE / 1024;
	}
	randombytes_buf(v->salt, sizeof v->salt);
	rc = derive_keys(passphrase, v->salt, v->opslimit, v->mem_kib,
	    &v->enc_key, v->check, path, cause);
	if (rc != MC_OK) {
		vault_close(v);
		return rc;
	}
	v->entries = xcalloc(1, sizeof *v->entries);
	*out = v;
	return MC_OK;
}

const char *
vault_path(const struct vault *v)
{
	return v->path;
}

size_t
vault_count(const struct vault *v)
{
	return v->n;
}

const char *
vault_name(const struct vault *v, size_t i)
{
	return i < v->n ? v->entries[i].name : NULL;
}

/* The index of name, or where it would go (*found false). */
static size_t
find_entry(const struct vault *v, const char *name, bool *found)
{
	size_t i;
	int c;

	*found = false;
	for (i = 0; i < v->n; i++) {
		c = strcmp(v->entries[i].name, name);
		if (c == 0)
			*found = true;
		if (c >= 0)
			break;
	}
	return i;
}

const struct secret *
vault_get(const struct vault *v, const char *provider)
{
	bool found;
	size_t i = find_entry(v, provider, &found);

	return found ? v->entries[i].key : NULL;
}

int
vault_set(
    struct vault *v, const char *provider, struct secret *key, char **cause)
{
	bool found;
	size_t i, k;
	int rc = MC_OK;

	if (!vault_name_valid(provider)) {
		*cause =
		    xasprintf("'%s' cannot name a vault entry: use 1 to %d "
		              "letters, digits, '.', '_' or '-'",
		        provider, VAULT_NAME_MAX);
		rc = MC_ERR_USAGE;
		goto fail;
	}
	if (key->len == 0 || key->len > VAULT_KEY_MAX) {
		*cause = xasprintf("the key for %s is %s: nothing was stored",
		    provider,
		    key->len == 0 ? "empty" : "longer than 8192 bytes");
		rc = MC_ERR_USAGE;
		goto fail;
	}
	secret_unlock_ro(key);
	for (k = 0; k < key->len; k++) {
		unsigned char c = (unsigned char)key->p[k];

		/* It goes into an HTTP header: no CR, LF or other controls. */
		if (c < 0x20 || c == 0x7f) {
			secret_lock(key);
			*cause = xasprintf("the key for %s contains a control "
			                   "character (at byte %zu): nothing "
			                   "was stored; paste the key alone",
			    provider, k + 1);
			rc = MC_ERR_USAGE;
			goto fail;
		}
	}
	secret_lock(key);
	i = find_entry(v, provider, &found);
	if (found) {
		secret_free(v->entries[i].key);
		v->entries[i].key = key;
		return MC_OK;
	}
	if (v->n >= VAULT_ENTRIES_MAX) {
		*cause = xasprintf("the vault %s is full (%d keys): remove one "
		                   "first",
		    v->path, VAULT_ENTRIES_MAX);
		rc = MC_ERR_LIMIT;
		goto fail;
	}
	v->entries = xreallocarray(v->entries, v->n + 1, sizeof *v->entries);
	memmove(&v->entries[i + 1], &v->entries[i],
	    (v->n - i) * sizeof *v->entries);
	v->entries[i].name = xstrdup(provider);
	v->entries[i].key = key;
	v->n++;
	return MC_OK;
fail:
	secret_free(key);
	return rc;
}

int
vault_remove(struct vault *v, const char *provider)
{
	bool found;
	size_t i = find_entry(v, provider, &found);

	if (!found)
		return MC_ERR_NOTFOUND;
	free(v->entries[i].name);
	secret_free(v->entries[i].key);
	memmove(&v->entries[i], &v->entries[i + 1],
	    (v->n - i - 1) * sizeof *v->entries);
	v->n--;
	return MC_OK;
}

/*
 * Drop the entries whose names are not among names (sorted, n of them);
 * with n == 0, every entry.
 */
static void
keep_named(struct vault *v, char *const *names, size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < v->n; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(names[j], v->entries[i].name) == 0)
				break;
		if (j < n) {
			v->entries[k++] = v->entries[i];
			continue;
		}
		free(v->entries[i].name);
		secret_free(v->entries[i].key);
	}
	v->n = k;
}

/* Whether a and b describe the same file, unchanged (a save is a new
 * file renamed over the old one: another inode, size or time). */
static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Whether the file at v->path is still the one v was read from. */
static bool
unchanged(const struct vault *v)
{
	struct stat st;

	if (lstat(v->path, &st) != 0)
		return !v->had_file && errno == ENOENT;
	return v->had_file && same_file(&st, &v->seen);
}

/*
 * Temporary files left by writers that were killed before their rename
 * (fs_write_atomic names them PATH.tmp.PID).  Only called under the lock,
 * when no other writer can be between create and rename.
 */
static void
remove_stale_temps(const char *path)
{
	char *copy = xstrdup(path), *dir, *prefix, *full;
	const char *base = strrchr(path, '/');
	struct dirent *de;
	DIR *d;

	dir = dirname(copy);
	prefix = xasprintf("%s.tmp.", base != NULL ? base + 1 : path);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
				continue;
			full = xasprintf("%s/%s", dir, de->d_name);
			unlink(full);
			free(full);
		}
		closedir(d);
	}
	free(prefix);
	free(copy);
}

/*
 * Replace the file under an exclusive lock on PATH.lock, if no other
 * process replaced it since v read it (compare and swap).
 */
static int
write_locked(struct vault *v, const void *data, size_t len, char **cause)
{
	char *lock_path = xasprintf("%s.lock", v->path);
	int fd, rc;

	fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		*cause =
		    xasprintf("cannot lock %s: %s", lock_path, strerror(errno));
		rc = MC_ERR_IO;
		goto out;
	}
	if (!unchanged(v)) {
		*cause = xasprintf("the vault %s was changed by another "
		                   "mixchat while this one had it open: "
		                   "nothing was written; run the command again",
		    v->path);
		rc = MC_ERR_AGAIN;
		goto out;
	}
	remove_stale_temps(v->path);
	rc = fs_write_atomic(v->path, data, len, 0600, cause);
	if (rc == MC_OK && lstat(v->path, &v->seen) == 0) {
		v->had_file = true;
		v->looked_had = true;
		v->looked = v->seen;
	}
out:
	if (fd >= 0)
		close(fd);
	free(lock_path);
	return rc;
}

int
vault_save(struct vault *v, char **cause)
{
	unsigned char fixed[VAULT_FIXED_BYTES], nonce[VAULT_NONCE_BYTES];
	unsigned char *ct = NULL, len4[4], sum[VAULT_SUM_BYTES];
	unsigned long long ct_len = 0;
	struct secret *pt = NULL;
	size_t i, pt_len = 0, off = 0, hdr_len;
	struct buf b;
	int rc;

	buf_init(&b, VAULT_FILE_MAX);
	memcpy(fixed, VAULT_MAGIC, 8);
	put16(fixed + 8, VAULT_VERSION);
	fixed[10] = VAULT_KDF_ARGON2ID13;
	fixed[11] = 0;
	put32(fixed + 12, v->opslimit);
	put32(fixed + 16, v->mem_kib);
	memcpy(fixed + 20, v->salt, VAULT_SALT_BYTES);
	memcpy(fixed + 36, v->check, VAULT_CHECK_BYTES);
	randombytes_buf(nonce, sizeof nonce);
	memcpy(fixed + 52, nonce, VAULT_NONCE_BYTES);
	put16(fixed + 76, (unsigned)v->n);
	if ((rc = buf_add(&b, fixed, sizeof fixed)) != MC_OK)
		goto out;
	for (i = 0; i < v->n; i++) {
		unsigned char nlen = (unsigned char)strlen(v->entries[i].name);

		if ((rc = buf_add(&b, &nlen, 1)) != MC_OK ||
		    (rc = buf_add(&b, v->entries[i].name, nlen)) != MC_OK)
			goto out;
		pt_len += 2 + v->entries[i].key->len;
	}

	/* The plaintext is assembled in guarded memory only. */
	pt = secret_new(pt_len);
	for (i = 0; i < v->n; i++) {
		const struct secret *key = v->entries[i].key;

		put16((unsigned char *)pt->p + off, (unsigned)key->len);
		secret_unlock_ro(key);
		memcpy(pt->p + off + 2, key->p, key->len);
		secret_lock(key);
		off += 2 + key->len;
	}
	put32(len4, (uint32_t)(pt_len + VAULT_TAG_BYTES));
	if ((rc = buf_add(&b, len4, 4)) != MC_OK)
		goto out;
	hdr_len = b.len;
	ct = xmalloc(pt_len + VAULT_TAG_BYTES);
	secret_unlock_ro(v->enc_key);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ct_len,
	    (const unsigned char *)pt->p, pt_len, (const unsigned char *)b.data,
	    hdr_len, NULL, nonce, (const unsigned char *)v->enc_key->p);
	secret_lock(v->enc_key);
	secmem_wipe_stack();
	if ((rc = buf_add(&b, ct, (size_t)ct_len)) != MC_OK)
		goto out;
	memset(sum, 0, sizeof sum);
	if ((rc = buf_add(&b, sum, sizeof sum)) != MC_OK)
		goto out;
	vault_checksum((unsigned char *)b.data, b.len);
	rc = write_locked(v, b.data, b.len, cause);
	goto done;
out:
	*cause = xasprintf("the vault %s: too large to write", v->path);
done:
	secret_free(pt);
	free(ct);
	buf_release(&b);
	return rc;
}

int
vault_reload(struct vault *v, bool *changed, char **cause)
{
	struct vault_header h;
	struct vault fresh;
	struct stat st;
	struct buf b;
	size_t i;
	int rc;

	*changed = false;
	if (lstat(v->path, &st) != 0) {
		if (errno != ENOENT || !v->looked_had)
			return MC_OK;
		*changed = true;
		v->looked_had = false;
		keep_named(v, NULL, 0);
		*cause = xasprintf("the vault %s was removed", v->path);
		return MC_ERR_NOTFOUND;
	}
	if (v->looked_had && same_file(&st, &v->looked) &&
	    st.st_ctim.tv_sec == v->looked.st_ctim.tv_sec &&
	    st.st_ctim.tv_nsec == v->looked.st_ctim.tv_nsec &&
	    st.st_mode == v->looked.st_mode)
		return MC_OK;
	*changed = true;
	v->looked_had = true;
	v->looked = st;
	memset(&h, 0, sizeof h);
	memset(&fresh, 0, sizeof fresh);
	buf_init(&b, VAULT_FILE_MAX);
	/* What is read is what is compared next time (a writer may have
	 * renamed another file in since the lstat). */
	if ((rc = read_vault_file(v->path, &b, &st, cause)) != MC_OK)
		goto drop;
	v->looked = st;
	rc = vault_header_parse(
	    (const unsigned char *)b.data, b.len, v->path, &h, cause);
	if (rc != MC_OK)
		goto drop;
	if (h.opslimit != v->opslimit || h.mem_kib != v->mem_kib ||
	    memcmp(h.salt, v->salt, sizeof v->salt) != 0 ||
	    sodium_memcmp(h.check, v->check, sizeof v->check) != 0) {
		/* Another passphrase (keys passwd): the derived key kept
		 * here cannot read it.  The names are readable: a key
		 * removed meanwhile is not used any more. */
		keep_named(v, h.names, h.nnames);
		*cause =
		    xasprintf("the vault %s has a new passphrase", v->path);
		rc = MC_ERR_PASSPHRASE;
		goto out;
	}
	rc = decrypt_entries(v->enc_key, &h, &b, v->path, false, &fresh, cause);
	if (rc != MC_OK)
		goto drop;
	keep_named(v, NULL, 0);
	free(v->entries);
	v->entries = fresh.entries;
	v->n = fresh.n;
	fresh.entries = NULL;
	fresh.n = 0;
	v->had_file = true;
	v->seen = st;
	rc = MC_OK;
	goto out;
drop:
	/* No key of a vault that cannot be read is used. */
	keep_named(v, NULL, 0);
out:
	for (i = 0; i < fresh.n; i++) {
		free(fresh.entries[i].name);
		secret_free(fresh.entries[i].key);
	}
	free(fresh.entries);
	vault_header_release(&h);
	buf_release(&b);
	return rc;
}

int
vault_passwd(struct vault *v, const struct secret *new_passphrase, char **cause)
{
	unsigned char salt[VAULT_SALT_BYTES], check[VAULT_CHECK_BYTES];
	struct secret *enc;
	int rc;

	randombytes_buf(salt, sizeof salt);
	rc = derive_keys(new_passphrase, salt, v->opslimit, v->mem_kib, &enc,
	    check, v->path, cause);
	if (rc != MC_OK)
		return rc;
	secret_free(v->enc_key);
	v->enc_key = enc;
	memcpy(v->salt, salt, sizeof salt);
	memcpy(v->check, check, sizeof check);
	sodium_memzero(check, sizeof check);
	return MC_OK;
}

void
vault_fingerprint(const struct secret *key, char buf[9])
{
	unsigned char h[crypto_generichash_BYTES_MIN];

	secret_unlock_ro(key);
	crypto_generichash(h, sizeof h, (const unsigned char *)key->p, key->len,
	    (const unsigned char *)fingerprint_label,
	    sizeof fingerprint_label - 1);
	secret_lock(key);
	/* BLAKE2b's state, the key's last block in it, stays on the stack. */
	secmem_wipe_stack();
	sodium_bin2hex(buf, 9, h, 4);
}
