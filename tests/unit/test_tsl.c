/* Unit tests of the search language and the order list (controller/api/
 * tsl*.c): every operator both ways, every field family, every error the
 * original HyperFleet API gives, matched over cJSON fixtures through a small
 * resolver like the REST layer's. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tsl.h"
#include "util/alloc.h"
#include "util/rfc3339.h"

static cJSON *cluster;	/* the object most tests match */
static cJSON *nodepool; /* a node pool, for owner_* and absent values */

static const char cluster_json[] =
	"{\"id\":\"c1\",\"name\":\"alpha\",\"kind\":\"Cluster\","
	"\"href\":\"/api/hyperfleet/v1/clusters/c1\",\"generation\":3,"
	"\"created_by\":\"alice@example.com\",\"updated_by\":\"bob\","
	"\"created_time\":\"2026-01-02T03:04:05Z\",\"updated_time\":\"2026-01-03T00:00:00.250Z\","
	"\"labels\":{\"env\":\"prod\",\"tier\":\"1\",\"app.kubernetes.io/name\":\"web\","
	"\"team\":\"Platform\",\"odd key\":\"yes\"},"
	"\"spec\":{\"nodeCount\":3,\"region\":\"us-east-1\",\"replicas\":\"5\",\"version\":"
	"\"4.15.2\",\"ha\":true,\"ratio\":0.5,\"big\":100,\"note\":\"100% sure\","
	"\"platform\":{\"type\":\"gcp\",\"zones\":[\"a\",\"b\"]},\"city\":\"Zürich\"},"
	"\"status\":{\"phase\":\"Ready\",\"conditions\":["
	"{\"type\":\"Reconciled\",\"status\":\"True\",\"last_updated_time\":"
	"\"2026-01-03T00:00:00Z\",\"last_transition_time\":\"2026-01-02T10:00:00Z\","
	"\"observed_generation\":3},"
	"{\"type\":\"Available\",\"status\":\"False\",\"last_updated_time\":"
	"\"2026-01-03T00:00:00Z\",\"last_transition_time\":\"2026-01-02T10:00:00Z\","
	"\"observed_generation\":2}]}}";

static const char nodepool_json[] =
	"{\"id\":\"np1\",\"name\":\"workers\",\"kind\":\"NodePool\",\"generation\":10,"
	"\"created_time\":\"2026-01-01T00:00:00Z\",\"owner_id\":\"c1\",\"owner_kind\":\"Cluster\","
	"\"owner_href\":\"/api/hyperfleet/v1/clusters/c1\",\"labels\":{},"
	"\"spec\":{\"replicas\":2},\"status\":{\"phase\":\"Not Ready\",\"conditions\":[]}}";

static void setup(void)
{
	cluster = cJSON_Parse(cluster_json);
	nodepool = cJSON_Parse(nodepool_json);
	cr_assert_not_null(cluster);
	cr_assert_not_null(nodepool);
}

static void teardown(void)
{
	cJSON_Delete(cluster);
	cJSON_Delete(nodepool);
}

TestSuite(tsl, .init = setup, .fini = teardown);

static struct hf_tsl_value json_value(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return hf_tsl_absent();
	if (cJSON_IsString(v))
		return hf_tsl_string(v->valuestring);
	if (cJSON_IsNumber(v))
		return hf_tsl_number(v->valuedouble);
	if (cJSON_IsBool(v))
		return (struct hf_tsl_value){.type = HF_TSL_BOOL, .b = cJSON_IsTrue(v)};
	return (struct hf_tsl_value){.type = HF_TSL_COMPOSITE};
}

static const cJSON *condition(const cJSON *o, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"), "conditions"))
	{
		const cJSON *t = cJSON_GetObjectItem(c, "type");
		if (cJSON_IsString(t) && strcmp(t->valuestring, type) == 0)
			return c;
	}
	return NULL;
}

/* resolve reads a field of a Resource as the REST API renders it. */
static struct hf_tsl_value resolve(void *ctx, const void *object, const struct hf_tsl_field *f)
{
	const cJSON *o = object;
	const cJSON *v = NULL;
	int *calls = ctx;
	if (calls)
		(*calls)++;
	switch (f->type) {
	case HF_TSL_COLUMN:
		if (f->column == HF_TSL_COL_PHASE)
			v = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"), "phase");
		else
			v = cJSON_GetObjectItemCaseSensitive(o, f->name);
		break;
	case HF_TSL_LABEL:
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(o, "labels"), f->name);
		break;
	case HF_TSL_SPEC:
		v = cJSON_GetObjectItem(o, "spec");
		for (size_t i = 0; i < f->path_len && v; i++)
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, f->path[i])
					      : NULL;
		break;
	case HF_TSL_CONDITION: v = cJSON_GetObjectItem(condition(o, f->name), "status"); break;
	case HF_TSL_CONDITION_FIELD:
		v = cJSON_GetObjectItem(condition(o, f->name), f->sub_name);
		break;
	}
	return json_value(v);
}

static bool matches_kind(const char *query, const cJSON *o, enum hf_tsl_kind kind)
{
	struct hf_tsl *q = NULL;
	char *error = NULL;
	enum hf_err err = hf_tsl_parse(query, kind, &q, &error);
	cr_assert_eq(err, HF_OK, "query <%s> failed: %s", query, error ? error : "(no message)");
	cr_assert_null(error);
	bool m = hf_tsl_match(q, resolve, NULL, o);
	hf_tsl_free(q);
	return m;
}

static bool matches(const char *query)
{
	return matches_kind(query, cluster, HF_TSL_CLUSTER);
}

/* parse_error is the message a query that must not parse gives. */
static char *parse_error(const char *query, enum hf_tsl_kind kind)
{
	struct hf_tsl *q = (struct hf_tsl *)1;
	char *error = NULL;
	enum hf_err err = hf_tsl_parse(query, kind, &q, &error);
	cr_assert_eq(err, HF_ERR_INVALID, "query <%s> parsed", query);
	cr_assert_null(q);
	cr_assert_not_null(error);
	return error;
}

#define MATCH(query)	cr_assert(matches(query), "<%s> should match", query)
#define NO_MATCH(query) cr_assert(!matches(query), "<%s> should not match", query)
#define ERROR(query, message)                                                                      \
	do {                                                                                       \
		char *e_ = parse_error(query, HF_TSL_CLUSTER);                                     \
		cr_assert_str_eq(e_, message, "query <%s>", query);                                \
		free(e_);                                                                          \
	} while (0)
