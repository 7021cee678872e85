// Package testgen writes synthetic compose projects for benchmarks: a base
// file with n services and three layers (override, prod, admin), in the
// shape of best practice 12, with anchors, depends_on, healthchecks, ports
// and some of the mistakes the linter finds.
package testgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files are the project's compose files in load order.
var Files = []string{"compose.yaml", "compose.override.yaml", "compose.prod.yaml", "compose.admin.yaml"}

// Project writes a project of n services into dir.
func Project(dir string, n int) error {
	var base, over, prod, admin strings.Builder
	base.WriteString("name: bench\nx-logging: &logging\n  driver: json-file\n  options:\n    max-size: 10m\nx-env: &env\n  TZ: UTC\n  LOG_LEVEL: info\nservices:\n")
	over.WriteString("services:\n")
	prod.WriteString("services:\n")
	admin.WriteString("services:\n")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("svc%04d", i)
		fmt.Fprintf(&base, "  %s:\n    image: example/%s:1.%d\n    restart: unless-stopped\n    logging: *logging\n    environment:\n      <<: *env\n      SERVICE_NAME: %s\n      DATABASE_URL: postgres://app@db%d:5432/app\n", name, name, i%10, name, i%7)
		fmt.Fprintf(&base, "    ports:\n      - \"%d:8080\"\n", 10000+i)
		if i%5 == 0 {
			fmt.Fprintf(&base, "    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health\"]\n      interval: 10s\n")
		}
		if i > 0 {
			dep := fmt.Sprintf("svc%04d", (i/5)*5)
			if dep == name {
				dep = "svc0000"
			}
			if i%3 == 0 {
				fmt.Fprintf(&base, "    depends_on:\n      %s:\n        condition: service_healthy\n", dep)
			} else {
				fmt.Fprintf(&base, "    depends_on:\n      - %s\n", dep)
			}
		}
		if i%4 == 0 {
			fmt.Fprintf(&over, "  %s:\n    build: ./%s\n    volumes:\n      - ./src/%s:/app\n    environment:\n      DEBUG: \"1\"\n", name, name, name)
		}
		if i%2 == 0 {
			fmt.Fprintf(&prod, "  %s:\n    restart: always\n    deploy:\n      replicas: 2\n      resources:\n        limits: {memory: 256M}\n", name)
		}
		if i%10 == 0 {
			fmt.Fprintf(&admin, "  %s-admin:\n    image: example/admin:2.%d\n    command: [\"admin\", \"--target\", \"%s\"]\n    depends_on: [%s]\n", name, i%10, name, name)
		}
	}
	for i, b := range []*strings.Builder{&base, &over, &prod, &admin} {
		if err := os.WriteFile(filepath.Join(dir, Files[i]), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
