#include "kube/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "util/alloc.h"
#include "util/buf.h"

/* Caps on what is read: kubeconfigs with many embedded certificates stay far
 * below these; anything larger is a mistake (or /dev/zero). */
#define CONFIG_MAX (4u << 20)
#define PEM_MAX	   (1u << 20)
#define TOKEN_MAX  (64u << 10)

#define TOKEN_REFRESH_SECONDS 60
#define FIELD_PATH_MAX	      192
#define DEFAULT_SA_ROOT	      "/var/run/secrets/kubernetes.io/serviceaccount"

/* A kubeconfig being parsed: the YAML document and where messages go. */
struct parser {
	yaml_document_t doc;
	const char *source; /* names the file in messages */
	char *dir;	    /* base of relative paths, or NULL for the working directory */
	char *errbuf;
	size_t errlen;
};

static void set_error(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum hf_err fail(struct parser *p, enum hf_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
	if (!errbuf || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* fail writes "<source>: <message>" and returns err, so that error paths
 * read `return fail(...)` or `err = fail(...)`. */
static enum hf_err fail(struct parser *p, enum hf_err err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_error(p->errbuf, p->errlen, "%s: %s", p->source, msg);
	return err;
}

/* wipe_free clears secrets (keys, tokens) before their memory is reused. */
static void wipe_free(char *s, size_t len)
{
	if (!s)
		return;
	explicit_bzero(s, len);
	free(s);
}

static time_t monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- files ---- */

/*
 * read_file reads all of path (at most max bytes) into a new NUL-terminated
 * buffer. On failure *err_no is the errno (0 when the file is too large).
 */
static enum hf_err read_file(const char *path, size_t max, char **out, size_t *out_len, int *err_no)
{
	enum hf_err err = HF_OK;
	struct hf_buf b;
	char chunk[8192];
	hf_buf_init(&b, max);
	*err_no = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err_no = errno;
		err = errno == ENOENT ? HF_ERR_NOT_FOUND : HF_ERR_IO;
		goto free_buf;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err_no = errno;
			err = HF_ERR_IO;
			goto close_fd;
		}
		if (n == 0)
			break;
		if (hf_buf_append(&b, chunk, (size_t)n) != HF_OK) {
			err = HF_ERR_TOO_LARGE;
			goto close_fd;
		}
	}
	*out_len = b.len;
	*out = hf_buf_steal(&b);
close_fd:
	close(fd);
free_buf:
	hf_buf_free(&b);
	return err;
}

/* read_problem says why read_file failed, in words that follow a field name. */
static void read_problem(char *buf, size_t len, const char *path, int err_no, size_t max)
{
	char eb[128];
	if (err_no)
		snprintf(buf, len, "cannot read %s: %s", path, strerror_r(err_no, eb, sizeof(eb)));
	else
		snprintf(buf, len, "%s is larger than %zu bytes", path, max);
}

static bool is_pem(const char *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/*
 * clean_token trims surrounding whitespace (token files usually end in a
 * newline) and refuses what cannot go into an Authorization header: a
 * control character there would let a token inject headers. Returns a new
 * string, or NULL with problem set.
 */
static char *clean_token(const char *s, size_t len, char *problem, size_t plen)
{
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
			   s[len - 1] == '\n'))
		len--;
	if (len == 0) {
		snprintf(problem, plen, "is empty");
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f) {
			snprintf(problem, plen, "contains a space, control or non-ASCII character");
			return NULL;
		}
	}
	return hf_strndup(s, len);
}

/* token_from_file reads and cleans the token in path; problem says why not. */
static enum hf_err token_from_file(const char *path, char **token, char *problem, size_t plen)
{
	char *data = NULL, why[128];
	size_t len = 0;
	int err_no;
	enum hf_err err = read_file(path, TOKEN_MAX, &data, &len, &err_no);
	if (err) {
		read_problem(problem, plen, path, err_no, TOKEN_MAX);
		return err;
	}
	*token = clean_token(data, len, why, sizeof(why));
	if (!*token) {
		snprintf(problem, plen, "%s %s", path, why);
		err = HF_ERR_INVALID;
	}
	wipe_free(data, len);
	return err;
}

