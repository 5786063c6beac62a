/*
 * Fuzz target: the body of an HTTP error response from the API server,
 * read for its Status object (code, reason, message, causes).
 */
#include <stddef.h>
#include <stdint.h>

#include "kube/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_kube_error e = {0};
	hf_kube_error_parse(&e, 422, (const char *)data, size);
	hf_kube_error_clear(&e);
	return 0;
}
