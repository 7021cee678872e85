//go:build !race

package testenv

// RaceFactor scales CPU-time bounds in tests: the race detector makes code
// 5 to 10 times slower, so under -race a bound catches hangs, not slowness.
const RaceFactor = 1
