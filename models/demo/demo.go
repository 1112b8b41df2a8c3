// Package demo fills an empty database with a lively, made-up lending
// library: one hub, about twenty kit types, schools and youth groups across
// urban and very remote Scotland, ambassadors, and a year of history. The
// history is played day by day through the real circulation rules, so every
// loan has its audit trail, and a fixed seed makes it the same every time for
// a given day.
package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kitshelf/kitshelf/models"
)

// Password is every demo account's password.
const Password = "kitshelf-demo"

// Login is one demo account.
type Login struct {
	Email string
	Role  models.Role
}

// Logins are the demo accounts, one per role.
var Logins = []Login{
	{"admin@demo.kitshelf.org", models.RoleAdmin},
	{"staff@demo.kitshelf.org", models.RoleStaff},
	{"school@demo.kitshelf.org", models.RoleSchool},
	{"ambassador@demo.kitshelf.org", models.RoleAmbassador},
}

// IsEmpty reports whether the database holds no hubs and no users yet.
func IsEmpty(db *gorm.DB) (bool, error) {
	var hubs, users int64
	if err := db.Model(&models.Hub{}).Count(&hubs).Error; err != nil {
		return false, err
	}
	if err := db.Model(&models.User{}).Count(&users).Error; err != nil {
		return false, err
	}
	return hubs == 0 && users == 0, nil
}

// Loaded reports whether the demo accounts exist.
func Loaded(db *gorm.DB) (bool, error) {
	var n int64
	err := db.Model(&models.User{}).Where("email = ?", Logins[0].Email).Count(&n).Error
	return n > 0, err
}

// ErrNotEmpty is returned when demo data would be mixed with real data.
var ErrNotEmpty = errors.New("the database already holds data; demo data is only loaded into an empty database")

// Load fills an empty database with the demo library as it stands at now.
func Load(db *gorm.DB, now time.Time) error {
	empty, err := IsEmpty(db)
	if err != nil {
		return err
	}
	if !empty {
		return ErrNotEmpty
	}
	s := &sim{db: db, rng: rand.New(rand.NewPCG(2026, 11)), kits: map[uint][]*models.Kit{},
		returnOn: map[uint]models.Day{}, shortSince: map[uint]models.Day{}}
	if err := s.people(); err != nil {
		return fmt.Errorf("demo people: %w", err)
	}
	if err := s.stock(); err != nil {
		return fmt.Errorf("demo stock: %w", err)
	}
	return s.history(now)
}

type sim struct {
	db    *gorm.DB
	rng   *rand.Rand
	hub   *models.Hub
	staff *models.User
	sys   models.Actor

	types      []*models.KitType
	kits       map[uint][]*models.Kit // by kit type
	orgs       []uint                 // organisation borrowers
	ambs       []uint                 // ambassador borrowers
	returnOn   map[uint]models.Day    // loan id → the day its borrower brings it back
	shortSince map[uint]models.Day    // kit id → when it came back short
	today      models.Day             // the simulated day
	end        models.Day             // the real today, where the history stops
	at         time.Time              // the simulated time
}

func (s *sim) people() error {
	s.sys = models.SystemActor("demo data")
	var err error
	s.hub, err = models.CreateHub(s.db, s.sys, models.HubInput{Name: "Scottish STEM Hub", Slug: "scotland",
		Address: "Unit 4, Bonnington Mill, Edinburgh EH6 5QG", Email: "library@demo.kitshelf.org", Phone: "0131 496 0000"})
	if err != nil {
		return err
	}
	if _, err := s.user("admin@demo.kitshelf.org", "Jordan Reid", models.RoleAdmin, nil, nil); err != nil {
		return err
	}
	if s.staff, err = s.user("staff@demo.kitshelf.org", "Morag Stewart", models.RoleStaff, &s.hub.ID, nil); err != nil {
		return err
	}
	for i, o := range organisations {
		org, err := models.CreateOrganisation(s.db, s.sys, models.OrganisationInput{Name: o.name, Kind: o.kind, HubID: &s.hub.ID,
			LocalAuthority: o.authority, Postcode: o.postcode, UrbanRural: o.class, Approved: true})
		if err != nil {
			return err
		}
		var b models.Borrower
		if err := s.db.Where("organisation_id = ?", org.ID).Take(&b).Error; err != nil {
			return err
		}
		s.orgs = append(s.orgs, b.ID)
		if i == 0 {
			if _, err := s.user("school@demo.kitshelf.org", "Helen Baird", models.RoleSchool, nil, &org.ID); err != nil {
				return err
			}
		}
	}
	for i, name := range ambassadorNames {
		email := strings.ToLower(strings.NewReplacer(" ", ".", "'", "").Replace(name)) + "@volunteers.demo.kitshelf.org"
		if i == 0 {
			email = "ambassador@demo.kitshelf.org"
		}
		u, err := s.user(email, name, models.RoleAmbassador, &s.hub.ID, nil)
		if err != nil {
			return err
		}
		b, err := models.BorrowerIDFor(s.db, u)
		if err != nil {
			return err
		}
		s.ambs = append(s.ambs, b)
	}
	return nil
}

