// Command cmd writes a generated compose project (see package gen) to a
// directory, so other tools can be timed on the same files:
//
//	go run ./internal/gen/cmd -n 1000 -o /tmp/gen1000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/composure-dev/composure/internal/gen"
)

func main() {
	n := flag.Int("n", 1000, "number of services in the base file")
	out := flag.String("o", "", "directory to write the project into (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/gen/cmd -n 1000 -o DIR")
		os.Exit(2)
	}
	if err := gen.Write(*out, *n); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(3)
	}
}
