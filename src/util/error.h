/*
 * error.h - the project's error codes.
 *
 * Every function that can fail returns one of these (0 is success) and is
 * marked MC_WUR.  Functions that can explain a failure to the user also take
 * `char **cause` (tmux style): on failure they set *cause to a message in
 * the user's words, allocated with xmalloc; the caller frees it.
 */
#ifndef MIXCHAT_ERROR_H
#define MIXCHAT_ERROR_H

#define MC_WUR          __attribute__((warn_unused_result))
#define MC_PRINTF(f, a) __attribute__((format(printf, f, a)))

enum mc_err {
	MC_OK = 0,
	MC_ERR_NOMEM = -1,       /* out of memory (normally aborts instead) */
	MC_ERR_IO = -2,          /* a read, write or fsync failed */
	MC_ERR_PARSE = -3,       /* malformed input (file, line, field named) */
	MC_ERR_USAGE = -4,       /* bad arguments */
	MC_ERR_LIMIT = -5,       /* a size limit was reached */
	MC_ERR_NOTFOUND = -6,    /* no such record, file, model, provider */
	MC_ERR_EXISTS = -7,      /* already there */
	MC_ERR_PERM = -8,        /* unsafe or wrong file permissions */
	MC_ERR_CORRUPT = -9,     /* checksum or authentication failed */
	MC_ERR_VERSION = -10,    /* unknown or newer format version */
	MC_ERR_LOCKED = -11,     /* vault locked / no passphrase available */
	MC_ERR_PASSPHRASE = -12, /* wrong passphrase */
	MC_ERR_PROVIDER = -13,   /* the provider returned an error */
	MC_ERR_NETWORK = -14,    /* connection failed, timed out, cut short */
	MC_ERR_BUDGET = -15,    /* nothing fits in what is left of the budget */
	MC_ERR_CANCELLED = -16, /* the user cancelled */
	MC_ERR_FULL = -17,      /* disk or database map full */
	MC_ERR_AGAIN = -18,     /* try again later (rate limit, busy) */
	MC_ERR_INTERNAL = -19,  /* a bug: an invariant did not hold */
};

/*
 * mixchat_strerror: a short English description of an error code.  Returns
 * a static string; never NULL.
 */
const char *mixchat_strerror(int err);

/*
 * problems_add / problems_end: a file's bad lines gathered into one
 * *cause ("file:3: ...\nfile:7: ..."): the first max named, each on a
 * line of its own, the rest counted in *n and said at the end ("and N
 * more").  *cause starts NULL; the caller frees it.
 */
void problems_add(char **cause, size_t *n, size_t max, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void problems_end(char **cause, size_t n, size_t max);

#endif
