/* Unit tests of kubeconfig and in-cluster loading (controller/kube/config.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/config.h"

#define CA_PEM	 "-----BEGIN CERTIFICATE-----\nQ0EgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
#define CERT_PEM "-----BEGIN CERTIFICATE-----\nY2xpZW50IGNlcnQ=\n-----END CERTIFICATE-----\n"
#define KEY_PEM	 "-----BEGIN EC PRIVATE KEY-----\nY2xpZW50IGtleQ==\n-----END EC PRIVATE KEY-----\n"

/* Each test runs in its own process (Criterion forks), so a per-process
 * scratch directory and environment changes do not leak between tests. */
static char dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hf-kubeconfig-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("POD_NAMESPACE");
}

static void remove_dir(void)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(kube_config, .init = make_dir, .fini = remove_dir);
TestSuite(kube_incluster, .init = make_dir, .fini = remove_dir);
TestSuite(kube_load, .init = make_dir, .fini = remove_dir);
TestSuite(kube_token, .init = make_dir, .fini = remove_dir);

/* path_in returns dir/name in a static buffer (one at a time). */
static const char *path_in(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* write_file replaces dir/name atomically, as the kubelet updates projected
 * service account tokens, so concurrent readers see the old or the new. */
static void write_file(const char *name, const char *content)
{
	char path[256], tmp[300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	cr_assert_not_null(f, "cannot write %s: %s", tmp, strerror(errno));
	fputs(content, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(rename(tmp, path), 0);
}

/* b64 returns the base64 of s in a new string (OpenSSL's encoder, so that
 * the decoder under test is checked against another implementation). */
static char *b64(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
	return out;
}

/* load writes yaml to dir/config and loads it with context. */
static enum hf_err load(const char *yaml, const char *context, struct hf_kube_config **cfg,
			char *err, size_t errlen)
{
	write_file("config", yaml);
	err[0] = '\0';
	return hf_kube_config_load_file(path_in("config"), context, cfg, err, errlen);
}

/* expand copies msg into out with the first "%s" replaced by the
 * kubeconfig's path and the second by its directory. */
static void expand(char *out, size_t len, const char *msg)
{
	const char *subst[] = {path_in("config"), dir};
	size_t o = 0, n = 0;
	for (const char *m = msg; *m && o + 1 < len; m++) {
		if (m[0] == '%' && m[1] == 's' && n < 2) {
			o += (size_t)snprintf(out + o, len - o, "%s", subst[n++]);
			m++;
		} else {
			out[o++] = *m;
		}
	}
	out[o < len ? o : len - 1] = '\0';
}

/* expect_error loads yaml and checks the code and the exact message, in
 * which "%s" stands for the kubeconfig's path (and a second one for its
 * directory). */
static void expect_error(const char *yaml, const char *context, enum hf_err code,
			 const char *msg_fmt)
{
	struct hf_kube_config *cfg = (void *)1;
	char err[1024], want[1024];
	enum hf_err got = load(yaml, context, &cfg, err, sizeof(err));
	expand(want, sizeof(want), msg_fmt);
	cr_assert_eq(got, code, "code %s, want %s; message: %s", hf_err_name(got),
		     hf_err_name(code), err);
	cr_assert_null(cfg);
	cr_assert_str_eq(err, want);
}

/* A configuration with two of everything, so that picking the right entry
 * is tested, and with the credentials embedded. */
static char *embedded_config(void)
{
	char *ca = b64(CA_PEM), *cert = b64(CERT_PEM), *key = b64(KEY_PEM);
	char *yaml;
	int n = asprintf(&yaml,
			 "apiVersion: v1\n"
			 "kind: Config\n"
			 "clusters:\n"
			 "- name: dev\n"
			 "  cluster:\n"
			 "    server: https://dev.example.com\n"
			 "- name: prod\n"
			 "  cluster:\n"
			 "    server: https://api.example.com:6443/\n"
			 "    certificate-authority-data: %s\n"
			 "users:\n"
			 "- name: dev-user\n"
			 "  user:\n"
			 "    exec:\n"
			 "      command: gke-gcloud-auth-plugin\n"
			 "- name: admin\n"
			 "  user:\n"
			 "    client-certificate-data: %s\n"
			 "    client-key-data: %s\n"
			 "contexts:\n"
			 "- name: dev\n"
			 "  context: {cluster: dev, user: dev-user}\n"
			 "- name: prod\n"
			 "  context:\n"
			 "    cluster: prod\n"
			 "    user: admin\n"
			 "    namespace: team-a\n"
			 "current-context: prod\n",
			 ca, cert, key);
	cr_assert_gt(n, 0);
	free(ca);
	free(cert);
	free(key);
	return yaml;
}

Test(kube_config, embedded_credentials_of_the_current_context)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	char *yaml = embedded_config();
	cr_assert_eq(load(yaml, NULL, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	free(yaml);
	cr_assert_str_eq(cfg->server, "https://api.example.com:6443", "trailing slash trimmed");
	cr_assert_str_eq(cfg->ca_pem, CA_PEM);
	cr_assert_eq(cfg->ca_pem_len, strlen(CA_PEM));
	cr_assert_str_eq(cfg->cert_pem, CERT_PEM);
	cr_assert_eq(cfg->cert_pem_len, strlen(CERT_PEM));
	cr_assert_str_eq(cfg->key_pem, KEY_PEM);
	cr_assert_eq(cfg->key_pem_len, strlen(KEY_PEM));
	cr_assert_not(cfg->insecure_skip_tls_verify);
	cr_assert_str_eq(cfg->namespace, "team-a");
	cr_assert_str_eq(cfg->context, "prod");
	cr_assert_str_eq(cfg->source, path_in("config"));
	cr_assert_null(cfg->token);
	cr_assert_null(cfg->token_file);
	cr_assert_null(hf_kube_config_token(cfg, false));
	hf_kube_config_free(cfg);
}

Test(kube_config, context_option_overrides_current_context)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	char *yaml = embedded_config();
	/* dev's user is an exec plugin: refused, which proves dev was used. */
	cr_assert_eq(load(yaml, "dev", &cfg, err, sizeof(err)), HF_ERR_UNAVAILABLE);
	cr_assert_null(cfg);
	cr_assert(strstr(err, "users[0].user.exec: exec credential plugins are not supported"),
		  "%s", err);
	free(yaml);
}

Test(kube_config, context_option_naming_no_context)
{
	char *yaml = embedded_config();
	expect_error(yaml, "staging", HF_ERR_NOT_FOUND,
		     "%s: context \"staging\" not found in contexts");
	free(yaml);
}

Test(kube_config, unselected_entries_are_not_validated)
{
	/* kubectl only checks the context in use; a broken neighbour is fine. */
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	cr_assert_eq(load("clusters:\n"
			  "- name: a\n"
			  "  cluster: {server: https://a}\n"
			  "- name: b\n"
			  "  cluster: {server: ftp://b, certificate-authority: /nonexistent}\n"
			  "contexts:\n"
			  "- name: a\n"
			  "  context: {cluster: a}\n"
			  "current-context: a\n",
			  NULL, &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://a");
	cr_assert_null(cfg->ca_pem);
	cr_assert_null(cfg->cert_pem);
	cr_assert_str_eq(cfg->namespace, "default");
	hf_kube_config_free(cfg);
}

Test(kube_config, file_references_resolve_against_the_kubeconfig_directory)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024], yaml[1024], key_path[256];
	cr_assert_eq(mkdir(path_in("certs"), 0700), 0);
	write_file("ca.crt", CA_PEM);
	write_file("certs/client.crt", CERT_PEM);
	write_file("client.key", KEY_PEM);
	snprintf(key_path, sizeof(key_path), "%s", path_in("client.key"));
	snprintf(yaml, sizeof(yaml),
		 "clusters:\n"
		 "- name: c\n"
		 "  cluster:\n"
		 "    server: http://127.0.0.1:8080\n"
		 "    certificate-authority: ca.crt\n"
		 "users:\n"
		 "- name: u\n"
		 "  user:\n"
		 "    client-certificate: certs/client.crt\n"
		 "    client-key: %s\n"
		 "contexts:\n"
		 "- name: x\n"
		 "  context: {cluster: c, user: u, namespace: ns1}\n"
		 "current-context: x\n",
		 key_path);
	/* Load from another working directory: relative means the file's. */
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(load(yaml, NULL, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "http://127.0.0.1:8080");
	cr_assert_str_eq(cfg->ca_pem, CA_PEM);
	cr_assert_eq(cfg->ca_pem_len, strlen(CA_PEM));
	cr_assert_str_eq(cfg->cert_pem, CERT_PEM);
	cr_assert_eq(cfg->cert_pem_len, strlen(CERT_PEM));
	cr_assert_str_eq(cfg->key_pem, KEY_PEM);
	cr_assert_str_eq(cfg->namespace, "ns1");
	hf_kube_config_free(cfg);
}

Test(kube_config, inline_token_is_trimmed)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	cr_assert_eq(load("clusters: [{name: c, cluster: {server: 'https://k:6443'}}]\n"
			  "users: [{name: u, user: {token: \"  abc.def-ghi \\n\"}}]\n"
			  "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
			  "current-context: x\n",
			  NULL, &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	cr_assert_str_eq(cfg->token, "abc.def-ghi");
	cr_assert_null(cfg->token_file);
	char *t = hf_kube_config_token(cfg, true);
	cr_assert_str_eq(t, "abc.def-ghi");
	free(t);
	hf_kube_config_free(cfg);
}

Test(kube_config, token_file_is_read_and_wins_over_token)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	write_file("token", "file-token\n");
	cr_assert_eq(load("clusters: [{name: c, cluster: {server: 'https://k'}}]\n"
			  "users: [{name: u, user: {token: inline, tokenFile: token}}]\n"
			  "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
			  "current-context: x\n",
			  NULL, &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	cr_assert_str_eq(cfg->token_file, path_in("token"));
	cr_assert_str_eq(cfg->token, "file-token");
	char *t = hf_kube_config_token(cfg, false);
	cr_assert_str_eq(t, "file-token");
	free(t);
	hf_kube_config_free(cfg);
}

Test(kube_config, insecure_skip_tls_verify)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	cr_assert_eq(load("clusters:\n"
			  "- name: c\n"
			  "  cluster:\n"
			  "    server: https://10.0.0.1\n"
			  "    insecure-skip-tls-verify: true\n"
			  "contexts: [{name: x, context: {cluster: c}}]\n"
			  "current-context: x\n",
			  NULL, &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	cr_assert(cfg->insecure_skip_tls_verify);
	cr_assert_null(cfg->ca_pem);
	hf_kube_config_free(cfg);
}

Test(kube_config, base64_may_be_folded_over_lines)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024], yaml[2048];
	char *ca = b64(CA_PEM);
	size_t half = strlen(ca) / 2;
	snprintf(yaml, sizeof(yaml),
		 "clusters:\n"
		 "- name: c\n"
		 "  cluster:\n"
		 "    server: https://k\n"
		 "    certificate-authority-data: |\n"
		 "      %.*s\n"
		 "      %s\n"
		 "contexts: [{name: x, context: {cluster: c}}]\n"
		 "current-context: x\n",
		 (int)half, ca, ca + half);
	free(ca);
	cr_assert_eq(load(yaml, NULL, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->ca_pem, CA_PEM);
	hf_kube_config_free(cfg);
}

Test(kube_config, scheme_lowercased_and_blank_data_unset)
{
	struct hf_kube_config *cfg = NULL;
	char err[1024];
	cr_assert_eq(load("clusters:\n"
			  "- name: c\n"
			  "  cluster:\n"
			  "    server: HTTPS://Api.Example.com//\n"
			  "    certificate-authority-data: \"\\n\"\n"
			  "users: [{name: u, user: {}}]\n"
			  "contexts: [{name: x, context: {cluster: c, user: u, namespace: ''}}]\n"
			  "current-context: x\n",
			  NULL, &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://Api.Example.com");
	cr_assert_null(cfg->ca_pem);
	cr_assert_eq(cfg->ca_pem_len, 0);
	cr_assert_null(cfg->token);
	cr_assert_null(cfg->cert_pem);
	cr_assert_str_eq(cfg->namespace, "default");
	hf_kube_config_free(cfg);
}

/* ---- broken configurations: the exact message ---- */

#define CLUSTER_C "clusters: [{name: c, cluster: {server: 'https://k'}}]\n"
#define CONTEXT_X "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"

Test(kube_config, cluster_not_found)
{
	expect_error(CLUSTER_C "contexts:\n"
			       "- name: a\n"
			       "  context: {cluster: c}\n"
			       "- name: b\n"
			       "  context: {cluster: prod}\n"
			       "current-context: b\n",
		     NULL, HF_ERR_INVALID,
		     "%s: contexts[1].context.cluster: cluster \"prod\" not found in clusters");
}

Test(kube_config, user_not_found)
{
	expect_error(CLUSTER_C CONTEXT_X, NULL, HF_ERR_INVALID,
		     "%s: contexts[0].context.user: user \"u\" not found in users");
}

Test(kube_config, context_without_cluster)
{
	expect_error(CLUSTER_C "contexts: [{name: x, context: {namespace: n}}]\n"
			       "current-context: x\n",
		     NULL, HF_ERR_INVALID, "%s: contexts[0].context.cluster: missing");
}

Test(kube_config, current_context_not_set)
{
	expect_error(CLUSTER_C "contexts: [{name: x, context: {cluster: c}}]\n", NULL,
		     HF_ERR_INVALID, "%s: current-context is not set and no --context was given");
}

Test(kube_config, empty_file)
{
	expect_error("", NULL, HF_ERR_INVALID,
		     "%s: current-context is not set and no --context was given");
}

Test(kube_config, current_context_names_no_context)
{
	expect_error(CLUSTER_C "current-context: gone\n", NULL, HF_ERR_INVALID,
		     "%s: current-context: context \"gone\" not found in contexts");
}

Test(kube_config, yaml_syntax_error)
{
	expect_error(
		"clusters:\n"
		"- name: c\n"
		"  cluster: {server: https://k\n"
		"current-context: x\n",
		NULL, HF_ERR_INVALID,
		"%s: line 4 column 16: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 3 column 12)");
}

Test(kube_config, yaml_tab_indentation)
{
	expect_error(
		"clusters:\n\t- name: c\n", NULL, HF_ERR_INVALID,
		"%s: line 2 column 1: YAML syntax error: found character that cannot start any token (while scanning for the next token at line 2 column 1)");
}

Test(kube_config, invalid_utf8)
{
	expect_error("current-context: \xff\n", NULL, HF_ERR_INVALID,
		     "%s: byte 17: YAML syntax error: invalid leading UTF-8 octet");
}

Test(kube_config, top_level_is_not_a_mapping)
{
	expect_error("- a\n- b\n", NULL, HF_ERR_INVALID,
		     "%s: top level: expected a mapping, found a list (line 1 column 1)");
}

Test(kube_config, list_of_the_wrong_kind)
{
	expect_error("clusters:\n  c: {}\n" CONTEXT_X, NULL, HF_ERR_INVALID,
		     "%s: clusters: expected a list, found a mapping (line 2 column 3)");
}

Test(kube_config, entry_of_the_wrong_kind)
{
	expect_error("clusters: [c]\n" CONTEXT_X, NULL, HF_ERR_INVALID,
		     "%s: clusters[0]: expected a mapping, found a string (line 1 column 12)");
}

Test(kube_config, field_of_the_wrong_kind)
{
	expect_error(
		"clusters: [{name: c, cluster: {server: [https://k]}}]\n" CONTEXT_X, NULL,
		HF_ERR_INVALID,
		"%s: clusters[0].cluster.server: expected a string, found a list (line 1 column 40)");
}

Test(kube_config, duplicate_key)
{
	expect_error("clusters:\n"
		     "- name: c\n"
		     "  cluster:\n"
		     "    server: https://a\n"
		     "    server: https://b\n" CONTEXT_X,
		     NULL, HF_ERR_INVALID,
		     "%s: clusters[0].cluster.server: duplicate key (lines 4 and 5)");
}

Test(kube_config, duplicate_name)
{
	expect_error("clusters:\n"
		     "- name: c\n"
		     "  cluster: {server: 'https://k'}\n"
		     "- name: c\n"
		     "  cluster: {server: 'https://other'}\n" CONTEXT_X,
		     NULL, HF_ERR_INVALID,
		     "%s: clusters[1].name: duplicate name \"c\" (also clusters[0])");
}

Test(kube_config, missing_server)
{
	expect_error("clusters: [{name: c, cluster: {insecure-skip-tls-verify: true}}]\n"
		     "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		     NULL, HF_ERR_INVALID, "%s: clusters[0].cluster.server: missing");
}

Test(kube_config, cluster_without_cluster_mapping)
{
	expect_error("clusters: [{name: c}]\n"
		     "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		     NULL, HF_ERR_INVALID, "%s: clusters[0].cluster.server: missing");
}

Test(kube_config, server_without_scheme)
{
	expect_error(
		"clusters: [{name: c, cluster: {server: 'localhost:6443'}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		NULL, HF_ERR_INVALID,
		"%s: clusters[0].cluster.server: \"localhost:6443\" is not an https:// or http:// URL");
}

Test(kube_config, server_without_host)
{
	expect_error("clusters: [{name: c, cluster: {server: 'https:///api'}}]\n"
		     "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		     NULL, HF_ERR_INVALID,
		     "%s: clusters[0].cluster.server: \"https:///api\" has no host");
}

Test(kube_config, insecure_flag_not_a_boolean)
{
	expect_error(
		"clusters: [{name: c, cluster: {server: 'https://k', "
		"insecure-skip-tls-verify: maybe}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		NULL, HF_ERR_INVALID,
		"%s: clusters[0].cluster.insecure-skip-tls-verify: expected true or false, found \"maybe\"");
}

Test(kube_config, insecure_flag_with_a_ca)
{
	char yaml[1024];
	char *ca = b64(CA_PEM);
	snprintf(yaml, sizeof(yaml),
		 "clusters: [{name: c, cluster: {server: 'https://k', "
		 "insecure-skip-tls-verify: true, certificate-authority-data: %s}}]\n"
		 "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		 ca);
	free(ca);
	expect_error(
		yaml, NULL, HF_ERR_INVALID,
		"%s: clusters[0].cluster: insecure-skip-tls-verify cannot be combined with a certificate authority");
}

Test(kube_config, key_data_not_base64)
{
	char yaml[1024];
	char *cert = b64(CERT_PEM);
	snprintf(yaml, sizeof(yaml),
		 CLUSTER_C "users: [{name: u, user: {client-certificate-data: %s, "
			   "client-key-data: 'bm90!base64'}}]\n" CONTEXT_X,
		 cert);
	free(cert);
	expect_error(yaml, NULL, HF_ERR_INVALID,
		     "%s: users[0].user.client-key-data: not valid base64");
}

Test(kube_config, base64_without_padding)
{
	/* "YQ" is "a" without its "==": Go's decoder refuses it, so do we. */
	expect_error("clusters: [{name: c, cluster: {server: 'https://k', "
		     "certificate-authority-data: YQ}}]\n"
		     "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		     NULL, HF_ERR_INVALID,
		     "%s: clusters[0].cluster.certificate-authority-data: not valid base64");
}

Test(kube_config, base64_of_something_else_than_pem)
{
	char yaml[1024];
	char *twice = b64(CA_PEM);
	char *thrice = b64(twice);
	snprintf(yaml, sizeof(yaml),
		 "clusters: [{name: c, cluster: {server: 'https://k', "
		 "certificate-authority-data: %s}}]\n"
		 "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		 thrice);
	free(twice);
	free(thrice);
	expect_error(
		yaml, NULL, HF_ERR_INVALID,
		"%s: clusters[0].cluster.certificate-authority-data: decoded data is not PEM (no -----BEGIN line; base64-encoded twice?)");
}

Test(kube_config, certificate_file_missing)
{
	expect_error(
		CLUSTER_C "users: [{name: u, user: {client-certificate: /x/y.crt, "
			  "client-key-data: YQ==}}]\n" CONTEXT_X,
		NULL, HF_ERR_NOT_FOUND,
		"%s: users[0].user.client-certificate: cannot read /x/y.crt: No such file or directory");
}

Test(kube_config, relative_file_missing_names_the_resolved_path)
{
	expect_error(
		CLUSTER_C "users: [{name: u, user: {client-certificate: y.crt, "
			  "client-key: y.key}}]\n" CONTEXT_X,
		NULL, HF_ERR_NOT_FOUND,
		"%s: users[0].user.client-certificate: cannot read %s/y.crt: No such file or directory");
}

Test(kube_config, certificate_file_not_pem)
{
	write_file("c.crt", "not a certificate\n");
	expect_error(
		CLUSTER_C "users: [{name: u, user: {client-certificate: c.crt, "
			  "client-key: c.crt}}]\n" CONTEXT_X,
		NULL, HF_ERR_INVALID,
		"%s: users[0].user.client-certificate: %s/c.crt is not PEM (no -----BEGIN line)");
}

Test(kube_config, certificate_without_key)
{
	write_file("c.crt", CERT_PEM);
	expect_error(
		CLUSTER_C "users: [{name: u, user: {client-certificate: c.crt}}]\n" CONTEXT_X, NULL,
		HF_ERR_INVALID,
		"%s: users[0].user: client certificate without a key (set client-key or client-key-data)");
}

Test(kube_config, key_without_certificate)
{
	char yaml[1024];
	char *key = b64(KEY_PEM);
	snprintf(yaml, sizeof(yaml),
		 CLUSTER_C "users: [{name: u, user: {client-key-data: %s}}]\n" CONTEXT_X, key);
	free(key);
	expect_error(
		yaml, NULL, HF_ERR_INVALID,
		"%s: users[0].user: client key without a certificate (set client-certificate or client-certificate-data)");
}

Test(kube_config, certificate_file_and_data)
{
	expect_error(
		CLUSTER_C "users: [{name: u, user: {client-certificate: c.crt, "
			  "client-certificate-data: YQ==}}]\n" CONTEXT_X,
		NULL, HF_ERR_INVALID,
		"%s: users[0].user: both client-certificate and client-certificate-data are set; keep one");
}

Test(kube_config, exec_plugin)
{
	expect_error(
		CLUSTER_C "users:\n"
			  "- name: u\n"
			  "  user:\n"
			  "    exec:\n"
			  "      apiVersion: client.authentication.k8s.io/v1beta1\n"
			  "      command: aws\n" CONTEXT_X,
		NULL, HF_ERR_UNAVAILABLE,
		"%s: users[0].user.exec: exec credential plugins are not supported (command \"aws\"); use a token, tokenFile or client certificate");
}

Test(kube_config, auth_provider)
{
	expect_error(
		CLUSTER_C "users: [{name: u, user: {auth-provider: {name: gcp}}}]\n" CONTEXT_X,
		NULL, HF_ERR_UNAVAILABLE,
		"%s: users[0].user.auth-provider: auth-provider plugins are not supported (name \"gcp\"); use a token, tokenFile or client certificate");
}

Test(kube_config, basic_auth)
{
	expect_error(CLUSTER_C
		     "users: [{name: u, user: {username: admin, password: x}}]\n" CONTEXT_X,
		     NULL, HF_ERR_UNAVAILABLE,
		     "%s: users[0].user.username: basic authentication is not supported");
}

Test(kube_config, impersonation)
{
	expect_error(CLUSTER_C "users: [{name: u, user: {token: t, as: system:admin}}]\n" CONTEXT_X,
		     NULL, HF_ERR_UNAVAILABLE,
		     "%s: users[0].user.as: impersonation is not supported");
}

Test(kube_config, token_file_missing)
{
	expect_error(
		CLUSTER_C "users: [{name: u, user: {tokenFile: /nonexistent/t}}]\n" CONTEXT_X, NULL,
		HF_ERR_NOT_FOUND,
		"%s: users[0].user.tokenFile: cannot read /nonexistent/t: No such file or directory");
}

Test(kube_config, token_file_empty)
{
	write_file("t", " \n");
	expect_error(CLUSTER_C "users: [{name: u, user: {tokenFile: t}}]\n" CONTEXT_X, NULL,
		     HF_ERR_INVALID, "%s: users[0].user.tokenFile: %s/t is empty");
}

Test(kube_config, token_with_a_line_break_inside)
{
	expect_error(CLUSTER_C
		     "users: [{name: u, user: {token: \"a\\r\\nX-Evil: 1\"}}]\n" CONTEXT_X,
		     NULL, HF_ERR_INVALID,
		     "%s: users[0].user.token: contains a space, control or non-ASCII character");
}

Test(kube_config, nul_character_in_a_string)
{
	expect_error(CLUSTER_C "users: [{name: u, user: {token: \"a\\0b\"}}]\n" CONTEXT_X, NULL,
		     HF_ERR_INVALID, "%s: users[0].user.token: contains a NUL character (line 2)");
}

Test(kube_config, kubeconfig_missing)
{
	struct hf_kube_config *cfg = (void *)1;
	char err[256];
	cr_assert_eq(hf_kube_config_load_file("/nonexistent/k", NULL, &cfg, err, sizeof(err)),
		     HF_ERR_NOT_FOUND);
	cr_assert_null(cfg);
	cr_assert_str_eq(err, "/nonexistent/k: cannot read: No such file or directory");
}

Test(kube_config, parse_from_memory)
{
	struct hf_kube_config *cfg = NULL;
	char err[256];
	const char yaml[] = CLUSTER_C "contexts: [{name: x, context: {cluster: c}}]\n";
	/* Not NUL-terminated: only len bytes count. */
	char buf[sizeof(yaml) + 8];
	memcpy(buf, yaml, sizeof(yaml) - 1);
	memcpy(buf + sizeof(yaml) - 1, "garbage:", 8);
	cr_assert_eq(hf_kube_config_parse(buf, sizeof(yaml) - 1, NULL, "x", &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	cr_assert_str_eq(cfg->source, "<memory>");
	cr_assert_str_eq(cfg->server, "https://k");
	hf_kube_config_free(cfg);
	cr_assert_eq(
		hf_kube_config_parse("current-context: [", 18, "mem", NULL, &cfg, err, sizeof(err)),
		HF_ERR_INVALID);
	cr_assert_str_eq(
		err,
		"mem: line 2 column 1: YAML syntax error: did not find expected node content (while parsing a flow node at line 2 column 1)");
}

/* ---- in-cluster ---- */

static void service_account(bool with_namespace)
{
	write_file("token", "sa-token\n");
	write_file("ca.crt", CA_PEM);
	if (with_namespace)
		write_file("namespace", "hyperfleet-system\n");
}

Test(kube_incluster, reads_the_service_account)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	service_account(true);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://10.96.0.1:443");
	cr_assert_str_eq(cfg->ca_pem, CA_PEM);
	cr_assert_eq(cfg->ca_pem_len, strlen(CA_PEM));
	cr_assert_null(cfg->cert_pem);
	cr_assert_null(cfg->key_pem);
	cr_assert_str_eq(cfg->token, "sa-token");
	cr_assert_str_eq(cfg->token_file, path_in("token"));
	cr_assert_str_eq(cfg->namespace, "hyperfleet-system");
	cr_assert_str_eq(cfg->context, "in-cluster");
	cr_assert_not(cfg->insecure_skip_tls_verify);
	hf_kube_config_free(cfg);
}

Test(kube_incluster, ipv6_host_in_brackets_and_default_namespace)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	service_account(false);
	setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://[fd00:10:96::1]:6443");
	cr_assert_str_eq(cfg->namespace, "default");
	hf_kube_config_free(cfg);
}

Test(kube_incluster, pod_namespace_wins)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	service_account(true);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	setenv("POD_NAMESPACE", "from-env", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->namespace, "from-env");
	hf_kube_config_free(cfg);
}

Test(kube_incluster, environment_missing)
{
	struct hf_kube_config *cfg = (void *)1;
	char err[512];
	service_account(true);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_ERR_NOT_FOUND);
	cr_assert_null(cfg);
	cr_assert_str_eq(
		err,
		"in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set");
}

Test(kube_incluster, bad_port)
{
	struct hf_kube_config *cfg = (void *)1;
	char err[512];
	service_account(true);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "https", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_ERR_INVALID);
	cr_assert_str_eq(
		err, "in-cluster config: KUBERNETES_SERVICE_PORT \"https\" is not a port number");
}

Test(kube_incluster, token_missing)
{
	struct hf_kube_config *cfg = (void *)1;
	char err[512], want[512];
	write_file("ca.crt", CA_PEM);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_ERR_NOT_FOUND);
	cr_assert_null(cfg);
	snprintf(want, sizeof(want),
		 "in-cluster config: cannot read %s/token: No such file or directory", dir);
	cr_assert_str_eq(err, want);
}

Test(kube_incluster, ca_missing)
{
	struct hf_kube_config *cfg = (void *)1;
	char err[512], want[512];
	write_file("token", "t");
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_ERR_NOT_FOUND);
	cr_assert_null(cfg);
	snprintf(want, sizeof(want),
		 "in-cluster config: cannot read %s/ca.crt: No such file or directory", dir);
	cr_assert_str_eq(err, want);
}

/* ---- which configuration hf_kube_config_load picks ---- */

#define SERVER_CONFIG(server)                                                                      \
	"clusters: [{name: c, cluster: {server: '" server "'}}]\n"                                 \
	"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n"

Test(kube_load, explicit_path_first)
{
	struct hf_kube_config *cfg = NULL;
	char err[512], explicit[256];
	write_file("a", SERVER_CONFIG("https://a"));
	write_file("b", SERVER_CONFIG("https://b"));
	snprintf(explicit, sizeof(explicit), "%s", path_in("a"));
	setenv("KUBECONFIG", path_in("b"), 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	cr_assert_eq(hf_kube_config_load(explicit, NULL, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://a");
	hf_kube_config_free(cfg);
}

Test(kube_load, first_entry_of_kubeconfig_variable)
{
	struct hf_kube_config *cfg = NULL;
	char err[512], list[600];
	write_file("a", SERVER_CONFIG("https://a"));
	write_file("b", SERVER_CONFIG("https://b"));
	snprintf(list, sizeof(list), ":%s/b:%s/a", dir, dir);
	setenv("KUBECONFIG", list, 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	cr_assert_eq(hf_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://b");
	hf_kube_config_free(cfg);
}

Test(kube_load, in_cluster_when_in_a_pod)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	setenv("HOME", dir, 1);
	cr_assert_eq(mkdir(path_in(".kube"), 0700), 0);
	write_file(".kube/config", SERVER_CONFIG("https://home"));
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	/* The default service account directory does not exist here; its error
	 * shows that in-cluster was chosen over ~/.kube/config. */
	cr_assert_neq(hf_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)), HF_OK);
	cr_assert_str_eq(
		err,
		"in-cluster config: cannot read /var/run/secrets/kubernetes.io/serviceaccount/token: No such file or directory");
	/* A --context is about kubeconfigs: in-cluster does not apply. */
	cr_assert_eq(hf_kube_config_load(NULL, "x", &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://home");
	hf_kube_config_free(cfg);
}

Test(kube_load, home_kube_config_last)
{
	struct hf_kube_config *cfg = NULL;
	char err[512], want[512];
	setenv("HOME", dir, 1);
	snprintf(
		want, sizeof(want),
		"no kubeconfig: %s/.kube/config does not exist, --kubeconfig and KUBECONFIG are not set, and not in a pod (KUBERNETES_SERVICE_HOST is not set)",
		dir);
	cr_assert_eq(hf_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)), HF_ERR_NOT_FOUND);
	cr_assert_str_eq(err, want);
	cr_assert_eq(mkdir(path_in(".kube"), 0700), 0);
	write_file(".kube/config", SERVER_CONFIG("https://home"));
	setenv("KUBECONFIG", "", 1);
	cr_assert_eq(hf_kube_config_load("", NULL, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	cr_assert_str_eq(cfg->server, "https://home");
	hf_kube_config_free(cfg);
}

/* ---- token rotation ---- */

static struct hf_kube_config *token_file_config(void)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	write_file("token", "first\n");
	cr_assert_eq(load(CLUSTER_C "users: [{name: u, user: {tokenFile: token}}]\n" CONTEXT_X,
			  NULL, &cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	return cfg;
}

static void expect_token(struct hf_kube_config *cfg, bool force, const char *want)
{
	char *t = hf_kube_config_token(cfg, force);
	cr_assert_not_null(t);
	cr_assert_str_eq(t, want);
	free(t);
}

Test(kube_token, forced_reread_after_rotation)
{
	struct hf_kube_config *cfg = token_file_config();
	expect_token(cfg, false, "first");
	write_file("token", "  second \n");
	expect_token(cfg, false, "first"); /* read less than a minute ago */
	expect_token(cfg, true, "second"); /* the caller saw a 401 */
	hf_kube_config_free(cfg);
}

Test(kube_token, reread_after_a_minute)
{
	struct hf_kube_config *cfg = token_file_config();
	write_file("token", "second");
	cfg->token_read_at -= 59;
	expect_token(cfg, false, "first");
	cfg->token_read_at -= 1;
	expect_token(cfg, false, "second");
	hf_kube_config_free(cfg);
}

Test(kube_token, failed_reread_keeps_the_token)
{
	struct hf_kube_config *cfg = token_file_config();
	cr_assert_eq(unlink(path_in("token")), 0);
	expect_token(cfg, true, "first");
	write_file("token", "\n");
	expect_token(cfg, true, "first"); /* an empty file is not a token */
	write_file("token", "third");
	expect_token(cfg, true, "third");
	hf_kube_config_free(cfg);
}

Test(kube_token, in_cluster_token_rotates)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	service_account(true);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	cr_assert_eq(hf_kube_config_load_incluster(dir, &cfg, err, sizeof(err)), HF_OK, "%s", err);
	write_file("token", "rotated\n");
	expect_token(cfg, false, "sa-token");
	expect_token(cfg, true, "rotated");
	hf_kube_config_free(cfg);
}

static void *token_reader(void *arg)
{
	struct hf_kube_config *cfg = arg;
	for (int i = 0; i < 200; i++) {
		char *t = hf_kube_config_token(cfg, i % 3 == 0);
		cr_assert(t && (strcmp(t, "first") == 0 || strcmp(t, "second") == 0));
		free(t);
	}
	return NULL;
}

Test(kube_token, concurrent_readers_see_whole_tokens)
{
	struct hf_kube_config *cfg = token_file_config();
	pthread_t threads[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, token_reader, cfg), 0);
	for (int i = 0; i < 50; i++)
		write_file("token", i % 2 ? "first" : "second");
	for (int i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	hf_kube_config_free(cfg);
}