/* ---- base64 ---- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * b64_decode decodes standard, padded base64 as Go's encoding/json does for
 * []byte fields (line breaks and spaces, which YAML folding leaves, are
 * skipped). Returns false on anything else; *out is then NULL.
 */
static bool b64_decode(const char *in, size_t len, char **out, size_t *out_len)
{
	char *buf = hf_malloc(len / 4 * 3 + 4);
	uint32_t acc = 0;
	int n = 0, pad = 0, n_at_pad = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			if (pad == 0)
				n_at_pad = n;
			if (++pad > 2 || n_at_pad < 2)
				goto bad;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || pad)
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		if (++n == 4) {
			buf[o++] = (char)(acc >> 16);
			buf[o++] = (char)(acc >> 8);
			buf[o++] = (char)acc;
			acc = 0;
			n = 0;
		}
	}
	if (pad) {
		if (n_at_pad + pad != 4)
			goto bad;
		if (n == 2) {
			buf[o++] = (char)(acc >> 4);
		} else {
			buf[o++] = (char)(acc >> 10);
			buf[o++] = (char)(acc >> 2);
		}
	} else if (n != 0) {
		goto bad;
	}
	buf[o] = '\0';
	*out = buf;
	*out_len = o;
	return true;
bad:
	wipe_free(buf, len / 4 * 3 + 4);
	*out = NULL;
	return false;
}

/* ---- YAML document access ---- */

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a string";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_NO_NODE: break;
	}
	return "nothing";
}

/* is_null: YAML's null (an empty value, ~, null) means "not set", as in Go. */
static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static void join_path(char *out, size_t len, const char *path, const char *key)
{
	/* A path too long for the buffer is cut: it only shortens a message. */
	size_t used = 0;
	const char *parts[] = {path, path[0] ? "." : "", key};
	for (size_t i = 0; i < 3 && len > 0; i++) {
		size_t n = strnlen(parts[i], len - 1 - used);
		memcpy(out + used, parts[i], n);
		used += n;
	}
	if (len > 0)
		out[used] = '\0';
}

static enum hf_err wrong_kind(struct parser *p, const char *path, const char *want,
			      const yaml_node_t *n)
{
	return fail(p, HF_ERR_INVALID, "%s: expected %s, found %s (line %zu column %zu)", path,
		    want, kind_name(n), n->start_mark.line + 1, n->start_mark.column + 1);
}

/*
 * get finds key in map (the node at path; NULL stands for an empty mapping).
 * *out is NULL when the key is absent or null. A repeated key is an error,
 * as it is for kubectl's YAML reader.
 */
static enum hf_err get(struct parser *p, yaml_node_t *map, const char *path, const char *key,
		       yaml_node_t **out)
{
	yaml_node_t *found = NULL;
	size_t found_line = 0, klen = strlen(key);
	*out = NULL;
	if (!map)
		return HF_OK;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		if (!k || k->type != YAML_SCALAR_NODE || k->data.scalar.length != klen ||
		    memcmp(k->data.scalar.value, key, klen) != 0)
			continue;
		if (found) {
			char sub[FIELD_PATH_MAX];
			join_path(sub, sizeof(sub), path, key);
			return fail(p, HF_ERR_INVALID, "%s: duplicate key (lines %zu and %zu)", sub,
				    found_line + 1, k->start_mark.line + 1);
		}
		found = yaml_document_get_node(&p->doc, pair->value);
		found_line = k->start_mark.line;
	}
	if (found && !is_null(found))
		*out = found;
	return HF_OK;
}

static enum hf_err get_kind(struct parser *p, yaml_node_t *map, const char *path, const char *key,
			    yaml_node_type_t type, const char *want, yaml_node_t **out)
{
	enum hf_err err = get(p, map, path, key, out);
	if (err || !*out || (*out)->type == type)
		return err;
	char sub[FIELD_PATH_MAX];
	join_path(sub, sizeof(sub), path, key);
	return wrong_kind(p, sub, want, *out);
}

static enum hf_err get_map(struct parser *p, yaml_node_t *map, const char *path, const char *key,
			   yaml_node_t **out)
{
	return get_kind(p, map, path, key, YAML_MAPPING_NODE, "a mapping", out);
}

