/*
 * error.c - descriptions of the project's error codes.
 */
#include "config.h"

#include "util/error.h"

const char *
mixchat_strerror(int err)
{
	switch (err) {
	case MC_OK:
		return "success";
	case MC_ERR_NOMEM:
		return "out of memory";
	case MC_ERR_IO:
		return "input/output error";
	case MC_ERR_PARSE:
		return "malformed input";
	case MC_ERR_USAGE:
		return "bad usage";
	case MC_ERR_LIMIT:
		return "size limit reached";
	case MC_ERR_NOTFOUND:
		return "not found";
	case MC_ERR_EXISTS:
		return "already exists";
	case MC_ERR_PERM:
		return "unsafe permissions";
	case MC_ERR_CORRUPT:
		return "corrupt or tampered data";
	case MC_ERR_VERSION:
		return "unsupported format version";
	case MC_ERR_LOCKED:
		return "vault is locked";
	case MC_ERR_PASSPHRASE:
		return "wrong passphrase";
	case MC_ERR_PROVIDER:
		return "provider error";
	case MC_ERR_NETWORK:
		return "network error";
	case MC_ERR_BUDGET:
		return "daily budget exhausted";
	case MC_ERR_CANCELLED:
		return "cancelled";
	case MC_ERR_FULL:
		return "storage full";
	case MC_ERR_AGAIN:
		return "temporarily unavailable";
	case MC_ERR_INTERNAL:
		return "internal error";
	}
	return "unknown error";
}