#define ERROR_PREFIX(query, prefix)                                                                \
	do {                                                                                       \
		char *e_ = parse_error(query, HF_TSL_CLUSTER);                                     \
		cr_assert(strncmp(e_, prefix, strlen(prefix)) == 0, "query <%s>: %s", query, e_);  \
		free(e_);                                                                          \
	} while (0)

/* --- comparisons on string columns --- */

Test(tsl, equal_and_not_equal)
{
	MATCH("name = 'alpha'");
	MATCH("name == 'alpha'");
	NO_MATCH("name = 'beta'");
	MATCH("name != 'beta'");
	MATCH("name <> 'beta'");
	NO_MATCH("name != 'alpha'");
	NO_MATCH("name = 'Alpha'");
}

Test(tsl, ordering_of_strings_is_bytewise)
{
	MATCH("name < 'b'");
	NO_MATCH("name < 'alpha'");
	MATCH("name <= 'alpha'");
	MATCH("name > 'Zeta'"); /* 'a' > 'Z' bytewise */
	NO_MATCH("name > 'alpha'");
	MATCH("name >= 'alpha'");
	NO_MATCH("name >= 'alphb'");
}

Test(tsl, every_string_column)
{
	MATCH("id = 'c1'");
	MATCH("kind = 'Cluster'");
	MATCH("href = '/api/hyperfleet/v1/clusters/c1'");
	MATCH("created_by = 'alice@example.com'");
	MATCH("updated_by = 'bob'");
	MATCH("deleted_by is null");
	MATCH("owner_id is null");
	cr_assert(matches_kind("owner_id = 'c1' and owner_kind = 'Cluster' and owner_href like "
			       "'%/c1'",
			       nodepool, HF_TSL_NODEPOOL));
	/* owner_* are accepted for clusters too, as the original did */
	NO_MATCH("owner_kind = 'Cluster'");
}

Test(tsl, phase_and_status_phase)
{
	MATCH("phase = 'Ready'");
	MATCH("status.phase = 'Ready'");
	NO_MATCH("status.phase = 'Not Ready'");
	cr_assert(matches_kind("status.phase = 'Not Ready'", nodepool, HF_TSL_NODEPOOL));
}

Test(tsl, string_column_wants_a_string)
{
	ERROR("name = 5", "field 'name' expects a quoted string");
	ERROR("phase in ('Ready', true)", "field 'phase' expects a quoted string");
}

/* --- generation --- */

Test(tsl, generation_is_numeric)
{
	MATCH("generation = 3");
	MATCH("generation = 3.0");
	MATCH("generation > 2");
	MATCH("generation >= 3");
	NO_MATCH("generation < 3");
	MATCH("generation <= 3");
	NO_MATCH("generation != 3");
	MATCH("generation > -1");
	MATCH("generation < 1e3");
	cr_assert(matches_kind("generation > 9", nodepool, HF_TSL_NODEPOOL)); /* not '10' < '9' */
}

Test(tsl, generation_wants_a_number)
{
	ERROR("generation = '3'", "field 'generation' expects an integer");
	ERROR("generation in (1, 'x')", "field 'generation' expects an integer");
	ERROR("generation like '3%'", "LIKE/ILIKE is not supported for field 'generation'");
}

/* --- times --- */

Test(tsl, times_compare_as_instants)
{
	MATCH("created_time = '2026-01-02T03:04:05Z'");
	MATCH("created_time = '2026-01-02T04:04:05+01:00'");
	MATCH("created_time > '2026-01-01T00:00:00Z'");
	NO_MATCH("created_time < '2026-01-01T00:00:00Z'");
	MATCH("updated_time > '2026-01-03T00:00:00Z'");
	MATCH("updated_time < '2026-01-03T00:00:00.5Z'");
	MATCH("updated_time = '2026-01-03T00:00:00.25Z'");
	MATCH("created_time >= '2026-01-02'"); /* a date is midnight UTC */
	MATCH("created_time < 2026-01-03");    /* unquoted date */
	MATCH("created_time = 2026-01-02T03:04:05Z");
	MATCH("created_time between '2026-01-01T00:00:00Z' and '2026-12-31T00:00:00Z'");
	MATCH("created_time in ('2020-01-01T00:00:00Z', '2026-01-02T03:04:05.000Z')");
	MATCH("deleted_time is null");
	NO_MATCH("deleted_time < '2030-01-01T00:00:00Z'");
}

Test(tsl, time_wants_rfc3339)
{
	const char *msg =
		"field 'created_time' expects an RFC3339 timestamp (e.g. 2026-01-01T00:00:00Z)";
	ERROR("created_time > 'yesterday'", msg);
	ERROR("created_time > 5", msg);
	ERROR("created_time > '2026-02-30T00:00:00Z'", msg);
	ERROR("updated_time between '2026-01-01T00:00:00Z' and 'x'",
	      "field 'updated_time' expects an RFC3339 timestamp (e.g. 2026-01-01T00:00:00Z)");
	ERROR("deleted_time like '2026%'", "LIKE/ILIKE is not supported for field 'deleted_time'");
}

/* --- labels --- */

Test(tsl, labels)
{
	MATCH("labels.env = 'prod'");
	NO_MATCH("labels.env = 'dev'");
	MATCH("labels.env != 'dev'");
	MATCH("labels.tier = '1'");
	MATCH("labels.app.kubernetes.io/name = 'web'");
	MATCH("labels['app.kubernetes.io/name'] = 'web'");
	MATCH("labels[\"odd key\"] = 'yes'");
	MATCH("labels.env in ('dev', 'prod')");
	MATCH("labels.team ilike 'platform'");
	MATCH("labels.env between 'a' and 'z'");
}

Test(tsl, absent_label_is_null)
{
	NO_MATCH("labels.region = 'x'");
	NO_MATCH("labels.region != 'x'"); /* SQL: NULL != 'x' is not true */
	MATCH("labels.region is null");
	NO_MATCH("labels.region is not null");
	MATCH("labels.env is not null");
	NO_MATCH("labels.env is null");
}

