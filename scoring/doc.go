// Package scoring is the PAR-index engine: given one criteria framework and
// the inputs of many agencies (entered points, yes/no answers, operational
// metrics, survey results, criteria that do not apply), it computes the
// points and maximum of every node, each agency's index, its rounded index,
// band and rank, explains every figure, and estimates how uncertain the
// ranks are because the survey results are samples.
//
// It owns:
//   - the arithmetic of each method (assessed, boolean, ratio, tiers,
//     relative, count, formula, survey, bonus, penalty), the missing-input
//     and not-applicable rules, the index, its cap, rounding and banding,
//     and competition ranking (Score);
//   - the checks of the inputs against the framework, every problem reported
//     at once with agency, node and value (InputErrors);
//   - the public JSON contracts of the inputs (ParseInputs, which refuses
//     unknown fields and says where) and of the result (Result);
//   - the Monte Carlo rank uncertainty over survey-based leaves
//     (ScoreWith with UncertaintyOptions).
//
// The engine keeps full precision everywhere and rounds only at the edges:
// the published index (index_rounded), the band read from it and the ranks
// computed on it, always through criteria.Framework.RoundIndex, which is
// stats.RoundHalfUp, the project's one rounding helper.
//
// The package is pure. It may import only the standard library,
// parindex/criteria and parindex/stats. It must never import database/sql or
// any SQL driver, net/http or gin, the store, survey, web or dashboard
// packages, and it must never read the clock or the environment. Randomness
// comes only from a caller-supplied seed (math/rand/v2 PCG), so a published
// rank interval can be recomputed bit for bit. Callers that hold data (the
// store, the survey results) build Inputs and pass them in.
//
// The arithmetic and the JSON contracts are documented for users in
// docs/scoring.md at the root of the repository; keep the two in step.
package scoring
