//go:build !race

package reliability

// raceFactor scales CPU-time bounds (see race_on_test.go).
const raceFactor = 1
