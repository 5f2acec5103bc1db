package criteria

import (
	"errors"
	"strings"
	"testing"
)

// head is a valid framework header; the nodes given start on line 7.
func head(nodes string) string {
	return `code: t
name: T
year: 2026
agency_types: [department]
bands: [{code: A, name: Tốt, min: 0}]
nodes:
` + nodes
}

// okNode is a valid area, for files whose problem lies elsewhere.
const okNode = "  - {code: \"1\", name: A, max: 1, method: boolean}\n"

// TestParseRules feeds one small broken file per validation rule and checks
// the exact message and line of every problem reported.
func TestParseRules(t *testing.T) {
	const nodeKeyList = "code, name, short_name, description, adjustment, max, method, step, numerator, denominator, target, tiers, metric, per_unit, formula, instrument, element, question, measure, cap, missing, children"
	const methodNames = "assessed, boolean, ratio, tiers, relative, count, formula, survey, bonus, penalty"
	tests := []struct {
		name string
		src  string
		want []string
		rule Rule
	}{
		// The file itself.
		{"empty file", "", []string{"f.yaml: the file is empty"}, RuleEmptyFile},
		{"comments only", "# nothing yet\n", []string{"f.yaml: the file is empty"}, RuleEmptyFile},
		{"yaml syntax", "code: t\nname: [unclosed\nyear: 2026\n",
			[]string{"f.yaml:2: YAML syntax error: did not find expected ',' or ']'"}, RuleYAMLSyntax},
		{"two documents", head(okNode) + "---\ncode: u\n",
			[]string{"f.yaml:8: the file holds more than one YAML document; put one framework per file"}, RuleManyDocuments},
		{"top level is a list", "- code: t\n",
			[]string{"f.yaml:1: the top level must be a mapping of keys (code, name, year, …), not a list"}, RuleTopLevel},
		{"alias", "code: &c t\nname: *c\nyear: 2026\n",
			[]string{"f.yaml:2: YAML aliases (*c) are not supported; write the value out in full"}, RuleAlias},
		{"duplicate key", "code: t\ncode: u\nname: T\nyear: 2026\nagency_types: [department]\nbands: [{code: A, name: Tốt, min: 0}]\nnodes:\n" + okNode,
			[]string{`f.yaml:2: key "code" appears twice (first on line 1)`}, RuleDuplicateKey},
		{"key not a word", head(okNode) + "[a, b]: 1\n",
			[]string{"f.yaml:8: a key must be a plain word, not a list"}, RuleBadKey},

		// Framework-level keys.
		{"unknown framework key", "code: t\nname: T\nyear: 2026\nagency_types: [department]\nbands: [{code: A, name: Tốt, min: 0}]\ncolour: red\nnodes:\n" + okNode,
			[]string{`f.yaml:6: unknown key "colour"; allowed keys: code, name, description, year, agency_types, source, rounding, cap_index, missing, survey_responses, bands, nodes`}, RuleUnknownKey},
		{"missing code", strings.Replace(head(okNode), "code: t\n", "", 1),
			[]string{"f.yaml:1: code is missing"}, RuleMissingCode},
		{"bad framework code", strings.Replace(head(okNode), "code: t\n", "code: \"two words\"\n", 1),
			[]string{`f.yaml:1: code "two words" may contain only letters, digits, '.', '_' and '-', starting with a letter or digit`}, RuleBadCode},
		{"missing name", strings.Replace(head(okNode), "name: T\n", "", 1),
			[]string{"f.yaml:1: name is missing"}, RuleMissingName},
		{"missing year", strings.Replace(head(okNode), "year: 2026\n", "", 1),
			[]string{"f.yaml:1: year is missing"}, RuleMissingYear},
		{"year out of range", strings.Replace(head(okNode), "year: 2026", "year: 1899", 1),
			[]string{"f.yaml:3: year 1899 is outside 2000..2100"}, RuleYearRange},
		{"year of wrong type", strings.Replace(head(okNode), "year: 2026", "year: abc", 1),
			[]string{`f.yaml:3: year must be a whole number, got "abc"`}, RuleWrongType},
		{"year not whole", strings.Replace(head(okNode), "year: 2026", "year: 2026.5", 1),
			[]string{"f.yaml:3: year must be a whole number, got 2026.5"}, RuleWrongType},
		{"no agency types", strings.Replace(head(okNode), "agency_types: [department]", "agency_types: []", 1),
			[]string{"f.yaml:4: agency_types must list at least one agency type (e.g. department, commune, ward)"}, RuleNoAgencyTypes},
		{"bad agency type", strings.Replace(head(okNode), "agency_types: [department]", "agency_types: [Department]", 1),
			[]string{`f.yaml:4: agency type "Department" must be lowercase letters, digits and _, starting with a letter`}, RuleBadAgencyType},
		{"duplicate agency type", strings.Replace(head(okNode), "agency_types: [department]", "agency_types: [ward, ward]", 1),
			[]string{`f.yaml:4: agency type "ward" is listed twice`}, RuleDupAgencyType},
		{"agency types not a list", strings.Replace(head(okNode), "agency_types: [department]", "agency_types: department", 1),
			[]string{`f.yaml:4: agency_types must be a list of agency types, got "department"`}, RuleWrongType},
		{"rounding out of range", head(okNode) + "rounding: 7\n",
			[]string{"f.yaml:8: rounding 7 is outside 0..6 decimals"}, RuleRounding},
		{"cap_index zero", head(okNode) + "cap_index: 0\n",
			[]string{"f.yaml:8: cap_index must be greater than 0, got 0"}, RuleCapIndex},
		{"cap_index negative", head(okNode) + "cap_index: -5\n",
			[]string{"f.yaml:8: cap_index must be greater than 0, got -5"}, RuleCapIndex},
		{"framework missing policy", head(okNode) + "missing: skip\n",
			[]string{`f.yaml:8: unknown missing policy "skip"; allowed: zero, exclude`}, RuleMissingPolicy},
		{"unknown survey_responses", head(okNode) + "survey_responses: credible\n",
			[]string{`f.yaml:8: unknown survey_responses "credible"; allowed: all, clean (flagged responses left out, the default), not_doubtful (clean, and none from QR links labelled doubtful)`}, RuleSurveyResponses},
		{"empty survey_responses", head(okNode) + "survey_responses: \"\"\n",
			[]string{`f.yaml:8: unknown survey_responses ""; allowed: all, clean (flagged responses left out, the default), not_doubtful (clean, and none from QR links labelled doubtful)`}, RuleSurveyResponses},
		{"survey_responses a list", head(okNode) + "survey_responses: [clean]\n",
			[]string{`f.yaml:8: survey_responses must be text, got a list`}, RuleWrongType},
		{"no nodes", head("") + "\n",
			[]string{"f.yaml:1: nodes is empty; a framework needs at least one area"}, RuleNoNodes},
		{"empty node list", strings.Replace(head(""), "nodes:\n", "nodes: []\n", 1),
			[]string{"f.yaml:6: nodes is empty; a framework needs at least one area"}, RuleNoNodes},
		{"node entry not a mapping", head("  - just text\n"),
			[]string{`f.yaml:7: each entry of nodes must be a mapping of keys, not "just text"`}, RuleNotMapping},

		// Bands.
		{"empty bands", strings.Replace(head(okNode), "bands: [{code: A, name: Tốt, min: 0}]", "bands: []", 1),
			[]string{"f.yaml:5: bands is empty; list at least one band, the last with min: 0"}, RuleNoBands},
		{"bands not descending", strings.Replace(head(okNode), "bands: [{code: A, name: Tốt, min: 0}]",
			"bands:\n  - {code: A, name: Tốt, min: 80}\n  - {code: B, name: Khá, min: 90}\n  - {code: C, name: Yếu, min: 0}", 1),
			[]string{"f.yaml:7: band B: min 90 is not below the previous band's min 80; list bands from the highest min down"}, RuleBandOrder},
		{"bands equal mins", strings.Replace(head(okNode), "bands: [{code: A, name: Tốt, min: 0}]",
			"bands:\n  - {code: A, name: Tốt, min: 80}\n  - {code: B, name: Khá, min: 80}\n  - {code: C, name: Yếu, min: 0}", 1),
			[]string{"f.yaml:7: band B: min 80 is not below the previous band's min 80; list bands from the highest min down"}, RuleBandOrder},
		{"bands without floor", strings.Replace(head(okNode), "bands: [{code: A, name: Tốt, min: 0}]",
			"bands:\n  - {code: A, name: Tốt, min: 90}\n  - {code: B, name: Khá, min: 50}", 1),
			[]string{"f.yaml:7: the last band (B) must have min: 0 so that every index gets a band, got 50"}, RuleBandFloor},
		{"duplicate band code", strings.Replace(head(okNode), "bands: [{code: A, name: Tốt, min: 0}]",
			"bands:\n  - {code: A, name: Tốt, min: 90}\n  - {code: A, name: Khá, min: 0}", 1),
			[]string{`f.yaml:7: band code "A" is used twice (first on line 6)`}, RuleBandDuplicate},
		{"band without code", strings.Replace(head(okNode), "{code: A, name: Tốt, min: 0}", "{name: Tốt, min: 0}", 1),
			[]string{"f.yaml:5: band 1 has no code"}, RuleBandMissingCode},
		{"band without name", strings.Replace(head(okNode), "{code: A, name: Tốt, min: 0}", "{code: A, min: 0}", 1),
			[]string{"f.yaml:5: band A has no name"}, RuleBandMissingName},
		{"band without min", strings.Replace(head(okNode), "{code: A, name: Tốt, min: 0}", "{code: A, name: Tốt}", 1),
			[]string{"f.yaml:5: band A has no min"}, RuleBandMissingMin},
		{"band unknown key", strings.Replace(head(okNode), "{code: A, name: Tốt, min: 0}", "{code: A, name: Tốt, min: 0, max: 100}", 1),
			[]string{`f.yaml:5: unknown key "max"; allowed keys: code, name, description, min`}, RuleUnknownKey},

		// Node structure.
		{"unknown node key", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: boolean\n    weight: 2\n"),
			[]string{`f.yaml:11: node 1: unknown key "weight"; allowed keys: ` + nodeKeyList}, RuleUnknownKey},
		{"key not for method", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: ratio\n    numerator: a\n    denominator: b\n    metric: c\n"),
			[]string{`f.yaml:13: node 1: key "metric" does not apply to method ratio; keys for ratio: max, numerator, denominator, target`}, RuleKeyNotForMethod},
		{"max on a bonus", head(okNode + "  - code: T\n    name: Thưởng\n    adjustment: true\n    children:\n      - {code: T.1, name: B, method: bonus, cap: 1, max: 1}\n"),
			[]string{`f.yaml:12: node T.1: key "max" does not apply to method bonus; keys for bonus: cap`}, RuleKeyNotForMethod},
		{"key not for group", head("  - code: \"1\"\n    name: A\n    numerator: a\n    children:\n      - {code: \"1.1\", name: B, max: 1, method: boolean}\n"),
			[]string{`f.yaml:9: node 1: key "numerator" does not apply to a node with children (its maximum is the sum of theirs); remove it or make the node a leaf`}, RuleKeyNotForGroup},
		{"unknown method", head("  - {code: \"1\", name: A, max: 1, method: vote}\n"),
			[]string{`f.yaml:7: node 1: unknown method "vote"; allowed methods: ` + methodNames}, RuleUnknownMethod},
		{"missing method", head("  - {code: \"1\", name: A, max: 1}\n"),
			[]string{"f.yaml:7: node 1: method is missing (a node without children is a leaf and needs one); allowed methods: " + methodNames}, RuleMissingMethod},
		{"duplicate code", head("  - code: \"1\"\n    name: A\n    children:\n      - {code: \"1.1\", name: B, max: 1, method: boolean}\n      - {code: \"1.1\", name: C, max: 1, method: boolean}\n"),
			[]string{`f.yaml:11: node 1.1: duplicate code "1.1" (first used on line 10)`}, RuleDuplicateCode},
		{"node without code", head("  - {name: A, max: 1, method: boolean}\n"),
			[]string{"f.yaml:7: code is missing"}, RuleMissingCode},
		{"bad node code", head("  - {code: \"1 2\", name: A, max: 1, method: boolean}\n"),
			[]string{`f.yaml:7: code "1 2" may contain only letters, digits, '.', '_' and '-', starting with a letter or digit`}, RuleBadCode},
		{"node without name", head("  - {code: \"1\", max: 1, method: boolean}\n"),
			[]string{"f.yaml:7: node 1: name is missing"}, RuleMissingName},
		{"empty children", head("  - code: \"1\"\n    name: A\n    children: []\n"),
			[]string{"f.yaml:9: node 1: children is empty; list at least one child, or remove the key and give the node a method"}, RuleEmptyChildren},
		{"children and method", head("  - code: \"1\"\n    name: A\n    method: boolean\n    children:\n      - {code: \"1.1\", name: B, max: 1, method: boolean}\n"),
			[]string{"f.yaml:9: node 1: node has both children and a method; a node either groups children or is a leaf with a method"}, RuleChildrenAndMeth},
		{"children not a list", head("  - code: \"1\"\n    name: A\n    children: none\n"),
			[]string{`f.yaml:9: node 1: children must be a list of nodes, got "none"`}, RuleWrongType},

		// Maxima.
		{"missing max", head("  - {code: \"1\", name: A, method: boolean}\n"),
			[]string{"f.yaml:7: node 1: max is missing; every scored leaf needs its maximum points"}, RuleMissingMax},
		{"negative max", head("  - code: \"1\"\n    name: A\n    max: -1\n    method: boolean\n"),
			[]string{"f.yaml:9: node 1: max must not be negative, got -1"}, RuleNegativeMax},
		{"max of wrong type", head("  - code: \"1\"\n    name: A\n    max: abc\n    method: boolean\n"),
			[]string{`f.yaml:9: node 1: max must be a number, got "abc"`}, RuleWrongType},
		{"max quoted number", head("  - code: \"1\"\n    name: A\n    max: \"2\"\n    method: boolean\n"),
			[]string{`f.yaml:9: node 1: max must be a number, got "2"`}, RuleWrongType},
		{"max a list", head("  - code: \"1\"\n    name: A\n    max: [1, 2]\n    method: boolean\n"),
			[]string{"f.yaml:9: node 1: max must be a number, got a list"}, RuleWrongType},
		{"max infinite", head("  - code: \"1\"\n    name: A\n    max: .inf\n    method: boolean\n"),
			[]string{"f.yaml:9: node 1: max must be a finite number, got .inf"}, RuleNotFinite},
		{"parent max not the sum", head("  - code: \"1\"\n    name: A\n    max: 10\n    children:\n      - {code: \"1.1\", name: B, max: 4, method: boolean}\n      - {code: \"1.2\", name: C, max: 5.5, method: boolean}\n"),
			[]string{"f.yaml:9: node 1: max 10 is not the sum of its children's maxima (9.5)"}, RuleParentMaxSum},
		{"adjustment with max", head(okNode + "  - code: T\n    name: Thưởng\n    adjustment: true\n    max: 2\n    children:\n      - {code: T.1, name: B, method: bonus, cap: 2}\n"),
			[]string{"f.yaml:11: node T: an adjustment node has no max (it sits outside the maximum); give each bonus or penalty leaf a cap instead"}, RuleAdjustmentMax},
		{"adjustment not a boolean", head(okNode + "  - code: T\n    name: Thưởng\n    adjustment: yes\n    children:\n      - {code: T.1, name: B, method: bonus, cap: 2}\n"),
			[]string{`f.yaml:10: node T: adjustment must be true or false, got "yes"`}, RuleWrongType},
		{"max on a group inside an adjustment", head(okNode + "  - code: T\n    name: Thưởng\n    adjustment: true\n    children:\n      - code: T.1\n        name: Nhóm\n        max: 1\n        children:\n          - {code: T.1.1, name: B, method: bonus, cap: 2}\n"),
			[]string{"f.yaml:14: node T.1: an adjustment node has no max (it sits outside the maximum); give each bonus or penalty leaf a cap instead"}, RuleAdjustmentMax},
		{"zero total", head("  - {code: \"1\", name: A, max: 0, method: boolean}\n"),
			[]string{"f.yaml:6: the total maximum is 0; at least one criterion must carry points"}, RuleZeroTotal},
		{"empty missing policy", head(okNode) + "missing: \"\"\n",
			[]string{`f.yaml:8: unknown missing policy ""; allowed: zero, exclude`}, RuleMissingPolicy},
		{"empty measure", head("  - {code: \"1\", name: A, max: 3, method: survey, instrument: sipas-2026, measure: \"\"}\n"),
			[]string{`f.yaml:7: node 1: unknown measure ""; allowed: satisfaction, mean100`}, RuleBadMeasure},
		{"node missing policy", head("  - {code: \"1\", name: A, max: 1, method: boolean, missing: ignore}\n"),
			[]string{`f.yaml:7: node 1: unknown missing policy "ignore"; allowed: zero, exclude`}, RuleMissingPolicy},

		// Rates.
		{"ratio without numerator", head("  - {code: \"1\", name: A, max: 1, method: ratio, denominator: b}\n"),
			[]string{"f.yaml:7: node 1: method ratio needs a numerator (a metric name)"}, RuleMissingNumerator},
		{"ratio without denominator", head("  - {code: \"1\", name: A, max: 1, method: ratio, numerator: a}\n"),
			[]string{"f.yaml:7: node 1: method ratio needs a denominator (a metric name)"}, RuleMissingDenom},
		{"relative without numerator", head("  - {code: \"1\", name: A, max: 1, method: relative, denominator: b}\n"),
			[]string{"f.yaml:7: node 1: method relative needs a numerator (a metric name)"}, RuleMissingNumerator},
		{"tiers without denominator", head("  - {code: \"1\", name: A, max: 1, method: tiers, numerator: a, tiers: [{min: 0, points: 1}]}\n"),
			[]string{"f.yaml:7: node 1: method tiers needs a denominator (a metric name)"}, RuleMissingDenom},
		{"bad metric name", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: ratio\n    numerator: Records\n    denominator: b\n"),
			[]string{`f.yaml:11: node 1: numerator "Records" is not a metric name: use lowercase letters, digits and _, starting with a letter`}, RuleBadMetric},
		{"ratio target zero", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: ratio\n    numerator: a\n    denominator: b\n    target: 0\n"),
			[]string{"f.yaml:13: node 1: target must be greater than 0, got 0"}, RuleTarget},
		{"assessed step zero", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: assessed\n    step: 0\n"),
			[]string{"f.yaml:11: node 1: step must be greater than 0, got 0"}, RuleStep},

		// Tiers.
		{"tiers missing", head("  - {code: \"1\", name: A, max: 2, method: tiers, numerator: a, denominator: b}\n"),
			[]string{"f.yaml:7: node 1: method tiers needs a list of tiers ({min, points}, highest min first)"}, RuleNoTiers},
		{"tiers not descending", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: 0.9, points: 1}\n      - {min: 0.98, points: 2}\n      - {min: 0, points: 0}\n"),
			[]string{"f.yaml:15: node 1: tier 2: min 0.98 is not below the previous tier's min 0.9; list tiers from the highest min down"}, RuleTierOrder},
		{"tiers without floor", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: 0.98, points: 2}\n      - {min: 0.9, points: 1}\n"),
			[]string{"f.yaml:15: node 1: the last tier must have min: 0 so that every rate earns a tier, got 0.9"}, RuleTierFloor},
		{"tier points above max", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: 0.98, points: 3}\n      - {min: 0, points: 0}\n"),
			[]string{"f.yaml:14: node 1: tier 1: points 3 are above the node's max 2"}, RuleTierPointsAbove},
		{"tier points negative", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: 0.98, points: 2}\n      - {min: 0, points: -1}\n"),
			[]string{"f.yaml:15: node 1: tier 2: points must not be negative, got -1"}, RuleTierPointsNeg},
		{"tier without points", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: 0.98, points: 2}\n      - {min: 0}\n"),
			[]string{"f.yaml:15: node 1: tier 2 has no points"}, RuleTierMissingPts},
		{"tier without min", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {points: 2}\n"),
			[]string{"f.yaml:14: node 1: tier 1 has no min"}, RuleTierMissingMin},
		{"tier unknown key", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: 0, points: 2, label: top}\n"),
			[]string{`f.yaml:14: node 1: unknown key "label"; allowed keys: min, points`}, RuleUnknownKey},
		{"tier min of wrong type", head("  - code: \"1\"\n    name: A\n    max: 2\n    method: tiers\n    numerator: a\n    denominator: b\n    tiers:\n      - {min: high, points: 2}\n"),
			[]string{`f.yaml:14: node 1: tier 1 min must be a number, got "high"`}, RuleWrongType},

		// Count.
		{"count without metric", head("  - {code: \"1\", name: A, max: 1, method: count, per_unit: 0.25}\n"),
			[]string{"f.yaml:7: node 1: method count needs a metric (the metric name to count)"}, RuleCountMetric},
		{"count without per_unit", head("  - {code: \"1\", name: A, max: 1, method: count, metric: initiatives_adopted}\n"),
			[]string{"f.yaml:7: node 1: method count needs per_unit (the points each unit counted earns)"}, RuleCountPerUnit},
		{"count per_unit zero", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: count\n    metric: initiatives_adopted\n    per_unit: 0\n"),
			[]string{"f.yaml:12: node 1: per_unit must be greater than 0, got 0"}, RulePerUnit},

		// Formula.
		{"formula missing", head("  - {code: \"1\", name: A, max: 1, method: formula}\n"),
			[]string{"f.yaml:7: node 1: method formula needs a formula"}, RuleMissingFormula},
		{"formula does not parse", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"max * (a / b\"\n"),
			[]string{"f.yaml:11: node 1: formula does not parse: unexpected token EOF at character 12"}, RuleFormulaSyntax},
		{"formula unknown function", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"max * sqrt(a)\"\n"),
			[]string{"f.yaml:11: node 1: formula calls sqrt, which is not allowed; allowed functions: abs, max, min"}, RuleFormulaFunction},
		{"formula builtin", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"max * len(a)\"\n"),
			[]string{"f.yaml:11: node 1: formula calls len, which is not allowed; allowed functions: abs, max, min"}, RuleFormulaFunction},
		{"formula member access", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"max * records.total\"\n"),
			[]string{"f.yaml:11: node 1: formula uses member access or indexing (records.total); only metric names, max and numbers may be used"}, RuleFormulaMember},
		{"formula identifier form", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"max * Records\"\n"),
			[]string{`f.yaml:11: node 1: formula uses "Records", which is not a metric name (lowercase letters, digits and _, starting with a letter) nor max`}, RuleFormulaIdent},
		{"formula operator", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"a == b\"\n"),
			[]string{`f.yaml:11: node 1: formula uses operator "=="; allowed operators: + - * / and parentheses`}, RuleFormulaOperator},
		{"formula conditional", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"a > 0 ? max : 0\"\n"),
			[]string{"f.yaml:11: node 1: formula uses a condition (?: or if/else), which is not allowed; a formula is arithmetic (+ - * /) on numbers, metric names and max, with abs, min, max"}, RuleFormulaConstruct},
		{"formula min with one argument", head("  - code: \"1\"\n    name: A\n    max: 1\n    method: formula\n    formula: \"min(a)\"\n"),
			[]string{"f.yaml:11: node 1: formula: min takes at least two arguments, got 1"}, RuleFormulaArgs},

		// Adjustments.
		{"bonus outside adjustment", head(okNode + "  - {code: \"2\", name: B, method: bonus, cap: 2}\n"),
			[]string{"f.yaml:8: node 2: method bonus is only allowed inside an adjustment node (adjustment: true)"}, RuleBonusOutside},
		{"scored leaf inside adjustment", head(okNode + "  - code: T\n    name: Thưởng\n    adjustment: true\n    children:\n      - code: T.1\n        name: B\n        max: 1\n        method: boolean\n"),
			[]string{"f.yaml:15: node T.1: only bonus and penalty leaves may sit inside an adjustment node, not method boolean"}, RuleScoredInside},
		{"bonus without cap", head(okNode + "  - code: T\n    name: Thưởng\n    adjustment: true\n    children:\n      - {code: T.1, name: B, method: bonus}\n"),
			[]string{"f.yaml:12: node T.1: cap is missing; a bonus leaf needs the most points it may add or remove"}, RuleMissingCap},
		{"penalty with negative cap", head(okNode + "  - code: T\n    name: Trừ\n    adjustment: true\n    children:\n      - code: T.1\n        name: B\n        method: penalty\n        cap: -3\n"),
			[]string{"f.yaml:15: node T.1: cap must not be negative, got -3"}, RuleNegativeCap},

		// Survey.
		{"survey without instrument", head("  - {code: \"1\", name: A, max: 3, method: survey, element: access}\n"),
			[]string{"f.yaml:7: node 1: method survey needs an instrument (the survey code, e.g. sipas-2026)"}, RuleMissingInstr},
		{"survey element and question", head("  - code: \"1\"\n    name: A\n    max: 3\n    method: survey\n    instrument: sipas-2026\n    element: access\n    question: q1\n"),
			[]string{"f.yaml:13: node 1: element and question are both set; give one of them, or neither for the overall index"}, RuleElementQuestion},
		{"survey bad measure", head("  - code: \"1\"\n    name: A\n    max: 3\n    method: survey\n    instrument: sipas-2026\n    measure: median\n"),
			[]string{`f.yaml:12: node 1: unknown measure "median"; allowed: satisfaction, mean100`}, RuleBadMeasure},
	}
	seen := map[Rule]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, err := Parse("f.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded (%s); want %q", f.Code, tt.want)
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %T, want *ValidationError: %v", err, err)
			}
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.Error())
				if p.MessageVI == "" || p.MessageVI == p.Message {
					t.Errorf("problem %q has no Vietnamese message", p.Message)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems\n got: %q\nwant: %q", got, tt.want)
			}
			if verr.Problems[0].Rule != tt.rule {
				t.Errorf("rule %q, want %q", verr.Problems[0].Rule, tt.rule)
			}
			if err.Error() != strings.Join(tt.want, "\n") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
		seen[tt.rule] = true
	}
	// Every rule that Parse can report on its own has a case above.
	for rule := range messages {
		switch rule {
		case RuleSurveyElement, RuleSurveyRef, RuleTooDeep, RuleFormulaTooLong, RuleFormulaCompile, RuleBadText:
			continue // warnings, or covered by dedicated tests
		}
		if !seen[rule] {
			t.Errorf("rule %s has no case in the table", rule)
		}
	}
}

