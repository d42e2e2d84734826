/*
 * passphrase.c - passphrases and API keys from a descriptor, a command or
 * the terminal, into guarded memory (see passphrase.h).
 *
 * Owns the terminal while echo is off: the old settings are restored on
 * the way out and from the handlers of the signals that end a process, so
 * an interrupted prompt never leaves the user's terminal silent.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "util/fs.h"
#include "util/glyph.h"
#include "util/self.h"
#include "util/xmalloc.h"
#include "vault/passphrase.h"

/* How long vault.passphrase_command may take before the terminal is told
 * what is waited for (a password manager asking its agent, a GPG
 * pinentry): a quick one prints nothing. */
#define COMMAND_SLOW_MS 300

/* A signal ended the terminal prompt (its number; Ctrl-C is SIGINT):
 * the read stops there.  Set by tty_on_signal only. */
static volatile sig_atomic_t tty_cancel;

static const char no_source[] =
    "no passphrase: run in a terminal, or set vault.passphrase_command "
    "(the keys commands also take --passphrase-fd N)";

int
passphrase_read_line(int fd, size_t max, struct secret **out, bool *eof)
{
	struct secret *line;
	size_t len = 0;
	ssize_t r;
	char c;
	int rc = MC_OK;

	*out = NULL;
	*eof = false;
	/* One byte more than max: room for a '\r' before the '\n' (a
	 * file written on Windows), which is not part of the line. */
	line = secret_new(max + 1);
	for (;;) {
		if (tty_cancel) {
			rc = MC_ERR_CANCELLED;
			goto out;
		}
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = MC_ERR_IO;
			goto out;
		}
		if (r == 0) {
			if (len == 0)
				*eof = true;
			break;
		}
		if (c == '\n')
			break;
		if (len == max + 1 || (len == max && c != '\r')) {
			rc = MC_ERR_LIMIT;
			goto out;
		}
		line->p[len++] = c;
	}
	if (len > 0 && line->p[len - 1] == '\r')
		len--;
	*out = secret_from(line->p, len);
	secret_lock(*out);
out:
	c = 0;
	secret_free(line);
	return rc;
}

/*
 * The terminal in no-echo mode.  Only the signal handlers and
 * tty_echo_off/tty_restore touch these.
 */
static volatile sig_atomic_t tty_active;
static int tty_fd = -1;
static struct termios tty_saved;
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static struct sigaction tty_old_actions[4];

static void
tty_on_signal(int sig)
{
	size_t i;

	if (tty_active)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	tty_active = 0;
	/* Echo is back on: nothing more is read.  Ctrl-C cancels the
	 * prompt (the caller says so); the others do what they did. */
	tty_cancel = sig;
	if (sig == SIGINT)
		return;
	for (i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		if (tty_signals[i] == sig)
			sigaction(sig, &tty_old_actions[i], NULL);
	raise(sig);
}

static void tty_restore(int fd, const sigset_t *oldmask);

static int
tty_echo_off(int fd, sigset_t *oldmask)
{
	struct termios t;
	struct sigaction sa;
	sigset_t block;
	size_t i;

	if (tcgetattr(fd, &tty_saved) != 0)
		return MC_ERR_IO;
	/* A stop while echo is off would leave the shell silent: hold it. */
	sigemptyset(&block);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGTTIN);
	sigaddset(&block, SIGTTOU);
	sigprocmask(SIG_BLOCK, &block, oldmask);
	tty_fd = fd;
	tty_cancel = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		sigaction(tty_signals[i], &sa, &tty_old_actions[i]);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_lflag |= ICANON;
	tty_active = 1;
	if (tcsetattr(fd, TCSAFLUSH, &t) != 0) {
		tty_active = 0;
		tty_restore(fd, oldmask);
		return MC_ERR_IO;
	}
	return MC_OK;
}

