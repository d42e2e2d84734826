/*
 * catalog.h - the built-in provider and model tables (catalog.c).
 */
#ifndef MIXCHAT_CATALOG_H
#define MIXCHAT_CATALOG_H

#include <stddef.h>

#include "config/config.h"

struct catalog_provider {
	const char *name;
	enum provider_api api;
	const char *base_url;
	int auth_none;
};

struct catalog_model {
	const char *id;
	const char *provider;
	double price_in, price_out, price_cached_in;
	const char *prior;
};

extern const struct catalog_provider catalog_providers[];
extern const size_t catalog_nproviders;
extern const struct catalog_model catalog_models[];
extern const size_t catalog_nmodels;

#endif