Test(tsl, not_with_labels_is_refused)
{
	const char *msg = "NOT operator is not supported with label queries";
	ERROR("not labels.env = 'prod'", msg);
	ERROR("not (name = 'x' or labels.env = 'prod')", msg);
	ERROR("labels.env not in ('a')", msg);
	ERROR("labels.env not like 'a%'", msg);
	ERROR("labels.env not between 'a' and 'b'", msg);
}

Test(tsl, label_errors)
{
	ERROR("labels. = 'x'", "label key cannot be empty");
	ERROR("labels[''] = 'x'", "label key cannot be empty");
	ERROR("labels.tier = 1", "field 'labels.tier' expects a quoted string");
	ERROR("labels['a'] = 1", "field 'labels['a']' expects a quoted string");
	ERROR("labels[a] = 'x'",
	      "failed to parse search query: unexpected 'a' at position 8, expected a quoted "
	      "label key");
	ERROR("labels['a' = 'x'",
	      "failed to parse search query: unexpected '=' at position 12, expected ']' after "
	      "the label key");
}

/* --- spec --- */

Test(tsl, spec_numbers)
{
	MATCH("spec.nodeCount = 3");
	MATCH("spec.nodeCount > 2");
	NO_MATCH("spec.nodeCount > 3");
	MATCH("spec.replicas > 4"); /* "5" is converted */
	MATCH("spec.replicas in (4, 5)");
	MATCH("spec.ratio = 0.5");
	MATCH("spec.nodeCount between 1 and 3");
	MATCH("spec.big > 99");
	NO_MATCH("spec.version > 4"); /* "4.15.2" is no number: unknown */
	NO_MATCH("not (spec.version > 4)");
}

Test(tsl, spec_strings)
{
	MATCH("spec.region = 'us-east-1'");
	MATCH("spec.region like 'us-%'");
	MATCH("spec.replicas = '5'");
	MATCH("spec.nodeCount = '3'"); /* compared as the text ->> gives */
	MATCH("spec.ratio = '0.5'");
	MATCH("spec.big like '1%0'");
	MATCH("spec.platform.type = 'gcp'");
	MATCH("spec.platform.type in ['aws', 'gcp']");
	MATCH("spec.version > '4.1'");
	MATCH("spec.city like 'Z_rich'"); /* '_' is one UTF-8 character */
}

Test(tsl, spec_booleans_and_objects)
{
	MATCH("spec.ha = true");
	MATCH("spec.ha != false");
	MATCH("spec.ha = 'true'");
	MATCH("spec.ha in (TRUE)");
	NO_MATCH("spec.ha = false");
	MATCH("spec.platform is not null");
	NO_MATCH("spec.platform = 'gcp'");
	NO_MATCH("spec.platform.zones = 'a'");
	MATCH("spec.missing is null");
	MATCH("spec.missing.deeper is null");
	NO_MATCH("spec.missing = 1");
	ERROR("spec.ha < true", "operator '<' is not supported with boolean values");
	ERROR("spec.ha between false and true",
	      "operator 'between' is not supported with boolean values");
}

Test(tsl, spec_path_errors)
{
	ERROR("spec.a-b = 1", "spec field segment 'a-b' is invalid: must contain only letters, "
			      "digits, and underscores");
	ERROR("spec..x = 1", "spec field segment cannot be empty");
	ERROR("spec. = 1", "spec field segment cannot be empty");
	ERROR("spec.a/b = 1", "spec field segment 'a/b' is invalid: must contain only letters, "
			      "digits, and underscores");
	ERROR("spec.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g = 1",
	      "spec field path has too many segments (the maximum is 32)");
	ERROR("spec = 'x'", "invalid field in search or order query");
}

/* --- conditions --- */

Test(tsl, condition_status)
{
	MATCH("status.conditions.Reconciled = 'True'");
	NO_MATCH("status.conditions.Reconciled = 'False'");
	MATCH("status.conditions.Available = 'False'");
	NO_MATCH("status.conditions.Ready = 'True'");
	MATCH("status.conditions.Ready is null");
	MATCH("status.conditions.Reconciled is not null");
	MATCH("'True' = status.conditions.Reconciled");
	MATCH("status.conditions.Reconciled='True' or status.conditions.Available='True'");
}

Test(tsl, condition_status_errors)
{
	ERROR("status.conditions.Reconciled = 'Maybe'",
	      "condition status 'Maybe' is invalid: must be True, False, or Unknown");
	ERROR("status.conditions.Reconciled = 1",
	      "condition status '1' is invalid: must be True, False, or Unknown");
	ERROR("status.conditions.Reconciled = 'true'",
	      "condition status 'true' is invalid: must be True, False, or Unknown");
	ERROR("status.conditions.Reconciled != 'True'",
	      "only equality operator (=) is supported for condition status queries");
	ERROR("status.conditions.reconciled = 'True'",
	      "condition type 'reconciled' is invalid: must be PascalCase (e.g., Reconciled, "
	      "Available)");
	ERROR("status.conditions.Ready_1 = 'True'",
	      "condition type 'Ready_1' is invalid: must be PascalCase (e.g., Reconciled, "
	      "Available)");
	ERROR("status.conditions. = 'True'", "condition type cannot be empty");
	ERROR("status.conditions.A.b.c = 1",
	      "invalid condition format: expected status.conditions.<Type> or "
	      "status.conditions.<Type>.<subfield>");
	ERROR("status.conditions = 'True'", "status is not a related resource of Cluster");
}

Test(tsl, condition_operators_refused)
{
	ERROR("status.conditions.Reconciled in ('True', 'False')",
	      "IN is not supported for condition queries; use comparison operators (=, !=, <, "
	      "<=, >, >=)");
	ERROR("status.conditions.Reconciled like 'T%'",
	      "LIKE/ILIKE is not supported for condition queries; use comparison operators (=, "
	      "!=, <, <=, >, >=)");
	ERROR("status.conditions.Reconciled.observed_generation between 1 and 2",
	      "BETWEEN is not supported for condition queries; use comparison operators (=, !=, "
	      "<, <=, >, >=)");
	const char *not_msg = "NOT operator is not supported with condition queries; use the "
			      "inverse condition instead (e.g., Reconciled='False')";
	ERROR("not status.conditions.Reconciled = 'True'", not_msg);
	ERROR("not (generation = 1 and status.conditions.Reconciled.observed_generation > 1)",
	      not_msg);
}

