package refactor

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
)

// TestCorpusLayouts rewrites every YAML file of ../shared/corpus with
// aggressive options (two shared entries, both styles) and checks that no
// group has to be skipped: the line edits handle every layout found there,
// each result passes Rewrite's own check (it parses and means the same), and
// no proof finds a difference.
func TestCorpusLayouts(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	corpus := filepath.Join(testenv.SharedDir(t), "corpus")
	var files, groups, proved int
	err := filepath.WalkDir(corpus, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		if ext := filepath.Ext(p); ext != ".yml" && ext != ".yaml" {
			return nil
		}
		rel, _ := filepath.Rel(corpus, p)
		d, err := compose.ReadFile(p, rel)
		if err != nil || d.Root == nil {
			return nil
		}
		for _, opts := range []Options{{MinShared: 2}, {MinShared: 2, Style: StyleFirstService}, {MinShared: 3, Overlay: true}} {
			r, err := Rewrite(d, opts)
			if err != nil {
				if !strings.Contains(err.Error(), "no services mapping") && !strings.Contains(err.Error(), "top-level keys are indented") {
					t.Errorf("%s %+v: %v", rel, opts, err)
				}
				continue
			}
			for _, s := range r.Skipped {
				t.Errorf("%s %+v: group %v skipped: %v", rel, opts, s.Services, s.Err)
			}
			if !r.Changed() {
				continue
			}
			files++
			groups += len(r.Changes)
			// Prove the first-service rewrites (TestCorpus proves the default
			// style) on the file alone, as `composure refactor FILE` would for
			// a file no environment includes.
			if opts.Style != StyleFirstService {
				continue
			}
			proj, err := envs.Discover(envs.Options{Dir: filepath.Dir(p), Files: []string{p}})
			if err != nil {
				continue
			}
			err = Prove(context.Background(), proj, proj.Envs, r)
			var ne *NotEquivalentError
			if errors.As(err, &ne) {
				t.Errorf("%s %+v: %v", rel, opts, err)
			} else if err == nil {
				proved++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rewrites, %d groups; %d first-service rewrites proved (the rest do not load on their own)", files, groups, proved)
}
