/*
 * train.c - `mixchat train` (not built yet: a placeholder that says so).
 */
#include "config.h"

#include "cli/cli.h"

int
cli_train(const struct cli_global *g, int argc, char **argv)
{
	cli_error("'train' is not available in this build yet");
	return EXIT_RUNTIME;
}
