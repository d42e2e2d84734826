/*
 * catalog.c - the built-in providers and models.
 *
 * Prices are USD per 1M tokens from the dated table in
 * shared/fixtures/providers/prices.csv (LiteLLM's, as of the date below);
 * tests/test_config.c checks every row here against that table.  "prior"
 * names the RouterBench model whose learned profile a model starts from
 * (by price and capability tier) until the user's own ratings take over.
 * Users override any of this in config.json.
 */
#include "config.h"

#include "config/catalog.h"

const char config_catalog_date[] = "2026-07-24";

const struct catalog_provider catalog_providers[] = {
	{ "openai", API_OPENAI, "https://api.openai.com/v1", 0 },
	{ "anthropic", API_ANTHROPIC, "https://api.anthropic.com", 0 },
	{ "gemini", API_GEMINI,
	    "https://generativelanguage.googleapis.com/v1beta", 0 },
	{ "mistral", API_OPENAI, "https://api.mistral.ai/v1", 0 },
	{ "deepseek", API_OPENAI, "https://api.deepseek.com/v1", 0 },
	{ "groq", API_OPENAI, "https://api.groq.com/openai/v1", 0 },
	{ "together", API_OPENAI, "https://api.together.xyz/v1", 0 },
	{ "openrouter", API_OPENAI, "https://openrouter.ai/api/v1", 0 },
	{ "ollama", API_OLLAMA, "http://127.0.0.1:11434", 1 },
};
const size_t catalog_nproviders =
    sizeof catalog_providers / sizeof catalog_providers[0];

const struct catalog_model catalog_models[] = {
	{ "gpt-4o", "openai", 2.5, 10, 1.25, "gpt-4-1106-preview" },
	{ "gpt-4o-mini", "openai", 0.15, 0.6, 0.075, "mistralai/mixtral-8x7b-chat" },
	{ "gpt-4.1", "openai", 2, 8, 0.5, "gpt-4-1106-preview" },
	{ "gpt-4.1-mini", "openai", 0.4, 1.6, 0.1, "gpt-3.5-turbo-1106" },
	{ "gpt-4.1-nano", "openai", 0.1, 0.4, 0.025, "mistralai/mixtral-8x7b-chat" },
	{ "o3", "openai", 2, 8, 0.5, "gpt-4-1106-preview" },
	{ "o3-mini", "openai", 1.1, 4.4, 0.55, "gpt-3.5-turbo-1106" },
	{ "o4-mini", "openai", 1.1, 4.4, 0.275, "gpt-3.5-turbo-1106" },
	{ "o3-pro", "openai", 20, 80, -1, "gpt-4-1106-preview" },
	{ "gpt-5", "openai", 1.25, 10, 0.125, "gpt-4-1106-preview" },
	{ "gpt-5-mini", "openai", 0.25, 2, 0.025, "gpt-3.5-turbo-1106" },
	{ "gpt-5-nano", "openai", 0.05, 0.4, 0.005, "mistralai/mixtral-8x7b-chat" },
	{ "gpt-5.1", "openai", 1.25, 10, 0.125, "gpt-4-1106-preview" },
	{ "gpt-5.2", "openai", 1.75, 14, 0.175, "gpt-4-1106-preview" },
	{ "gpt-5.4", "openai", 2.5, 15, 0.25, "gpt-4-1106-preview" },
	{ "gpt-5.4-mini", "openai", 0.75, 4.5, 0.075, "gpt-3.5-turbo-1106" },
	{ "gpt-5.4-nano", "openai", 0.2, 1.25, 0.02, "mistralai/mixtral-8x7b-chat" },
	{ "gpt-5.5", "openai", 5, 30, 0.5, "gpt-4-1106-preview" },
	{ "claude-sonnet-4-5", "anthropic", 3, 15, 0.3, "gpt-4-1106-preview" },
	{ "claude-sonnet-4-6", "anthropic", 3, 15, 0.3, "gpt-4-1106-preview" },
	{ "claude-haiku-4-5", "anthropic", 1, 5, 0.1, "gpt-3.5-turbo-1106" },
	{ "claude-opus-4-1", "anthropic", 15, 75, 1.5, "gpt-4-1106-preview" },
	{ "claude-opus-4-5", "anthropic", 5, 25, 0.5, "gpt-4-1106-preview" },
	{ "claude-opus-4-6", "anthropic", 5, 25, 0.5, "gpt-4-1106-preview" },
	{ "claude-opus-4-7", "anthropic", 5, 25, 0.5, "gpt-4-1106-preview" },
	{ "claude-sonnet-5", "anthropic", 2, 10, 0.2, "gpt-4-1106-preview" },
	{ "claude-opus-5", "anthropic", 5, 25, 0.5, "gpt-4-1106-preview" },
	{ "claude-3-haiku-20240307", "anthropic", 0.25, 1.25, 0.03, "mistralai/mixtral-8x7b-chat" },
	{ "gemini-2.5-flash", "gemini", 0.3, 2.5, 0.03, "gpt-3.5-turbo-1106" },
	{ "gemini-2.5-flash-lite", "gemini", 0.1, 0.4, 0.01, "mistralai/mixtral-8x7b-chat" },
	{ "gemini-2.5-pro", "gemini", 1.25, 10, 0.125, "gpt-4-1106-preview" },
	{ "gemini-3-flash-preview", "gemini", 0.5, 3, 0.05, "gpt-3.5-turbo-1106" },
	{ "gemini-3.1-pro-preview", "gemini", 2, 12, 0.2, "gpt-4-1106-preview" },
	{ "mistral-small-latest", "mistral", 0.06, 0.18, -1, "mistralai/mixtral-8x7b-chat" },
	{ "mistral-medium-latest", "mistral", 1.5, 7.5, -1, "gpt-3.5-turbo-1106" },
	{ "mistral-large-latest", "mistral", 0.5, 1.5, -1, "gpt-3.5-turbo-1106" },
	{ "mistral-large-2411", "mistral", 2, 6, -1, "gpt-3.5-turbo-1106" },
	{ "deepseek-chat", "deepseek", 0.28, 0.42, 0.028, "gpt-3.5-turbo-1106" },
	{ "deepseek-reasoner", "deepseek", 0.28, 0.42, 0.028, "gpt-3.5-turbo-1106" },
	{ "llama-3.1-8b-instant", "groq", 0.05, 0.08, -1, "mistralai/mixtral-8x7b-chat" },
	{ "llama-3.3-70b-versatile", "groq", 0.59, 0.79, -1, "gpt-3.5-turbo-1106" },
	{ "openai/gpt-oss-120b", "groq", 0.15, 0.6, 0.075, "gpt-3.5-turbo-1106" },
	{ "openai/gpt-oss-20b", "groq", 0.075, 0.3, 0.0375, "mistralai/mixtral-8x7b-chat" },
	{ "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "together", 0.18, 0.18, -1, "mistralai/mixtral-8x7b-chat" },
	{ "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "together", 0.88, 0.88, -1, "gpt-3.5-turbo-1106" },
	{ "meta-llama/Llama-3.3-70B-Instruct-Turbo", "together", 0.88, 0.88, -1, "gpt-3.5-turbo-1106" },
};
const size_t catalog_nmodels = sizeof catalog_models / sizeof catalog_models[0];
