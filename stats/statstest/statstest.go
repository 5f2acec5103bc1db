// Package statstest reads the published worked examples of the statistics
// (testdata/stats-vectors.json at the repository root) for the tests of every
// package that computes with them: stats checks each section, survey the
// figures it builds on stats (since 2026-12-07, one reader and one type for
// both, issue 24). The root package's TestStatsVectorsMatchShared keeps the
// file equal to the shared one when that is beside the repository. For tests
// only; it imports the standard library alone.
package statstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Vectors are the sections of the file; Load rejects a field that is not
// here, so that a vector added to the file cannot go unchecked.
type Vectors struct {
	Z95      float64 `json:"z95"`
	Notes    string  `json:"notes"`
	Wilson95 []struct {
		X        int        `json:"x"`
		N        int        `json:"n"`
		Interval [2]float64 `json:"interval"`
	} `json:"wilson95"`
	Items []struct {
		Counts       [5]int     `json:"counts"`
		NA           int        `json:"na"`
		N            int        `json:"n"`
		Satisfaction float64    `json:"satisfaction"`
		Mean         float64    `json:"mean"`
		Mean100      float64    `json:"mean100"`
		Wilson95     [2]float64 `json:"wilson95"`
	} `json:"items"`
	TIntervals []struct {
		Values []float64  `json:"values"`
		Mean   float64    `json:"mean"`
		SD     float64    `json:"sd"`
		T      float64    `json:"t"`
		CI95   [2]float64 `json:"ci95"`
	} `json:"t_intervals"`
	Cronbach struct {
		Rows               [][]float64 `json:"rows"`
		Alpha              float64     `json:"alpha"`
		CorrectedItemTotal []float64   `json:"corrected_item_total"`
		AlphaIfDeleted     []float64   `json:"alpha_if_deleted"`
	} `json:"cronbach"`
	TwoProportions []struct {
		A          [2]int     `json:"a"`
		B          [2]int     `json:"b"`
		Diff       float64    `json:"diff"`
		Z          float64    `json:"z"`
		PValue     float64    `json:"p_value"`
		Newcombe95 [2]float64 `json:"newcombe95"`
	} `json:"two_proportions"`
	Stratified struct {
		Population []float64 `json:"population"`
		Rates      []float64 `json:"rates"`
		Samples    []int     `json:"samples"`
		Estimate   float64   `json:"estimate"`
		SE         float64   `json:"se"`
	} `json:"stratified"`
	Kish struct {
		Weights []float64 `json:"weights"`
		NEff    float64   `json:"n_eff"`
		Deff    float64   `json:"deff"`
	} `json:"kish"`
	YamaneE05 []struct {
		Population int `json:"N"`
		SampleSize int `json:"n"`
	} `json:"yamane_e05"`
	ElementOverall struct {
		Items    map[string][]float64 `json:"items"`
		Elements map[string]float64   `json:"elements"`
		Overall  float64              `json:"overall"`
	} `json:"element_overall"`
	CompetitionRanks struct {
		Values []float64 `json:"values"`
		Ranks  []int     `json:"ranks"`
	} `json:"competition_ranks"`
	RoundHalfUp2dp []struct {
		Value   float64 `json:"value"`
		Rounded float64 `json:"rounded"`
	} `json:"round_half_up_2dp"`
	Raking struct {
		Cells   map[string]float64   `json:"cells"`
		Margins []map[string]float64 `json:"margins"`
		Weights map[string]float64   `json:"weights"`
	} `json:"raking"`
}

// Path is where the vectors are: testdata/stats-vectors.json in the module
// that holds the working directory (go test runs in the package's folder).
func Path(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "stats-vectors.json")
		} else if !errors.Is(err, fs.ErrNotExist) {
			tb.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("statstest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Load reads the vectors. A missing or changed file fails the test: unknown
// fields are rejected so that a vector added to the file cannot go
// unchecked.
func Load(tb testing.TB) Vectors {
	tb.Helper()
	path := Path(tb)
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("the statistics vectors are required at %s (the project's testdata): %v", path, err)
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var vectors Vectors
	if err := decoder.Decode(&vectors); err != nil {
		tb.Fatalf("%s: %v (a new section needs a check in stats/vectors_test.go)", path, err)
	}
	return vectors
}
