/*
 * Unit tests of the CEL builtins (controller/cel): size, string functions,
 * regular expressions, format, conversions, type(), timestamps and
 * durations, and HyperFleet's now(), conditionStatus() and toJson(). Each
 * table row is one assertion: the compact JSON of the result, or
 * "error: line:col: message" / "compile: line:col: message".
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "util/alloc.h"

static const char VARS[] =
	"{\"cluster\": {\"metadata\": {\"name\": \"c1\", \"labels\": {\"env\": \"prod\"}},"
	" \"spec\": {\"tags\": [\"a\", \"b\"], \"nothing\": null},"
	" \"status\": {\"conditions\": [{\"type\": \"Ready\", \"status\": \"True\","
	" \"lastTransitionTime\": \"2025-12-31T23:50:00Z\"}, {\"type\": \"Available\","
	" \"status\": \"False\"}]}},"
	" \"adapters\": {\"validation\": {\"conditions\": [{\"type\": \"Available\", \"status\": "
	"\"True\"}]}},"
	" \"s\": \"hello\", \"pattern\": \"^h.*o$\"}";

#include "cel_rows.h"

Test(cel_functions, size)
{
	static const struct row rows[] = {
		{"size('hello')", "5"},
		{"'héllo'.size()", "5"},
		{"'😀'.size()", "1"},
		{"size('')", "0"},
		{"size(b'\\xff\\x00')", "2"},
		{"size(bytes('é'))", "2"},
		{"size([1, 2])", "2"},
		{"[].size()", "0"},
		{"size({'a': 1})", "1"},
		{"cluster.spec.tags.size()", "2"},
		{"size(cluster.metadata.labels)", "1"},
		{"size(1)", "error: 1:1: no matching overload for 'size' applied to (int)"},
		{"size(null)",
		 "error: 1:1: no matching overload for 'size' applied to (null_type)"},
		{"true.size()", "error: 1:6: no matching overload for 'size' applied to (bool)"},
		{"size()", "compile: 1:1: wrong number of arguments to size(): got 0, want 1"},
		{"size('a', 'b')",
		 "compile: 1:1: wrong number of arguments to size(): got 2, want 1"},
		{"'a'.size(1)", "compile: 1:5: wrong number of arguments to size(): got 1, want 0"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, contains_starts_ends)
{
	static const struct row rows[] = {
		{"'hello'.contains('ell')", "true"},
		{"'hello'.contains('')", "true"},
		{"'hello'.contains('xyz')", "false"},
		{"''.contains('a')", "false"},
		{"'hello'.startsWith('he')", "true"},
		{"'hello'.startsWith('lo')", "false"},
		{"'hello'.startsWith('')", "true"},
		{"'he'.startsWith('hello')", "false"},
		{"'hello'.endsWith('lo')", "true"},
		{"'hello'.endsWith('hello!')", "false"},
		{"'héllo'.endsWith('llo')", "true"},
		{"cluster.metadata.name.startsWith('c')", "true"},
		{"'x'.contains(1)", "error: 1:5: no matching overload for 'contains' applied to "
				    "(string, int)"},
		{"1.contains('a')", "error: 1:3: no matching overload for 'contains' applied to "
				    "(int, string)"},
		{"['a'].startsWith('a')",
		 "error: 1:7: no matching overload for 'startsWith' applied "
		 "to (list, string)"},
		{"'a'.endsWith()",
		 "compile: 1:5: wrong number of arguments to endsWith(): got 0, want "
		 "1"},
		{"contains('a', 'b')", "compile: 1:1: undeclared reference to 'contains'"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, matches)
{
	static const struct row rows[] = {
		{"'abc'.matches('b')", "true"},
		{"'abc'.matches('^b')", "false"},
		{"matches('abc', 'a.c')", "true"},
		{"s.matches(pattern)", "true"},
		{"'123'.matches(r'^\\d+$')", "true"},
		{"'12a'.matches(r'^\\d+$')", "false"},
		{"'a1b2'.matches(r'^[a-z]\\d[a-z]\\d$')", "true"},
		{"'ABC'.matches('(?i)^abc$')", "true"},
		{"'ABC'.matches('^abc$')", "false"},
		{"'ababc'.matches('^(?:ab)+c$')", "true"},
		{"'ab'.matches('^(?P<x>a)b$')", "true"},
		{"'aXXb'.matches('^a.*?b$')", "true"},
		{"'a b'.matches(r'\\s')", "true"},
		{"'ab'.matches(r'^\\S+$')", "true"},
		{"'word_1'.matches(r'^\\w+$')", "true"},
		{"'a-b'.matches(r'^\\w+$')", "false"},
		{"'a-b'.matches(r'^\\w\\W\\w$')", "true"},
		{"'12'.matches(r'^\\D')", "false"},
		{"'a.b'.matches(r'^a\\.b$')", "true"},
		{"'axb'.matches(r'^a\\.b$')", "false"},
		{"'a]b'.matches(r'^a[\\]]b$')", "true"},
		{"'a-b'.matches('^a[-x]b$')", "true"},
		{"'a^b'.matches(r'^a[\\^]b$')", "true"},
		{"'a^b'.matches(r'^a[x^]b$')", "true"},
		{"'a7b'.matches(r'^a[\\d]b$')", "true"},
		{"'a\\\\b'.matches(r'^a\\\\b$')", "true"},
		{"'aaa'.matches('^a{3}$')", "true"},
		{"'aa'.matches('^a{3}$')", "false"},
		{"'aaaa'.matches('^a{2,3}$')", "false"},
		{"'aaaa'.matches('^a{2,}$')", "true"},
		{"'a{,2}'.matches('^a{,2}$')", "true"},
		{"'{'.matches('{')", "true"},
		{"'a\\nb'.matches('a.b')", "false"},
		{"'a\\nb'.matches('(?s)a.b')", "true"},
		{"'a\\tb'.matches(r'a\\tb')", "true"},
		{"'a+b'.matches(r'a\\+b')", "true"},
		{"'<a>'.matches(r'^\\<a\\>$')", "true"},
		{"'ab'.matches('a|x')", "true"},
		{"''.matches('^$')", "true"},
		{"'x\\x00y'.matches('y$')", "true"},
		{"cluster.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')", "true"},
		{"'x\\na'.matches('(?m)^a$')", "true"},
		{"'x\\na'.matches('^a$')", "false"},
		{"'ab\\nc'.matches('(?m)b$')", "true"},
		{"'aB'.matches('a(?i:b)')", "true"},
		{"'AB'.matches('a(?i:b)')", "false"},
		{"'Ab'.matches('(?i)a(?-i)b')", "true"},
		{"'AB'.matches('(?i)a(?-i)B')", "true"},
		{"'AB'.matches('(?i)a(?-i)b')", "false"},
		{"'Q'.matches('(?i)[a-z]')", "true"},
		{"'ab1'.matches('^[[:alpha:]]+[[:digit:]]$')", "true"},
		{"'a1'.matches('^[[:^digit:]][[:digit:]]$')", "true"},
		{"'é'.matches('^.$')", "true"},
		{"'😀x'.matches('^.x$')", "true"},
		{"'é'.matches('^[à-ü]$')", "true"},
		{"'é'.matches(r'^\\x{e9}$')", "true"},
		{"'A'.matches(r'^\\x41$')", "true"},
		{"'foo bar'.matches(r'\\bbar\\b')", "true"},
		{"'foobar'.matches(r'\\bbar')", "false"},
		{"'foobar'.matches(r'\\Bbar')", "true"},
		{"'ab'.matches(r'\\Ab')", "false"},
		{"'ab'.matches(r'a\\z')", "false"},
		{"'ab'.matches('a|')", "true"},
		{"''.matches('')", "true"},
		{"'abc'.matches('^(a|ab)(c|bcd)$')", "true"},
		{"'aaa'.matches('^(a*)*$')", "true"},
		{"'ab'.matches('^(a*)+b$')", "true"},
		{"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac'.matches('^(a|aa)*b')",
		 "false"},
		{"'Bad_Name'.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')", "false"},
		{"'x'.matches(1)",
		 "error: 1:5: no matching overload for 'matches' applied to (string, "
		 "int)"},
		{"'x'.matches(s + '[')", "error: 1:5: invalid regex: missing closing ]"},
		{"'x'.matches(s + '(?z)')",
		 "error: 1:5: invalid regex: invalid or unsupported group "
		 "flags"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, bad_regex_literals_fail_at_compile_time)
{
	static const struct row rows[] = {
		{"'x'.matches('[')", "compile: 1:13: invalid regex: missing closing ]"},
		{"'x'.matches('(a')", "compile: 1:13: invalid regex: missing )"},
		{"'x'.matches('a)')", "compile: 1:13: invalid regex: unexpected )"},
		{"'x'.matches(r'(a)\\1')", "compile: 1:13: invalid regex: backreferences are not "
					   "supported"},
		{"'x'.matches('a{1001}')", "compile: 1:13: invalid regex: invalid repeat count"},
		{"'x'.matches('a{3,2}')", "compile: 1:13: invalid regex: invalid repeat count"},
		{"'x'.matches(r'\\p{L}')", "compile: 1:13: invalid regex: invalid or unsupported "
					   "escape sequence"},
		{"'x'.matches(r'\\')", "compile: 1:13: invalid regex: trailing backslash"},
		{"'x'.matches(r'\\Qa\\E')", "compile: 1:13: invalid regex: invalid or unsupported "
					    "escape sequence"},
		{"'x'.matches('[[:foo:]]')",
		 "compile: 1:13: invalid regex: invalid character class"},
		{"'x'.matches('[z-a]')", "compile: 1:13: invalid regex: invalid character class "
					 "range"},
		{"'x'.matches(r'[a-\\d]')", "compile: 1:13: invalid regex: invalid character class "
					    "range"},
		{"'x'.matches('(?<>a)')",
		 "compile: 1:13: invalid regex: invalid named capture group"},
		{"'x'.matches('((((a{100}){100}){100}))')", "compile: 1:13: invalid regex: regular "
							    "expression too large"},
		{"matches('x', '(?q)a')",
		 "compile: 1:14: invalid regex: invalid or unsupported group "
		 "flags"},
		{"'x'.matches('*')", "compile: 1:13: invalid regex: missing argument to repetition "
				     "operator"},
		{"'x'.matches('a**')", "compile: 1:13: invalid regex: bad repetition operator"},
		{"'x'.matches('a*?\?')", "compile: 1:13: invalid regex: bad repetition operator"},
		{"'x'.matches('(+a)')", "compile: 1:13: invalid regex: missing argument to "
					"repetition operator"},
		{"'x'.matches('a|*')",
		 "compile: 1:13: invalid regex: missing argument to repetition "
		 "operator"},
		{"'x'.matches('a{2}{3}')", "compile: 1:13: invalid regex: bad repetition operator"},
		{"'x'.matches('(?i)*')", "compile: 1:13: invalid regex: missing argument to "
					 "repetition operator"},
		{"'aa'.matches('^(a)+?$')", "true"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, case_and_trim)
{
	static const struct row rows[] = {
		{"'HeLLo'.lowerAscii()", "\"hello\""},
		{"'HeLLo'.upperAscii()", "\"HELLO\""},
		{"'ÀB'.lowerAscii()", "\"Àb\""},
		{"'éa'.upperAscii()", "\"éA\""},
		{"''.upperAscii()", "\"\""},
		{"'  a b \\t\\n'.trim()", "\"a b\""},
		{"'\\u00a0x\\u3000'.trim()", "\"x\""},
		{"'\\u2003 x y \\u2029'.trim()", "\"x y\""},
		{"''.trim()", "\"\""},
		{"'   '.trim()", "\"\""},
		{"'abc'.trim()", "\"abc\""},
		{"1.trim()", "error: 1:3: no matching overload for 'trim' applied to (int)"},
		{"'a'.lowerAscii(1)",
		 "compile: 1:5: wrong number of arguments to lowerAscii(): got 1, "
		 "want 0"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, replace_split_join)
{
	static const struct row rows[] = {
		{"'hello'.replace('l', 'L')", "\"heLLo\""},
		{"'hello'.replace('l', 'L', 1)", "\"heLlo\""},
		{"'hello'.replace('l', 'L', 0)", "\"hello\""},
		{"'hello'.replace('l', 'L', -1)", "\"heLLo\""},
		{"'hello'.replace('', '-')", "\"-h-e-l-l-o-\""},
		{"'héllo'.replace('', '-', 3)", "\"-h-é-llo\""},
		{"'aaa'.replace('a', '')", "\"\""},
		{"'abc'.replace('x', 'y')", "\"abc\""},
		{"'aaaa'.replace('aa', 'b')", "\"bb\""},
		{"''.replace('', 'x')", "\"x\""},
		{"'abc'.replace('b', 1)",
		 "error: 1:7: no matching overload for 'replace' applied to "
		 "(string, string, int)"},
		{"'abc'.replace('b')",
		 "compile: 1:7: wrong number of arguments to replace(): got 1, "
		 "want 2 to 3"},
		{"'a,b,c'.split(',')", "[\"a\",\"b\",\"c\"]"},
		{"'a,b,c'.split(',', 2)", "[\"a\",\"b,c\"]"},
		{"'a,b,c'.split(',', 1)", "[\"a,b,c\"]"},
		{"'a,b,c'.split(',', 0)", "[]"},
		{"'a,b,c'.split(',', -1)", "[\"a\",\"b\",\"c\"]"},
		{"'a,b,c'.split(',', 9)", "[\"a\",\"b\",\"c\"]"},
		{"'abc'.split('')", "[\"a\",\"b\",\"c\"]"},
		{"'héllo'.split('')", "[\"h\",\"é\",\"l\",\"l\",\"o\"]"},
		{"'abc'.split('', 2)", "[\"a\",\"bc\"]"},
		{"''.split(',')", "[\"\"]"},
		{"''.split('')", "[]"},
		{"'a,,b'.split(',')", "[\"a\",\"\",\"b\"]"},
		{"'a--b--c'.split('--')", "[\"a\",\"b\",\"c\"]"},
		{"',a,'.split(',')", "[\"\",\"a\",\"\"]"},
		{"'a'.split(1)",
		 "error: 1:5: no matching overload for 'split' applied to (string, int)"},
		{"['a', 'b'].join()", "\"ab\""},
		{"['a', 'b'].join(', ')", "\"a, b\""},
		{"[].join('-')", "\"\""},
		{"['x'].join('-')", "\"x\""},
		{"cluster.spec.tags.join('+')", "\"a+b\""},
		{"'a,b'.split(',').join(';')", "\"a;b\""},
		{"['a', 1].join()",
		 "error: 1:10: join: list element of type 'int' is not a string"},
		{"'a'.join()", "error: 1:5: no matching overload for 'join' applied to (string)"},
		{"['a'].join(1)",
		 "error: 1:7: no matching overload for 'join' applied to (list, int)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, substring_char_at_index_of)
{
	static const struct row rows[] = {
		{"'hello'.substring(1)", "\"ello\""},
		{"'hello'.substring(1, 3)", "\"el\""},
		{"'hello'.substring(5)", "\"\""},
		{"'hello'.substring(0, 5)", "\"hello\""},
		{"'hello'.substring(2, 2)", "\"\""},
		{"'héllo'.substring(1, 2)", "\"é\""},
		{"'héllo'.substring(2)", "\"llo\""},
		{"'hello'.substring(6)", "error: 1:9: index out of range: 6"},
		{"'hello'.substring(-1)", "error: 1:9: index out of range: -1"},
		{"'hello'.substring(1, 9)", "error: 1:9: index out of range: 9"},
		{"'hello'.substring(3, 2)", "error: 1:9: invalid substring range: start 3, end 2"},
		{"'hello'.substring('1')",
		 "error: 1:9: no matching overload for 'substring' applied to "
		 "(string, string)"},
		{"'hello'.charAt(1)", "\"e\""},
		{"'hello'.charAt(0)", "\"h\""},
		{"'hello'.charAt(5)", "\"\""},
		{"'héllo'.charAt(1)", "\"é\""},
		{"'hello'.charAt(6)", "error: 1:9: index out of range: 6"},
		{"'hello'.charAt(-1)", "error: 1:9: index out of range: -1"},
		{"'hello'.indexOf('l')", "2"},
		{"'hello'.indexOf('l', 3)", "3"},
		{"'hello'.indexOf('z')", "-1"},
		{"'hello'.indexOf('')", "0"},
		{"'hello'.indexOf('', 2)", "2"},
		{"'hello'.indexOf('lo')", "3"},
		{"'héllo'.indexOf('l')", "2"},
		{"'hello'.indexOf('h', 1)", "-1"},
		{"'hello'.indexOf('l', 9)", "error: 1:9: index out of range: 9"},
		{"'hello'.indexOf('l', -1)", "error: 1:9: index out of range: -1"},
		{"'hello'.lastIndexOf('l')", "3"},
		{"'hello'.lastIndexOf('l', 2)", "2"},
		{"'hello'.lastIndexOf('l', 1)", "-1"},
		{"'hello'.lastIndexOf('z')", "-1"},
		{"'hello'.lastIndexOf('')", "5"},
		{"'hello'.lastIndexOf('hello')", "0"},
		{"'hello'.lastIndexOf('hello!')", "-1"},
		{"'héllo'.lastIndexOf('l')", "3"},
		{"'abcabc'.lastIndexOf('bc')", "4"},
		{"'hello'.lastIndexOf('l', 9)", "error: 1:9: index out of range: 9"},
		{"1.indexOf('a')",
		 "error: 1:3: no matching overload for 'indexOf' applied to (int, "
		 "string)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, format)
{
	static const struct row rows[] = {
		{"'%s'.format(['x'])", "\"x\""},
		{"'%s %d'.format([s, 5])", "\"hello 5\""},
		{"'%d'.format([42])", "\"42\""},
		{"'%d'.format([-42])", "\"-42\""},
		{"'%d'.format([42u])", "\"42\""},
		{"'%f'.format([3.14159])", "\"3.141590\""},
		{"'%.2f'.format([3.14159])", "\"3.14\""},
		{"'%.0f'.format([2.5])", "\"2\""},
		{"'%.3f'.format([1])", "\"1.000\""},
		{"'%.1f'.format([7u])", "\"7.0\""},
		{"'%e'.format([1234.5])", "\"1.234500e+03\""},
		{"'%.2e'.format([1234.5])", "\"1.23e+03\""},
		{"'%x'.format([255])", "\"ff\""},
		{"'%X'.format([255])", "\"FF\""},
		{"'%x'.format([-255])", "\"-ff\""},
		{"'%x'.format([255u])", "\"ff\""},
		{"'%x'.format(['hi'])", "\"6869\""},
		{"'%X'.format([b'\\x01\\xab'])", "\"01AB\""},
		{"'%o'.format([8])", "\"10\""},
		{"'%b'.format([5])", "\"101\""},
		{"'%b'.format([0])", "\"0\""},
		{"'%b'.format([-2])", "\"-10\""},
		{"'%s and %s'.format(['a', 1])", "\"a and 1\""},
		{"'%s'.format([[1, 'a']])", "\"[1,\\\"a\\\"]\""},
		{"'%s'.format([{'k': true}])", "\"{\\\"k\\\":true}\""},
		{"'%s'.format([null])", "\"null\""},
		{"'%s'.format([1.5])", "\"1.5\""},
		{"'%s'.format([2u])", "\"2\""},
		{"'%s'.format([duration('90s')])", "\"90s\""},
		{"'%s'.format([timestamp('2023-01-01T00:00:00Z')])", "\"2023-01-01T00:00:00Z\""},
		{"'%s'.format([true])", "\"true\""},
		{"'%s'.format([type(1)])", "\"int\""},
		{"'100%%'.format([])", "\"100%\""},
		{"'no clauses'.format([1, 2])", "\"no clauses\""},
		{"'%f'.format([0.0 / 0.0])", "\"NaN\""},
		{"'%f'.format([-1.0 / 0.0])", "\"-Infinity\""},
		{"'%s/%s'.format(cluster.spec.tags)", "\"a/b\""},
		{"'%d'.format([1.5])",
		 "error: 1:6: format: '%d' cannot format a value of type 'double'"},
		{"'%x'.format([1.5])",
		 "error: 1:6: format: '%x' cannot format a value of type 'double'"},
		{"'%f'.format(['a'])",
		 "error: 1:6: format: '%f' cannot format a value of type 'string'"},
		{"'%s %s'.format(['a'])", "error: 1:9: format: not enough arguments (1 given)"},
		{"'%z'.format([1])", "error: 1:6: format: unrecognized formatting clause '%z'"},
		{"'%'.format([1])", "error: 1:5: format: unterminated formatting clause"},
		{"'%.200f'.format([1.0])", "error: 1:10: format: invalid precision"},
		{"'%s'.format('a')",
		 "error: 1:6: no matching overload for 'format' applied to (string, "
		 "string)"},
		{"'%s'.format([1.0 / 0.0])", "\"+Inf\""},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, conversions)
{
	static const struct row rows[] = {
		{"int(3.9)", "3"},
		{"int(-3.9)", "-3"},
		{"int(1u)", "1"},
		{"int(7)", "7"},
		{"int('-42')", "-42"},
		{"int('+5')", "5"},
		{"string(int('9223372036854775807'))", "\"9223372036854775807\""},
		{"int(timestamp('1970-01-01T00:01:00Z'))", "60"},
		{"int(' 5')", "error: 1:1: cannot convert ' 5' to int"},
		{"int('5x')", "error: 1:1: cannot convert '5x' to int"},
		{"int('')", "error: 1:1: cannot convert '' to int"},
		{"int('1.5')", "error: 1:1: cannot convert '1.5' to int"},
		{"int('9223372036854775808')",
		 "error: 1:1: cannot convert '9223372036854775808' to int"},
		{"int(18446744073709551615u)", "error: 1:1: integer overflow"},
		{"int(1e19)", "error: 1:1: integer overflow"},
		{"int(-1e19)", "error: 1:1: integer overflow"},
		{"int(0.0 / 0.0)", "error: 1:1: integer overflow"},
		{"int(true)", "error: 1:1: no matching overload for 'int' applied to (bool)"},
		{"int()", "compile: 1:1: wrong number of arguments to int(): got 0, want 1"},
		{"uint(5)", "5"},
		{"uint(3.7)", "3"},
		{"uint('42')", "42"},
		{"string(uint('18446744073709551615'))", "\"18446744073709551615\""},
		{"uint(-1)", "error: 1:1: unsigned integer overflow"},
		{"uint(-0.5)", "error: 1:1: unsigned integer overflow"},
		{"uint(18446744073709551616.0)", "error: 1:1: unsigned integer overflow"},
		{"uint('-1')", "error: 1:1: cannot convert '-1' to uint"},
		{"uint('x')", "error: 1:1: cannot convert 'x' to uint"},
		{"uint(null)",
		 "error: 1:1: no matching overload for 'uint' applied to (null_type)"},
		{"double(1)", "1"},
		{"double(2u)", "2"},
		{"double(-7)", "-7"},
		{"double('1.5')", "1.5"},
		{"double('1e3')", "1000"},
		{"double('-0.25')", "-0.25"},
		{"double('abc')", "error: 1:1: cannot convert 'abc' to double"},
		{"double('')", "error: 1:1: cannot convert '' to double"},
		{"double(' 1')", "error: 1:1: cannot convert ' 1' to double"},
		{"double(null)",
		 "error: 1:1: no matching overload for 'double' applied to (null_type)"},
		{"string(42)", "\"42\""},
		{"string(-42)", "\"-42\""},
		{"string(42u)", "\"42\""},
		{"string(1.5)", "\"1.5\""},
		{"string(1e6)", "\"1e+06\""},
		{"string(123456.0)", "\"123456\""},
		{"string(2.0)", "\"2\""},
		{"string(0.0001)", "\"0.0001\""},
		{"string(0.00001)", "\"1e-05\""},
		{"string(-0.5)", "\"-0.5\""},
		{"string(1.0 / 0.0)", "\"+Inf\""},
		{"string(0.0 / 0.0)", "\"NaN\""},
		{"string(0.1 + 0.2)", "\"0.30000000000000004\""},
		{"string(1e100)", "\"1e+100\""},
		{"string(true)", "\"true\""},
		{"string(false)", "\"false\""},
		{"string('s')", "\"s\""},
		{"string(b'abc')", "\"abc\""},
		{"string(b'\\xff')",
		 "error: 1:1: invalid UTF-8 in bytes, cannot convert to string"},
		{"string(duration('1h30m'))", "\"5400s\""},
		{"string(duration('1.5s'))", "\"1.5s\""},
		{"string(duration('-90m'))", "\"-5400s\""},
		{"string(duration('1ms'))", "\"0.001s\""},
		{"string(timestamp('2023-05-04T03:02:01.5+02:00'))", "\"2023-05-04T01:02:01.5Z\""},
		{"string(null)",
		 "error: 1:1: no matching overload for 'string' applied to (null_type)"},
		{"string([1])", "error: 1:1: no matching overload for 'string' applied to (list)"},
		{"bool('true')", "true"},
		{"bool('False')", "false"},
		{"bool('1')", "true"},
		{"bool('t')", "true"},
		{"bool('0')", "false"},
		{"bool(true)", "true"},
		{"bool('yes')", "error: 1:1: cannot convert 'yes' to bool"},
		{"bool(1)", "error: 1:1: no matching overload for 'bool' applied to (int)"},
		{"bytes('abc') == b'abc'", "true"},
		{"bytes('a')", "\"YQ==\""},
		{"bytes(b'ab')", "\"YWI=\""},
		{"b'\\x00\\xff'", "\"AP8=\""},
		{"bytes(1)", "error: 1:1: no matching overload for 'bytes' applied to (int)"},
		{"dyn(1) + 1", "2"},
		{"dyn([1])[0]", "1"},
		{"dyn('a') == 'a'", "true"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, types)
{
	static const struct row rows[] = {
		{"type(1)", "\"int\""},
		{"type(1u)", "\"uint\""},
		{"type(1.0)", "\"double\""},
		{"type('')", "\"string\""},
		{"type(b'')", "\"bytes\""},
		{"type(true)", "\"bool\""},
		{"type(null)", "\"null_type\""},
		{"type([])", "\"list\""},
		{"type({})", "\"map\""},
		{"type(type(1))", "\"type\""},
		{"type(int)", "\"type\""},
		{"type(duration('1s'))", "\"google.protobuf.Duration\""},
		{"type(now())", "\"google.protobuf.Timestamp\""},
		{"type(now()) == google.protobuf.Timestamp", "true"},
		{"type(duration('1s')) == google.protobuf.Duration", "true"},
		{"type(1) == uint", "false"},
		{"type('a') == string", "true"},
		{"type(cluster) == map", "true"},
		{"type(cluster.spec.tags) == list", "true"},
		{"type(cluster.spec.nothing) == null_type", "true"},
		{"[1, 'a', 2.0].map(x, type(x))", "[\"int\",\"string\",\"double\"]"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, timestamps)
{
	static const struct row rows[] = {
		{"timestamp('2023-01-02T03:04:05Z')", "\"2023-01-02T03:04:05Z\""},
		{"timestamp('2023-01-02T03:04:05.123456789Z')",
		 "\"2023-01-02T03:04:05.123456789Z\""},
		{"timestamp('2023-01-02T03:04:05.100Z')", "\"2023-01-02T03:04:05.1Z\""},
		{"timestamp('2023-01-02T03:04:05-08:00')", "\"2023-01-02T11:04:05Z\""},
		{"timestamp('2023-01-02T00:30:00+01:00')", "\"2023-01-01T23:30:00Z\""},
		{"timestamp('2024-02-29T00:00:00Z')", "\"2024-02-29T00:00:00Z\""},
		{"timestamp('2000-02-29T00:00:00Z')", "\"2000-02-29T00:00:00Z\""},
		{"timestamp('0001-01-01T00:00:00Z')", "\"0001-01-01T00:00:00Z\""},
		{"timestamp('9999-12-31T23:59:59.999999999Z')",
		 "\"9999-12-31T23:59:59.999999999Z\""},
		{"timestamp('1969-12-31T23:59:59Z')", "\"1969-12-31T23:59:59Z\""},
		{"timestamp(0)", "\"1970-01-01T00:00:00Z\""},
		{"timestamp(1700000000)", "\"2023-11-14T22:13:20Z\""},
		{"timestamp(-1)", "\"1969-12-31T23:59:59Z\""},
		{"timestamp(timestamp('2023-01-01T00:00:00Z'))", "\"2023-01-01T00:00:00Z\""},
		{"timestamp(cluster.status.conditions[0].lastTransitionTime)",
		 "\"2025-12-31T23:50:00Z\""},
		{"timestamp('2023-02-29T00:00:00Z')", "error: 1:1: invalid timestamp "
						      "'2023-02-29T00:00:00Z'"},
		{"timestamp('1900-02-29T00:00:00Z')", "error: 1:1: invalid timestamp "
						      "'1900-02-29T00:00:00Z'"},
		{"timestamp('2023-13-01T00:00:00Z')", "error: 1:1: invalid timestamp "
						      "'2023-13-01T00:00:00Z'"},
		{"timestamp('2023-01-01T24:00:00Z')", "error: 1:1: invalid timestamp "
						      "'2023-01-01T24:00:00Z'"},
		{"timestamp('2023-01-01T00:00:60Z')", "error: 1:1: invalid timestamp "
						      "'2023-01-01T00:00:60Z'"},
		{"timestamp('2023-01-01')", "error: 1:1: invalid timestamp '2023-01-01'"},
		{"timestamp('2023-01-01T00:00:00')", "error: 1:1: invalid timestamp "
						     "'2023-01-01T00:00:00'"},
		{"timestamp('2023-01-01T00:00:00.Z')", "error: 1:1: invalid timestamp "
						       "'2023-01-01T00:00:00.Z'"},
		{"timestamp('2023-01-01T00:00:00.1234567891Z')",
		 "error: 1:1: invalid timestamp "
		 "'2023-01-01T00:00:00.1234567891Z'"},
		{"timestamp('0001-01-01T00:00:00+01:00')", "error: 1:1: invalid timestamp "
							   "'0001-01-01T00:00:00+01:00'"},
		{"timestamp('2023-01-01T00:00:00Zjunk')", "error: 1:1: invalid timestamp "
							  "'2023-01-01T00:00:00Zjunk'"},
		{"timestamp('')", "error: 1:1: invalid timestamp ''"},
		{"timestamp(253402300800)", "error: 1:1: timestamp out of range"},
		{"timestamp(true)",
		 "error: 1:1: no matching overload for 'timestamp' applied to (bool)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, durations)
{
	static const struct row rows[] = {
		{"duration('1h30m')", "\"5400s\""},
		{"duration('1.5h')", "\"5400s\""},
		{"duration('300ms')", "\"0.3s\""},
		{"duration('1us')", "\"0.000001s\""},
		{"duration('1µs')", "\"0.000001s\""},
		{"duration('1ns')", "\"0.000000001s\""},
		{"duration('-1m')", "\"-60s\""},
		{"duration('+1m')", "\"60s\""},
		{"duration('0')", "\"0s\""},
		{"duration('0s')", "\"0s\""},
		{"duration('.5s')", "\"0.5s\""},
		{"duration('2h3m4s5ms')", "\"7384.005s\""},
		{"duration('5400s')", "\"5400s\""},
		{"duration('1.000000001s')", "\"1.000000001s\""},
		{"duration('2562047h')", "\"9223369200s\""},
		{"duration(duration('1s'))", "\"1s\""},
		{"duration('1')", "error: 1:1: invalid duration '1'"},
		{"duration('1d')", "error: 1:1: invalid duration '1d'"},
		{"duration('')", "error: 1:1: invalid duration ''"},
		{"duration('h')", "error: 1:1: invalid duration 'h'"},
		{"duration('1h 30m')", "error: 1:1: invalid duration '1h 30m'"},
		{"duration('-')", "error: 1:1: invalid duration '-'"},
		{"duration('3000000h')", "error: 1:1: invalid duration '3000000h'"},
		{"duration(1)", "error: 1:1: no matching overload for 'duration' applied to (int)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, time_arithmetic)
{
	static const struct row rows[] = {
		{"timestamp('2023-01-01T00:00:00Z') + duration('36h')", "\"2023-01-02T12:00:00Z\""},
		{"duration('1h') + timestamp('2023-01-01T00:00:00Z')", "\"2023-01-01T01:00:00Z\""},
		{"timestamp('2023-01-01T00:00:00Z') - duration('1s')", "\"2022-12-31T23:59:59Z\""},
		{"timestamp('2023-01-01T00:00:00Z') - duration('0.5s')",
		 "\"2022-12-31T23:59:59.5Z\""},
		{"timestamp('2024-02-28T12:00:00Z') + duration('24h')", "\"2024-02-29T12:00:00Z\""},
		{"timestamp('2023-01-02T00:00:00Z') - timestamp('2023-01-01T00:00:00Z')",
		 "\"86400s\""},
		{"timestamp('2023-01-01T00:00:00Z') - timestamp('2023-01-02T00:00:00Z')",
		 "\"-86400s\""},
		{"timestamp('2023-01-01T00:00:00.5Z') - timestamp('2023-01-01T00:00:01Z')",
		 "\"-0.5s\""},
		{"duration('1h') + duration('30m')", "\"5400s\""},
		{"duration('1h') - duration('90m')", "\"-1800s\""},
		{"-duration('1h')", "\"-3600s\""},
		{"timestamp('9999-12-31T23:59:59Z') + duration('1s')",
		 "error: 1:35: timestamp out of "
		 "range"},
		{"timestamp('0001-01-01T00:00:00Z') - duration('1ns')",
		 "error: 1:35: timestamp out of "
		 "range"},
		{"timestamp('0001-01-01T00:00:00Z') - timestamp('9999-12-31T23:59:59Z')",
		 "error: 1:35: "
		 "integer "
		 "overflow"},
		{"duration('2000000h') + duration('2000000h')", "error: 1:22: integer overflow"},
		{"timestamp('2023-01-01T00:00:00Z') + timestamp('2023-01-01T00:00:00Z')",
		 "error: 1:35: no matching overload for '+' applied to (google.protobuf.Timestamp, "
		 "google.protobuf.Timestamp)"},
		{"duration('1h') * 2", "error: 1:16: no matching overload for '*' applied to "
				       "(google.protobuf.Duration, int)"},
		{"duration('1s') - timestamp('2023-01-01T00:00:00Z')",
		 "error: 1:16: no matching "
		 "overload for '-' applied to "
		 "(google.protobuf.Duration, "
		 "google.protobuf.Timestamp)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, time_accessors)
{
	static const struct row rows[] = {
		{"timestamp('2023-06-15T10:20:30.456Z').getFullYear()", "2023"},
		{"timestamp('2023-06-15T10:20:30.456Z').getMonth()", "5"},
		{"timestamp('2023-06-15T10:20:30.456Z').getDate()", "15"},
		{"timestamp('2023-06-15T10:20:30.456Z').getDayOfMonth()", "14"},
		{"timestamp('2023-06-15T10:20:30.456Z').getDayOfYear()", "165"},
		{"timestamp('2024-12-31T00:00:00Z').getDayOfYear()", "365"},
		{"timestamp('2023-06-15T10:20:30.456Z').getDayOfWeek()", "4"},
		{"timestamp('2023-06-18T00:00:00Z').getDayOfWeek()", "0"},
		{"timestamp('1969-12-31T00:00:00Z').getDayOfWeek()", "3"},
		{"timestamp('2023-06-15T10:20:30.456Z').getHours()", "10"},
		{"timestamp('2023-06-15T10:20:30.456Z').getMinutes()", "20"},
		{"timestamp('2023-06-15T10:20:30.456Z').getSeconds()", "30"},
		{"timestamp('2023-06-15T10:20:30.456Z').getMilliseconds()", "456"},
		{"timestamp('2023-06-15T10:20:30Z').getHours('+02:00')", "12"},
		{"timestamp('2023-06-15T10:20:30Z').getHours('-11:00')", "23"},
		{"timestamp('2023-06-15T10:20:30Z').getDate('-11:00')", "14"},
		{"timestamp('2023-06-15T10:20:30Z').getMinutes('05:30')", "50"},
		{"timestamp('2023-12-31T23:00:00Z').getFullYear('+01:00')", "2024"},
		{"timestamp('2023-06-15T10:20:30Z').getFullYear('UTC')", "2023"},
		{"timestamp('0001-01-01T00:00:00Z').getFullYear()", "1"},
		{"timestamp('2023-06-15T10:20:30Z').getHours('America/New_York')",
		 "error: 1:35: unsupported time zone 'America/New_York'"},
		{"timestamp('2023-06-15T10:20:30Z').getHours(1)",
		 "error: 1:35: no matching overload for "
		 "'getHours' applied to "
		 "(google.protobuf.Timestamp, int)"},
		{"duration('1h30m45s').getHours()", "1"},
		{"duration('1h30m45s').getMinutes()", "90"},
		{"duration('1h30m45s').getSeconds()", "5445"},
		{"duration('1h30m45.5s').getMilliseconds()", "5445500"},
		{"duration('-90s').getMinutes()", "-1"},
		{"duration('1s').getFullYear()",
		 "error: 1:16: no matching overload for 'getFullYear' "
		 "applied to (google.protobuf.Duration)"},
		{"duration('1s').getHours('UTC')",
		 "error: 1:16: no matching overload for 'getHours' "
		 "applied to (google.protobuf.Duration, string)"},
		{"'x'.getHours()",
		 "error: 1:5: no matching overload for 'getHours' applied to (string)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, now_is_pinned_by_the_activation)
{
	static const struct row rows[] = {
		{"now()", "\"2026-01-01T00:00:00Z\""},
		{"now() == now()", "true"},
		{"now() - duration('1h') < now()", "true"},
		{"timestamp(now()) == now()", "true"},
		{"(now() - timestamp('2025-12-31T23:55:00Z')).getSeconds()", "300"},
		/* The self-healing TTL of the reference adapters. */
		{"(timestamp(now()) - timestamp(cluster.status.conditions.filter(c, c.type == "
		 "'Ready').size() > 0 ? cluster.status.conditions.filter(c, c.type == "
		 "'Ready')[0].lastTransitionTime : now())).getSeconds() > 300",
		 "true"},
		{"now(1)", "compile: 1:1: wrong number of arguments to now(): got 1, want 0"},
	};
	CHECK_ROWS(rows);
}