Test(tsl, condition_fields)
{
	MATCH("status.conditions.Reconciled.observed_generation = 3");
	MATCH("status.conditions.Available.observed_generation < 3");
	MATCH("status.conditions.Reconciled.observed_generation >= 3 and "
	      "status.conditions.Reconciled.observed_generation <= 3");
	NO_MATCH("status.conditions.Reconciled.observed_generation != 3");
	MATCH("status.conditions.Reconciled.last_updated_time >= '2026-01-03T00:00:00Z'");
	MATCH("status.conditions.Reconciled.last_updated_time > '2026-01-02T23:59:59.5Z'");
	MATCH("status.conditions.Reconciled.last_transition_time < '2026-01-03T00:00:00Z'");
	NO_MATCH("status.conditions.Ready.last_updated_time < '2030-01-01T00:00:00Z'");
	MATCH("status.conditions.Ready.observed_generation is null");
}

Test(tsl, condition_field_errors)
{
	ERROR("status.conditions.Reconciled.observed_generation = 1.5",
	      "expected integer value for condition subfield 'observed_generation', got 1.5");
	ERROR("status.conditions.Reconciled.observed_generation = '3'",
	      "expected numeric value for condition subfield 'observed_generation'");
	ERROR("status.conditions.Reconciled.observed_generation > 3000000000",
	      "value 3e+09 is out of 32-bit integer range for condition subfield "
	      "'observed_generation'");
	ERROR("status.conditions.Reconciled.last_updated_time > 'soon'",
	      "invalid timestamp for condition subfield 'last_updated_time': expected RFC3339 "
	      "format (e.g., 2026-01-01T00:00:00Z)");
	ERROR("status.conditions.Reconciled.last_transition_time > '2026-01-01'",
	      "invalid timestamp for condition subfield 'last_transition_time': expected "
	      "RFC3339 format (e.g., 2026-01-01T00:00:00Z)");
	ERROR("status.conditions.Reconciled.reason = 'x'",
	      "condition subfield 'reason' is not supported; use last_updated_time, "
	      "last_transition_time, or observed_generation");
}

/* --- logic --- */

Test(tsl, and_or_precedence)
{
	MATCH("name = 'x' or name = 'alpha' and generation = 3");
	NO_MATCH("name = 'x' or name = 'alpha' and generation = 4");
	NO_MATCH("(name = 'x' or name = 'alpha') and generation = 4");
	MATCH("name = 'alpha' and generation = 4 or kind = 'Cluster'");
	MATCH("name = 'alpha' AND generation IN (3) Or kind = 'x'");
}

Test(tsl, not_binds_looser_than_comparison)
{
	MATCH("not name = 'x'");
	NO_MATCH("not name = 'alpha'");
	MATCH("not name = 'x' and generation = 3"); /* (not name='x') and ... */
	NO_MATCH("not (name = 'x' or generation = 3)");
	MATCH("not not name = 'alpha'");
	MATCH("NOT (generation > 5)");
}

Test(tsl, nested_parentheses)
{
	MATCH("((name = 'alpha'))");
	MATCH("(name = 'x' or (generation = 3 and (kind = 'Cluster' or id = 'zz')))");
	NO_MATCH("(name = 'x' or (generation = 3 and (kind = 'Pool' or id = 'zz')))");
}

Test(tsl, three_valued_logic)
{
	NO_MATCH("not (spec.missing = 1)");
	MATCH("spec.missing = 1 or name = 'alpha'");
	NO_MATCH("spec.missing = 1 and name = 'alpha'");
	NO_MATCH("not (spec.missing = 1 or name = 'zzz')");
	MATCH("not (spec.missing = 1 and name = 'zzz')"); /* NULL and false is false */
	NO_MATCH("spec.missing not in (1, 2)");
	NO_MATCH("deleted_by not like '%'");
}

/* --- in, like, between, is null --- */

Test(tsl, in_and_not_in)
{
	MATCH("name in ('beta', 'alpha')");
	MATCH("name in ['alpha']");
	MATCH("name IN('alpha','b')");
	NO_MATCH("name in ('beta', 'gamma')");
	MATCH("name not in ('beta', 'gamma')");
	NO_MATCH("name not in ['alpha']");
	MATCH("generation in (1, 2, 3)");
	MATCH("generation not in (1, 2)");
}

Test(tsl, like_and_ilike)
{
	MATCH("name like 'alpha'");
	MATCH("name like 'al%'");
	MATCH("name like '%ph%'");
	MATCH("name like '%a'");
	MATCH("name like 'alph_'");
	MATCH("name like '%%'");
	NO_MATCH("name like 'alp_'");
	NO_MATCH("name like 'ALPHA'");
	MATCH("name ilike 'ALPHA'");
	MATCH("name ILIKE 'A%A'");
	MATCH("name not like 'b%'");
	NO_MATCH("name not ilike 'A%'");
	MATCH("spec.note like '100\\% %'"); /* \% is a literal percent sign */
	NO_MATCH("spec.note like '100\\%'");
	MATCH("spec.note like '%\\%%'");
	NO_MATCH("name like '%\\%%'");
	MATCH("name like 'a%h%a'");
	MATCH("name like '%a%a'");
	NO_MATCH("name like 'a%a%a'");
	ERROR("name like 'a\\\\'", "LIKE pattern must not end with escape character");
	ERROR("name like 5",
	      "failed to parse search query: unexpected '5' at position 11, expected a quoted "
	      "pattern");
}

Test(tsl, between)
{
	MATCH("generation between 3 and 3");
	MATCH("generation between 1 and 5");
	NO_MATCH("generation between 4 and 9");
	NO_MATCH("generation between 5 and 1"); /* not symmetric, as SQL */
	MATCH("generation not between 4 and 9");
	MATCH("name between 'a' and 'b'");
	MATCH("generation between 1 and 5 and name = 'alpha'");
}

Test(tsl, is_null)
{
	MATCH("deleted_time is null");
	MATCH("deleted_by IS NULL");
	NO_MATCH("name is null");
	MATCH("name is not null");
	MATCH("name Is Not Null");
	NO_MATCH("deleted_by is not null");
}

/* --- literals --- */