/* get_str sets *out to the string at key, borrowed from the document, or
 * NULL when absent or empty (Go's zero value means unset). */
static enum hf_err get_str(struct parser *p, yaml_node_t *map, const char *path, const char *key,
			   const char **out)
{
	yaml_node_t *n;
	*out = NULL;
	enum hf_err err = get_kind(p, map, path, key, YAML_SCALAR_NODE, "a string", &n);
	if (err || !n)
		return err;
	const char *v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		char sub[FIELD_PATH_MAX];
		join_path(sub, sizeof(sub), path, key);
		return fail(p, HF_ERR_INVALID, "%s: contains a NUL character (line %zu)", sub,
			    n->start_mark.line + 1);
	}
	*out = v[0] ? v : NULL;
	return HF_OK;
}

static enum hf_err get_bool(struct parser *p, yaml_node_t *map, const char *path, const char *key,
			    bool *out)
{
	const char *v;
	*out = false;
	enum hf_err err = get_str(p, map, path, key, &v);
	if (err || !v)
		return err;
	if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0) {
		*out = true;
		return HF_OK;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
		return HF_OK;
	char sub[FIELD_PATH_MAX];
	join_path(sub, sizeof(sub), path, key);
	return fail(p, HF_ERR_INVALID, "%s: expected true or false, found \"%s\"", sub, v);
}

/*
 * find_named finds the entry called name in the top-level list list_key
 * ("clusters", each entry {name, <inner_key>: {...}}) and returns its inner
 * mapping (NULL when empty) and its index. ref is the field that named the
 * entry, for the message when there is no such entry (NULL: --context).
 */
static enum hf_err find_named(struct parser *p, yaml_node_t *root, const char *list_key,
			      const char *inner_key, const char *name, const char *ref,
			      yaml_node_t **inner, int *index)
{
	yaml_node_t *list;
	enum hf_err err = get_kind(p, root, "", list_key, YAML_SEQUENCE_NODE, "a list", &list);
	if (err)
		return err;
	int found = -1, i = 0;
	yaml_node_t *entry = NULL;
	char path[FIELD_PATH_MAX];
	for (yaml_node_item_t *it = list ? list->data.sequence.items.start : NULL;
	     list && it < list->data.sequence.items.top; it++, i++) {
		yaml_node_t *n = yaml_document_get_node(&p->doc, *it);
		const char *n_name;
		snprintf(path, sizeof(path), "%s[%d]", list_key, i);
		if (n->type != YAML_MAPPING_NODE)
			return wrong_kind(p, path, "a mapping", n);
		if ((err = get_str(p, n, path, "name", &n_name)))
			return err;
		if (!n_name || strcmp(n_name, name) != 0)
			continue;
		if (found >= 0)
			return fail(p, HF_ERR_INVALID,
				    "%s.name: duplicate name \"%s\" (also %s[%d])", path, name,
				    list_key, found);
		found = i;
		entry = n;
	}
	/* The singular of the list's name is the inner key: clusters, cluster. */
	if (found < 0 && ref)
		return fail(p, HF_ERR_INVALID, "%s: %s \"%s\" not found in %s", ref, inner_key,
			    name, list_key);
	if (found < 0)
		return fail(p, HF_ERR_NOT_FOUND, "%s \"%s\" not found in %s", inner_key, name,
			    list_key);
	snprintf(path, sizeof(path), "%s[%d]", list_key, found);
	*index = found;
	return get_map(p, entry, path, inner_key, inner);
}

/* resolve makes a file path from the kubeconfig relative to its directory,
 * as kubectl does. Returns a new string. */
static char *resolve(const struct parser *p, const char *file)
{
	if (file[0] == '/' || !p->dir)
		return hf_strdup(file);
	return hf_asprintf("%s%s%s", p->dir,
			   p->dir[0] && p->dir[strlen(p->dir) - 1] == '/' ? "" : "/", file);
}

/*
 * load_pem fills *pem from the field file_key (a path) or data_key (base64)
 * of map at path; it stays NULL when neither is set.
 */
