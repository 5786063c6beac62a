/*
 * error.h: the one error type of HyperFleet's C code.
 *
 * Every fallible function returns an hf_err (HF_OK on success) and callers
 * check it; library code never prints. Predicates return bool instead.
 */
#ifndef HF_ERROR_H
#define HF_ERROR_H

enum hf_err {
	HF_OK = 0,
	HF_ERR_USAGE,	    /* bad command-line arguments */
	HF_ERR_INVALID,	    /* bad input: a config, a manifest, a request */
	HF_ERR_NOT_FOUND,   /* a file, a key or an object that is not there */
	HF_ERR_IO,	    /* reading or writing a file or socket failed */
	HF_ERR_UNAVAILABLE, /* a feature not available in this build */
	HF_ERR_TOO_LARGE,   /* input over a size cap */
	HF_ERR_HTTP,	    /* an HTTP request failed; details in the caller's error struct */
	HF_ERR_TIMEOUT,	    /* a deadline passed */
	HF_ERR_SHUTDOWN,    /* the component is shutting down */
	HF_ERR_INTERNAL,    /* a bug: an invariant did not hold */
};

/* hf_err_name returns a static, human-readable name of err. */
const char *hf_err_name(enum hf_err err);

#define HF_MUST_CHECK __attribute__((warn_unused_result))

#endif