Test(tsl, string_literals)
{
	MATCH("name = \"alpha\"");
	cJSON_ReplaceItemInObject(cluster, "name", cJSON_CreateString("it's \"q\" \\ x"));
	MATCH("name = 'it''s \"q\" \\\\ x'");
	MATCH("name = 'it\\'s \"q\" \\\\ x'");
	MATCH("name = \"it's \"\"q\"\" \\\\ x\"");
	MATCH("name = \"it's \\\"q\\\" \\\\ x\"");
	MATCH("name like 'it_s%'");
}

Test(tsl, reversed_comparisons)
{
	MATCH("3 = generation");
	MATCH("2 < generation");
	NO_MATCH("3 < generation");
	MATCH("4 >= generation");
	MATCH("'alpha' = name");
	MATCH("'2026-01-01T00:00:00Z' < created_time");
}

Test(tsl, keywords_are_case_insensitive)
{
	MATCH("name LIKE 'a%' AnD generation BETWEEN 1 AND 5 oR name Is NuLl");
	MATCH("NOT name In ('x') AND spec.ha = TRUE");
}

Test(tsl, whitespace_is_free)
{
	MATCH("name='alpha'and(generation>=3)");
	MATCH("  \tname\n=\r'alpha'  ");
}

/* --- errors --- */

Test(tsl, unknown_fields)
{
	ERROR("foo = 'x'", "invalid field in search or order query");
	ERROR("labels = 'x'", "invalid field in search or order query");
	ERROR("Name = 'x'", "Name is not a valid field name");
	ERROR("name-x = 'x'", "name-x is not a valid field name");
	ERROR("label.x = 'y'", "label is not a related resource of Cluster");
	ERROR("properties.x = 'y'", "properties is not a related resource of Cluster");
	ERROR("status.foo = 'y'", "status is not a related resource of Cluster");
	ERROR("a/b.c = 'y'", "a/b.c is not a valid field name");
	char *e = parse_error("label.x = 'y'", HF_TSL_NODEPOOL);
	cr_assert_str_eq(e, "label is not a related resource of NodePool");
	free(e);
}

Test(tsl, empty_query)
{
	ERROR("", "failed to parse search query: empty query");
	ERROR("   \t ", "failed to parse search query: empty query");
	ERROR(NULL, "failed to parse search query: empty query");
}

Test(tsl, too_long)
{
	char *q = hf_malloc(HF_TSL_MAX_QUERY + 2);
	memset(q, ' ', HF_TSL_MAX_QUERY + 1);
	memcpy(q, "name='alpha'", 12);
	q[HF_TSL_MAX_QUERY] = '\0';
	cr_assert(matches(q)); /* exactly the maximum is fine */
	q[HF_TSL_MAX_QUERY] = ' ';
	q[HF_TSL_MAX_QUERY + 1] = '\0';
	ERROR(q, "search query exceeds the maximum length of 4096 characters");
	free(q);
}

static char *nested(int depth, const char *open)
{
	size_t olen = strlen(open);
	char *q = hf_malloc((size_t)depth * (olen + 1) + 32);
	size_t o = 0;
	for (int i = 0; i < depth; i++) {
		memcpy(q + o, open, olen);
		o += olen;
	}
	o += (size_t)snprintf(q + o, 32, "name='alpha'");
	if (strcmp(open, "(") == 0)
		for (int i = 0; i < depth; i++)
			q[o++] = ')';
	q[o] = '\0';
	return q;
}

Test(tsl, too_deep)
{
	char *q = nested(64, "(");
	MATCH(q);
	free(q);
	q = nested(65, "(");
	ERROR(q, "failed to parse search query: expression nested deeper than 64 levels at "
		 "position 65");
	free(q);
	q = nested(64, "not ");
	MATCH(q);
	free(q);
	q = nested(65, "not ");
	ERROR(q, "failed to parse search query: expression nested deeper than 64 levels at "
		 "position 257");
	free(q);
}

Test(tsl, unterminated_string)
{
	ERROR("name = 'alpha", "failed to parse search query: unterminated string starting at "
			       "position 8");
	ERROR("name = 'it''", "failed to parse search query: unterminated string starting at "
			      "position 8");
	ERROR("name = \"a", "failed to parse search query: unterminated string starting at "
			    "position 8");
}

Test(tsl, trailing_garbage)
{
	ERROR("name = 'alpha' name = 'b'",
	      "failed to parse search query: unexpected 'name' at position 16, expected 'and', "
	      "'or' or the end of the query");
	ERROR("name = 'alpha')", "failed to parse search query: unexpected ')' at position 15, "
				 "expected 'and', 'or' or the end of the query");
	ERROR("name = 'alpha' and", "failed to parse search query: unexpected end of query, "
				    "expected a field name, 'not' or '('");
}

Test(tsl, syntax_errors)
{
	ERROR("name", "failed to parse search query: unexpected end of query, expected an "
		      "operator (=, !=, <, <=, >, >=, in, not in, like, ilike, between, is null)");
	ERROR("name = ", "failed to parse search query: unexpected end of query, expected a "
			 "value");
	ERROR("name ~= 'a'",
	      "failed to parse search query: unexpected character '~' at position 6");
	ERROR("(name = 'a'", "failed to parse search query: unexpected end of query, expected "
			     "')' to close the '(' at position 1");
	ERROR("name = 'a' and (generation = 1 or id = 'x'",
	      "failed to parse search query: unexpected end of query, expected ')' to close the "
	      "'(' at position 16");
	ERROR("name in 'a'", "failed to parse search query: unexpected 'a' at position 9, "
			     "expected a list such as ['a', 'b'] or ('a', 'b')");
	ERROR("name in ()", "failed to parse search query: unexpected ')' at position 10, "
			    "expected a value");
	ERROR("name in ('a' 'b')", "failed to parse search query: unexpected 'b' at position "
				   "14, expected ',' or ')'");
	ERROR("name in ['a')", "failed to parse search query: unexpected ')' at position 13, "
			       "expected ',' or ']'");
	ERROR("name not = 'a'", "failed to parse search query: unexpected '=' at position 10, "
				"expected 'in', 'like', 'ilike' or 'between' after 'not'");
	ERROR("name is 'a'", "failed to parse search query: unexpected 'a' at position 9, "
			     "expected 'null' or 'not null'");
	ERROR("name is not \"a\"", "failed to parse search query: unexpected \"a\" at position 13, "
				   "expected 'null'");
	ERROR("created_time = 2026-01-01 2026-01-02",
	      "failed to parse search query: unexpected '2026-01-02' at position 27, expected "
	      "'and', 'or' or the end of the query");
	ERROR("generation between 1 5", "failed to parse search query: unexpected '5' at "
					"position 22, expected 'and' in 'between ... and ...'");
	ERROR("name = null", "failed to parse search query: 'null' at position 8 can only be used "
			     "as 'is null' or 'is not null'");
	ERROR("name = id", "failed to parse search query: comparing two fields is not supported "
			   "(at position 8)");
	ERROR("'a' = 'b'", "failed to parse search query: unexpected 'b' at position 7, "
			   "expected a field name: a comparison needs a field on one side");
	ERROR("'a' in ('a')", "failed to parse search query: unexpected 'in' at position 5, "
			      "expected a comparison operator (=, !=, <, <=, >, >=) after a value");
	ERROR("and name = 'a'", "failed to parse search query: unexpected 'and' at position 1, "
				"expected a field name, 'not' or '('");
	ERROR("generation = 1.2.3",
	      "failed to parse search query: invalid number '1.2.3' at position 14");
	ERROR("generation = 12abc",
	      "failed to parse search query: invalid number '12abc' at position 14");
	ERROR("generation = 1e999",
	      "failed to parse search query: invalid number '1e999' at position 14");
}