static enum hf_err load_pem(struct parser *p, yaml_node_t *map, const char *path,
			    const char *file_key, const char *data_key, char **pem, size_t *pem_len)
{
	const char *file, *data;
	char problem[512];
	enum hf_err err;
	if ((err = get_str(p, map, path, file_key, &file)) ||
	    (err = get_str(p, map, path, data_key, &data)))
		return err;
	if (file && data)
		return fail(p, HF_ERR_INVALID, "%s: both %s and %s are set; keep one", path,
			    file_key, data_key);
	if (data) {
		if (!b64_decode(data, strlen(data), pem, pem_len))
			return fail(p, HF_ERR_INVALID, "%s.%s: not valid base64", path, data_key);
		if (*pem_len == 0) { /* only line breaks: unset, as "" is */
			free(*pem);
			*pem = NULL;
			return HF_OK;
		}
		if (is_pem(*pem, *pem_len))
			return HF_OK;
		return fail(
			p, HF_ERR_INVALID,
			"%s.%s: decoded data is not PEM (no -----BEGIN line; base64-encoded twice?)",
			path, data_key);
	}
	if (!file)
		return HF_OK;
	char *resolved = resolve(p, file);
	int err_no;
	err = read_file(resolved, PEM_MAX, pem, pem_len, &err_no);
	if (err) {
		read_problem(problem, sizeof(problem), resolved, err_no, PEM_MAX);
		err = fail(p, err, "%s.%s: %s", path, file_key, problem);
	} else if (!is_pem(*pem, *pem_len))
		err = fail(p, HF_ERR_INVALID, "%s.%s: %s is not PEM (no -----BEGIN line)", path,
			   file_key, resolved);
	free(resolved);
	return err;
}

static bool has_space_or_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

static enum hf_err load_cluster(struct parser *p, yaml_node_t *cluster, const char *path,
				struct hf_kube_config *cfg)
{
	const char *server, *host;
	enum hf_err err;
	if ((err = get_str(p, cluster, path, "server", &server)))
		return err;
	if (!server)
		return fail(p, HF_ERR_INVALID, "%s.server: missing", path);
	if (strncasecmp(server, "https://", 8) == 0)
		host = server + 8;
	else if (strncasecmp(server, "http://", 7) == 0)
		host = server + 7;
	else
		return fail(p, HF_ERR_INVALID,
			    "%s.server: \"%s\" is not an https:// or http:// URL", path, server);
	if (host[0] == '\0' || host[0] == '/')
		return fail(p, HF_ERR_INVALID, "%s.server: \"%s\" has no host", path, server);
	if (has_space_or_control(server))
		return fail(p, HF_ERR_INVALID, "%s.server: contains a space or control character",
			    path);
	size_t len = strlen(server);
	while (server + len > host && server[len - 1] == '/')
		len--;
	cfg->server = hf_strndup(server, len);
	/* The scheme is case-insensitive; lower case lets users of the config
	 * compare it with a plain strncmp. */
	for (char *c = cfg->server; *c != ':'; c++)
		*c = (char)(*c | 0x20);

	if ((err = load_pem(p, cluster, path, "certificate-authority", "certificate-authority-data",
			    &cfg->ca_pem, &cfg->ca_pem_len)) ||
	    (err = get_bool(p, cluster, path, "insecure-skip-tls-verify",
			    &cfg->insecure_skip_tls_verify)))
		return err;
	/* client-go refuses this pair too: which one did the user mean? */
	if (cfg->insecure_skip_tls_verify && cfg->ca_pem)
		return fail(
			p, HF_ERR_INVALID,
			"%s: insecure-skip-tls-verify cannot be combined with a certificate authority",
			path);
	return HF_OK;
}

/*
 * unsupported refuses credentials HyperFleet cannot use, by name, rather than
 * ignoring them and failing later with a bare 401 (or, for impersonation,
 * acting with more rights than the user asked for).
 */
