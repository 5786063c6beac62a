/* Unit tests of the adapter engine's discovery of kinds (controller/adapter/kinds.c). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "adapter/kinds.h"

static const char apps_v1[] =
	"{\"kind\": \"APIResourceList\", \"groupVersion\": \"apps/v1\", \"resources\": ["
	" {\"name\": \"deployments\", \"kind\": \"Deployment\", \"namespaced\": true},"
	" {\"name\": \"deployments/scale\", \"kind\": \"Scale\", \"namespaced\": true},"
	" {\"name\": \"deployments/status\", \"kind\": \"Deployment\", \"namespaced\": true}]}";

Test(adapter_kinds, finds_the_plural_and_scope_of_a_kind)
{
	char *plural, *error;
	bool namespaced = false;
	cr_assert(hf_kinds_parse_discovery(apps_v1, "apps/v1", "Deployment", &plural, &namespaced,
					   &error));
	cr_expect_str_eq(plural, "deployments");
	cr_expect(namespaced);
	cr_expect_null(error);
	free(plural);

	const char core[] =
		"{\"resources\": [{\"name\": \"namespaces\", \"kind\": \"Namespace\"}]}";
	cr_assert(hf_kinds_parse_discovery(core, "v1", "Namespace", &plural, &namespaced, &error));
	cr_expect_str_eq(plural, "namespaces");
	cr_expect_not(namespaced, "absent namespaced means cluster-scoped");
	free(plural);
}

Test(adapter_kinds, subresources_never_stand_for_a_kind)
{
	char *plural, *error;
	bool namespaced;
	cr_assert_not(hf_kinds_parse_discovery(apps_v1, "apps/v1", "Scale", &plural, &namespaced,
					       &error));
	cr_expect_null(plural);
	cr_expect_str_eq(error, "the API server has no kind Scale in apps/v1");
	free(error);
}

Test(adapter_kinds, a_body_that_is_not_a_resource_list_is_an_error)
{
	const char *bodies[] = {"", "not json", "[]", "{\"resources\": {}}", NULL};
	for (size_t i = 0; i < 4; i++) {
		char *plural, *error;
		bool namespaced;
		cr_expect_not(hf_kinds_parse_discovery(bodies[i], "x/v1", "X", &plural, &namespaced,
						       &error),
			      "%s", bodies[i]);
		cr_expect_str_eq(error, "the API server's discovery document for x/v1 is not an "
					"APIResourceList");
		free(error);
	}
	char *plural, *error;
	bool namespaced;
	cr_expect_not(hf_kinds_parse_discovery(NULL, "x/v1", "X", &plural, &namespaced, &error));
	free(error);
}
