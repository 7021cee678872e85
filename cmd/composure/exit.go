package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit statuses, the same for every subcommand.
const (
	exitOK       = 0 // success, nothing found
	exitFindings = 1 // lint findings at or above --fail-on, differences with --exit-code, refactor possible with --check
	exitUsage    = 2 // bad usage or input that cannot be loaded
	exitFailure  = 3 // composure itself failed
)

// exitStatuses say what each status means, for every command: help prints
// them, and README.md, docs/ci.md, docs/rules.md, docs/refactor.md and
// docs/diff.md hold the same table (TestExitStatusTables).
var exitStatuses = []struct {
	code    int
	meaning string
}{
	{exitOK, "success: no lint finding at or above `--fail-on`, no difference (`diff --exit-code`), nothing to refactor (`refactor --check`)"},
	{exitFindings, "lint findings at or above `--fail-on` (default `error`; after `--fix`, those left; an environment docker compose refuses is a `load-error` error), differences with `diff --exit-code`, a refactor is possible with `refactor --check`"},
	{exitUsage, "usage error, or input that cannot be read, loaded or written: one line `file:line:col: message` says what to do (lint: a file it cannot read or parse, printed as a `load-error` finding in the chosen format)"},
	{exitFailure, "composure itself failed: a rewrite `refactor` could not prove, fixes that broke a project that loaded, or an internal error (a short report, never a stack trace); please report it"},
}

// exitStatusTable is exitStatuses as the Markdown table the docs show.
func exitStatusTable() string {
	var b strings.Builder
	b.WriteString("| exit | meaning |\n|---|---|\n")
	for _, s := range exitStatuses {
		fmt.Fprintf(&b, "| %d | %s |\n", s.code, s.meaning)
	}
	return b.String()
}

// exitError carries an exit status up to run; the message (if any) has been
// printed already or is printed by run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that run exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// silentExit makes run exit with code without printing anything more.
func silentExit(code int) error { return &exitError{code: code} }

// exitCode picks the status for an error returned by a command: usage and
// input errors are 2 unless the error says otherwise.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
}