func TestParseReportsAllProblemsInLineOrder(t *testing.T) {
	src := `code: t
name: T
year: 1990
agency_types: [department]
rounding: 9
bands:
  - {code: A, name: Tốt, min: 50}
  - {code: B, name: Khá, min: 60}
nodes:
  - code: "1"
    name: A
    max: 5
    children:
      - {code: "1.1", name: B, max: 2, method: ratio}
      - {code: "1.1", name: C, max: 2, method: vote}
`
	_, _, err := Parse("x.yaml", []byte(src))
	want := strings.Join([]string{
		"x.yaml:3: year 1990 is outside 2000..2100",
		"x.yaml:5: rounding 9 is outside 0..6 decimals",
		"x.yaml:8: band B: min 60 is not below the previous band's min 50; list bands from the highest min down",
		"x.yaml:8: the last band (B) must have min: 0 so that every index gets a band, got 60",
		"x.yaml:12: node 1: max 5 is not the sum of its children's maxima (4)",
		"x.yaml:14: node 1.1: method ratio needs a numerator (a metric name)",
		"x.yaml:14: node 1.1: method ratio needs a denominator (a metric name)",
		"x.yaml:15: node 1.1: duplicate code \"1.1\" (first used on line 14)",
		`x.yaml:15: node 1.1: unknown method "vote"; allowed methods: assessed, boolean, ratio, tiers, relative, count, formula, survey, bonus, penalty`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString(head(""))
	indent := "  "
	for i := 0; i <= MaxDepth; i++ {
		b.WriteString(indent + "- code: n" + itoa(i) + "\n")
		b.WriteString(indent + "  name: N\n")
		b.WriteString(indent + "  children:\n")
		indent += "    "
	}
	b.WriteString(indent + "- {code: leaf, name: L, max: 1, method: boolean}\n")
	_, _, err := Parse("deep.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "nodes nest deeper than 32 levels") {
		t.Errorf("err = %v", err)
	}
}

func TestParseFormulaTooLong(t *testing.T) {
	long := "a" + strings.Repeat(" + a", 300)
	_, _, err := Parse("f.yaml", []byte(head("  - {code: \"1\", name: A, max: 1, method: formula, formula: \""+long+"\"}\n")))
	if err == nil || err.Error() != "f.yaml:7: node 1: formula is longer than 1000 characters" {
		t.Errorf("err = %v", err)
	}
}

func TestParseDefaultsAndTrimming(t *testing.T) {
	src := head(`  - code: " 1 "
    name: "  Chỉ đạo  "
    children:
      - {code: "1.1", name: A, max: 1, method: assessed}
      - {code: "1.2", name: B, max: 1, method: ratio, numerator: a, denominator: b}
      - {code: "1.3", name: C, max: 1, method: survey, instrument: sipas-2026}
`)
	f, warnings, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if f.Rounding != DefaultRounding || f.Missing != MissingZero || f.CapIndex != nil || f.SurveyResponses != ResponsesClean {
		t.Errorf("framework defaults: rounding %d, missing %q, cap %v, survey_responses %q", f.Rounding, f.Missing, f.CapIndex, f.SurveyResponses)
	}
	area := f.Nodes[0]
	if area.Code != "1" || area.Name != "Chỉ đạo" || area.Line != 7 {
		t.Errorf("area %q %q line %d", area.Code, area.Name, area.Line)
	}
	if got := f.Find("1.1").Step; got != DefaultStep {
		t.Errorf("step %v", got)
	}
	if got := f.Find("1.2").Target; got != DefaultTarget {
		t.Errorf("target %v", got)
	}
	if got := f.Find("1.3").Measure; got != MeasureSatisfaction {
		t.Errorf("measure %v", got)
	}
}

func TestParseWarnsAboutUnknownSurveyElements(t *testing.T) {
	src := head("  - {code: \"1\", name: A, max: 3, method: survey, instrument: sipas-2026, element: acess}\n")
	f, warnings, err := Parse("f.yaml", []byte(src))
	if err != nil || f == nil {
		t.Fatal(err)
	}
	want := `f.yaml:7: node 1: element "acess" is not one of the SIPAS elements (access, procedure, civil_servant, result, feedback); it can only be checked against instrument sipas-2026 in the database`
	if len(warnings) != 1 || warnings[0].String() != want {
		t.Errorf("warnings %v", warnings)
	}
}

func TestCheckSurveyRefs(t *testing.T) {
	f := mustReference(t, "province-departments-2026")
	known := func(instrument, element, question string) bool {
		return instrument == "sipas-2026" && element != "feedback"
	}
	warnings := CheckSurveyRefs(f, known)
	if len(warnings) != 1 {
		t.Fatalf("warnings %v", warnings)
	}
	w := warnings[0]
	if w.Node != "8.1.5" || w.Message != "survey reference instrument sipas-2026, element feedback is not known" || w.Line == 0 {
		t.Errorf("warning %+v", w)
	}
	if got := CheckSurveyRefs(f, func(string, string, string) bool { return true }); len(got) != 0 {
		t.Errorf("all known: %v", got)
	}
}

func TestValidateFrameworkBuiltInCode(t *testing.T) {
	one := 1.0
	f := &Framework{
		Code: "code-built", Name: "X", Year: 2026, AgencyTypes: []string{"ward"},
		Bands: []Band{{Code: "A", Name: "Tốt", Min: 0}},
		Nodes: []*Node{
			{Code: "1", Name: "A", Max: &one, Method: MethodRatio, Numerator: "a"},
			{Code: "2", Name: "B", Max: &one, Method: MethodAssessed, Line: 12},
		},
	}
	err := Validate(f)
	if err == nil || err.Error() != "node 1: method ratio needs a denominator (a metric name)" {
		t.Errorf("err = %v", err)
	}
	f.Nodes[0].Denominator = "b"
	if err := Validate(f); err != nil {
		t.Errorf("valid framework: %v", err)
	}
	f.Nodes[1].Step = -1
	if err := Validate(f); err == nil || err.Error() != "line 12: node 2: step must be greater than 0, got -1" {
		t.Errorf("err = %v", err)
	}
	if err := Validate(nil); err == nil {
		t.Error("Validate(nil) passed")
	}
}

func TestProblemVietnamese(t *testing.T) {
	p := newProblem("f.yaml", 3, "1.2", RuleMissingMax)
	if got := p.Vietnamese(); got != "f.yaml:3: tiêu chí 1.2: thiếu điểm tối đa (max); mọi tiêu chí được chấm điểm đều cần điểm tối đa" {
		t.Errorf("Vietnamese() = %q", got)
	}
	for rule, m := range messages {
		if m.en == "" || m.vi == "" {
			t.Errorf("rule %s lacks a message", rule)
		}
		if strings.Count(m.en, "%") != strings.Count(m.vi, "%") {
			t.Errorf("rule %s: English and Vietnamese take different arguments", rule)
		}
	}
}
