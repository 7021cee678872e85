package lint

import (
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

func TestCopiedFrom(t *testing.T) {
	tests := []struct {
		name    string
		srcs    []string
		dest    string
		workdir string
		script  string
		want    string
	}{
		{"file to file", []string{"docker-entrypoint.sh"}, "/docker-entrypoint.sh", "/", "/docker-entrypoint.sh", "docker-entrypoint.sh"},
		{"file into a directory", []string{"scripts/entrypoint.sh"}, "/usr/local/bin/", "/", "/usr/local/bin/entrypoint.sh", "scripts/entrypoint.sh"},
		{"several files into a directory", []string{"a.sh", "b.sh"}, "/bin", "/", "/bin/b.sh", "b.sh"},
		{"the whole context, script relative to WORKDIR", []string{"."}, ".", "/code", "./bin/start.sh", "bin/start.sh"},
		{"a directory", []string{"bin"}, "/app/bin", "/", "/app/bin/start.sh", "bin/start.sh"},
		{"a directory to the root (pixelfed)", []string{"docker/shared/root"}, "/", "/", "/docker/entrypoint.sh", "docker/shared/root/docker/entrypoint.sh"},
		{"another file", []string{"docker-entrypoint.sh"}, "/docker-entrypoint.sh", "/", "/start.sh", ""},
		{"a glob is not followed", []string{"*.sh"}, "/usr/local/bin/", "/", "/usr/local/bin/start.sh", ""},
		{"a URL is not followed", []string{"https://example.com/start.sh"}, "/start.sh", "/", "/start.sh", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := copiedFrom(instructions.SourcesAndDest{SourcePaths: tt.srcs, DestPath: tt.dest}, tt.workdir, tt.script)
			if got != tt.want {
				t.Errorf("copiedFrom(%q -> %q, workdir %q, %q) = %q, want %q", tt.srcs, tt.dest, tt.workdir, tt.script, got, tt.want)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text, host string
		want       bool
	}{
		{"redis-cli --cluster create redis-0:6379 redis-1:6379", "redis-1", true},
		{"redis-cli --cluster create redis-10:6379", "redis-1", false},
		{"connect to db.internal", "db", false},
		{"wait db", "db", true},
	}
	for _, tt := range tests {
		if got := mentions(tt.text, tt.host); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tt.text, tt.host, got, tt.want)
		}
	}
}

// TestOneShotJob: the dependencies depends-on-healthcheck advises waiting
// for with service_completed_successfully instead of a healthcheck.
func TestOneShotJob(t *testing.T) {
	tests := []struct {
		name string
		svc  map[string]any
		want bool
	}{
		{"redpandacreatetopics", map[string]any{"image": "redpandadata/redpanda:v23.2.9", "entrypoint": "rpk topic create events-raw --brokers redpanda:9092"}, true},
		{"topics", map[string]any{"entrypoint": []any{"rpk", "topic", "create", "events"}}, true},
		{"createbuckets", map[string]any{"image": "minio/mc", "entrypoint": []any{"sh", "-c", "mc mb local/data"}}, true},
		{"mongo-init", map[string]any{"image": "mongo:7", "command": "mongosh --host mongo --eval 'rs.initiate()'", "restart": "no"}, true},
		{"api", map[string]any{"command": []any{"python", "manage.py", "migrate"}, "restart": "on-failure"}, true},
		{"rails", map[string]any{"command": "bin/rails db:migrate"}, true},
		// long-running, or nothing says it is a job
		{"migrate", map[string]any{"image": "example/migrate:1.0"}, false},
		{"db-setup", map[string]any{"image": "postgres:16", "command": "postgres -c max_connections=200", "restart": "always"}, false},
		{"redis", map[string]any{"image": "redis:7", "command": "redis-server --appendonly yes"}, false},
		{"seed", map[string]any{"command": "./seed.sh", "ports": []any{"8080:8080"}}, false},
		{"init", map[string]any{"command": "./init.sh", "healthcheck": map[string]any{"test": "true"}}, false},
	}
	e := &Env{}
	for _, tt := range tests {
		if got := oneShotJob(e, tt.name, tt.svc); got != tt.want {
			t.Errorf("oneShotJob(%q, %v) = %v, want %v", tt.name, tt.svc, got, tt.want)
		}
	}
}

// TestBackingService: the dependencies depends-on-healthcheck asks a
// healthcheck of, by the words of their image or name (reviews of nocodb
// and ToolJet: an API whose name starts like a store's was taken for one).
func TestBackingService(t *testing.T) {
	tests := []struct {
		name, image string
		want        bool
	}{
		{"db", "", true},
		{"app-db", "", true},
		{"postgres", "postgres:16.4", true},
		{"pg", "bitnami/postgresql:16.4.0", true},
		{"db1", "", true},
		{"cache", "redislabs/redismod:7.2.4", true},
		{"mongo", "mongo:7.0.14", true},
		{"broker", "rabbitmq:3.13-management", true},
		{"search", "docker.elastic.co/elasticsearch/elasticsearch:8.15.2", true},
		{"graph", "neo4j:5.24", true},
		{"store", "pgvector/pgvector:pg16", true},
		{"secrets", "hashicorp/vault:1.17", true},
		// applications, tools and consoles
		{"nocodb", "nocodb/nocodb:0.263.0", false},
		{"postgrest", "postgrest/postgrest:v12.2.0", false},
		{"metrics", "prometheuscommunity/postgres-exporter:v0.15.0", false},
		{"metrics", "oliver006/redis_exporter:v1.62.0", false},
		{"migrations", "example/db-migrator:1.0", false},
		{"dbgate", "dbgate/dbgate:5.5.3", false},
		{"passwords", "vaultwarden/server:1.32.0", false},
		{"searxng", "searxng/searxng:2024.10.5", false},
		{"couchpotato", "", false},
		{"api", "example/api:1.0", false},
	}
	e := &Env{}
	for _, tt := range tests {
		svc := map[string]any{}
		if tt.image != "" {
			svc["image"] = tt.image
		}
		if got := backingService(e, tt.name, svc); got != tt.want {
			t.Errorf("backingService(%q, image %q) = %v, want %v", tt.name, tt.image, got, tt.want)
		}
	}
}

// TestClusterHealth: healthchecks that test a cluster's state, which a
// node passes only once the cluster has formed (so a service that forms it
// must not wait for them), and status endpoints that merely have
// "cluster" in their path (SeaweedFS's master, mlflow's review).
func TestClusterHealth(t *testing.T) {
	tests := []struct {
		test any
		want bool
	}{
		{"redis-cli cluster info | grep -q cluster_state:ok", true},
		{[]any{"CMD-SHELL", "curl -s http://localhost:9200/_cluster/health | grep -q green"}, true},
		{[]any{"CMD", "etcdctl", "endpoint", "health", "--cluster"}, true},
		{[]any{"CMD", "curl", "-f", "http://localhost:9333/cluster/status"}, false},
		{[]any{"CMD", "redis-cli", "ping"}, false},
	}
	for _, tt := range tests {
		svc := map[string]any{"healthcheck": map[string]any{"test": tt.test}}
		if got := clusterHealth(svc); got != tt.want {
			t.Errorf("clusterHealth(%v) = %v, want %v", tt.test, got, tt.want)
		}
	}
}