// user creates an account; the four demo logins get the demo password.
func (s *sim) user(email, name string, role models.Role, hub, org *uint) (*models.User, error) {
	u, err := models.CreateUser(s.db, s.sys, models.UserInput{Email: email, Name: name, Role: role, HubID: hub, OrganisationID: org})
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(email, "@demo.kitshelf.org") {
		return u, models.SetPassword(s.db, s.sys, u.ID, Password)
	}
	return u, nil
}

func (s *sim) stock() error {
	for _, spec := range catalogue {
		kt, err := models.CreateKitType(s.db, s.sys, spec.KitTypeInput)
		if err != nil {
			return err
		}
		s.types = append(s.types, kt)
		for range spec.copies {
			k, err := models.AddKit(s.db, s.sys, models.AddKitInput{HubID: s.hub.ID, KitTypeID: kt.ID})
			if err != nil {
				return err
			}
			s.kits[kt.ID] = append(s.kits[kt.ID], k)
		}
	}
	return nil
}

// history plays the year before now, a day at a time, then books ahead.
func (s *sim) history(now time.Time) error {
	end := s.hub.Today(now)
	s.end = end
	for day := end.AddDays(-365); !day.After(end); day = day.AddDays(1) {
		s.today, s.at = day, day.Start(s.hub.Location()).Add(10*time.Hour)
		if day == end {
			s.at = now
		}
		if err := s.playDay(day == end); err != nil {
			return fmt.Errorf("demo day %s: %w", day, err)
		}
	}
	return s.bookAhead()
}

func (s *sim) actor() models.Actor { return models.ActorFor(s.staff, 0, s.at) }

func (s *sim) playDay(last bool) error {
	if _, err := models.ExpireReservations(s.db, s.at); err != nil {
		return err
	}
	weekday := s.today.Weekday() != time.Saturday && s.today.Weekday() != time.Sunday
	if weekday {
		steps := []func() error{s.returns, s.restock, s.decide, s.collect, s.walkIns}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
	}
	if !last && s.rng.IntN(10) < 8 {
		return s.request(s.today.AddDays(7+s.rng.IntN(35)), false)
	}
	return nil
}

// ignoreRefusal treats a rule's refusal as the everyday "no" it is in a busy
// library, and passes real errors on.
func ignoreRefusal(err error) error {
	if _, ok := models.AsRefusal(err); ok {
		return nil
	}
	return err
}

func (s *sim) request(start models.Day, approve bool) error {
	kt := s.types[s.rng.IntN(len(s.types))]
	borrower := s.orgs[s.rng.IntN(len(s.orgs))]
	if s.rng.IntN(5) == 0 {
		borrower = s.ambs[s.rng.IntN(len(s.ambs))]
	}
	qty := 1
	if s.rng.IntN(6) == 0 {
		qty = 2
	}
	purposes := []string{"Science week", "P6 topic on energy", "STEM club", "Careers fair stand", "S2 computing unit",
		"Family learning evening", "Transition day with P7", "Eco-schools project"}
	r, err := models.Reserve(s.db, s.actor(), models.ReserveInput{HubID: s.hub.ID, KitTypeID: kt.ID, BorrowerID: borrower,
		Quantity: qty, StartOn: start, EndOn: start.AddDays(4 + s.rng.IntN(14)), Purpose: purposes[s.rng.IntN(len(purposes))],
		Participants: 20 + s.rng.IntN(120), Delivery: []string{"collection", "delivery"}[s.rng.IntN(2)]})
	if err != nil || !approve {
		return ignoreRefusal(err)
	}
	_, err = models.Approve(s.db, s.actor(), r.ID, "")
	return ignoreRefusal(err)
}

