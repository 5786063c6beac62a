/*
 * version.h: HyperFleet's own version and those of the libraries it links.
 */
#ifndef HF_VERSION_H
#define HF_VERSION_H

#include <stddef.h>

#ifndef HF_VERSION
#define HF_VERSION "0.1.0-dev"
#endif

/*
 * hf_version_libraries writes one line per linked library ("libcurl 7.88.1")
 * into buf (at most len bytes, always NUL-terminated) and returns buf. The
 * versions are read from the libraries at run time, not from headers, so
 * they show what this process really loaded.
 */
char *hf_version_libraries(char *buf, size_t len);

#endif