Test(tsl, syntax_error_wins_over_field_error)
{
	ERROR("foo = 'x' and", "failed to parse search query: unexpected end of query, expected "
			       "a field name, 'not' or '('");
}

Test(tsl, positions_count_characters)
{
	/* 'é' is two bytes but one character */
	ERROR("name = 'é' ~", "failed to parse search query: unexpected character '~' at "
			      "position 12");
	ERROR("name = 'a' \x01",
	      "failed to parse search query: unexpected character '\\x01' at position 12");
}

Test(tsl, long_names_are_cut_in_messages)
{
	char q[400];
	memset(q, 'X', 300);
	memcpy(q + 300, " = 'a'", 7);
	char *e = parse_error(q, HF_TSL_CLUSTER);
	cr_assert_lt(strlen(e), 120, "%s", e);
	cr_assert(strstr(e, "...") != NULL, "%s", e);
	free(e);
}

/* --- the API around the parser --- */

struct seen {
	int n;
	enum hf_tsl_field_type types[8];
	const char *names[8];
};

static void collect(void *ctx, const struct hf_tsl_field *f)
{
	struct seen *s = ctx;
	s->types[s->n] = f->type;
	s->names[s->n] = f->name;
	s->n++;
}

Test(tsl, visit_fields)
{
	struct hf_tsl *q;
	char *error;
	cr_assert_eq(hf_tsl_parse("name = 'a' or (labels.env = 'x' and spec.a.b = 1 and "
				  "status.conditions.Ready = 'True' and "
				  "status.conditions.Ready.observed_generation > 1 and "
				  "status.phase = 'Ready')",
				  HF_TSL_CLUSTER, &q, &error),
		     HF_OK);
	struct seen s = {0};
	hf_tsl_visit_fields(q, collect, &s);
	cr_assert_eq(s.n, 6);
	cr_assert_eq(s.types[0], HF_TSL_COLUMN);
	cr_assert_str_eq(s.names[0], "name");
	cr_assert_eq(s.types[1], HF_TSL_LABEL);
	cr_assert_str_eq(s.names[1], "env");
	cr_assert_eq(s.types[2], HF_TSL_SPEC);
	cr_assert_eq(s.types[3], HF_TSL_CONDITION);
	cr_assert_str_eq(s.names[3], "Ready");
	cr_assert_eq(s.types[4], HF_TSL_CONDITION_FIELD);
	cr_assert_eq(s.types[5], HF_TSL_COLUMN);
	cr_assert_str_eq(s.names[5], "phase");
	hf_tsl_free(q);
}

Test(tsl, and_short_circuits)
{
	struct hf_tsl *q;
	char *error;
	cr_assert_eq(hf_tsl_parse("name = 'x' and generation = 3 and id = 'c1'", HF_TSL_CLUSTER, &q,
				  &error),
		     HF_OK);
	int calls = 0;
	cr_assert(!hf_tsl_match(q, resolve, &calls, cluster));
	cr_assert_eq(calls, 1);
	hf_tsl_free(q);
}

struct worker {
	const struct hf_tsl *q;
	int hits;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 2000; i++)
		w->hits += hf_tsl_match(w->q, resolve, NULL, cluster);
	return NULL;
}

Test(tsl, one_query_many_threads)
{
	struct hf_tsl *q;
	char *error;
	cr_assert_eq(hf_tsl_parse("labels.env = 'prod' and spec.nodeCount > 2 and created_time > "
				  "'2026-01-01T00:00:00Z'",
				  HF_TSL_CLUSTER, &q, &error),
		     HF_OK);
	pthread_t t[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){q, 0};
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].hits, 2000);
	}
	hf_tsl_free(q);
}

/* --- order --- */

static struct hf_tsl_order *order(const char *text)
{
	struct hf_tsl_order *o = NULL;
	char *error = NULL;
	cr_assert_eq(hf_tsl_order_parse(text, HF_TSL_CLUSTER, &o, &error), HF_OK, "<%s>: %s", text,
		     error ? error : "");
	cr_assert_null(error);
	return o;
}

static void order_error(const char *text, const char *message)
{
	struct hf_tsl_order *o = (struct hf_tsl_order *)1;
	char *error = NULL;
	cr_assert_eq(hf_tsl_order_parse(text, HF_TSL_NODEPOOL, &o, &error), HF_ERR_INVALID,
		     "<%s> parsed", text);
	cr_assert_null(o);
	cr_assert_str_eq(error, message, "<%s>", text);
	free(error);
}

Test(tsl, order_parse)
{
	struct hf_tsl_order *o = order("name asc, created_time desc,generation , phase\tdesc");
	cr_assert_eq(o->len, 4);
	cr_assert_eq(o->items[0].field.type, HF_TSL_COLUMN);
	cr_assert_eq(o->items[0].field.column, HF_TSL_COL_NAME);
	cr_assert_str_eq(o->items[0].field.name, "name");
	cr_assert(!o->items[0].descending);
	cr_assert_eq(o->items[1].field.column, HF_TSL_COL_CREATED_TIME);
	cr_assert(o->items[1].descending);
	cr_assert_eq(o->items[2].field.column, HF_TSL_COL_GENERATION);
	cr_assert(!o->items[2].descending);
	cr_assert_eq(o->items[3].field.column, HF_TSL_COL_PHASE);
	cr_assert(o->items[3].descending);
	hf_tsl_order_free(o);
}

