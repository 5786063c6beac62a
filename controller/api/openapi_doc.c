/*
 * openapi_doc.c: embeds controller/api/openapi.json and openapi.html with
 * the assembler's .incbin (gcc and clang alike), so the document ships
 * inside the binary without a generated C array.
 *
 * The paths are relative to the directory the compiler runs in: the
 * repository root, as the Makefile does. The compiler's dependency files
 * do not list .incbin inputs, so the Makefile names them as prerequisites
 * of openapi_doc.o itself.
 */
#include "api/openapi_doc.h"

#if __SIZEOF_SIZE_T__ == 8
#define HF_ASM_SIZE_T ".quad"
#else
#define HF_ASM_SIZE_T ".long"
#endif

/* HF_EMBED defines sym_start (the file's bytes followed by one NUL),
 * sym_end (that NUL) and sym_size (a size_t: the file's length), all
 * global and read-only. "%object" rather than "@object": '@' starts a
 * comment on some targets. (Kept one directive per line, unformatted.) */
/* clang-format off */
#define HF_EMBED(sym, file)                                     \
	".pushsection .rodata\n"                                \
	".balign 16\n"                                          \
	".globl " sym "_start\n"                                \
	".type " sym "_start, %object\n"                        \
	sym "_start:\n"                                         \
	".incbin \"" file "\"\n"                                \
	".globl " sym "_end\n"                                  \
	sym "_end:\n"                                           \
	".byte 0\n"                                             \
	".size " sym "_start, . - " sym "_start\n"              \
	".balign 8\n"                                           \
	".globl " sym "_size\n"                                 \
	".type " sym "_size, %object\n"                         \
	sym "_size:\n"                                          \
	HF_ASM_SIZE_T " " sym "_end - " sym "_start\n"          \
	".size " sym "_size, . - " sym "_size\n"                \
	".popsection\n"
/* clang-format on */

__asm__(HF_EMBED("hf_openapi_json", "controller/api/openapi.json")
		HF_EMBED("hf_openapi_html", "controller/api/openapi.html"));

const char *hf_openapi_json(size_t *len)
{
	if (len)
		*len = hf_openapi_json_size;
	return hf_openapi_json_start;
}

const char *hf_openapi_html(size_t *len)
{
	if (len)
		*len = hf_openapi_html_size;
	return hf_openapi_html_start;
}
