/*
 * Unit tests of CEL evaluation (controller/cel): operators, variables,
 * field selection, optionals, macros, error absorption, result conversion,
 * limits and concurrent evaluation. Each table row is one assertion: the
 * compact JSON of the result, or "error: line:col: message".
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "util/alloc.h"

static const char VARS[] =
	"{\"cluster\": {\"metadata\": {\"name\": \"c1\", \"generation\": 3, \"labels\": "
	"{\"env\": \"prod\", \"app.kubernetes.io/name\": \"hf\"}},"
	" \"spec\": {\"provider\": \"gcp\", \"region\": \"us-east1\", \"nodes\": 3, \"ratio\": 0.5,"
	" \"tags\": [\"a\", \"b\"], \"empty\": {}, \"nothing\": null},"
	" \"status\": {\"conditions\": [{\"type\": \"Ready\", \"status\": \"True\","
	" \"lastTransitionTime\": \"2025-12-31T23:50:00Z\"}, {\"type\": \"Available\", \"status\": "
	"\"False\"}]}},"
	" \"adapters\": {\"validation\": {\"conditions\": [{\"type\": \"Available\", \"status\": "
	"\"True\"}]}},"
	" \"n\": 5, \"f\": 1.5, \"s\": \"hello\", \"t\": true, \"nul\": null, \"list\": [1, 2, 3],"
	" \"strs\": [\"x\", \"y\"], \"empty\": [], \"obj\": {}}";

#include "cel_rows.h"

Test(cel_eval, integer_and_double_arithmetic)
{
	static const struct row rows[] = {
		{"1 + 2", "3"},
		{"7 - 10", "-3"},
		{"6 * 7", "42"},
		{"7 / 2", "3"},
		{"-7 / 2", "-3"},
		{"7 % 3", "1"},
		{"-7 % 3", "-1"},
		{"1u + 2u", "3"},
		{"7u / 2u", "3"},
		{"7u % 4u", "3"},
		{"3u * 4u", "12"},
		{"5u - 2u", "3"},
		{"2.5 * 2.0", "5"},
		{"1.0 / 4.0", "0.25"},
		{"0.5 - 1.0", "-0.5"},
		{"1.5 + 1.5", "3"},
		{"1.0 / 0.0 > 1e308", "true"},
		{"-1.0 / 0.0 < -1e308", "true"},
		{"--5", "5"},
		{"- -5", "5"},
		{"-(2 + 3)", "-5"},
		{"-f", "-1.5"},
		{"n * n - n", "20"},
		{"string(9223372036854775807 - 1)", "\"9223372036854775806\""},
		{"string(-9223372036854775807 - 1)", "\"-9223372036854775808\""},
		{"string(18446744073709551614u + 1u)", "\"18446744073709551615\""},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, arithmetic_errors)
{
	static const struct row rows[] = {
		{"9223372036854775807 + 1", "error: 1:21: integer overflow"},
		{"-9223372036854775808 - 1", "error: 1:22: integer overflow"},
		{"9223372036854775807 * 2", "error: 1:21: integer overflow"},
		{"-9223372036854775808 / -1", "error: 1:22: integer overflow"},
		{"-9223372036854775808 % -1", "error: 1:22: integer overflow"},
		{"-(-9223372036854775808)", "error: 1:1: integer overflow"},
		{"18446744073709551615u + 1u", "error: 1:23: unsigned integer overflow"},
		{"0u - 1u", "error: 1:4: unsigned integer overflow"},
		{"4294967296u * 4294967296u", "error: 1:13: unsigned integer overflow"},
		{"1 / 0", "error: 1:3: division by zero"},
		{"1 % 0", "error: 1:3: modulus by zero"},
		{"1u / 0u", "error: 1:4: division by zero"},
		{"1u % 0u", "error: 1:4: modulus by zero"},
		{"n / (n - 5)", "error: 1:3: division by zero"},
		{"1.5 % 1.0",
		 "error: 1:5: no matching overload for '%' applied to (double, double)"},
		{"1 + 1u", "error: 1:3: no matching overload for '+' applied to (int, uint)"},
		{"1 + 1.0", "error: 1:3: no matching overload for '+' applied to (int, double)"},
		{"'a' + 1", "error: 1:5: no matching overload for '+' applied to (string, int)"},
		{"'a' - 'b'",
		 "error: 1:5: no matching overload for '-' applied to (string, string)"},
		{"[1] * 2", "error: 1:5: no matching overload for '*' applied to (list, int)"},
		{"{} + {}", "error: 1:4: no matching overload for '+' applied to (map, map)"},
		{"null + null",
		 "error: 1:6: no matching overload for '+' applied to (null_type, null_type)"},
		{"true + true", "error: 1:6: no matching overload for '+' applied to (bool, bool)"},
		{"-1u", "error: 1:1: no matching overload for '-' applied to (uint)"},
		{"-'a'", "error: 1:1: no matching overload for '-' applied to (string)"},
		{"-true", "error: 1:1: no matching overload for '-' applied to (bool)"},
		{"n + f", "error: 1:3: no matching overload for '+' applied to (int, double)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, concatenation)
{
	static const struct row rows[] = {
		{"'ab' + 'cd'", "\"abcd\""},
		{"'' + ''", "\"\""},
		{"s + ', ' + cluster.metadata.name", "\"hello, c1\""},
		{"'é' + 'à'", "\"éà\""},
		{"b'ab' + b'cd' == b'abcd'", "true"},
		{"[1] + [2, 3]", "[1,2,3]"},
		{"[] + []", "[]"},
		{"[] + [1]", "[1]"},
		{"[1] + []", "[1]"},
		{"cluster.spec.tags + ['c']", "[\"a\",\"b\",\"c\"]"},
		{"list + list", "[1,2,3,1,2,3]"},
		{"[[1]] + [[2]]", "[[1],[2]]"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, ordering)
{
	static const struct row rows[] = {
		{"1 < 2", "true"},
		{"2 < 1", "false"},
		{"2 <= 2", "true"},
		{"3 > 2", "true"},
		{"2 >= 3", "false"},
		{"1 < 1.5", "true"},
		{"1.5 < 1", "false"},
		{"2u > 1", "true"},
		{"-1 < 0u", "true"},
		{"0u > -1", "true"},
		{"-1 < 18446744073709551615u", "true"},
		{"9223372036854775807 < 9223372036854775808.0", "true"},
		{"18446744073709551615u < 18446744073709551616.0", "true"},
		{"-9223372036854775808 <= -9223372036854775808.0", "true"},
		{"1u < 1.5", "true"},
		{"2.5 >= 2u", "true"},
		{"'a' < 'b'", "true"},
		{"'abc' < 'abd'", "true"},
		{"'ab' < 'abc'", "true"},
		{"'B' < 'a'", "true"},
		{"'' < 'a'", "true"},
		{"b'a' < b'b'", "true"},
		{"false < true", "true"},
		{"true <= true", "true"},
		{"true > false", "true"},
		{"duration('1s') < duration('2s')", "true"},
		{"duration('1m') >= duration('60s')", "true"},
		{"timestamp('2020-01-01T00:00:00Z') < timestamp('2021-01-01T00:00:00Z')", "true"},
		{"timestamp('2020-01-01T00:00:00.5Z') > timestamp('2020-01-01T00:00:00Z')", "true"},
		{"0.0/0.0 < 1.0", "false"},
		{"0.0/0.0 >= 1.0", "false"},
		{"cluster.metadata.generation > 2", "true"},
		{"cluster.spec.ratio < 1", "true"},
		{"1 < 'a'", "error: 1:3: no matching overload for '<' applied to (int, string)"},
		{"[1] < [2]", "error: 1:5: no matching overload for '<' applied to (list, list)"},
		{"null < null",
		 "error: 1:6: no matching overload for '<' applied to (null_type, null_type)"},
		{"{} <= {}", "error: 1:4: no matching overload for '<=' applied to (map, map)"},
		{"true > 0", "error: 1:6: no matching overload for '>' applied to (bool, int)"},
		{"duration('1s') < 1", "error: 1:16: no matching overload for '<' applied to "
				       "(google.protobuf.Duration, int)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, equality)
{
	static const struct row rows[] = {
		{"1 == 1", "true"},
		{"1 != 1", "false"},
		{"1.0 == 1", "true"},
		{"1 == 1u", "true"},
		{"1u == 1.0", "true"},
		{"-1 == 18446744073709551615u", "false"},
		{"9223372036854775807 == 9223372036854775807.0", "false"},
		{"0.1 + 0.2 == 0.3", "false"},
		{"1 == 'a'", "false"},
		{"1 != 'a'", "true"},
		{"'1' == 1", "false"},
		{"null == null", "true"},
		{"null == 0", "false"},
		{"null != false", "true"},
		{"nul == null", "true"},
		{"true == true", "true"},
		{"'abc' == 'abc'", "true"},
		{"'abc' == 'abd'", "false"},
		{"b'abc' == b'abc'", "true"},
		{"'abc' == b'abc'", "false"},
		{"[1, 2] == [1, 2]", "true"},
		{"[1, 2] == [2, 1]", "false"},
		{"[1, 2] == [1, 2, 3]", "false"},
		{"[1, [2, 3]] == [1, [2, 3]]", "true"},
		{"[1, 2] == [1.0, 2u]", "true"},
		{"[] == []", "true"},
		{"{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", "true"},
		{"{'a': 1} == {'a': 2}", "false"},
		{"{'a': 1} == {'a': 1, 'b': 2}", "false"},
		{"{'a': [1, {'b': null}]} == {'a': [1, {'b': null}]}", "true"},
		{"{1: 'x'} == {1u: 'x'}", "true"},
		{"{} == {}", "true"},
		{"{} == []", "false"},
		{"cluster.spec.tags == ['a', 'b']", "true"},
		{"cluster.metadata.labels == {'env': 'prod', 'app.kubernetes.io/name': 'hf'}",
		 "true"},
		{"cluster.metadata.labels == {'env': 'prod'}", "false"},
		{"cluster.spec.empty == {}", "true"},
		{"empty == []", "true"},
		{"cluster.status.conditions[1] == {'type': 'Available', 'status': 'False'}",
		 "true"},
		{"0.0/0.0 == 0.0/0.0", "false"},
		{"0.0/0.0 != 0.0/0.0", "true"},
		{"-0.0 == 0.0", "true"},
		{"type(1) == type(2)", "true"},
		{"type(1) != type(1u)", "true"},
		{"int == type(5)", "true"},
		{"duration('60s') == duration('1m')", "true"},
		{"timestamp('2023-01-01T01:00:00+01:00') == timestamp('2023-01-01T00:00:00Z')",
		 "true"},
		{"optional.of(1) == optional.of(1)", "true"},
		{"optional.none() == optional.none()", "true"},
		{"optional.of(1) == optional.none()", "false"},
		{"optional.of(1) == 1", "false"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, membership)
{
	static const struct row rows[] = {
		{"2 in [1, 2, 3]", "true"},
		{"4 in [1, 2, 3]", "false"},
		{"2.0 in [1, 2]", "true"},
		{"2u in list", "true"},
		{"'x' in []", "false"},
		{"[1] in [[1], [2]]", "true"},
		{"'a' in {'a': 1}", "true"},
		{"'z' in {'a': 1}", "false"},
		{"1 in {1: 'a'}", "true"},
		{"1u in {1: 'a'}", "true"},
		{"1.0 in {1: 'a'}", "true"},
		{"1.5 in {1: 'a'}", "false"},
		{"true in {true: 1}", "true"},
		{"'env' in cluster.metadata.labels", "true"},
		{"'nothing' in cluster.spec", "true"},
		{"1 in cluster.spec", "false"},
		{"cluster.spec.region in ['us-east1', 'us-west1']", "true"},
		{"cluster.spec.provider in ['aws']", "false"},
		{"'b' in cluster.spec.tags", "true"},
		{"1 in 1", "error: 1:3: no matching overload for 'in' applied to (int, int)"},
		{"'a' in 'abc'",
		 "error: 1:5: no matching overload for 'in' applied to (string, string)"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, logic_and_error_absorption)
{
	static const struct row rows[] = {
		{"true && true", "true"},
		{"true && false", "false"},
		{"false && true", "false"},
		{"false || true", "true"},
		{"false || false", "false"},
		{"true || false", "true"},
		{"!true", "false"},
		{"!false", "true"},
		{"!!true", "true"},
		{"!t", "false"},
		/* CEL's && and || are commutative over errors. */
		{"false && obj.x", "false"},
		{"obj.x && false", "false"},
		{"true || obj.x", "true"},
		{"obj.x || true", "true"},
		{"obj.x && true", "error: 1:4: no such key: x"},
		{"true && obj.x", "error: 1:12: no such key: x"},
		{"obj.x || false", "error: 1:4: no such key: x"},
		{"false || obj.x", "error: 1:13: no such key: x"},
		{"obj.x && obj.y", "error: 1:4: no such key: x"},
		{"obj.x || obj.y", "error: 1:4: no such key: x"},
		{"1 / 0 == 1 && false", "false"},
		{"1 / 0 == 1 || 1 == 1", "true"},
		{"(obj.x || true) && (false || obj.y)", "error: 1:33: no such key: y"},
		{"obj.x && false || true", "true"},
		/* Non-bool operands are errors and are absorbed the same way. */
		{"1 && false", "false"},
		{"false && 1", "false"},
		{"true || 1", "true"},
		{"1 || true", "true"},
		{"1 && true", "error: 1:3: no matching overload for '&&' applied to (int, bool)"},
		{"true && 'a'",
		 "error: 1:6: no matching overload for '&&' applied to (bool, string)"},
		{"1 || false", "error: 1:3: no matching overload for '||' applied to (int, bool)"},
		{"!1", "error: 1:1: no matching overload for '!' applied to (int)"},
		{"!obj.x", "error: 1:5: no such key: x"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, conditional)
{
	static const struct row rows[] = {
		{"true ? 1 : 2", "1"},
		{"false ? 1 : 2", "2"},
		{"n > 3 ? 'big' : 'small'", "\"big\""},
		{"true ? 1 : 1 / 0", "1"},
		{"false ? 1 / 0 : 2", "2"},
		{"true ? (false ? 1 : 2) : 3", "2"},
		/* The grammar allows a nested conditional only on the right. */
		{"true ? false ? 1 : 2 : 3", "compile: 1:14: syntax error: unexpected '?'"},
		{"false ? 1 : true ? 2 : 3", "2"},
		{"true ? 'a' : 1", "\"a\""},
		{"1 ? 1 : 2", "error: 1:3: no matching overload for '?:' applied to (int)"},
		{"null ? 1 : 2",
		 "error: 1:6: no matching overload for '?:' applied to (null_type)"},
		{"obj.x ? 1 : 2", "error: 1:4: no such key: x"},
		{"true ? obj.x : 2", "error: 1:11: no such key: x"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, variables_and_json_types)
{
	static const struct row rows[] = {
		{"n", "5"},
		{".n", "5"},
		{"type(n) == int", "true"},
		{"type(f) == double", "true"},
		{"type(s)", "\"string\""},
		{"type(t)", "\"bool\""},
		{"type(nul)", "\"null_type\""},
		{"type(list)", "\"list\""},
		{"type(obj)", "\"map\""},
		{"type(cluster.spec.ratio) == double", "true"},
		{"type(cluster.metadata.generation) == int", "true"},
		{"f + 1.0", "2.5"},
		{"n + 1", "6"},
		{"clustr", "error: 1:1: undeclared reference to 'clustr'"},
		{"cluster.spec.provider == 'gcp' && clustr.x",
		 "error: 1:35: undeclared reference to 'clustr'"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, field_selection_and_index)
{
	static const struct row rows[] = {
		{"cluster.metadata.name", "\"c1\""},
		{"cluster.metadata.generation", "3"},
		{"cluster.spec.ratio", "0.5"},
		{"cluster.spec.nothing", "null"},
		{"cluster.spec.empty", "{}"},
		{"cluster.spec.missing", "error: 1:13: no such key: missing"},
		{"cluster.spec.region.x",
		 "error: 1:20: type 'string' does not support field selection"},
		{"cluster.spec.nothing.x",
		 "error: 1:21: type 'null_type' does not support field selection"},
		{"list.x", "error: 1:5: type 'list' does not support field selection"},
		{"cluster['spec']['region']", "\"us-east1\""},
		{"cluster.metadata.labels['app.kubernetes.io/name']", "\"hf\""},
		{"cluster.metadata.labels.`app.kubernetes.io/name`", "\"hf\""},
		{"cluster.status.conditions[0].type", "\"Ready\""},
		{"cluster.status.conditions[1]['status']", "\"False\""},
		{"list[0]", "1"},
		{"list[2]", "3"},
		{"list[1u]", "2"},
		{"list[1.0]", "2"},
		{"[1, 2, 3][n - 4]", "2"},
		{"list[3]", "error: 1:5: index 3 out of range for list of size 3"},
		{"list[-1]", "error: 1:5: index -1 out of range for list of size 3"},
		{"[][0]", "error: 1:3: index 0 out of range for list of size 0"},
		{"list[1.5]",
		 "error: 1:5: no matching overload for '[]' applied to (list, double)"},
		{"list['a']",
		 "error: 1:5: no matching overload for '[]' applied to (list, string)"},
		{"{'a': 1}['b']", "error: 1:9: no such key: b"},
		{"{'a': 1}['a']", "1"},
		{"{1: 'a'}[1]", "\"a\""},
		{"{1: 'a'}[1u]", "\"a\""},
		{"{1: 'a'}[2]", "error: 1:9: no such key: 2"},
		{"{true: 1}[true]", "1"},
		{"{'a': {'b': [10, 20]}}.a.b[1]", "20"},
		{"'abc'[0]", "error: 1:6: no matching overload for '[]' applied to (string, int)"},
		{"obj[1]", "error: 1:4: no such key: 1"},
		{"obj['']", "error: 1:4: no such key: "},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, optionals)
{
	static const struct row rows[] = {
		{"cluster.?spec.?region", "\"us-east1\""},
		{"cluster.?spec.?missing", "null"},
		{"cluster.?spec.?missing.orValue('d')", "\"d\""},
		{"cluster.?spec.?region.orValue('d')", "\"us-east1\""},
		{"cluster.?spec.?missing.hasValue()", "false"},
		{"cluster.?spec.?region.hasValue()", "true"},
		{"cluster.?spec.?missing.?deeper.hasValue()", "false"},
		{"cluster.?spec.?region.value()", "\"us-east1\""},
		{"cluster.?spec.?missing.value()", "error: 1:24: optional.none() dereference"},
		/* After an optional selection the rest of the chain tests presence. */
		{"cluster.?missing.spec.hasValue()", "false"},
		{"cluster.?spec.region.hasValue()", "true"},
		{"cluster.?spec.missing.hasValue()", "false"},
		{"cluster.?spec.tags[5].hasValue()", "false"},
		{"cluster.?spec.tags[1].value()", "\"b\""},
		{"cluster.?spec.?tags[?0].orValue('none')", "\"a\""},
		{"cluster.?spec.?tags[?9].orValue('none')", "\"none\""},
		{"cluster.spec.?nothing.orValue('x')", "null"},
		{"obj.?a.?b.orValue('x')", "\"x\""},
		{"'s'.?x", "error: 1:4: type 'string' does not support field selection"},
		{"cluster.?spec.?region.x",
		 "error: 1:22: type 'string' does not support field selection"},
		{"optional.of(1).orValue(2)", "1"},
		{"optional.none().orValue(2)", "2"},
		{"optional.of(1).orValue(1 / 0)", "1"},
		{"optional.none().orValue(1 / 0)", "error: 1:27: division by zero"},
		{"optional.none().or(optional.of(3)).value()", "3"},
		{"optional.of(1).or(optional.of(3)).value()", "1"},
		{"optional.none().or(optional.none()).hasValue()", "false"},
		{"optional.none().or(1)", "error: 1:17: no matching overload for 'or' applied to "
					  "(optional_type, int)"},
		{"optional.of(optional.none()).value().hasValue()", "false"},
		{"optional.ofNonZeroValue(0).hasValue()", "false"},
		{"optional.ofNonZeroValue('').hasValue()", "false"},
		{"optional.ofNonZeroValue([]).hasValue()", "false"},
		{"optional.ofNonZeroValue({}).hasValue()", "false"},
		{"optional.ofNonZeroValue(null).hasValue()", "false"},
		{"optional.ofNonZeroValue(false).hasValue()", "false"},
		{"optional.ofNonZeroValue(0.0).hasValue()", "false"},
		{"optional.ofNonZeroValue(1).hasValue()", "true"},
		{"optional.ofNonZeroValue('a').value()", "\"a\""},
		{"1.hasValue()",
		 "error: 1:3: no matching overload for 'hasValue' applied to (int)"},
		{"1.value()", "error: 1:3: no matching overload for 'value' applied to (int)"},
		{"1.orValue(2)", "error: 1:3: no matching overload for 'orValue' applied to (int)"},
		{"{'a': 1}[?'a'].value()", "1"},
		{"{'a': 1}[?'b'].hasValue()", "false"},
		{"[1, 2][?5].hasValue()", "false"},
		{"[1, 2][?1].value()", "2"},
		{"[1, ?optional.none(), ?optional.of(3)]", "[1,3]"},
		{"[?cluster.?spec.?missing, ?cluster.?spec.?region]", "[\"us-east1\"]"},
		{"{'a': 1, ?'b': optional.none(), ?'c': optional.of(3)}", "{\"a\":1,\"c\":3}"},
		{"[?1]", "error: 1:3: no matching overload for '[?]' applied to (int)"},
		{"optional.of(2).optMap(x, x * 10).value()", "20"},
		{"optional.none().optMap(x, x * 10).hasValue()", "false"},
		{"optional.of(2).optFlatMap(x, optional.of(x + 1)).value()", "3"},
		{"optional.of(2).optFlatMap(x, x > 1 ? optional.of(x) : optional.none()).value()",
		 "2"},
		{"optional.of(2).optFlatMap(x, x)",
		 "error: 1:16: no matching overload for 'optFlatMap' "
		 "applied to (int)"},
		{"1.optMap(x, x)",
		 "error: 1:3: no matching overload for 'optMap' applied to (int)"},
		{"type(optional.none())", "\"optional_type\""},
		{"optional.of(5)", "5"},
		{"optional.none()", "null"},
		{"resources.?job.?status.orValue('')",
		 "error: 1:1: undeclared reference to 'resources'"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, has_macro)
{
	static const struct row rows[] = {
		{"has(cluster.spec)", "true"},
		{"has(cluster.spec.missing)", "false"},
		{"has(cluster.spec.nothing)", "true"},
		{"has(obj.a)", "false"},
		{"has({'a': 1}.a)", "true"},
		{"has(cluster.metadata.labels.env) && cluster.metadata.labels.env == 'prod'",
		 "true"},
		{"has(cluster.spec.missing) && cluster.spec.missing == 1", "false"},
		{"has(cluster.?spec.region)", "true"},
		{"has(cluster.?missing.region)", "false"},
		{"has(cluster.spec.region.x)", "error: 1:24: type 'string' does not support field "
					       "selection"},
		{"has(missing.a)", "error: 1:5: undeclared reference to 'missing'"},
		{"has(list.a)", "error: 1:9: type 'list' does not support field selection"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, comprehensions)
{
	static const struct row rows[] = {
		{"[1, 2, 3].all(x, x > 0)", "true"},
		{"[1, 2, 3].all(x, x > 1)", "false"},
		{"[].all(x, x > 1)", "true"},
		{"[1, 2, 3].exists(x, x > 2)", "true"},
		{"[1, 2, 3].exists(x, x > 3)", "false"},
		{"[].exists(x, true)", "false"},
		{"[1, 2, 3].exists_one(x, x > 1)", "false"},
		{"[1, 2, 3].exists_one(x, x > 2)", "true"},
		{"[].exists_one(x, true)", "false"},
		{"[1, 2, 3].filter(x, x % 2 == 1)", "[1,3]"},
		{"[1, 2, 3].filter(x, false)", "[]"},
		{"[1, 2, 3].map(x, x * x)", "[1,4,9]"},
		{"[1, 2, 3].map(x, x > 1, x * 10)", "[20,30]"},
		{"[1, 2, 3].map(x, string(x))", "[\"1\",\"2\",\"3\"]"},
		{"{'a': 1, 'b': 2}.map(k, k)", "[\"a\",\"b\"]"},
		{"{'a': 1, 'b': 2}.all(k, k != 'c')", "true"},
		{"{'a': 1, 'b': 2}.filter(k, k == 'b')", "[\"b\"]"},
		{"{'a': 1, 'b': 2}.exists(k, k == 'b')", "true"},
		{"cluster.metadata.labels.exists(k, k == 'env')", "true"},
		{"cluster.metadata.labels.map(k, cluster.metadata.labels[k])", "[\"prod\",\"hf\"]"},
		{"cluster.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')",
		 "true"},
		{"cluster.status.conditions.filter(c, c.type == 'Available')[0].status",
		 "\"False\""},
		{"cluster.status.conditions.map(c, c.type)", "[\"Ready\",\"Available\"]"},
		{"cluster.status.conditions.filter(c, c.type == 'Reconciled').size() > 0", "false"},
		{"[1, 2].map(x, [3, 4].map(y, x * y))", "[[3,4],[6,8]]"},
		{"[1, 2].map(x, [10].map(x, x + 1))", "[[11],[11]]"},
		{"[[1, 2], [3]].map(x, x.map(x, x * 2))", "[[2,4],[6]]"},
		{"[1, 2, 3].filter(x, x > 1).map(x, x * 2)", "[4,6]"},
		{"list.map(n, n + 1)", "[2,3,4]"},
		{"list.map(x, x + n)", "[6,7,8]"},
		{"strs.exists(s, s == 'y')", "true"},
		{"[1, 2].all(x, [3].all(y, x < y))", "true"},
		/* all() and exists() absorb errors like && and ||. */
		{"[0, 1].all(x, 1 / x > 0)", "error: 1:17: division by zero"},
		{"[0, 1].exists(x, 1 / x > 0)", "true"},
		{"[0, 1].all(x, 1 / x < 0)", "false"},
		{"[0, 1].exists(x, 1 / x < 0)", "error: 1:20: division by zero"},
		{"[1, 2].all(x, x)",
		 "error: 1:15: no matching overload for 'all' applied to (int)"},
		{"[1, 2].exists(x, 'a')",
		 "error: 1:18: no matching overload for 'exists' applied to "
		 "(string)"},
		{"[0].exists_one(x, 1 / x > 0)", "error: 1:21: division by zero"},
		{"[0].filter(x, 1 / x > 0)", "error: 1:17: division by zero"},
		{"[0].map(x, 1 / x)", "error: 1:14: division by zero"},
		{"[1].filter(x, x)",
		 "error: 1:15: no matching overload for 'filter' applied to (int)"},
		{"1.all(x, true)", "error: 1:3: no matching overload for 'all' applied to (int)"},
		{"'abc'.map(x, x)",
		 "error: 1:7: no matching overload for 'map' applied to (string)"},
		{"obj.x.map(x, x)", "error: 1:4: no such key: x"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, result_conversion)
{
	static const struct row rows[] = {
		{"b'abc'", "\"YWJj\""},
		{"b''", "\"\""},
		{"timestamp('2023-01-02T03:04:05.120Z')", "\"2023-01-02T03:04:05.12Z\""},
		{"duration('1h30m')", "\"5400s\""},
		{"duration('1.5s')", "\"1.5s\""},
		{"type(1)", "\"int\""},
		{"[optional.of(1), optional.none()]", "[1,null]"},
		{"{'k': [1, 'a', null, true, 2.5]}", "{\"k\":[1,\"a\",null,true,2.5]}"},
		{"{1: 'a', true: 'b', 2u: 'c'}", "{\"1\":\"a\",\"true\":\"b\",\"2\":\"c\"}"},
		{"cluster.spec",
		 "{\"provider\":\"gcp\",\"region\":\"us-east1\",\"nodes\":3,\"ratio\":0.5,"
		 "\"tags\":[\"a\",\"b\"],\"empty\":{},\"nothing\":null}"},
		{"string(9007199254740993)", "\"9007199254740993\""},
		{"1.0 / 0.0", "error: 1:5: NaN and infinities have no JSON form"},
		{"[0.0 / 0.0]", "error: 1:1: NaN and infinities have no JSON form"},
		{"'a\\x00b'", "error: 1:1: a string with a NUL byte has no JSON form"},
	};
	CHECK_ROWS(rows);
}

Test(cel_eval, vars_array_comes_before_object)
{
	cJSON *obj = cJSON_Parse("{\"x\": 1, \"y\": 2}");
	cJSON *x = cJSON_CreateString("shadow");
	struct hf_cel_var vars[] = {{"x", x}, {"z", NULL}};
	struct hf_cel_activation a = {.vars = vars, .count = 2, .object = obj, .now = &NOW};
	struct hf_cel_program *p;
	char *err = NULL;
	cr_assert_eq(hf_cel_compile("[x, y, z]", &p, &err), HF_OK);
	cJSON *r;
	cr_assert_eq(hf_cel_eval(p, &a, &r, &err), HF_OK, "%s", err);
	char *s = cJSON_PrintUnformatted(r);
	cr_expect_str_eq(s, "[\"shadow\",2,null]");
	free(s);
	cJSON_Delete(r);
	/* No activation at all: every variable is undeclared. */
	cr_expect_eq(hf_cel_eval(p, NULL, &r, &err), HF_ERR_INVALID);
	cr_expect_str_eq(err, "1:2: undeclared reference to 'x'");
	cr_expect_null(r);
	free(err);
	hf_cel_program_free(p);
	cJSON_Delete(x);
	cJSON_Delete(obj);
}

Test(cel_eval, eval_bool)
{
	cJSON *obj = cJSON_Parse(VARS);
	struct hf_cel_activation a = {.object = obj, .now = &NOW};
	static const struct {
		const char *expr;
		enum hf_err rc;
		bool value;
		const char *error;
	} rows[] = {
		{"cluster.spec.provider == 'gcp' && cluster.spec.region in ['us-east1', 'us-west1'] && "
		 "conditionStatus(adapters.validation.conditions, 'Available') == 'True'",
		 HF_OK, true, NULL},
		{"cluster.spec.provider == 'aws'", HF_OK, false, NULL},
		{"n", HF_ERR_INVALID, false, "1:1: expected bool, got int"},
		{"cluster.metadata.name", HF_ERR_INVALID, false, "1:17: expected bool, got string"},
		{"obj.missing", HF_ERR_INVALID, false, "1:4: no such key: missing"},
		{"optional.of(true)", HF_ERR_INVALID, false,
		 "1:10: expected bool, got optional_type"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct hf_cel_program *p;
		char *err = NULL;
		bool v = !rows[i].value;
		cr_assert_eq(hf_cel_compile(rows[i].expr, &p, &err), HF_OK, "%s", rows[i].expr);
		cr_expect_eq(hf_cel_eval_bool(p, &a, &v, &err), rows[i].rc, "%s", rows[i].expr);
		cr_expect_eq(v, rows[i].value, "%s", rows[i].expr);
		if (rows[i].error)
			cr_expect_str_eq(err, rows[i].error, "%s", rows[i].expr);
		else
			cr_expect_null(err, "%s", rows[i].expr);
		free(err);
		hf_cel_program_free(p);
	}
	cJSON_Delete(obj);
}

/* limit_error evaluates expr with vars and returns the error (caller
 * frees), asserting that it is a limit (HF_ERR_TOO_LARGE). */
static char *limit_error(const char *expr, const cJSON *vars)
{
	struct hf_cel_activation a = {.object = vars, .now = &NOW};
	struct hf_cel_program *p;
	char *err = NULL;
	cJSON *r = NULL;
	cr_assert_eq(hf_cel_compile(expr, &p, &err), HF_OK, "%s: %s", expr, err);
	cr_expect_eq(hf_cel_eval(p, &a, &r, &err), HF_ERR_TOO_LARGE, "%s", expr);
	cr_expect_null(r);
	hf_cel_program_free(p);
	return err;
}

#define TEN "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"
#define S1M                                                                                        \
	"'aaaaaaaaaa'.replace('a', 'aaaaaaaaaa').replace('a', 'aaaaaaaaaa').replace('a', "         \
	"'aaaaaaaaaa').replace('a', 'aaaaaaaaaa').replace('a', 'aaaaaaaaaa')"

Test(cel_eval, limits_stop_hostile_expressions)
{
	cJSON *vars = cJSON_CreateObject();
	char *big = hf_malloc(1000001);
	memset(big, 'x', 1000000);
	big[1000000] = '\0';
	cJSON_AddStringToObject(vars, "big", big);
	free(big);
	char *err;

	char *got = run_with(S1M ".size()", NULL);
	cr_expect_str_eq(got, "1000000", "a 1 MB string is allowed");
	free(got);
	err = limit_error(S1M ".replace('a', 'aa')", vars);
	cr_expect_str_eq(err, "1:149: string longer than 1048576 bytes");
	free(err);
	/* Regular expressions run in linear time: no pattern explodes. */
	got = run_with(S1M ".matches('(a|aa)*b') || " S1M ".matches('^(a*)*b$')", NULL);
	cr_expect_str_eq(got, "false");
	free(got);
	err = limit_error("big.split('')", vars);
	cr_expect_str_eq(err, "1:5: list longer than 100000 elements");
	free(err);
	err = limit_error(TEN ".map(a, " TEN ".map(b, " TEN ".map(c, " TEN ".map(d, " TEN
			      ".map(e, " TEN ".map(f, " TEN ".map(g, g)))))))",
			  vars);
	cr_expect_not_null(strstr(err, "more than 1000000 comprehension iterations"), "%s", err);
	free(err);
	err = limit_error(TEN ".map(a, " TEN ".map(b, " TEN ".map(c, big == big + '')))", vars);
	cr_expect_not_null(strstr(err, "cost limit exceeded") || strstr(err, "memory"), "%s", err);
	free(err);
	err = limit_error(TEN ".map(a, " TEN ".map(b, " TEN ".map(c, big == big)))", vars);
	cr_expect_not_null(strstr(err, "evaluation cost limit exceeded"), "%s", err);
	free(err);
	err = limit_error(TEN ".map(a, " TEN ".map(b, big + 'x'))", vars);
	cr_expect_not_null(strstr(err, "evaluation used more than 67108864 bytes of memory"), "%s",
			   err);
	free(err);
	/* A shared list multiplied into a huge JSON result. */
	got = run_with(TEN ".map(a, " TEN ".map(b, " TEN ".map(c, " TEN ".map(d, " TEN
			   ".map(e, " TEN "))))).size()",
		       NULL);
	cr_expect_str_eq(got, "10");
	free(got);
	err = limit_error(TEN ".map(a, " TEN ".map(b, " TEN ".map(c, " TEN ".map(d, " TEN
			      ".map(e, " TEN ")))))",
			  vars);
	cr_expect_not_null(strstr(err, "result too large"), "%s", err);
	free(err);
	/* Limit errors are not absorbed by || and &&. */
	err = limit_error("big.split('').size() > 0 || true", vars);
	cr_expect_not_null(strstr(err, "list longer than"), "%s", err);
	free(err);
	err = limit_error("false && big.split('').size() > 0 || big.split('').size() > 0 || true",
			  vars);
	cr_expect_not_null(strstr(err, "list longer than"), "%s", err);
	free(err);
	cJSON_Delete(vars);
}

#define THREADS 4

struct worker {
	const struct hf_cel_program *p;
	int index;
	int failures;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char vars[128];
	snprintf(vars, sizeof(vars), "{\"i\": %d, \"names\": [\"a\", \"b\", \"t%d\"]}", w->index,
		 w->index);
	cJSON *obj = cJSON_Parse(vars);
	struct hf_cel_activation a = {.object = obj, .now = &NOW};
	for (int k = 0; k < 2000; k++) {
		cJSON *r = NULL;
		char *err = NULL;
		if (hf_cel_eval(w->p, &a, &r, &err) != HF_OK || !cJSON_IsString(r)) {
			w->failures++;
		} else {
			char want[32];
			snprintf(want, sizeof(want), "t%d-%d", w->index, w->index * 2);
			w->failures += strcmp(r->valuestring, want) != 0;
		}
		free(err);
		cJSON_Delete(r);
	}
	cJSON_Delete(obj);
	return NULL;
}

Test(cel_eval, one_program_evaluated_by_several_threads)
{
	struct hf_cel_program *p;
	char *err = NULL;
	cr_assert_eq(hf_cel_compile("names.filter(n, n.matches('^t[0-9]$'))[0] + '-' + "
				    "string([i].map(x, x * 2)[0])",
				    &p, &err),
		     HF_OK, "%s", err);
	pthread_t t[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.p = p, .index = i};
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(w[i].failures, 0, "thread %d", i);
	}
	hf_cel_program_free(p);
}