Test(tsl, order_default)
{
	struct hf_tsl_order *o = order(HF_TSL_DEFAULT_ORDER);
	cr_assert_eq(o->len, 1);
	cr_assert_eq(o->items[0].field.column, HF_TSL_COL_CREATED_TIME);
	cr_assert(o->items[0].descending);
	hf_tsl_order_free(o);
}

Test(tsl, order_every_column)
{
	const char *cols[] = {"id",	      "name",	      "kind",	      "href",
			      "generation",   "created_by",   "updated_by",   "deleted_by",
			      "created_time", "updated_time", "deleted_time", "owner_id",
			      "owner_kind",   "owner_href",   "phase"};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		struct hf_tsl_order *o = order(cols[i]);
		cr_assert_eq(o->len, 1);
		cr_assert_eq((int)o->items[0].field.column, (int)i);
		hf_tsl_order_free(o);
	}
}

Test(tsl, order_empty_is_empty_list)
{
	struct hf_tsl_order *o = order("");
	cr_assert_eq(o->len, 0);
	hf_tsl_order_free(o);
	o = order("  ");
	cr_assert_eq(o->len, 0);
	hf_tsl_order_free(o);
	o = order(NULL);
	cr_assert_eq(o->len, 0);
	hf_tsl_order_free(o);
}

Test(tsl, order_errors)
{
	order_error("name ASC", "invalid order format 'name ASC'");
	order_error("name asc desc", "invalid order format 'name asc desc'");
	order_error("name ascending", "invalid order format 'name ascending'");
	order_error("Name", "invalid order format 'Name'");
	order_error("1name", "invalid order format '1name'");
	order_error("status.phase", "invalid order format 'status.phase'");
	order_error("name,", "invalid order format ''");
	order_error("name,,id", "invalid order format ''");
	order_error(" , ", "invalid order format ''");
	order_error("name;drop", "invalid order format 'name;drop'");
	order_error("nameasc", "invalid field in search or order query");
	order_error("spec desc", "invalid field in search or order query");
	order_error("id, foo desc", "invalid field in search or order query");
	order_error("id,id,id,id,id,id,id,id,id,id,id,id,id,id,id,id,id",
		    "too many order items: the maximum is 16");
	char *long_order = hf_malloc(HF_TSL_MAX_QUERY + 2);
	memset(long_order, ' ', HF_TSL_MAX_QUERY + 1);
	long_order[HF_TSL_MAX_QUERY + 1] = '\0';
	order_error(long_order, "order exceeds the maximum length of 4096 characters");
	free(long_order);
}

static int compare(const char *text, const cJSON *a, const cJSON *b)
{
	struct hf_tsl_order *o = order(text);
	int c = hf_tsl_order_compare(o, resolve, NULL, a, b);
	hf_tsl_order_free(o);
	return c;
}

Test(tsl, order_compare)
{
	/* cluster: alpha, generation 3, created 2026-01-02; nodepool: workers,
	 * generation 10, created 2026-01-01 */
	cr_assert_lt(compare("name", cluster, nodepool), 0);
	cr_assert_gt(compare("name desc", cluster, nodepool), 0);
	cr_assert_lt(compare("generation", cluster, nodepool), 0); /* 3 < 10 numerically */
	cr_assert_gt(compare("generation desc", cluster, nodepool), 0);
	cr_assert_gt(compare("created_time", cluster, nodepool), 0);
	cr_assert_lt(compare("created_time desc", cluster, nodepool), 0);
	cr_assert_eq(compare("name", cluster, cluster), 0);
	cr_assert_eq(compare("", cluster, nodepool), 0);
}

Test(tsl, order_compare_ties_and_nulls)
{
	/* both lack deleted_time: a tie, decided by the next item */
	cr_assert_lt(compare("deleted_time, name", cluster, nodepool), 0);
	cr_assert_gt(compare("deleted_time desc, name desc", cluster, nodepool), 0);
	/* absent sorts last ascending, first descending (PostgreSQL NULLs) */
	cr_assert_lt(compare("owner_id", nodepool, cluster), 0);
	cr_assert_gt(compare("owner_id", cluster, nodepool), 0);
	cr_assert_gt(compare("owner_id desc", nodepool, cluster), 0);
	cr_assert_lt(compare("owner_id desc", cluster, nodepool), 0);
	cr_assert_eq(compare("deleted_by", cluster, nodepool), 0);
}

Test(tsl, order_compare_sorts)
{
	const char *names[] = {"delta", "alpha", "charlie", "bravo"};
	cJSON *objs[4];
	for (int i = 0; i < 4; i++) {
		objs[i] = cJSON_CreateObject();
		cJSON_AddStringToObject(objs[i], "name", names[i]);
		cJSON_AddNumberToObject(objs[i], "generation", i % 2);
	}
	struct hf_tsl_order *o = order("generation desc, name");
	/* insertion sort with the comparator */
	for (int i = 1; i < 4; i++)
		for (int j = i;
		     j > 0 && hf_tsl_order_compare(o, resolve, NULL, objs[j - 1], objs[j]) > 0;
		     j--) {
			cJSON *t = objs[j];
			objs[j] = objs[j - 1];
			objs[j - 1] = t;
		}
	const char *want[] = {"alpha", "bravo", "charlie", "delta"};
	for (int i = 0; i < 4; i++) {
		cr_assert_str_eq(cJSON_GetObjectItem(objs[i], "name")->valuestring, want[i]);
		cJSON_Delete(objs[i]);
	}
	hf_tsl_order_free(o);
}

/* --- more corners --- */

/* A resolver that keeps times as seconds, as a cache with parsed times may. */
static struct hf_tsl_value resolve_seconds(void *ctx, const void *object,
					   const struct hf_tsl_field *f)
{
	struct hf_tsl_value v = resolve(ctx, object, f);
	double t;
	if (f->type == HF_TSL_COLUMN && f->column == HF_TSL_COL_CREATED_TIME &&
	    v.type == HF_TSL_STRING && hf_rfc3339_parse(v.str, &t))
		return hf_tsl_number(t);
	return v;
}

