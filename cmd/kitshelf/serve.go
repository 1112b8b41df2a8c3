package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/handlers"
	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/demo"
	"github.com/kitshelf/kitshelf/models/mailer"
)

// demoDatabase is where -demo keeps its data when DATABASE_URL is unset, so
// a demo never mixes with a real kitshelf.db.
const demoDatabase = "sqlite:kitshelf-demo.db"

func serve(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "serve", "[-demo]", "Run the web server. Migrations are applied first; a database newer than this binary is refused.")
	withDemo := fs.Bool("demo", false, "load demo data into an empty database and print the demo logins")
	if err := parse(fs, args); err != nil {
		return err
	}
	getenv := env.getenv
	if *withDemo {
		getenv = func(k string) string {
			if v := env.getenv(k); k != "DATABASE_URL" || v != "" {
				return v
			}
			return demoDatabase
		}
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(env, cfg)
	// Take the port first: a busy one fails at once, not after migrations
	// and a demo load, and nothing else can take it in between.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("KITSHELF_ADDR: cannot listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB(db)
	if *withDemo {
		if err := ensureDemo(ctx, env, db); err != nil {
			return err
		}
	}
	app, err := handlers.New(handlers.Options{DB: db, BaseURL: cfg.BaseURL, Logger: log, OIDC: cfg.OIDC,
		SMTPConfigured: cfg.SMTP != nil, TrustedProxies: cfg.TrustedProxies})
	if err != nil {
		return err
	}
	if !*withDemo {
		if err := printSetupLink(env, db, cfg); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go runJobs(ctx, db, log)
	mail := &mailer.Worker{DB: db, SMTP: cfg.SMTP, From: cfg.MailFrom, Log: log}
	go mail.Run(ctx, 5*time.Second)
	fmt.Fprintf(env.stdout, "Kitshelf is running on %s database at %s\n", models.DialectOf(db), cfg.BaseURL)
	if *withDemo {
		printDemoLogins(env)
	}
	return serveUntilDone(ctx, srv, ln, log)
}

// serveUntilDone serves until ctx ends (SIGTERM, SIGINT), then lets requests
// in flight finish before returning.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// runJobs does the periodic work. Each job is safe to run on several
// instances at once, so every instance runs them.
func runJobs(ctx context.Context, db *gorm.DB, log *slog.Logger) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		if n, err := models.ExpireReservations(db.WithContext(ctx), time.Now()); err != nil && ctx.Err() == nil {
			log.Error("expiring reservations", "err", err)
		} else if n > 0 {
			log.Info("expired reservations", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func ensureDemo(ctx context.Context, env *environment, db *gorm.DB) error {
	loaded, err := demo.Loaded(db)
	if err != nil || loaded {
		return err
	}
	empty, err := demo.IsEmpty(db)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(env.stdout, "The database already holds data, so demo data was not loaded.")
		return nil
	}
	fmt.Fprintln(env.stdout, "Loading demo data (a year of lending history; this takes a few seconds)…")
	return demo.Load(db.WithContext(ctx), time.Now())
}

// printSetupLink offers a one-time link to create the first administrator
// when the database has no accounts at all.
func printSetupLink(env *environment, db *gorm.DB, cfg Config) error {
	secret, err := models.IssueSetupLink(db, time.Now())
	if err != nil || secret == "" {
		return err
	}
	fmt.Fprintf(env.stdout, "\nNo accounts yet. Create the first administrator here (the link works once, for 24 hours):\n\n  %s/setup/%s\n\n",
		cfg.BaseURL, secret)
	return nil
}

func printDemoLogins(env *environment) {
	fmt.Fprintf(env.stdout, "\nDemo logins (password %q):\n", demo.Password)
	for _, l := range demo.Logins {
		fmt.Fprintf(env.stdout, "  %-11s %s\n", l.Role, l.Email)
	}
	fmt.Fprintln(env.stdout)
}

func newLogger(env *environment, cfg Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(env.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(env.stderr, opts))
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}
