package main

import (
	"errors"
	"fmt"
)

// Exit statuses, the same for every subcommand.
const (
	exitOK       = 0 // success, nothing found
	exitFindings = 1 // lint findings at or above --fail-on, differences with --exit-code, refactor possible with --check
	exitUsage    = 2 // bad usage or input that cannot be loaded
	exitFailure  = 3 // composure itself failed
)

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