static enum hf_err unsupported(struct parser *p, yaml_node_t *user, const char *path)
{
	static const char *const other[][2] = {
		{"username", "basic authentication is not supported"},
		{"password", "basic authentication is not supported"},
		{"as", "impersonation is not supported"},
		{"as-uid", "impersonation is not supported"},
		{"as-groups", "impersonation is not supported"},
		{"as-user-extra", "impersonation is not supported"},
	};
	yaml_node_t *n;
	const char *what = NULL;
	enum hf_err err;
	char sub[FIELD_PATH_MAX];
	if ((err = get(p, user, path, "exec", &n)))
		return err;
	if (n) {
		join_path(sub, sizeof(sub), path, "exec");
		if (n->type == YAML_MAPPING_NODE && (err = get_str(p, n, sub, "command", &what)))
			return err;
		if (what)
			return fail(
				p, HF_ERR_UNAVAILABLE,
				"%s: exec credential plugins are not supported (command \"%s\"); use a token, tokenFile or client certificate",
				sub, what);
		return fail(
			p, HF_ERR_UNAVAILABLE,
			"%s: exec credential plugins are not supported; use a token, tokenFile or client certificate",
			sub);
	}
	if ((err = get(p, user, path, "auth-provider", &n)))
		return err;
	if (n) {
		join_path(sub, sizeof(sub), path, "auth-provider");
		if (n->type == YAML_MAPPING_NODE && (err = get_str(p, n, sub, "name", &what)))
			return err;
		if (what)
			return fail(
				p, HF_ERR_UNAVAILABLE,
				"%s: auth-provider plugins are not supported (name \"%s\"); use a token, tokenFile or client certificate",
				sub, what);
		return fail(
			p, HF_ERR_UNAVAILABLE,
			"%s: auth-provider plugins are not supported; use a token, tokenFile or client certificate",
			sub);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		if ((err = get(p, user, path, other[i][0], &n)))
			return err;
		if (n) {
			join_path(sub, sizeof(sub), path, other[i][0]);
			return fail(p, HF_ERR_UNAVAILABLE, "%s: %s", sub, other[i][1]);
		}
	}
	return HF_OK;
}

static enum hf_err load_user(struct parser *p, yaml_node_t *user, const char *path,
			     struct hf_kube_config *cfg)
{
	const char *token, *token_file;
	char problem[512];
	enum hf_err err;
	if ((err = unsupported(p, user, path)) ||
	    (err = load_pem(p, user, path, "client-certificate", "client-certificate-data",
			    &cfg->cert_pem, &cfg->cert_pem_len)) ||
	    (err = load_pem(p, user, path, "client-key", "client-key-data", &cfg->key_pem,
			    &cfg->key_pem_len)))
		return err;
	if (cfg->cert_pem && !cfg->key_pem)
		return fail(
			p, HF_ERR_INVALID,
			"%s: client certificate without a key (set client-key or client-key-data)",
			path);
	if (cfg->key_pem && !cfg->cert_pem)
		return fail(
			p, HF_ERR_INVALID,
			"%s: client key without a certificate (set client-certificate or client-certificate-data)",
			path);

	if ((err = get_str(p, user, path, "token", &token)) ||
	    (err = get_str(p, user, path, "tokenFile", &token_file)))
		return err;
	/* As in client-go, a token file wins over an inline token: it is the
	 * one that rotates. */
	if (token_file) {
		cfg->token_file = resolve(p, token_file);
		err = token_from_file(cfg->token_file, &cfg->token, problem, sizeof(problem));
		if (err)
			return fail(p, err, "%s.tokenFile: %s", path, problem);
		cfg->token_read_at = monotonic_seconds();
	} else if (token) {
		cfg->token = clean_token(token, strlen(token), problem, sizeof(problem));
		if (!cfg->token)
			return fail(p, HF_ERR_INVALID, "%s.token: %s", path, problem);
	}
	return HF_OK;
}

static struct hf_kube_config *config_new(void)
{
	struct hf_kube_config *cfg = hf_calloc(1, sizeof(*cfg));
	pthread_mutex_init(&cfg->token_lock, NULL);
	return cfg;
}

void hf_kube_config_free(struct hf_kube_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->server);
	free(cfg->ca_pem);
	free(cfg->cert_pem);
	wipe_free(cfg->key_pem, cfg->key_pem_len);
	free(cfg->namespace);
	free(cfg->context);
	free(cfg->source);
	wipe_free(cfg->token, cfg->token ? strlen(cfg->token) : 0);
	free(cfg->token_file);
	pthread_mutex_destroy(&cfg->token_lock);
	free(cfg);
}

