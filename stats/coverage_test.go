package stats

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// syntheticPopulation builds a population of respondents whose answers are
// correlated the way real ones are: each respondent has a latent level of
// contentment shared by all questions, plus an element-specific component
// shared by the questions of one element, plus noise; the sum is cut into
// levels 1..5. Some answers are "not applicable", more often for the
// less-content respondents, so n varies by question and NA is informative.
func syntheticPopulation(size int, seed uint64) ([][]int, []BatteryElement) {
	random := rand.New(rand.NewPCG(seed, 1))
	questionsPerElement := []int{3, 4, 5, 2, 3}
	var elements []BatteryElement
	var means, naRates []float64
	var elementOf []int
	for e, count := range questionsPerElement {
		element := BatteryElement{Name: "E" + string(rune('1'+e))}
		for range count {
			element.Questions = append(element.Questions, len(means))
			means = append(means, 0.3+0.9*random.Float64()) // satisfaction 60–90%
			naRates = append(naRates, 0.02+0.15*random.Float64())
			elementOf = append(elementOf, e)
		}
		elements = append(elements, element)
	}
	cuts := [4]float64{-1.6, -0.9, -0.1, 1.0} // between levels 1|2, 2|3, 3|4, 4|5
	answers := make([][]int, size)
	elementEffect := make([]float64, len(questionsPerElement))
	for r := range answers {
		latent := random.NormFloat64()
		for e := range elementEffect {
			elementEffect[e] = random.NormFloat64()
		}
		row := make([]int, len(means))
		for q := range row {
			notApplicable := naRates[q] * (1 - 0.5*math.Tanh(latent))
			if random.Float64() < notApplicable {
				continue // 0: not applicable
			}
			y := means[q] + 0.7*latent + 0.4*elementEffect[elementOf[q]] + 0.6*random.NormFloat64()
			level := 1
			for _, cut := range cuts {
				if y > cut {
					level++
				}
			}
			row[q] = level
		}
		answers[r] = row
	}
	return answers, elements
}

// TestBootstrapCoverage checks the respondent-level percentile bootstrap
// where it matters: over many samples of n = 200 from a known population,
// the 95% intervals for every element and for the overall index must
// contain the population value about 95% of the time. With 1,000 samples
// the Monte Carlo standard error of a coverage is 0.7 points, so the band
// 93–97% is about ±3 standard errors. Everything is seeded: the outcome is
// the same on every run.
func TestBootstrapCoverage(t *testing.T) {
	const (
		populationSize = 20_000
		sampleSize     = 200
		samples        = 1_000
		// 400 replicates put the Monte Carlo error of a 2.5% percentile at
		// a small fraction of the interval's width; it shifts coverage by
		// well under the test's band and keeps the test fast under -race.
		bootstrapReps = 400
	)
	for _, rule := range []AggregationRule{RuleSatisfaction, RuleMean100} {
		t.Run(string(rule), func(t *testing.T) {
			population, elements := syntheticPopulation(populationSize, 2025)
			truth, err := AggregateBattery(population, elements, BatteryOptions{Rule: rule, SkipBootstrap: true})
			if err != nil {
				t.Fatal(err)
			}
			truthValues := make([]float64, len(elements)+1)
			for e, element := range truth.Elements {
				truthValues[e] = element.Index
			}
			truthValues[len(elements)] = truth.Overall

			// Draw every sample first (without replacement, by a partial
			// Fisher–Yates shuffle), so that the parallel part below cannot
			// change which respondents a sample holds.
			random := rand.New(rand.NewPCG(7, 7))
			order := make([]int, populationSize)
			for i := range order {
				order[i] = i
			}
			sampleRows := make([][][]int, samples)
			for s := range sampleRows {
				rows := make([][]int, sampleSize)
				for i := range rows {
					j := i + random.IntN(populationSize-i)
					order[i], order[j] = order[j], order[i]
					rows[i] = population[order[i]]
				}
				sampleRows[s] = rows
			}

			covered := make([][]bool, samples) // [sample][element…, overall]
			var failure error
			var failureOnce sync.Once
			var wait sync.WaitGroup
			workers := runtime.GOMAXPROCS(0)
			for w := range workers {
				wait.Add(1)
				go func() {
					defer wait.Done()
					for s := w; s < samples; s += workers {
						result, err := AggregateBattery(sampleRows[s], elements, BatteryOptions{Rule: rule, BootstrapReps: bootstrapReps, Seed: uint64(s)})
						if err != nil {
							failureOnce.Do(func() { failure = err })
							return
						}
						hit := make([]bool, len(elements)+1)
						for e, element := range result.Elements {
							hit[e] = element.Low <= truthValues[e] && truthValues[e] <= element.High
						}
						hit[len(elements)] = result.OverallLow <= truth.Overall && truth.Overall <= result.OverallHigh
						covered[s] = hit
					}
				}()
			}
			wait.Wait()
			if failure != nil {
				t.Fatal(failure)
			}

			for k := range truthValues {
				name := "overall"
				if k < len(elements) {
					name = elements[k].Name
				}
				hits := 0
				for s := range covered {
					if covered[s][k] {
						hits++
					}
				}
				coverage := float64(hits) / samples
				t.Logf("%s %-7s true %.4f  coverage %.1f%%", rule, name, truthValues[k], 100*coverage)
				if coverage < 0.93 || coverage > 0.97 {
					t.Errorf("%s %s: coverage %.1f%% of the population value %.4f, want 93–97%%", rule, name, 100*coverage, truthValues[k])
				}
			}
		})
	}
}
