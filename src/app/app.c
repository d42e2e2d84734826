/*
 * app.c - the conversation controller (see app.h).
 *
 * (Scaffold: the conversation list and settings are real; routing,
 * sending, storing and learning are wired in as their layers land.)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "util/xmalloc.h"

struct app {
	const struct config *cfg;
	struct app_hooks hooks;
	void *ud;
	struct app_exchange *ex;
	size_t nex;
	bool budget_mode;
	char *pinned;
};

int
app_open(const struct config *cfg, const struct app_hooks *hooks, void *ud,
    struct app **out, char **cause)
{
	struct app *app = xcalloc(1, sizeof *app);

	app->cfg = cfg;
	if (hooks != NULL)
		app->hooks = *hooks;
	app->ud = ud;
	app->budget_mode = cfg->mode == MODE_BUDGET;
	*out = app;
	return MC_OK;
}

void
app_close(struct app *app)
{
	if (app == NULL)
		return;
	free(app->ex);
	free(app->pinned);
	free(app);
}

bool
app_needs_unlock(const struct app *app)
{
	return false;
}

int
app_unlock(struct app *app, const struct secret *passphrase, char **cause)
{
	return MC_OK;
}

size_t
app_usable_models(const struct app *app)
{
	return 0;
}

size_t
app_count(const struct app *app)
{
	return app->nex;
}

const struct app_exchange *
app_get(const struct app *app, size_t index)
{
	return index < app->nex ? &app->ex[index] : NULL;
}

int
app_send(struct app *app, const char *text, char **cause)
{
	*cause = xstrdup("sending is not wired up yet");
	return MC_ERR_INTERNAL;
}

int
app_reask(struct app *app, size_t index, char **cause)
{
	*cause = xstrdup("re-asking is not wired up yet");
	return MC_ERR_INTERNAL;
}

bool
app_cancel(struct app *app)
{
	return false;
}

bool
app_busy(const struct app *app)
{
	return false;
}

int
app_rate(struct app *app, size_t index, int score, char **cause)
{
	*cause = xstrdup("rating is not wired up yet");
	return MC_ERR_INTERNAL;
}

void
app_set_budget_mode(struct app *app, bool on)
{
	app->budget_mode = on;
}

bool
app_budget_mode(const struct app *app)
{
	return app->budget_mode;
}

int
app_pin_model(struct app *app, const char *model, char **cause)
{
	free(app->pinned);
	app->pinned = model != NULL ? xstrdup(model) : NULL;
	return MC_OK;
}

const char *
app_pinned_model(const struct app *app)
{
	return app->pinned;
}

double
app_spend_today(const struct app *app)
{
	return 0;
}

double
app_daily_budget(const struct app *app)
{
	return app->cfg->daily_budget_usd;
}

const char *
app_mode_name(const struct app *app)
{
	return app->budget_mode ? "budget" : config_mode_name(app->cfg->mode);
}

int
app_wait(struct app *app, struct pollfd *extra, unsigned nextra, int timeout_ms)
{
	return poll(extra, nextra, timeout_ms);
}

void
app_process(struct app *app)
{
}

int
app_models(struct app *app, struct app_model_info **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return MC_OK;
}

void
app_models_free(struct app_model_info *list, size_t n)
{
	free(list);
}

int
app_sessions(struct app *app, struct app_session_info **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return MC_OK;
}

void
app_sessions_free(struct app_session_info *list, size_t n)
{
	free(list);
}

int
app_session_new(struct app *app, char **cause)
{
	return MC_OK;
}

int
app_session_resume(struct app *app, const char *id, char **cause)
{
	*cause = xstrdup("sessions are not wired up yet");
	return MC_ERR_INTERNAL;
}

const char *
app_session_title(const struct app *app)
{
	return "new conversation";
}

int
app_search(struct app *app, const char *words, size_t max,
    struct app_search_hit **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return MC_OK;
}

void
app_search_free(struct app_search_hit *list, size_t n)
{
	free(list);
}

int
app_export(struct app *app, const char *path, char **written, char **cause)
{
	*cause = xstrdup("export is not wired up yet");
	return MC_ERR_INTERNAL;
}

int
app_session_named(struct app *app, const char *name, char **cause)
{
	return MC_OK;
}

int
app_rate_id(struct app *app, const char *reply_id, int score, char **model,
    char **cause)
{
	*cause = xstrdup("rating is not wired up yet");
	return MC_ERR_INTERNAL;
}

int
app_ratings_export(struct app *app, int fd, size_t *count, char **cause)
{
	*cause = xstrdup("ratings are not wired up yet");
	return MC_ERR_INTERNAL;
}

int
app_ratings_import(
    struct app *app, const char *path, size_t *count, char **cause)
{
	*cause = xstrdup("ratings are not wired up yet");
	return MC_ERR_INTERNAL;
}
