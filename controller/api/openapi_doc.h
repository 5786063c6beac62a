/*
 * openapi_doc.h: the REST API's own description, built into the binary.
 *
 * controller/api/openapi.json (the OpenAPI 3.0 document, served at
 * /api/hyperfleet/v1/openapi) and controller/api/openapi.html (the page
 * that renders it, served at /api/hyperfleet/v1/openapi.html) are copied
 * into .rodata by the assembler when openapi_doc.c is compiled, so the
 * server needs no file at run time and the document always matches the
 * binary. Edit those two files, not C strings.
 *
 * Both texts are static, read-only and NUL-terminated (the NUL is not
 * counted in the length). Any thread may call these at any time.
 */
#ifndef HF_API_OPENAPI_DOC_H
#define HF_API_OPENAPI_DOC_H

#include <stddef.h>

/* hf_openapi_json returns the JSON document; *len (when len is not NULL)
 * receives its length in bytes. */
const char *hf_openapi_json(size_t *len);

/* hf_openapi_html returns the HTML page; *len as for hf_openapi_json. */
const char *hf_openapi_html(size_t *len);

/* The symbols openapi_doc.c defines in assembly: each file's first byte,
 * the byte after its last one (where the added NUL sits), and its length.
 * Prefer the functions above. */
extern const char hf_openapi_json_start[];
extern const char hf_openapi_json_end[];
extern const size_t hf_openapi_json_size;
extern const char hf_openapi_html_start[];
extern const char hf_openapi_html_end[];
extern const size_t hf_openapi_html_size;

#endif
