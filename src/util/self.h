/*
 * self.h - how the user runs this mixchat again: "mixchat", or with the
 * --home and --config it was given ("mixchat --home /tmp/x"), so that a
 * piece of advice ("run mixchat keys add openai") acts on the same folder
 * when it is typed as printed.  main() sets it once; every module that
 * tells the user a command to run asks for it.
 */
#ifndef MIXCHAT_SELF_H
#define MIXCHAT_SELF_H

/* self_set: the --home and --config given (NULL: none).  Copies them. */
void self_set(const char *home, const char *config_file);
/* self_cmd: "mixchat" and those options, each value quoted for a POSIX
 * shell when it needs to be.  Valid until the next self_set. */
const char *self_cmd(void);

#endif