static void
tty_restore(int fd, const sigset_t *oldmask)
{
	size_t i;

	if (tty_active)
		tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_active = 0;
	for (i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		sigaction(tty_signals[i], &tty_old_actions[i], NULL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	tty_fd = -1;
}

/* One line from the terminal with echo off, after prompt. */
static int
tty_read(const char *prompt, size_t max, struct secret **out, char **cause)
{
	sigset_t oldmask;
	bool eof;
	int fd, rc;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*cause = xstrdup(no_source);
		return MC_ERR_LOCKED;
	}
	if (tty_echo_off(fd, &oldmask) != MC_OK) {
		close(fd);
		*cause = xstrdup(no_source);
		return MC_ERR_LOCKED;
	}
	if (fs_write_all(fd, prompt, strlen(prompt)) != MC_OK)
		rc = MC_ERR_IO;
	else
		rc = passphrase_read_line(fd, max, out, &eof);
	tty_restore(fd, &oldmask);
	if (fs_write_all(fd, "\n", 1) != MC_OK) {
		/* only cosmetic: the prompt's line is not ended */
	}
	close(fd);
	tty_cancel = 0;
	if (rc == MC_ERR_CANCELLED)
		*cause = xstrdup("passphrase entry cancelled");
	else if (rc == MC_ERR_LIMIT)
		*cause = xasprintf("too long: at most %zu bytes", max);
	else if (rc != MC_OK)
		*cause = xasprintf(
		    "cannot read from the terminal: %s", strerror(errno));
	else if (eof) {
		secret_free(*out);
		*out = NULL;
		*cause = xstrdup("no input from the terminal");
		rc = MC_ERR_LOCKED;
	}
	return rc;
}

/* The first line of what `/bin/sh -c cmd` prints. */
static int
command_read(const char *cmd, struct secret **out, char **cause)
{
	unsigned char drain[512];
	struct pollfd pfd;
	int p[2], status, rc, n;
	bool eof;
	pid_t pid;
	ssize_t r;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC) != 0) {
		*cause = xasprintf("vault.passphrase_command: cannot make a "
		                   "pipe: %s",
		    strerror(errno));
		return MC_ERR_IO;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		*cause = xasprintf("vault.passphrase_command: cannot fork: %s",
		    strerror(errno));
		return MC_ERR_IO;
	}
	if (pid == 0) {
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* Until it answers the screen would stay blank (the chat draws
	 * after the unlock): said on the terminal, as sudo's prompt is. */
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while ((n = poll(&pfd, 1, COMMAND_SLOW_MS)) < 0 && errno == EINTR)
		continue;
	if (n == 0 && isatty(STDERR_FILENO)) {
		fprintf(stderr,
		    "mixchat: unlocking the vault with "
		    "vault.passphrase_command%s\n",
		    glyph->ellipsis);
		fflush(stderr);
	}
	rc = passphrase_read_line(p[0], PASSPHRASE_MAX, out, &eof);
	/* Drain the rest so the command is not killed by SIGPIPE. */
	while ((r = read(p[0], drain, sizeof drain)) != 0)
		if (r < 0 && errno != EINTR)
			break;
	sodium_memzero(drain, sizeof drain);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (rc == MC_OK &&
	    (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		*cause = xasprintf("vault.passphrase_command '%s' failed (%s "
		                   "%d): check that it prints the passphrase",
		    cmd,
		    status != -1 && WIFSIGNALED(status) ? "signal" : "exit",
		    status == -1          ? -1
		    : WIFSIGNALED(status) ? WTERMSIG(status)
		                          : WEXITSTATUS(status));
		rc = MC_ERR_LOCKED;
	} else if (rc == MC_ERR_LIMIT)
		*cause = xasprintf("vault.passphrase_command '%s' printed a "
		                   "line longer than %d bytes",
		    cmd, PASSPHRASE_MAX);
	else if (rc != MC_OK)
		*cause =
		    xasprintf("vault.passphrase_command '%s': read error", cmd);
	if (rc != MC_OK) {
		secret_free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * One line from fd, a terminal (`--passphrase-fd 0` typed in a shell):
 * the prompt written there and echo off while it is typed, as at the usual
 * prompt.  A terminal whose echo cannot be turned off is refused.
 */
static int
fd_tty_line(
    int fd, const char *prompt, struct secret **out, bool *eof, char **cause)
{
	sigset_t oldmask;
	int rc;

	if (tty_echo_off(fd, &oldmask) != MC_OK) {
		*cause = xasprintf("descriptor %d (--passphrase-fd) is a "
		                   "terminal whose echo cannot be turned off: "
		                   "refused",
		    fd);
		return MC_ERR_LOCKED;
	}
	if (fs_write_all(fd, prompt, strlen(prompt)) != MC_OK) {
		/* only cosmetic: the passphrase is still read */
	}
	rc = passphrase_read_line(fd, PASSPHRASE_MAX, out, eof);
	tty_restore(fd, &oldmask);
	if (fs_write_all(fd, "\n", 1) != MC_OK) {
		/* only cosmetic */
	}
	tty_cancel = 0;
	return rc;
}

int
passphrase_get(const struct config *cfg, int fd, const char *prompt,
    bool confirm, struct secret **out, char **cause)
{
	struct secret *pass = NULL, *again = NULL;
	bool eof = false;
	int rc;

	*out = NULL;
	if (fd >= 0) {
		bool tty = isatty(fd), eof2 = false;
		char *why = NULL;

		/* --passphrase-fd 0 run in a terminal: typed there, so
		 * asked for there, with echo off as at the usual prompt -
		 * and a new one twice, as there. */
		if (tty)
			rc = fd_tty_line(fd, prompt, &pass, &eof, &why);
		else
			rc = passphrase_read_line(
			    fd, PASSPHRASE_MAX, &pass, &eof);
		if (rc == MC_OK && !eof && tty && confirm && pass->len > 0) {
			rc = fd_tty_line(
			    fd, "Again, to confirm: ", &again, &eof2, &why);
			if (rc == MC_OK && eof2)
				eof = true;
			else if (rc == MC_OK) {
				secret_unlock_ro(pass);
				secret_unlock_ro(again);
				if (!secret_equal(pass, again)) {
					why = xstrdup("the two passphrases "
					              "differ: nothing was "
					              "changed");
					rc = MC_ERR_USAGE;
				}
				secret_lock(pass);
				secret_lock(again);
			}
		}
		if (why != NULL)
			*cause = why;
		else if (rc == MC_ERR_CANCELLED)
			*cause = xstrdup("passphrase entry cancelled");
		else if (rc == MC_OK && eof) {
			*cause = xasprintf("no passphrase on descriptor %d "
			                   "(--passphrase-fd): write one line",
			    fd);
			rc = MC_ERR_LOCKED;
		} else if (rc == MC_ERR_LIMIT)
			*cause = xasprintf("the passphrase on descriptor %d is "
			                   "longer than %d bytes",
			    fd, PASSPHRASE_MAX);
		else if (rc != MC_OK)
			*cause = xasprintf("cannot read descriptor %d "
			                   "(--passphrase-fd): %s",
			    fd, strerror(errno));
	} else if (!confirm && cfg != NULL && cfg->passphrase_command != NULL &&
	           cfg->passphrase_command[0] != '\0') {
		/* (Never a new passphrase: that one is typed, twice.) */
		rc = command_read(cfg->passphrase_command, &pass, cause);
		if (rc != MC_OK && *cause != NULL) {
			char *was = *cause;

			*cause =
			    xasprintf("%s (it is set in %s; without it the "
			              "passphrase is asked on the terminal)",
			        was,
			        cfg->config_file != NULL ? cfg->config_file
			                                 : "config.json");
			free(was);
		}
	} else {
		rc = tty_read(prompt, PASSPHRASE_MAX, &pass, cause);
		if (rc == MC_ERR_LOCKED && confirm) {
			/* A new one: no command gives that. */
			free(*cause);
			*cause =
			    xstrdup("no terminal to type the new passphrase "
			            "on: run it in a terminal, or give it "
			            "with --passphrase-fd N");
		}
		if (rc == MC_OK && confirm && pass->len > 0) {
			rc = tty_read("Again, to confirm: ", PASSPHRASE_MAX,
			    &again, cause);
			if (rc == MC_OK) {
				secret_unlock_ro(pass);
				secret_unlock_ro(again);
				if (!secret_equal(pass, again)) {
					*cause = xstrdup("the two passphrases "
					                 "differ: nothing was "
					                 "changed");
					rc = MC_ERR_USAGE;
				}
				secret_lock(pass);
				secret_lock(again);
			}
		}
	}
	if (rc == MC_OK && pass->len == 0) {
		*cause = xstrdup(fd < 0 && !confirm && cfg != NULL &&
		                         cfg->passphrase_command != NULL &&
		                         cfg->passphrase_command[0] != '\0'
		                     ? "empty passphrase from "
		                       "vault.passphrase_command: refused"
		                     : "empty passphrase: refused");
		rc = MC_ERR_USAGE;
	}
	if (rc != MC_OK) {
		secret_free(pass);
		pass = NULL;
	}
	secret_free(again);
	*out = pass;
	return rc;
}

void
passphrase_blame(const struct config *cfg, int fd, char **cause)
{
	char *was = *cause != NULL ? *cause : xstrdup("wrong passphrase");

	if (fd >= 0)
		*cause = xasprintf("%s (read from descriptor %d, "
		                   "--passphrase-fd)",
		    was, fd);
	else if (cfg != NULL && cfg->passphrase_command != NULL &&
	         cfg->passphrase_command[0] != '\0')
		*cause = xasprintf("%s (printed by vault.passphrase_command in "
		                   "%s: after `%s keys passwd`, make it "
		                   "print the new passphrase)",
		    was,
		    cfg->config_file != NULL ? cfg->config_file : "config.json",
		    self_cmd());
	else
		return;
	free(was);
}

int
passphrase_read_key(
    const char *provider, size_t max, struct secret **out, char **cause)
{
	char *prompt;
	bool eof = false, typed;
	int rc;

	*out = NULL;
	typed = isatty(STDIN_FILENO);
	if (typed) {
		prompt = xasprintf("API key for %s (not shown): ", provider);
		rc = tty_read(prompt, max, out, cause);
		free(prompt);
		if (rc == MC_ERR_LOCKED) {
			free(*cause);
			*cause = xstrdup("no key: type it in a terminal or "
			                 "pipe it on standard input");
			rc = MC_ERR_USAGE;
		} else if (rc == MC_ERR_CANCELLED) {
			free(*cause);
			*cause = xstrdup("key entry cancelled: nothing was "
			                 "stored");
		}
	} else {
		rc = passphrase_read_line(STDIN_FILENO, max, out, &eof);
		if (rc == MC_ERR_LIMIT)
			*cause =
			    xasprintf("the key on standard input is longer "
			              "than %zu bytes",
			        max);
		else if (rc != MC_OK)
			*cause = xasprintf("cannot read the key from standard "
			                   "input: %s",
			    strerror(errno));
	}
	if (rc == MC_OK) {
		/* A key has no blanks: ones pasted around it go (a key kept
		 * with them would be refused by the provider, and its
		 * fingerprint would not match the key's). */
		struct secret *k = *out, *t;
		size_t a = 0, z;

		secret_unlock_ro(k);
		z = k->len;
		while (a < z && (k->p[a] == ' ' || k->p[a] == '\t'))
			a++;
		while (z > a && (k->p[z - 1] == ' ' || k->p[z - 1] == '\t'))
			z--;
		if (a > 0 || z < k->len) {
			t = secret_from((const char *)k->p + a, z - a);
			secret_lock(t);
			secret_free(k);
			*out = t;
		} else
			secret_lock(k);
	}
	/* Said as it came: "type it or pipe it" to one who piped a blank
	 * line reads as if the pipe was not seen. */
	if (rc == MC_OK && (*out)->len == 0) {
		if (typed)
			*cause = xasprintf("no key for %s: the key typed was "
			                   "empty; nothing was stored",
			    provider);
		else if (eof)
			*cause = xasprintf("no key for %s: standard input "
			                   "was empty; pipe the key, one "
			                   "line, or run in a terminal to type "
			                   "it",
			    provider);
		else
			*cause = xasprintf("no key for %s: the key piped on "
			                   "standard input is empty (a blank "
			                   "line); pipe the key itself",
			    provider);
		rc = MC_ERR_USAGE;
	}
	if (rc != MC_OK) {
		secret_free(*out);
		*out = NULL;
	}
	return rc;
}
