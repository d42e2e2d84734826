/*
 * export.c - `mixchat export` (not built yet: a placeholder that says so).
 */
#include "config.h"

#include "cli/cli.h"

int
cli_export(const struct cli_global *g, int argc, char **argv)
{
	cli_error("'export' is not available in this build yet");
	return EXIT_RUNTIME;
}
