// Package reliability holds composure's fuzz targets and hostile-input tests
// that span packages (issue 6): every file of interest is a _test.go file, so
// the package adds nothing to the binary. docs/reliability.md records what
// they found and how long they ran.
package reliability
