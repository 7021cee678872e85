package main

import (
	"runtime/debug"
	"testing"
)

// TestCollectSooner: diff collects at diffGCPercent unless GOGC is set, and
// puts the collector back as it was when it is done.
func TestCollectSooner(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	for _, tt := range []struct {
		gogc string
		want int
	}{
		{"", diffGCPercent},
		{"100", 100},
		{"off", 100},
	} {
		a := &app{getenv: func(k string) string {
			if k == "GOGC" {
				return tt.gogc
			}
			return ""
		}}
		restore := a.collectSooner()
		got := debug.SetGCPercent(100)
		debug.SetGCPercent(got)
		restore()
		if got != tt.want {
			t.Errorf("GOGC=%q: collecting at %d, want %d", tt.gogc, got, tt.want)
		}
		if after := debug.SetGCPercent(100); after != 100 {
			t.Errorf("GOGC=%q: %d after diff, want it restored to 100", tt.gogc, after)
		}
	}
}
