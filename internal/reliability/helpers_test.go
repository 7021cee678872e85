package reliability

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/composure-dev/composure/compose"
)

// repoRoot is the directory holding go.mod.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// maxSeedSize keeps the seed corpus small enough for plain `go test`, and
// the fuzzer's mutations (and minimisation) of each seed fast.
const maxSeedSize = 32 << 10

// seedFiles returns the compose files used as fuzz seeds: the repository's
// examples and testdata, and the shared corpus when it is present. Paths are
// sorted so the seed order is stable.
func seedFiles(tb testing.TB) []string {
	tb.Helper()
	roots := []string{filepath.Join(repoRoot(tb), "examples")}
	if s := testenv.SharedDir(tb); s != "" {
		roots = append(roots, filepath.Join(s, "corpus"))
	}
	var files []string
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if ext := filepath.Ext(p); ext != ".yml" && ext != ".yaml" {
				return nil
			}
			if info, err := d.Info(); err != nil || info.Size() > maxSeedSize {
				return nil
			}
			files = append(files, p)
			return nil
		})
	}
	sort.Strings(files)
	return files
}

// bound is the time and memory a hostile input may cost.
type bound struct {
	// time is CPU time (user + system): the machine running the tests is
	// shared, so wall time measures the neighbours as much as composure.
	// Wall time is bounded too, by hangBound, to catch a blocked read.
	time  time.Duration
	alloc uint64 // bytes allocated in total, an upper bound of the peak heap it adds
}

// defaultBound is issue 6's bound: 2 s and 256 MB.
var defaultBound = bound{time: 2 * time.Second, alloc: 256 << 20}

// hangBound is the wall time after which an input counts as a hang.
const hangBound = 10 * time.Second

// measured is what one hostile input cost.
type measured struct {
	elapsed time.Duration // wall time
	cpu     time.Duration // user + system time of the process
	alloc   uint64
	peak    uint64 // highest live heap seen while it ran, sampled
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f and returns its cost. Memory is counted twice: the bytes
// allocated in total (runtime.MemStats.TotalAlloc, exact and an upper bound
// of what f can hold at once) and the live heap sampled every 5 ms
// (what the process actually held); time is counted as wall and CPU time.
// Tests using it must not run in parallel.
func measure(f func()) measured {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peakc := make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peakc <- peak
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak {
					peak = ms.HeapAlloc
				}
			}
		}
	}()
	start, cpu0 := time.Now(), cpuTime()
	f()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	runtime.ReadMemStats(&after)
	close(stop)
	peak := <-peakc
	if after.HeapAlloc > peak {
		peak = after.HeapAlloc
	}
	base := before.HeapAlloc
	if peak > base {
		peak -= base
	} else {
		peak = 0
	}
	return measured{elapsed: elapsed, cpu: cpu, alloc: after.TotalAlloc - before.TotalAlloc, peak: peak}
}

// check fails t when m exceeds b, and logs m in the form docs/reliability.md
// quotes (`go test -v -run Hostile ./... | grep hostile:`).
func (m measured) check(t *testing.T, name string, b bound) {
	t.Helper()
	t.Logf("hostile: %-40s %8.1f ms wall %8.1f ms CPU %8.1f MB allocated %8.1f MB peak heap", name,
		ms(m.elapsed), ms(m.cpu), float64(m.alloc)/(1<<20), float64(m.peak)/(1<<20))
	if m.cpu > b.time*testenv.RaceFactor {
		t.Errorf("%s took %v of CPU, bound %v", name, m.cpu, b.time*testenv.RaceFactor)
	}
	if m.elapsed > hangBound*testenv.RaceFactor {
		t.Errorf("%s took %v, a hang", name, m.elapsed)
	}
	if m.alloc > b.alloc {
		t.Errorf("%s allocated %d MB, bound %d MB", name, m.alloc>>20, b.alloc>>20)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// checkUserError fails t unless err is composure's one-line user error
// `file:line:col: message` (or `file: message` when there is no position)
// naming file and containing want.
func checkUserError(t *testing.T, err error, file, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	var ce *compose.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %q is not a *compose.Error with a location", err, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	if !strings.HasPrefix(msg, file+":") {
		t.Errorf("error %q does not start with the file name %q", msg, file)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not contain %q", msg, want)
	}
}
