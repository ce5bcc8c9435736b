//go:build race

package durability_test

// raceEnabled builds the gateway with the race detector when the tests run
// with it, so a data race in a crash or failover path fails the test.
const raceEnabled = true
