// Command kitshelf runs the Kitshelf lending library: its web server and the
// commands that look after its database.
//
// This file is wiring only: configuration → database → migrations → web → serve.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // hubs' time zones work in a minimal container image

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	usage   string // the argument synopsis
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what every command runs with.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "[-demo]", "run the web server (the default); applies migrations first", serve},
		{"migrate", "", "apply database migrations and exit", migrate},
		{"demo", "", "load the demo library into the configured database, which must be empty", loadDemo},
		{"user", "add --email E --name N --role admin|staff|school|ambassador [--hub H] [--org O]",
			"create an account and print a one-time link to set its password", userCmd},
		{"healthcheck", "", "exit 0 if the server at KITSHELF_ADDR is ready (for container health checks)", healthcheck},
		{"help", "[command]", "explain the commands and configuration", nil},
	}
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	env := &environment{getenv: getenv, stdout: stdout, stderr: stderr}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		help(env, args)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, env, args)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintf(stderr, "kitshelf %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "kitshelf: unknown command %q\n\n", name)
	help(env, nil)
	return 2
}

// errUsage means the command line was wrong and usage has been printed.
var errUsage = errors.New("usage")

func help(env *environment, args []string) {
	w := env.stdout
	if len(args) > 0 {
		for _, c := range commands() {
			if c.name == args[0] && c.run != nil {
				c.run(context.Background(), env, []string{"-h"})
				return
			}
		}
	}
	fmt.Fprintln(w, "Kitshelf: the lending library for STEM kits.")
	fmt.Fprintln(w, "\nUsage: kitshelf [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n              %s\n", c.name, c.usage, c.summary)
	}
	fmt.Fprintln(w, "\nRun `kitshelf COMMAND -h` for a command's flags.")
	fmt.Fprintln(w, "\nConfiguration (environment variables):")
	for _, v := range ConfigVars {
		fmt.Fprintf(w, "  %-20s %s\n", v[0], v[1])
	}
}

// flags makes a command's flag set, printing its usage to stdout on -h.
func flags(env *environment, name, usage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stdout, "Usage: kitshelf %s %s\n\n%s\n", name, usage, summary)
		fs.SetOutput(env.stdout)
		fs.PrintDefaults()
		fs.SetOutput(env.stderr)
	}
	return fs
}

// parse parses flags, telling -h (exit 0) from a mistake (exit 2).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return errUsage
	}
	return nil
}

// openConfigured reads the configuration from the environment, then
// connects to its database and migrates it.
func openConfigured(ctx context.Context, env *environment) (Config, *gorm.DB, error) {
	cfg, err := LoadConfig(env.getenv)
	if err != nil {
		return cfg, nil, err
	}
	db, err := openDatabase(ctx, cfg)
	return cfg, db, err
}

// openDatabase connects to the configured database and migrates it.
func openDatabase(ctx context.Context, cfg Config) (*gorm.DB, error) {
	db, err := models.Open(cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	st, err := models.Migrate(ctx, db)
	if err != nil {
		return nil, err
	}
	if st.Current != st.Known {
		return nil, fmt.Errorf("database at schema %d after migrating, want %d", st.Current, st.Known)
	}
	return db, nil
}
