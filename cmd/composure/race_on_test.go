//go:build race

package main

// hostileRaceFactor scales CPU-time bounds: the race detector makes code 5 to 10 times
// slower, so under -race the bounds catch hangs, not slowness.
const hostileRaceFactor = 10
