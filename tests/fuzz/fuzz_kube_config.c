/*
 * Fuzz target: a kubeconfig, which users write by hand and tools generate.
 * The input is parsed as if it were <scratch>/config, where the scratch
 * directory holds a CA file and a token, so relative file references reach
 * real files; it is parsed once for its current-context and once for a
 * context named "fuzz". Nothing may crash or leak, a failure must leave no
 * config and say why, and a success must give a usable server URL.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];
static char source[96];

static void write_scratch(const char *name, const char *content)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(content, f);
	fclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_scratch(void)
{
	nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(scratch, sizeof(scratch), "/tmp/hf-fuzz-kubeconfig-XXXXXX");
	if (!mkdtemp(scratch))
		abort();
	write_scratch("ca.crt", "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n");
	write_scratch("token", "fuzz-token\n");
	snprintf(source, sizeof(source), "%s/config", scratch);
	atexit(remove_scratch);
	return 0;
}

static void check(const uint8_t *data, size_t size, const char *context)
{
	struct hf_kube_config *cfg = NULL;
	char err[512] = "";
	if (hf_kube_config_parse((const char *)data, size, source, context, &cfg, err,
				 sizeof(err)) != HF_OK) {
		if (cfg || err[0] == '\0')
			__builtin_trap();
		return;
	}
	if (!cfg || !cfg->server || !cfg->namespace || !cfg->context ||
	    (strncmp(cfg->server, "https://", 8) != 0 && strncmp(cfg->server, "http://", 7) != 0))
		__builtin_trap();
	if ((cfg->cert_pem == NULL) != (cfg->key_pem == NULL))
		__builtin_trap();
	free(hf_kube_config_token(cfg, true));
	hf_kube_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, NULL);
	check(data, size, "fuzz");
	return 0;
}
