#include "util/error.h"

const char *hf_err_name(enum hf_err err)
{
	switch (err) {
	case HF_OK: return "ok";
	case HF_ERR_USAGE: return "usage error";
	case HF_ERR_INVALID: return "invalid input";
	case HF_ERR_NOT_FOUND: return "not found";
	case HF_ERR_IO: return "input/output error";
	case HF_ERR_UNAVAILABLE: return "not available";
	case HF_ERR_TOO_LARGE: return "too large";
	case HF_ERR_HTTP: return "HTTP request failed";
	case HF_ERR_TIMEOUT: return "timed out";
	case HF_ERR_SHUTDOWN: return "shutting down";
	case HF_ERR_INTERNAL: return "internal error";
	}
	return "unknown error";
}
