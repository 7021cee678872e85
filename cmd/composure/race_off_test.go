//go:build !race

package main

// hostileRaceFactor scales CPU-time bounds (see race_on_test.go).
const hostileRaceFactor = 1
