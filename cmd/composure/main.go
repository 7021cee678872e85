// Command composure loads, prints, diffs, lints and refactors Docker Compose
// projects kept in several files. See the README.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func osGetenv(k string) string { return os.Getenv(k) }
