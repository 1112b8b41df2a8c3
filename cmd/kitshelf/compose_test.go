package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// There is no Docker engine on our machines, so the compose file is checked
// by loading it as Docker Compose would and asserting on what it describes.
func TestComposeRunsTheProductionStack(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../../compose.yaml"}, cli.WithOsEnv, cli.WithName("kitshelf"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose.yaml does not load: %v", err)
	}
	db, app, mail := service(t, p, "db"), service(t, p, "kitshelf"), service(t, p, "mail")

	if !strings.HasPrefix(db.Image, "postgres:") || db.HealthCheck == nil || len(db.HealthCheck.Test) == 0 {
		t.Errorf("db: image %q, health check %v", db.Image, db.HealthCheck)
	}
	if !mountsNamedVolume(db, p, "/var/lib/postgresql/data") {
		t.Errorf("db keeps its data outside a named volume: %+v", db.Volumes)
	}
	if !strings.Contains(mail.Image, "mailpit") {
		t.Errorf("mail catcher image %q", mail.Image)
	}

	if app.Build == nil || app.Build.Dockerfile != "Dockerfile" {
		t.Fatalf("kitshelf is not built from the repo's Dockerfile: %+v", app.Build)
	}
	if _, err := os.Stat(filepath.Join(app.Build.Context, app.Build.Dockerfile)); err != nil {
		t.Errorf("build context lacks the Dockerfile: %v", err)
	}
	env := map[string]string{}
	for k, v := range app.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	if _, err := LoadConfig(func(k string) string { return env[k] }); err != nil {
		t.Errorf("Kitshelf would refuse the compose environment: %v", err)
	}
	dbURL, err := url.Parse(env["DATABASE_URL"])
	if err != nil || dbURL.Scheme != "postgres" || dbURL.Hostname() != "db" || dbURL.User.Username() != *db.Environment["POSTGRES_USER"] {
		t.Errorf("DATABASE_URL %q does not point at the db service", env["DATABASE_URL"])
	}
	if smtp, _ := url.Parse(env["KITSHELF_SMTP_URL"]); smtp == nil || smtp.Hostname() != "mail" {
		t.Errorf("KITSHELF_SMTP_URL %q does not point at the mail catcher", env["KITSHELF_SMTP_URL"])
	}
	if env["KITSHELF_BASE_URL"] == "" {
		t.Error("KITSHELF_BASE_URL is not set")
	}
	if dep, ok := app.DependsOn["db"]; !ok || dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("kitshelf does not wait for a healthy database: %+v", app.DependsOn)
	}
	if app.HealthCheck == nil || strings.Join(app.HealthCheck.Test, " ") != "CMD /kitshelf healthcheck" {
		t.Errorf("kitshelf health check %+v", app.HealthCheck)
	}
	if len(app.Ports) != 1 || app.Ports[0].Target != 8080 || app.Ports[0].Published != "8080" {
		t.Errorf("kitshelf ports %+v", app.Ports)
	}
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("no %s service: %v", name, err)
	}
	return s
}

func mountsNamedVolume(s types.ServiceConfig, p *types.Project, target string) bool {
	for _, v := range s.Volumes {
		if _, declared := p.Volumes[v.Source]; v.Type == types.VolumeTypeVolume && declared && v.Target == target {
			return true
		}
	}
	return false
}

// The Dockerfile builds with CGO_ENABLED=0 for a static image; prove the
// binary still builds that way.
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds the binary")
	}
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil || !strings.Contains(string(df), "CGO_ENABLED=0 go build") {
		t.Fatalf("Dockerfile does not build without cgo: %v", err)
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "kitshelf"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
}
