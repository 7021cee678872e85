package envs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/composure-dev/composure/compose"
)

func TestCheckExpansion(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString(`x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, n := range "bcdefghi" {
		fmt.Fprintf(&bomb, "x-%c: &%c [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = string(n)
	}
	// a chain of anchors, each nesting the previous: small, but 1,200
	// levels deep once expanded
	var chain strings.Builder
	chain.WriteString("x-0: &a0 [x]\n")
	for i := 1; i <= 1200; i++ {
		fmt.Fprintf(&chain, "x-%d: &a%d [*a%d]\n", i, i, i-1)
	}
	tests := []struct {
		name, src, want string
	}{
		{name: "anchors reused, as real files do",
			src: "x-hc: &hc {interval: 10s, retries: 3}\nservices:\n  a: {image: x, healthcheck: *hc}\n  b: {image: x, healthcheck: {<<: *hc, timeout: 1s}}\n"},
		{name: "billion laughs", src: bomb.String(),
			want: "compose.yaml:7:6: aliases expand to more than 1000000 nodes (an alias bomb?): reduce the nesting of anchors"},
		{name: "deep chain", src: chain.String(),
			want: "compose.yaml:999:8: aliases nest deeper than 1000 levels once expanded: reduce the nesting of anchors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := compose.Parse("compose.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = checkExpansion(d)
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("took %v", d)
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
