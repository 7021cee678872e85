//go:build !linux

package main

// memoryAvailable returns 0 (unknown) outside Linux: no soft limit.
func memoryAvailable() uint64 { return 0 }
