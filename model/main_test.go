package model

import (
	"io"
	"os"
	"testing"

	"github.com/sirupsen/logrus"
)

// TestMain silences compose-go's warnings (booleans written "yes", ...),
// which the comparisons provoke by the thousand, and removes the generated
// projects (genRoot) afterwards.
func TestMain(m *testing.M) {
	logrus.SetOutput(io.Discard)
	code := m.Run()
	if genRootDir != "" {
		os.RemoveAll(genRootDir)
	}
	os.Exit(code)
}

func mkdirTemp() (string, error) { return os.MkdirTemp("", "composure-model-") }