// returns brings back every loan whose borrower planned to return it today
// or earlier, one in eight with something missing or broken.
func (s *sim) returns() error {
	var open []models.Loan
	if err := s.db.Preload("Kit.KitType.Contents").Where("returned_at IS NULL").Order("id").Find(&open).Error; err != nil {
		return err
	}
	for _, l := range open {
		if on, ok := s.returnOn[l.ID]; !ok || on.After(s.today) {
			continue
		}
		var counts []models.Count
		if s.rng.IntN(8) == 0 {
			items := l.Kit.KitType.Contents
			item := items[s.rng.IntN(len(items))]
			counts = []models.Count{{ContentID: item.ID, Missing: 1 + s.rng.IntN(min(2, item.Quantity))}}
		}
		res, err := models.CheckIn(s.db, s.actor(), models.CheckInInput{Tag: l.Kit.AssetTag, Counts: counts})
		if err != nil {
			return err
		}
		if len(res.Shortfalls) > 0 {
			s.shortSince[l.KitID] = s.today
		}
	}
	return nil
}

// restock makes good kits that came back short, two days later; the last
// three weeks' are left for staff to do, so the demo has some waiting.
func (s *sim) restock() error {
	for kitID, since := range s.shortSince {
		if s.today.Before(since.AddDays(2)) || !since.Before(s.end.AddDays(-21)) {
			continue
		}
		var k models.Kit
		if err := s.db.Take(&k, kitID).Error; err != nil {
			return err
		}
		if _, err := models.ChangeKitStatus(s.db, s.actor(), k.AssetTag, models.ActionRestocked, ""); err != nil {
			return ignoreRefusal(err)
		}
		delete(s.shortSince, kitID)
	}
	return nil
}

func (s *sim) decide() error {
	var pending []models.Reservation
	if err := s.db.Where("status = ? AND created_at < ?", models.ResRequested, s.at.Add(-20*time.Hour)).Order("id").Find(&pending).Error; err != nil {
		return err
	}
	for _, r := range pending {
		var err error
		if s.rng.IntN(10) == 0 {
			_, err = models.Decline(s.db, s.actor(), r.ID, "All copies are committed to a hub event that week.")
		} else {
			_, err = models.Approve(s.db, s.actor(), r.ID, "")
		}
		if err = ignoreRefusal(err); err != nil {
			return err
		}
	}
	return nil
}

// collect hands out kits for approved reservations that start today.
func (s *sim) collect() error {
	var due []models.Reservation
	if err := s.db.Where("status = ? AND start_on <= ? AND end_on >= ?", models.ResApproved, s.today, s.today).Order("id").Find(&due).Error; err != nil {
		return err
	}
	for _, r := range due {
		for range r.Quantity {
			if err := s.lend(r.KitTypeID, r.BorrowerID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *sim) walkIns() error {
	if s.rng.IntN(10) >= 4 {
		return nil
	}
	kt := s.types[s.rng.IntN(len(s.types))]
	return s.lend(kt.ID, s.ambs[s.rng.IntN(len(s.ambs))])
}

// lend checks out the first available copy of a kit type, and decides when
// the borrower will bring it back: mostly on time, some early, some late.
func (s *sim) lend(kitTypeID, borrower uint) error {
	for _, k := range s.kits[kitTypeID] {
		loan, err := models.CheckOut(s.db, s.actor(), models.CheckOutInput{Tag: k.AssetTag, BorrowerID: borrower})
		if err != nil {
			if err = ignoreRefusal(err); err != nil {
				return err
			}
			continue
		}
		delay := 0
		switch n := s.rng.IntN(20); {
		case n < 3:
			delay = -1 - s.rng.IntN(3)
		case n < 7:
			delay = 1 + s.rng.IntN(10)
		case n < 9:
			delay = 10 + s.rng.IntN(30) // the ones staff chase
		}
		s.returnOn[loan.ID] = models.MaxDay(loan.DueOn.AddDays(delay), s.today)
		return nil
	}
	return nil
}

// bookAhead leaves upcoming reservations: some approved, some waiting for staff.
func (s *sim) bookAhead() error {
	for i := range 14 {
		if err := s.request(s.today.AddDays(3+2*i), i%3 != 0); err != nil {
			return err
		}
	}
	return nil
}