Test(cel_functions, now_reads_the_clock_without_a_pin)
{
	struct hf_cel_program *p;
	char *err = NULL;
	bool recent = false;
	cr_assert_eq(hf_cel_compile("now() > timestamp('2025-01-01T00:00:00Z')", &p, &err), HF_OK);
	cr_expect_eq(hf_cel_eval_bool(p, NULL, &recent, &err), HF_OK, "%s", err);
	cr_expect(recent);
	hf_cel_program_free(p);
}

Test(cel_functions, condition_status)
{
	static const struct row rows[] = {
		{"conditionStatus(cluster.status.conditions, 'Ready')", "\"True\""},
		{"conditionStatus(cluster.status.conditions, 'Available')", "\"False\""},
		{"conditionStatus(cluster.status.conditions, 'Missing')", "\"Unknown\""},
		{"conditionStatus([], 'Ready')", "\"Unknown\""},
		{"conditionStatus(null, 'Ready')", "\"Unknown\""},
		{"conditionStatus(cluster.spec.nothing, 'Ready')", "\"Unknown\""},
		{"conditionStatus([{'type': 'Ready'}], 'Ready')", "\"Unknown\""},
		{"conditionStatus([{'type': 'Ready', 'status': 1}], 'Ready')", "\"Unknown\""},
		{"conditionStatus([1, {'type': 'Ready', 'status': 'True'}], 'Ready')", "\"True\""},
		{"conditionStatus([{'type': 'A', 'status': 'x'}, {'type': 'A', 'status': 'y'}], 'A')",
		 "\"x\""},
		{"conditionStatus(adapters.validation.conditions, 'Available') == 'True'", "true"},
		{"conditionStatus('x', 'Ready')", "error: 1:1: no matching overload for "
						  "'conditionStatus' applied to (string, string)"},
		{"conditionStatus([], 1)", "error: 1:1: no matching overload for 'conditionStatus' "
					   "applied to (list, int)"},
		{"conditionStatus([])",
		 "compile: 1:1: wrong number of arguments to conditionStatus(): "
		 "got 1, want 2"},
	};
	CHECK_ROWS(rows);
}

