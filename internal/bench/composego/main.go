// Command composego prints a project's config with compose-go v2.16.2 alone,
// as docker compose config computes it (reference.Load), so that
// scripts/bench.sh can time the baseline as a process beside composure and
// dclint where docker compose is not installed:
//
//	go run ./internal/bench/composego -C DIR docker-compose.yml docker-compose.override.yml
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/composure-dev/composure/internal/reference"
)

func main() {
	dir := flag.String("C", ".", "project directory")
	flag.Parse()
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail(err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	o := reference.Options{Dir: abs, Env: env}
	for _, f := range flag.Args() {
		o.Files = append(o.Files, filepath.Join(abs, f))
	}
	if len(o.Files) == 0 {
		fail(fmt.Errorf("usage: composego [-C DIR] FILE..."))
	}
	p, err := reference.Load(context.Background(), o)
	if err != nil {
		fail(err)
	}
	out, err := p.MarshalYAML()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "composego:", err)
	os.Exit(2)
}
