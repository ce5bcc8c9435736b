//go:build !race

package durability_test

const raceEnabled = false
