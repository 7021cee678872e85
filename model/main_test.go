package model

import (
	"os"
	"testing"
)

// TestMain removes the generated projects (genRoot) after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if genRootDir != "" {
		os.RemoveAll(genRootDir)
	}
	os.Exit(code)
}

func mkdirTemp() (string, error) { return os.MkdirTemp("", "composure-model-") }
