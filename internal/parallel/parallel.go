// Package parallel runs independent tasks on a bounded number of
// goroutines: lint's rules and environments, the environments diff loads
// and refactor proves, the projects of `lint DIR...`.
package parallel

import (
	"runtime"
	"sync"
)

// Run runs tasks on at most limit goroutines (GOMAXPROCS when limit is 0
// or less) and waits for them all. With one goroutine the tasks run in
// order on the caller's. A task that needs its panics reported must
// recover them itself: a panic ends the process from the worker.
func Run(limit int, tasks []func()) {
	if limit <= 0 {
		limit = runtime.GOMAXPROCS(0)
	}
	n := min(limit, len(tasks))
	if n <= 1 {
		for _, t := range tasks {
			t()
		}
		return
	}
	next := make(chan func())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for t := range next {
				t()
			}
		})
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
}
