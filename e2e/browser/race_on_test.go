//go:build race

package browser

// raceDetector is true when the tests are built with -race.
const raceDetector = true