Test(tsl, times_from_seconds)
{
	struct hf_tsl *q;
	char *error;
	cr_assert_eq(hf_tsl_parse("created_time = '2026-01-02T03:04:05Z' and created_time < "
				  "'2026-01-02T03:04:05.001Z'",
				  HF_TSL_CLUSTER, &q, &error),
		     HF_OK);
	cr_assert(hf_tsl_match(q, resolve_seconds, NULL, cluster));
	hf_tsl_free(q);
	struct hf_tsl_order *o = order("created_time");
	cr_assert_gt(hf_tsl_order_compare(o, resolve_seconds, NULL, cluster, nodepool), 0);
	hf_tsl_order_free(o);
}

Test(tsl, unparseable_stored_time_is_unknown)
{
	cJSON_ReplaceItemInObject(cluster, "created_time", cJSON_CreateString("last tuesday"));
	NO_MATCH("created_time > '2000-01-01T00:00:00Z'");
	NO_MATCH("not (created_time > '2000-01-01T00:00:00Z')");
	MATCH("created_time is not null");
	/* and it sorts as a NULL */
	cr_assert_gt(compare("created_time", cluster, nodepool), 0);
}

Test(tsl, wrong_value_type_is_unknown)
{
	cJSON_ReplaceItemInObject(cluster, "name", cJSON_CreateNumber(7));
	NO_MATCH("name = '7'");
	NO_MATCH("name != '7'");
	NO_MATCH("name like '%'");
	cJSON_ReplaceItemInObject(cluster, "generation", cJSON_CreateString("3"));
	MATCH("generation = 3"); /* a string holding a number is converted */
	cJSON_ReplaceItemInObject(cluster, "generation", cJSON_CreateString("0x3"));
	NO_MATCH("generation = 3");
	NO_MATCH("generation != 3");
}

Test(tsl, spec_numeric_strings_are_strict)
{
	cJSON *spec = cJSON_GetObjectItem(cluster, "spec");
	cJSON_ReplaceItemInObject(spec, "replicas", cJSON_CreateString(" 5"));
	NO_MATCH("spec.replicas = 5");
	cJSON_ReplaceItemInObject(spec, "replicas", cJSON_CreateString("inf"));
	NO_MATCH("spec.replicas > 5");
	cJSON_ReplaceItemInObject(spec, "replicas", cJSON_CreateString("-2.5e1"));
	MATCH("spec.replicas = -25");
	MATCH("spec.replicas in ('x', -25)");
	MATCH("spec.replicas in ('-2.5e1', 7)");
}

Test(tsl, unicode_values)
{
	cJSON_ReplaceItemInObject(cluster, "name", cJSON_CreateString("café-Ü"));
	MATCH("name = 'café-Ü'");
	MATCH("name like 'caf_-_'");
	NO_MATCH("name ilike 'CAFé-ü'"); /* ASCII folds: Ü and ü differ */
	MATCH("name ilike 'CAFé-Ü'");
}

Test(tsl, nodepool_queries)
{
	cr_assert(matches_kind("kind = 'NodePool' and generation >= 10 and spec.replicas = 2",
			       nodepool, HF_TSL_NODEPOOL));
	cr_assert(!matches_kind("labels.env = 'prod'", nodepool, HF_TSL_NODEPOOL));
	cr_assert(matches_kind("labels.env is null and status.conditions.Reconciled is null",
			       nodepool, HF_TSL_NODEPOOL));
}

Test(tsl, first_error_wins)
{
	ERROR("foo = 1 and generation = 'x'", "invalid field in search or order query");
	ERROR("generation = 'x' and foo = 1", "field 'generation' expects an integer");
	ERROR("name = 'a' or not labels.x = 'y' or status.conditions.X = 'Maybe'",
	      "NOT operator is not supported with label queries");
}

Test(tsl, error_leaves_no_query)
{
	struct hf_tsl *q = (struct hf_tsl *)1;
	char *error = NULL;
	cr_assert_eq(hf_tsl_parse("name =", HF_TSL_CLUSTER, &q, &error), HF_ERR_INVALID);
	cr_assert_null(q);
	cr_assert_not_null(error);
	free(error);
	error = (char *)1;
	cr_assert_eq(hf_tsl_parse("name = 'x'", HF_TSL_CLUSTER, &q, &error), HF_OK);
	cr_assert_null(error);
	cr_assert_not_null(q);
	hf_tsl_free(q);
	hf_tsl_free(NULL);
	hf_tsl_order_free(NULL);
}

Test(tsl, mixed_nesting_depth)
{
	/* parentheses and NOTs count together */
	char q[700];
	size_t o = 0;
	for (int i = 0; i < 32; i++)
		o += (size_t)snprintf(q + o, sizeof(q) - o, "not (");
	o += (size_t)snprintf(q + o, sizeof(q) - o, "name = 'alpha'");
	for (int i = 0; i < 32; i++)
		q[o++] = ')';
	q[o] = '\0';
	MATCH(q);
	char q2[720];
	snprintf(q2, sizeof(q2), "(%s)", q);
	ERROR_PREFIX(q2, "failed to parse search query: expression nested deeper than 64 levels");
}

Test(tsl, many_predicates)
{
	/* a long flat OR: no recursion per term */
	char *q = hf_malloc(HF_TSL_MAX_QUERY + 1);
	size_t o = 0;
	while (o + 40 < HF_TSL_MAX_QUERY)
		o += (size_t)snprintf(q + o, 40, "generation = %zu or ", o);
	snprintf(q + o, 40, "name = 'alpha'");
	MATCH(q);
	free(q);
}

Test(tsl, list_with_one_and_many_values)
{
	MATCH("name in ('alpha')");
	MATCH("generation in [3]");
	MATCH("generation in [-1, 0, 1.5, 3]");
	ERROR("name in []", "failed to parse search query: unexpected ']' at position 10, "
			    "expected a value");
	ERROR("name in ('a',)", "failed to parse search query: unexpected ')' at position 14, "
				"expected a value");
}

Test(tsl, order_compare_generation_as_string)
{
	cJSON_ReplaceItemInObject(nodepool, "generation", cJSON_CreateString("10"));
	cr_assert_lt(compare("generation", cluster, nodepool), 0); /* 3 < "10" as numbers */
}
