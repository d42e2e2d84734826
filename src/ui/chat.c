/*
 * chat.c - `mixchat` with no command: the interactive chat.
 *
 * (Placeholder until the chat screen lands: it explains how to add a
 * provider and exits cleanly when no terminal is attached.)
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"

int
cli_chat(const struct cli_global *g, int argc, char **argv)
{
	struct config cfg;
	int rc;

	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK)
		return rc;
	printf("mixchat: no provider is set up yet.  Add one with:\n"
	       "  mixchat keys add openai        (or anthropic, gemini, ...)\n"
	       "or point a model at a local server in %s\n",
	    cfg.config_file);
	config_release(&cfg);
	return EXIT_OK;
}
