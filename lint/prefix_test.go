package lint

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
	"github.com/composure-dev/composure/merge"
)

// TestPrefixMergeCorpus holds what LoadProject does (the environments
// that share a first file merged in parallel from one merge.Prefix) to
// merge.Merge of each environment alone: same error, Tree and Origins, for
// every environment envs.Discover finds in the corpus projects and the
// generated project. Trees and origins are computed once every merge is
// done, so one environment's merge changing another's values shows.
func TestPrefixMergeCorpus(t *testing.T) {
	shared := testenv.SharedDir(t)
	dirs := []string{t.TempDir()}
	if err := gen.Write(dirs[0], 100); err != nil {
		t.Fatal(err)
	}
	for _, p := range corpusProjects(t, shared) {
		dirs = append(dirs, p.dir)
	}
	envsSharing := 0
	for _, dir := range dirs {
		proj, err := envs.Discover(cleanEnv(dir))
		if err != nil {
			continue // no compose file: nothing merges
		}
		rel, _ := filepath.Rel(shared, dir)
		cache := compose.NewCache()
		byFirst := map[string][][]*compose.Document{}
		for _, env := range proj.Envs {
			var docs []*compose.Document
			for _, f := range env.Files {
				d, err := cache.Load(f, proj.Rel(f))
				if err != nil {
					docs = nil
					break
				}
				docs = append(docs, d)
			}
			if len(docs) > 0 {
				byFirst[env.Files[0]] = append(byFirst[env.Files[0]], docs)
			}
		}
		for _, lists := range byFirst {
			if len(lists) > 1 {
				envsSharing += len(lists)
			}
			p := merge.NewPrefix(lists[0][0])
			got := make([]*merge.Result, len(lists))
			errs := make([]error, len(lists))
			var wg sync.WaitGroup
			for i, docs := range lists {
				wg.Go(func() { got[i], errs[i] = p.Merge(docs[1:]) })
			}
			wg.Wait()
			for i, docs := range lists {
				want, err := merge.Merge(docs)
				name := fmt.Sprintf("%s: %d files from %s", rel, len(docs), docs[0].Name)
				if fmt.Sprint(err) != fmt.Sprint(errs[i]) {
					t.Errorf("%s: error %v, want %v", name, errs[i], err)
					continue
				}
				if err != nil {
					continue
				}
				if !reflect.DeepEqual(got[i].Tree(), want.Tree()) {
					t.Errorf("%s: Tree differs from merge.Merge's", name)
				}
				if !reflect.DeepEqual(got[i].Origins(), want.Origins()) {
					t.Errorf("%s: Origins differ from merge.Merge's", name)
				}
			}
		}
	}
	if envsSharing == 0 {
		t.Error("no environments share a first file: the test compares nothing shared")
	}
	t.Logf("%d projects, %d environments sharing their first file", len(dirs), envsSharing)
}