/* text evaluates a string-valued expression and returns the string. */
static char *text(const char *expr)
{
	cJSON *obj = cJSON_Parse(VARS);
	struct hf_cel_activation a = {.object = obj, .now = &NOW};
	struct hf_cel_program *p = NULL;
	char *err = NULL, *out;
	cJSON *r = NULL;
	if (hf_cel_compile(expr, &p, &err) != HF_OK)
		out = hf_asprintf("compile: %s", err);
	else if (hf_cel_eval(p, &a, &r, &err) != HF_OK)
		out = hf_asprintf("error: %s", err);
	else
		out = hf_strdup(cJSON_IsString(r) ? r->valuestring : "(not a string)");
	cJSON_Delete(r);
	free(err);
	hf_cel_program_free(p);
	cJSON_Delete(obj);
	return out;
}

Test(cel_functions, to_json)
{
	static const struct row rows[] = {
		{"toJson(1)", "1"},
		{"toJson(-9223372036854775808)", "-9223372036854775808"},
		{"toJson(18446744073709551615u)", "18446744073709551615"},
		{"toJson(1.5)", "1.5"},
		{"toJson(1e21)", "1e+21"},
		{"toJson('a\"b\\n')", "\"a\\\"b\\n\""},
		{"toJson('\\x01é')", "\"\\u0001é\""},
		{"toJson(null)", "null"},
		{"toJson(true)", "true"},
		{"toJson([1, 'a', true, null])", "[1,\"a\",true,null]"},
		{"toJson({'a': {'b': []}})", "{\"a\":{\"b\":[]}}"},
		{"toJson({1: 'x', false: 'y'})", "{\"1\":\"x\",\"false\":\"y\"}"},
		{"toJson(timestamp('2023-01-01T00:00:00Z'))", "\"2023-01-01T00:00:00Z\""},
		{"toJson(duration('90s'))", "\"90s\""},
		{"toJson(b'abc')", "\"YWJj\""},
		{"toJson(b'ab')", "\"YWI=\""},
		{"toJson(type(1))", "\"int\""},
		{"toJson(optional.of(1))", "1"},
		{"toJson(optional.none())", "null"},
		{"toJson(cluster.spec.tags)", "[\"a\",\"b\"]"},
		{"toJson(cluster.status.conditions[1])",
		 "{\"type\":\"Available\",\"status\":\"False\"}"},
		{"toJson(1.0 / 0.0)", "error: 1:1: NaN and infinities have no JSON form"},
		{"toJson([0.0 / 0.0])", "error: 1:1: NaN and infinities have no JSON form"},
		{"toJson()", "compile: 1:1: wrong number of arguments to toJson(): got 0, want 1"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = text(rows[i].expr);
		cr_expect_str_eq(got, rows[i].want, "%s\n  got:  %s\n  want: %s", rows[i].expr, got,
				 rows[i].want);
		free(got);
	}
}