static enum hf_err syntax_error(struct parser *p, const yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : "unknown error";
	if (yp->error == YAML_MEMORY_ERROR)
		abort(); /* the allocation policy of util/alloc.h */
	if (yp->error == YAML_READER_ERROR)
		return fail(p, HF_ERR_INVALID, "byte %zu: YAML syntax error: %s",
			    yp->problem_offset, problem);
	if (yp->context)
		return fail(
			p, HF_ERR_INVALID,
			"line %zu column %zu: YAML syntax error: %s (%s at line %zu column %zu)",
			yp->problem_mark.line + 1, yp->problem_mark.column + 1, problem,
			yp->context, yp->context_mark.line + 1, yp->context_mark.column + 1);
	return fail(p, HF_ERR_INVALID, "line %zu column %zu: YAML syntax error: %s",
		    yp->problem_mark.line + 1, yp->problem_mark.column + 1, problem);
}

/* select_context fills cfg from the chosen context, its cluster and user. */
static enum hf_err select_context(struct parser *p, yaml_node_t *root, const char *context,
				  struct hf_kube_config *cfg)
{
	const char *ref = NULL, *cluster_name, *user_name, *ns;
	yaml_node_t *ctx, *cluster, *user;
	int ci = 0, cli = 0, ui = 0;
	char ctx_path[FIELD_PATH_MAX], ref_path[FIELD_PATH_MAX], path[FIELD_PATH_MAX];
	enum hf_err err;

	if (!context || !context[0]) {
		if ((err = get_str(p, root, "", "current-context", &context)))
			return err;
		if (!context)
			return fail(p, HF_ERR_INVALID,
				    "current-context is not set and no --context was given");
		ref = "current-context";
	}
	if ((err = find_named(p, root, "contexts", "context", context, ref, &ctx, &ci)))
		return err;
	cfg->context = hf_strdup(context);
	snprintf(ctx_path, sizeof(ctx_path), "contexts[%d].context", ci);
	if ((err = get_str(p, ctx, ctx_path, "cluster", &cluster_name)) ||
	    (err = get_str(p, ctx, ctx_path, "user", &user_name)) ||
	    (err = get_str(p, ctx, ctx_path, "namespace", &ns)))
		return err;
	cfg->namespace = hf_strdup(ns ? ns : "default");
	if (!cluster_name)
		return fail(p, HF_ERR_INVALID, "%s.cluster: missing", ctx_path);

	join_path(ref_path, sizeof(ref_path), ctx_path, "cluster");
	if ((err = find_named(p, root, "clusters", "cluster", cluster_name, ref_path, &cluster,
			      &cli)))
		return err;
	snprintf(path, sizeof(path), "clusters[%d].cluster", cli);
	if ((err = load_cluster(p, cluster, path, cfg)))
		return err;

	/* A context without a user is anonymous access, which kubectl allows. */
	if (!user_name)
		return HF_OK;
	join_path(ref_path, sizeof(ref_path), ctx_path, "user");
	if ((err = find_named(p, root, "users", "user", user_name, ref_path, &user, &ui)))
		return err;
	snprintf(path, sizeof(path), "users[%d].user", ui);
	return load_user(p, user, path, cfg);
}

enum hf_err hf_kube_config_parse(const char *yaml, size_t len, const char *source,
				 const char *context, struct hf_kube_config **out, char *errbuf,
				 size_t errlen)
{
	struct parser p = {
		.source = source ? source : "<memory>", .errbuf = errbuf, .errlen = errlen};
	struct hf_kube_config *cfg = NULL;
	yaml_parser_t yp;
	enum hf_err err;

	*out = NULL;
	if (source && strchr(source, '/')) {
		const char *slash = strrchr(source, '/');
		p.dir = slash == source ? hf_strdup("/")
					: hf_strndup(source, (size_t)(slash - source));
	}
	if (!yaml_parser_initialize(&yp))
		abort(); /* only fails to allocate */
	yaml_parser_set_input_string(&yp, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&yp, &p.doc)) {
		err = syntax_error(&p, &yp);
		goto free_parser;
	}
	yaml_node_t *root = yaml_document_get_root_node(&p.doc);
	if (root && is_null(root))
		root = NULL;
	if (root && root->type != YAML_MAPPING_NODE) {
		err = wrong_kind(&p, "top level", "a mapping", root);
		goto free_doc;
	}
	cfg = config_new();
	cfg->source = hf_strdup(p.source);
	if ((err = select_context(&p, root, context, cfg)))
		goto free_cfg;
	*out = cfg;
	cfg = NULL;
