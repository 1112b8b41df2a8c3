package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kitshelf/kitshelf/models"
	"github.com/kitshelf/kitshelf/models/demo"
)

func migrate(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "migrate", "", "Apply every database migration this binary carries, then exit.")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := LoadConfig(env.getenv)
	if err != nil {
		return err
	}
	db, err := models.Open(cfg.Database)
	if err != nil {
		return err
	}
	defer closeDB(db)
	st, err := models.Migrate(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s database is at schema version %d.\n", models.DialectOf(db), st.Current)
	return nil
}

func loadDemo(ctx context.Context, env *environment, args []string) error {
	fs := flags(env, "demo", "", "Load the demo library (one hub, ~20 kit types, schools, ambassadors and a year of loans) into the configured database. The database must be empty.")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, db, err := openConfigured(ctx, env)
	if err != nil {
		return err
	}
	defer closeDB(db)
	if err := demo.Load(db.WithContext(ctx), time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "Demo data loaded.")
	printDemoLogins(env)
	return nil
}

// setPasswordLinkTTL is how long a link printed by `user add` works.
const setPasswordLinkTTL = 72 * time.Hour

func userCmd(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			args = []string{"add", "-h"}
		} else {
			fmt.Fprintln(env.stderr, "usage: kitshelf user add --email E --name N --role admin|staff|school|ambassador [--hub H] [--org O]")
			return errUsage
		}
	}
	fs := flags(env, "user add", "--email E --name N --role admin|staff|school|ambassador [--hub H] [--org O]",
		"Create an account and print a one-time link (valid 72 hours) where its owner sets a password.")
	email := fs.String("email", "", "the person's email address (required)")
	name := fs.String("name", "", "the person's name (required)")
	roleName := fs.String("role", "", "admin, staff, school or ambassador (required)")
	hubKey := fs.String("hub", "", "the hub's slug, name or id (required for staff)")
	orgKey := fs.String("org", "", "the organisation's name or id (required for school contacts)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	role, err := models.ParseRole(*roleName)
	if err != nil {
		return err
	}
	cfg, db, err := openConfigured(ctx, env)
	if err != nil {
		return err
	}
	defer closeDB(db)
	in := models.UserInput{Email: *email, Name: *name, Role: role}
	if *hubKey != "" {
		hub, err := models.FindHub(db, *hubKey)
		if err != nil {
			return err
		}
		in.HubID = &hub.ID
	}
	if *orgKey != "" {
		org, err := models.FindOrganisation(db, *orgKey)
		if err != nil {
			return err
		}
		in.OrganisationID = &org.ID
	}
	link, err := models.AddUserWithLink(db, models.SystemActor("kitshelf user add"), in, setPasswordLinkTTL)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "Created %s account for %s.\nSend them this one-time link to set a password (valid for 72 hours):\n\n  %s/welcome/%s\n\n",
		role, models.NormaliseEmail(*email), cfg.BaseURL, link)
	return nil
}

// describe spells out a refusal's field problems for the terminal.
func describe(err error) error {
	r, ok := models.AsRefusal(err)
	if !ok || len(r.Fields) == 0 {
		return err
	}
	msg := r.Message
	for field, problem := range r.Fields {
		msg += fmt.Sprintf("\n  --%s: %s", field, problem)
	}
	return errors.New(msg)
}
