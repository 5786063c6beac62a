/*
 * Unit tests of the CEL lexer and parser (controller/cel): literals and
 * their escapes, precedence and associativity, syntax errors with their
 * line:col, reserved words, macro syntax, arity checks at compile time,
 * nesting and size limits, and hf_cel_check's declared names.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "util/alloc.h"

/* The variables the rows may use. */
static const char VARS[] = "{\"n\": 5, \"m\": {\"namespace\": \"ns\", \"a-b\": 1, \"a b\": 2}}";

#include "cel_rows.h"

Test(cel_lexer, numbers)
{
	static const struct row rows[] = {
		{"0", "0"},
		{"42", "42"},
		{"-42", "-42"},
		{"0x1F", "31"},
		{"0X1f", "31"},
		{"-0x10", "-16"},
		{"42u", "42"},
		{"42U", "42"},
		{"0x10u", "16"},
		{"type(0x10u)", "\"uint\""},
		{"string(18446744073709551615u)", "\"18446744073709551615\""},
		{"string(0xFFFFFFFFFFFFFFFFu)", "\"18446744073709551615\""},
		{"string(9223372036854775807)", "\"9223372036854775807\""},
		{"string(-9223372036854775808)", "\"-9223372036854775808\""},
		{"string(-0x8000000000000000)", "\"-9223372036854775808\""},
		{"9223372036854775808", "compile: 1:1: integer literal out of range"},
		{"1 + 9223372036854775808", "compile: 1:5: integer literal out of range"},
		{"99999999999999999999", "compile: 1:1: integer literal out of range"},
		{"18446744073709551616u", "compile: 1:1: integer literal out of range"},
		{"1.5", "1.5"},
		{"1e3", "1000"},
		{"1.5e-3", "0.0015"},
		{"1E+2", "100"},
		{".5", "0.5"},
		{"-.5", "-0.5"},
		{"0.0", "0"},
		{"type(1e3)", "\"double\""},
		{"type(1.0)", "\"double\""},
		{"1e400", "compile: 1:1: double literal out of range"},
		{"1e-400", "0"},
		{"1e", "compile: 1:1: syntax error: malformed exponent"},
		{"1e+", "compile: 1:1: syntax error: malformed exponent"},
		{"0x", "compile: 1:1: syntax error: malformed hexadecimal literal"},
		{"1.5u", "compile: 1:4: syntax error: unexpected 'u'"},
		{"1.", "compile: 1:3: syntax error: unexpected end of input"},
		{"1.size()", "error: 1:3: no matching overload for 'size' applied to (int)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_lexer, strings_and_bytes)
{
	static const struct row rows[] = {
		{"'abc'", "\"abc\""},
		{"\"abc\"", "\"abc\""},
		{"''", "\"\""},
		{"'a\\'b'", "\"a'b\""},
		{"\"a\\\"b\"", "\"a\\\"b\""},
		{"'a\"b'", "\"a\\\"b\""},
		{"'\\n\\t\\r'", "\"\\n\\t\\r\""},
		{"'\\x41\\u0042\\U00000043'", "\"ABC\""},
		{"'\\X41'", "\"A\""},
		{"'\\101'", "\"A\""},
		{"'\\a\\b\\f\\v'", "\"\\u0007\\b\\f\\u000b\""},
		{"'\\\\'", "\"\\\\\""},
		{"'\\`\\?'", "\"`?\""},
		{"'\\xff'", "\"ÿ\""},
		{"'\\u00e9' == 'é'", "true"},
		{"'😀' == '\\U0001F600'", "true"},
		{"size('\\xff')", "1"},
		{"'\\q'", "compile: 1:2: syntax error: invalid escape sequence"},
		{"'ab\\u12'", "compile: 1:4: syntax error: invalid escape sequence"},
		{"'\\ud800'", "compile: 1:2: syntax error: invalid escape sequence"},
		{"'\\U00110000'", "compile: 1:2: syntax error: invalid escape sequence"},
		{"'\\400'", "compile: 1:2: syntax error: invalid escape sequence"},
		{"'\\x4'", "compile: 1:2: syntax error: invalid escape sequence"},
		{"r'\\n'", "\"\\\\n\""},
		{"R'\\d+'", "\"\\\\d+\""},
		{"r'a\\'", "\"a\\\\\""},
		{"'''a'b'''", "\"a'b\""},
		{"\"\"\"say \"hi\" \"\"\"", "\"say \\\"hi\\\" \""},
		{"'''multi\nline'''", "\"multi\\nline\""},
		{"r'''raw\\n'''", "\"raw\\\\n\""},
		{"''''''", "\"\""},
		{"'a\nb'", "compile: 1:1: syntax error: newline in string literal"},
		{"'abc", "compile: 1:1: syntax error: unterminated string literal"},
		{"'''abc''", "compile: 1:1: syntax error: unterminated string literal"},
		{"1 + 'abc\\", "compile: 1:5: syntax error: unterminated string literal"},
		{"b'abc'", "\"YWJj\""},
		{"B\"abc\"", "\"YWJj\""},
		{"b'\\xff'", "\"/w==\""},
		{"b'\\377'", "\"/w==\""},
		{"b'\\u00ff'", "\"w78=\""},
		{"rb'\\x'", "\"XHg=\""},
		{"bR'\\x'", "\"XHg=\""},
		{"size(b'\\xff\\xfe')", "2"},
		{"type(b'')", "\"bytes\""},
		{"br'a' == b'a'", "true"},
		{"x'a'", "compile: 1:2: syntax error: unexpected ''a''"},
	};
	CHECK_ROWS(rows);
}

Test(cel_lexer, other_literals_and_aggregates)
{
	static const struct row rows[] = {
		{"true", "true"},
		{"false", "false"},
		{"null", "null"},
		{"[]", "[]"},
		{"[1, 'a', null]", "[1,\"a\",null]"},
		{"[1, 2,]", "[1,2]"},
		{"[[], [[]]]", "[[],[[]]]"},
		{"[n, n + 1]", "[5,6]"},
		{"{}", "{}"},
		{"{'a': 1, 'b': [true]}", "{\"a\":1,\"b\":[true]}"},
		{"{'a': 1,}", "{\"a\":1}"},
		{"{'k' + 'ey': n}", "{\"key\":5}"},
		{"{1: 'x', true: 'y'}", "{\"1\":\"x\",\"true\":\"y\"}"},
		{"{'a': 1, 'a': 2}", "compile: 1:10: repeated key in map literal"},
		{"{'a': 1, 'a': n}", "error: 1:10: repeated key in map literal"},
		{"{'a': 1, 'b': 2, 'b': 3, 'a': 4}", "compile: 1:18: repeated key in map literal"},
		{"{1: 'a', 2: 'b', 1u: 'c'}", "compile: 1:18: repeated key in map literal"},
		{"{true: 1, false: 2, 'true': 3}", "error: 1:1: map keys collide in JSON form"},
		{"{'1': 1, 1: 2}", "error: 1:1: map keys collide in JSON form"},
		{"{?'a': optional.of(1), 'a': 2}", "error: 1:24: repeated key in map literal"},
		{"{?'a': optional.none(), 'a': 2}", "{\"a\":2}"},
		{"{[1]: 2}", "compile: 1:2: unsupported map key type 'list'"},
		{"{1.5: 2}", "compile: 1:2: unsupported map key type 'double'"},
		{"{[n]: 2}", "error: 1:2: unsupported map key type 'list'"},
		{"{x: 1}", "error: 1:2: undeclared reference to 'x'"},
		{"[,]", "compile: 1:2: syntax error: unexpected ','"},
		{"[1,,2]", "compile: 1:4: syntax error: unexpected ','"},
		{"{'a' 1}", "compile: 1:6: syntax error: unexpected '1'"},
		{"{'a': }", "compile: 1:7: syntax error: unexpected '}'"},
		{"{,}", "compile: 1:2: syntax error: unexpected ','"},
		{"[1 2]", "compile: 1:4: syntax error: unexpected '2'"},
	};
	CHECK_ROWS(rows);
}

Test(cel_lexer, whitespace_comments_and_identifiers)
{
	static const struct row rows[] = {
		{"1 + // comment\n 2", "3"},
		{"// only a comment\n7", "7"},
		{"\t1\r\n+\f2", "3"},
		{"n//x", "5"},
		{"m.`a-b`", "1"},
		{"m.`a b`", "2"},
		{"m.?`a-b`.value()", "1"},
		{"has(m.`a-b`)", "true"},
		{"m.namespace", "\"ns\""},
		{"m.`namespace`", "\"ns\""},
		{".n", "5"},
		{"m.`a", "compile: 1:3: syntax error: unterminated quoted identifier"},
		{"`n`", "compile: 1:1: syntax error: unexpected '`n`'"},
		{"m.`a-b`()", "compile: 1:8: syntax error: unexpected '('"},
		{"if", "compile: 1:1: reserved identifier 'if'"},
		{"1 + while", "compile: 1:5: reserved identifier 'while'"},
		{"package.x", "compile: 1:1: reserved identifier 'package'"},
		{"namespace", "compile: 1:1: reserved identifier 'namespace'"},
		{"let(1)", "compile: 1:1: reserved identifier 'let'"},
		{"n_1", "error: 1:1: undeclared reference to 'n_1'"},
		{"_x", "error: 1:1: undeclared reference to '_x'"},
		{". n", "5"},
		{".1n", "compile: 1:3: syntax error: unexpected 'n'"},
		{"..n", "compile: 1:2: syntax error: unexpected '.'"},
	};
	CHECK_ROWS(rows);
}

Test(cel_parser, precedence_and_associativity)
{
	static const struct row rows[] = {
		{"1 + 2 * 3", "7"},
		{"(1 + 2) * 3", "9"},
		{"10 - 2 - 3", "5"},
		{"100 / 10 / 5", "2"},
		{"17 % 5 % 3", "2"},
		{"2 * 3 % 4", "2"},
		{"1 - -1", "2"},
		{"2 + 3 == 5", "true"},
		{"1 < 2 == true", "true"},
		{"1 == 1 == true", "true"},
		{"true || false && false", "true"},
		{"(true || false) && false", "false"},
		{"false && true || true", "true"},
		{"!true || true", "true"},
		{"!(true || true)", "false"},
		{"-2 * 3", "-6"},
		{"-(2 * 3)", "-6"},
		{"1 + 2 in [3]", "true"},
		{"2 in [2] == true", "true"},
		{"true ? 1 : 2 + 3", "1"},
		{"false ? 1 : 2 + 3", "5"},
		{"1 + 1 == 2 ? 'y' : 'n'", "\"y\""},
		{"false || true ? 1 : 2", "1"},
		{"true ? 1 : false ? 2 : 3", "1"},
		{"-[1, 2].size()", "-2"},
		{"!'a'.startsWith('b')", "true"},
		{"[1, 2, 3][1] * 2", "4"},
		{"{'a': {'b': 2}}.a.b + 1", "3"},
		{"((((1))))", "1"},
		{"!!!true", "false"},
		{"---1", "-1"},
	};
	CHECK_ROWS(rows);
}

Test(cel_parser, syntax_errors_name_line_and_column)
{
	static const struct row rows[] = {
		{"1 +", "compile: 1:4: syntax error: unexpected end of input"},
		{"(1))", "compile: 1:4: syntax error: unexpected ')'"},
		{"(1", "compile: 1:3: syntax error: unexpected end of input"},
		{"1 + * 2", "compile: 1:5: syntax error: unexpected '*'"},
		{"a.", "compile: 1:3: syntax error: unexpected end of input"},
		{"a.1", "compile: 1:2: syntax error: unexpected '.1'"},
		{"a.?", "compile: 1:4: syntax error: unexpected end of input"},
		{"a[?", "compile: 1:4: syntax error: unexpected end of input"},
		{"a[1", "compile: 1:4: syntax error: unexpected end of input"},
		{"[1, 2", "compile: 1:6: syntax error: unexpected end of input"},
		{"1 ? 2", "compile: 1:6: syntax error: unexpected end of input"},
		{"1 ? 2 :", "compile: 1:8: syntax error: unexpected end of input"},
		{"1 ? 2 3", "compile: 1:7: syntax error: unexpected '3'"},
		{"#", "compile: 1:1: syntax error: unexpected character '#'"},
		{"1 = 2", "compile: 1:3: syntax error: unexpected character '='"},
		{"a & b", "compile: 1:3: syntax error: unexpected character '&'"},
		{"a | b", "compile: 1:3: syntax error: unexpected character '|'"},
		{"1 + é", "compile: 1:5: syntax error: unexpected character 'é'"},
		{"\n\n  )", "compile: 3:3: syntax error: unexpected ')'"},
		{"x +\n  ]", "compile: 2:3: syntax error: unexpected ']'"},
		{"'é' + )", "compile: 1:7: syntax error: unexpected ')'"},
		{"'''a\nb''' + )", "compile: 2:8: syntax error: unexpected ')'"},
		{"-!x", "compile: 1:2: syntax error: unexpected '!'"},
		{"!-x", "compile: 1:2: syntax error: unexpected '-'"},
		{"f(", "compile: 1:3: syntax error: unexpected end of input"},
		{"size(1,)", "compile: 1:8: syntax error: unexpected ')'"},
		{"size(1 2)", "compile: 1:8: syntax error: unexpected '2'"},
		{"", "compile: 1:1: syntax error: unexpected end of input"},
		{"   ", "compile: 1:4: syntax error: unexpected end of input"},
		{"1 2", "compile: 1:3: syntax error: unexpected '2'"},
		{"a.b c", "compile: 1:5: syntax error: unexpected 'c'"},
		{"in", "compile: 1:1: syntax error: unexpected 'in'"},
		{"Foo{a: 1}", "compile: 1:4: syntax error: unexpected '{'"},
		{"a.`b`.`c", "compile: 1:7: syntax error: unterminated quoted identifier"},
	};
	CHECK_ROWS(rows);
}

Test(cel_parser, functions_and_macros_are_checked_at_compile_time)
{
	static const struct row rows[] = {
		{"foo(1)", "compile: 1:1: undeclared reference to 'foo'"},
		{"1.foo()", "compile: 1:3: undeclared reference to 'foo'"},
		{"n.contains", "error: 1:2: type 'int' does not support field selection"},
		{"'a'.int()", "compile: 1:5: undeclared reference to 'int'"},
		{"startsWith('a')", "compile: 1:1: undeclared reference to 'startsWith'"},
		{"optional.foo()", "compile: 1:10: undeclared reference to 'optional.foo'"},
		{"optional.of()",
		 "compile: 1:10: wrong number of arguments to optional.of(): got 0, want "
		 "1"},
		{"'a'.substring()",
		 "compile: 1:5: wrong number of arguments to substring(): got 0, "
		 "want 1 to 2"},
		{"'a'.substring(1, 2, 3)",
		 "compile: 1:5: wrong number of arguments to substring(): got "
		 "3, want 1 to 2"},
		{"optional.none().orValue()",
		 "compile: 1:17: wrong number of arguments to orValue(): "
		 "got 0, want 1"},
		{"has(n)", "compile: 1:1: invalid argument to has() macro"},
		{"has(m.?a)", "compile: 1:1: invalid argument to has() macro"},
		{"has(m.a, m.b)", "compile: 1:1: invalid argument to has() macro"},
		{"has()", "compile: 1:1: invalid argument to has() macro"},
		{"has(m['a'])", "compile: 1:1: invalid argument to has() macro"},
		{"[1].all(1, true)", "compile: 1:9: argument of all() must be a simple name"},
		{"[1].exists(x.y, true)",
		 "compile: 1:13: argument of exists() must be a simple name"},
		{"[1].all(x)", "compile: 1:5: wrong number of arguments to all()"},
		{"[1].exists_one(x, y, z)",
		 "compile: 1:5: wrong number of arguments to exists_one()"},
		{"[1].filter(x)", "compile: 1:5: wrong number of arguments to filter()"},
		{"[1].map(x)", "compile: 1:5: wrong number of arguments to map()"},
		{"[1].map(x, y, z, w)", "compile: 1:5: wrong number of arguments to map()"},
		{"[1].map(1, 2)", "compile: 1:9: argument of map() must be a simple name"},
		{"all([1], x, true)", "compile: 1:1: undeclared reference to 'all'"},
		{"'x'.matches('[')", "compile: 1:13: invalid regex: missing closing ]"},
		{"matches('x', '(')", "compile: 1:14: invalid regex: missing )"},
	};
	CHECK_ROWS(rows);
}

/* nested repeats open n times, then middle, then close n times. */
static char *nested(const char *open, const char *middle, const char *close, int n)
{
	size_t lo = strlen(open), lc = strlen(close), lm = strlen(middle);
	char *s = hf_malloc((lo + lc) * (size_t)n + lm + 1), *p = s;
	for (int i = 0; i < n; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, middle, lm);
	p += lm;
	for (int i = 0; i < n; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static enum hf_err compile_only(const char *src, char **err)
{
	struct hf_cel_program *p = NULL;
	enum hf_err rc = hf_cel_compile(src, &p, err);
	hf_cel_program_free(p);
	return rc;
}

Test(cel_parser, nesting_is_limited_without_exhausting_the_stack)
{
	static const struct {
		const char *open, *middle, *close;
	} shapes[] = {
		{"(", "1", ")"},	   {"[", "1", "]"},	     {"{'a': ", "1", "}"},
		{"-(", "1", ")"},	   {"size(", "[]", ")"},     {"1 + (", "1", ")"},
		{"[1].map(x, ", "x", ")"}, {"true ? 1 : ", "2", ""}, {"", "n", ".a"},
		{"", "n", "[0]"},	   {"", "1", " + 1"},	     {"", "true", " && true"},
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		char *err = NULL;
		char *ok = nested(shapes[i].open, shapes[i].middle, shapes[i].close, 30);
		cr_expect_eq(compile_only(ok, &err), HF_OK, "%s: %s", ok, err);
		free(err);
		err = NULL;
		char *deep = nested(shapes[i].open, shapes[i].middle, shapes[i].close, 5000);
		cr_expect_eq(compile_only(deep, &err), HF_ERR_TOO_LARGE, "shape %zu", i);
		cr_expect_not_null(err);
		cr_expect_not_null(
			strstr(err, "expression nested too deeply (more than 64 levels)"), "%s",
			err);
		free(err);
		free(ok);
		free(deep);
	}
	/* Repeated unary operators do not nest. */
	char *err = NULL;
	char *nots = nested("!", "true", "", 5001);
	char *got = run(nots);
	cr_expect_str_eq(got, "false");
	free(got);
	free(nots);
	free(err);
}

Test(cel_parser, source_size_and_encoding)
{
	char *err = NULL;
	size_t n = HF_CEL_MAX_SOURCE;
	char *src = hf_malloc(n + 2);
	memset(src, 'a', n + 1);
	src[0] = '\'';
	src[n - 1] = '\'';
	src[n] = '\0';
	cr_expect_eq(compile_only(src, &err), HF_OK, "a string literal of the maximum size: %s",
		     err);
	free(err);
	src[n] = ' ';
	src[n + 1] = '\0';
	cr_expect_eq(compile_only(src, &err), HF_ERR_TOO_LARGE);
	cr_expect_str_eq(err, "1:1: expression longer than 102400 bytes");
	free(err);
	free(src);
	cr_expect_eq(compile_only("'a\xff'", &err), HF_ERR_INVALID);
	cr_expect_str_eq(err, "1:3: invalid UTF-8");
	free(err);
	cr_expect_eq(compile_only("1 +\n 'a\xc3\x28'", &err), HF_ERR_INVALID);
	cr_expect_str_eq(err, "2:4: invalid UTF-8");
	free(err);
	struct hf_cel_program *p = (struct hf_cel_program *)&err;
	cr_expect_eq(hf_cel_compile(NULL, &p, &err), HF_ERR_INVALID);
	cr_expect_null(p);
	cr_expect_str_eq(err, "1:1: no expression");
	free(err);
	/* The error is optional. */
	cr_expect_eq(hf_cel_compile("1 +", &p, NULL), HF_ERR_INVALID);
	cr_expect_null(p);
}

Test(cel_parser, program_keeps_its_source)
{
	struct hf_cel_program *p;
	char *err = NULL;
	cr_assert_eq(hf_cel_compile("1 + 2 // sum", &p, &err), HF_OK);
	cr_expect_str_eq(hf_cel_program_source(p), "1 + 2 // sum");
	hf_cel_program_free(p);
	hf_cel_program_free(NULL);
}

Test(cel_parser, check_reports_undeclared_variables)
{
	static const char *const names[] = {"cluster", "adapters", "resources"};
	static const struct row rows[] = {
		{"cluster.spec.region == 'x'", NULL},
		{"cluster.spec.x && adaptrs.y", "1:19: undeclared reference to 'adaptrs'"},
		{"clustr.x", "1:1: undeclared reference to 'clustr'"},
		{"[1].map(x, x + y)", "1:16: undeclared reference to 'y'"},
		{"[1].map(x, x + 1).exists(y, y == 2)", NULL},
		{"cluster.items.map(cluster, cluster.name)", NULL},
		{"type(cluster) == map && type(1) == int", NULL},
		{"type(now()) == google.protobuf.Timestamp", NULL},
		{"has(resources.job) ? resources.job.status : adapters", NULL},
		{"resources.?job.orValue(x)", "1:24: undeclared reference to 'x'"},
		{"{'a': cluster}.a", NULL},
		{"\n  cluster.a ||\n  clusterx.b", "3:3: undeclared reference to 'clusterx'"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct hf_cel_program *p;
		char *err = NULL;
		cr_assert_eq(hf_cel_compile(rows[i].expr, &p, &err), HF_OK, "%s: %s", rows[i].expr,
			     err);
		enum hf_err rc = hf_cel_check(p, names, 3, &err);
		if (rows[i].want) {
			cr_expect_eq(rc, HF_ERR_INVALID, "%s", rows[i].expr);
			cr_expect_str_eq(err, rows[i].want, "%s", rows[i].expr);
		} else {
			cr_expect_eq(rc, HF_OK, "%s: %s", rows[i].expr, err);
		}
		free(err);
		hf_cel_program_free(p);
	}
}