free_cfg:
	hf_kube_config_free(cfg);
free_doc:
	yaml_document_delete(&p.doc);
free_parser:
	yaml_parser_delete(&yp);
	free(p.dir);
	return err;
}

enum hf_err hf_kube_config_load_file(const char *path, const char *context,
				     struct hf_kube_config **out, char *errbuf, size_t errlen)
{
	char *data = NULL, eb[128];
	size_t len = 0;
	int err_no;
	*out = NULL;
	enum hf_err err = read_file(path, CONFIG_MAX, &data, &len, &err_no);
	if (err == HF_ERR_TOO_LARGE)
		set_error(errbuf, errlen, "%s: larger than %u bytes", path, CONFIG_MAX);
	else if (err)
		set_error(errbuf, errlen, "%s: cannot read: %s", path,
			  strerror_r(err_no, eb, sizeof(eb)));
	if (err)
		return err;
	err = hf_kube_config_parse(data, len, path, context, out, errbuf, errlen);
	free(data);
	return err;
}

/* in_cluster_server builds https://host:port from the service environment
 * the kubelet gives every pod; an IPv6 host goes in brackets. */
static enum hf_err in_cluster_server(char **server, char *errbuf, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !host[0] || !port || !port[0]) {
		set_error(
			errbuf, errlen,
			"in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set");
		return HF_ERR_NOT_FOUND;
	}
	size_t digits = strspn(port, "0123456789");
	long n = digits == strlen(port) && digits <= 5 ? strtol(port, NULL, 10) : 0;
	if (n < 1 || n > 65535) {
		set_error(errbuf, errlen,
			  "in-cluster config: KUBERNETES_SERVICE_PORT \"%s\" is not a port number",
			  port);
		return HF_ERR_INVALID;
	}
	if (has_space_or_control(host) || strpbrk(host, "/?#@")) {
		set_error(
			errbuf, errlen,
			"in-cluster config: KUBERNETES_SERVICE_HOST \"%s\" is not a host name or address",
			host);
		return HF_ERR_INVALID;
	}
	bool v6 = strchr(host, ':') && host[0] != '[';
	*server = hf_asprintf("https://%s%s%s:%ld", v6 ? "[" : "", host, v6 ? "]" : "", n);
	return HF_OK;
}

/* in_cluster_namespace: $POD_NAMESPACE (the downward API), else the service
 * account's namespace file, else "default", as client-go decides. */
static char *in_cluster_namespace(const char *root)
{
	const char *env = getenv("POD_NAMESPACE");
	char *path, *data = NULL, *ns = NULL, why[128];
	size_t len = 0;
	int err_no;
	if (env && env[0])
		return hf_strdup(env);
	path = hf_asprintf("%s/namespace", root);
	if (read_file(path, TOKEN_MAX, &data, &len, &err_no) == HF_OK)
		ns = clean_token(data, len, why, sizeof(why));
	free(data);
	free(path);
	return ns ? ns : hf_strdup("default");
}

