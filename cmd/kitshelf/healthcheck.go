package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheck asks the local server's /readyz, for container health checks:
// the image has no shell or curl, so the binary checks itself.
func healthcheck(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "healthcheck", "", "Ask the server at KITSHELF_ADDR whether it is ready (its database answers); exit 0 if so.")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := LoadConfig(env.getenv)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s", res.Status)
	}
	fmt.Fprintln(env.stdout, "ready")
	return nil
}