enum hf_err hf_kube_config_load_incluster(const char *root, struct hf_kube_config **out,
					  char *errbuf, size_t errlen)
{
	struct hf_kube_config *cfg = config_new();
	char problem[512], *ca_path = NULL;
	int err_no;
	enum hf_err err;

	*out = NULL;
	root = root ? root : DEFAULT_SA_ROOT;
	cfg->source = hf_strdup(root);
	cfg->context = hf_strdup("in-cluster");
	if ((err = in_cluster_server(&cfg->server, errbuf, errlen)))
		goto free_cfg;
	cfg->token_file = hf_asprintf("%s/token", root);
	if ((err = token_from_file(cfg->token_file, &cfg->token, problem, sizeof(problem)))) {
		set_error(errbuf, errlen, "in-cluster config: %s", problem);
		goto free_cfg;
	}
	cfg->token_read_at = monotonic_seconds();
	/* client-go goes on without ca.crt and then fails every TLS handshake;
	 * saying so now is kinder. */
	ca_path = hf_asprintf("%s/ca.crt", root);
	if ((err = read_file(ca_path, PEM_MAX, &cfg->ca_pem, &cfg->ca_pem_len, &err_no))) {
		read_problem(problem, sizeof(problem), ca_path, err_no, PEM_MAX);
		set_error(errbuf, errlen, "in-cluster config: %s", problem);
		goto free_ca_path;
	}
	if (!is_pem(cfg->ca_pem, cfg->ca_pem_len)) {
		set_error(errbuf, errlen, "in-cluster config: %s is not PEM (no -----BEGIN line)",
			  ca_path);
		err = HF_ERR_INVALID;
		goto free_ca_path;
	}
	cfg->namespace = in_cluster_namespace(root);
	*out = cfg;
	cfg = NULL;
free_ca_path:
	free(ca_path);
free_cfg:
	hf_kube_config_free(cfg);
	return err;
}

/* first_kubeconfig returns the first non-empty entry of $KUBECONFIG (a
 * colon-separated list), new, or NULL. */
static char *first_kubeconfig(void)
{
	const char *env = getenv("KUBECONFIG");
	while (env && *env) {
		size_t n = strcspn(env, ":");
		if (n > 0)
			return hf_strndup(env, n);
		env++;
	}
	return NULL;
}

enum hf_err hf_kube_config_load(const char *path, const char *context, struct hf_kube_config **out,
				char *errbuf, size_t errlen)
{
	char *file;
	enum hf_err err;
	*out = NULL;
	if (path && path[0])
		return hf_kube_config_load_file(path, context, out, errbuf, errlen);
	if ((file = first_kubeconfig())) {
		err = hf_kube_config_load_file(file, context, out, errbuf, errlen);
		free(file);
		return err;
	}
	/* A --context names a kubeconfig context, so it rules out in-cluster. */
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	if (host && host[0] && !(context && context[0]))
		return hf_kube_config_load_incluster(NULL, out, errbuf, errlen);
	const char *home = getenv("HOME");
	if (!home || !home[0]) {
		set_error(
			errbuf, errlen,
			"no kubeconfig: --kubeconfig, KUBECONFIG and HOME are not set, and not in a pod (KUBERNETES_SERVICE_HOST is not set)");
		return HF_ERR_NOT_FOUND;
	}
	file = hf_asprintf("%s/.kube/config", home);
	if (access(file, F_OK) != 0 && errno == ENOENT) {
		set_error(
			errbuf, errlen,
			"no kubeconfig: %s does not exist, --kubeconfig and KUBECONFIG are not set, and not in a pod (KUBERNETES_SERVICE_HOST is not set)",
			file);
		err = HF_ERR_NOT_FOUND;
		goto free_file;
	}
	err = hf_kube_config_load_file(file, context, out, errbuf, errlen);
free_file:
	free(file);
	return err;
}

char *hf_kube_config_token(struct hf_kube_config *cfg, bool force)
{
	char *copy, *fresh = NULL, problem[8];
	pthread_mutex_lock(&cfg->token_lock);
	if (cfg->token_file) {
		time_t now = monotonic_seconds();
		if (force || now - cfg->token_read_at >= TOKEN_REFRESH_SECONDS) {
			/* A failed re-read keeps the token we have: the kubelet
			 * replaces the file atomically, so a failure is rare and
			 * the old token is usually still valid for a while. */
			if (token_from_file(cfg->token_file, &fresh, problem, sizeof(problem)) ==
			    HF_OK) {
				wipe_free(cfg->token, cfg->token ? strlen(cfg->token) : 0);
				cfg->token = fresh;
			}
			cfg->token_read_at = now;
		}
	}
	copy = hf_strdup(cfg->token);
	pthread_mutex_unlock(&cfg->token_lock);
	return copy;
}
