package models

import (
	"time"
)

// Hub is a lending location with its own staff and stock.
type Hub struct {
	ID        uint
	Name      string
	Slug      string
	TimeZone  string
	TagPrefix string // asset tags made here start with it, e.g. "KS" for KS-0042
	Address   string
	Email     string
	Phone     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Location is the hub's time zone; days at the hub are counted in it.
func (h *Hub) Location() *time.Location {
	if loc, err := time.LoadLocation(h.TimeZone); err == nil {
		return loc
	}
	return london
}

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Today is the calendar day it is at the hub at instant now.
func (h *Hub) Today(now time.Time) Day { return DayOf(now, h.Location()) }

// KitType is a catalogue entry, such as "micro:bit class set (30)".
type KitType struct {
	ID              uint
	Name            string
	Slug            string
	Description     string
	Topics          StringList
	AgeLevels       StringList
	PhotoID         *uint
	DefaultLoanDays int
	TurnaroundDays  int           // days after a return to clean and restock before the next booking
	Contents        []ContentItem `gorm:"foreignKey:KitTypeID"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// ContentItem is one line of a kit type's contents list: 30 × micro:bit.
type ContentItem struct {
	ID         uint
	KitTypeID  uint
	Position   int
	Name       string
	Quantity   int
	Consumable bool
}

// TableName keeps the table name explicit.
func (ContentItem) TableName() string { return "kit_type_contents" }

// Photo is an uploaded image, kept in the database so that every app
// instance can serve it.
type Photo struct {
	ID          uint
	ContentType string
	Data        []byte
	CreatedAt   time.Time
}

// Kit is one physical copy of a kit type, known by its asset tag.
type Kit struct {
	ID             uint
	AssetTag       string
	HubID          uint
	Hub            *Hub
	KitTypeID      uint
	KitType        *KitType
	Status         KitStatus
	ConditionNotes string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Organisation is a school, youth group or college that borrows kits.
type Organisation struct {
	ID             uint
	Name           string
	Kind           OrgKind
	HubID          *uint
	LocalAuthority string
	Postcode       string
	UrbanRural     UrbanRural
	Approved       bool // a self-registered organisation books only once staff approve it
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// User is a person who signs in.
type User struct {
	ID             uint
	Email          string
	Name           string
	Role           Role
	HubID          *uint
	Hub            *Hub
	OrganisationID *uint
	Organisation   *Organisation
	PasswordHash   string `json:"-"`
	Active         bool
	SessionEpoch   int // raised to end every session of the user
	LastSignInAt   *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Borrower is who a kit is lent to: an organisation or one ambassador.
type Borrower struct {
	ID             uint
	OrganisationID *uint
	Organisation   *Organisation
	UserID         *uint
	User           *User
	CreatedAt      time.Time
}

// Name is how the borrower is shown. It needs Organisation or User loaded.
func (b *Borrower) Name() string {
	switch {
	case b == nil:
		return ""
	case b.Organisation != nil:
		return b.Organisation.Name
	case b.User != nil:
		return b.User.Name
	}
	return "borrower"
}

// Reservation is a borrower's request for copies of a kit type for dates.
type Reservation struct {
	ID            uint
	HubID         uint
	Hub           *Hub
	KitTypeID     uint
	KitType       *KitType
	BorrowerID    uint
	Borrower      *Borrower
	RequestedByID *uint
	Quantity      int
	StartOn       Day
	EndOn         Day
	Purpose       string
	Participants  int
	Delivery      string // "collection" or "delivery"
	Status        ReservationStatus
	DecidedByID   *uint
	DecidedAt     *time.Time
	DecisionNote  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Loan is one kit lent to a borrower.
type Loan struct {
	ID            uint
	KitID         uint
	Kit           *Kit
	BorrowerID    uint
	Borrower      *Borrower
	ReservationID *uint
	OutAt         time.Time
	OutOn         Day
	OutByID       *uint
	DueOn         Day
	ReturnedAt    *time.Time
	ReturnedOn    *Day
	ReturnedByID  *uint
	ReturnNote    string
	Lost          bool
	Renewals      int
	Shortfalls    []Shortfall `gorm:"foreignKey:LoanID"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Open reports whether the kit is still out.
func (l *Loan) Open() bool { return l.ReturnedAt == nil }

// Overdue reports whether the loan is open past its due day.
func (l *Loan) Overdue(today Day) bool { return l.Open() && today.After(l.DueOn) }

// Shortfall records contents missing or damaged when a kit came back.
type Shortfall struct {
	ID           uint
	KitID        uint
	LoanID       *uint
	ContentID    *uint
	Item         string
	Missing      int
	Damaged      int
	CreatedAt    time.Time
	ResolvedAt   *time.Time
	ResolvedByID *uint
}

// AuditEntry is one recorded state change: who did what to which thing,
// when, and how it looked before and after. The table is append-only.
type AuditEntry struct {
	ID          uint
	At          time.Time
	ActorID     *uint
	Actor       string
	Action      string
	SubjectType string
	SubjectID   uint
	HubID       *uint
	Summary     string
	Before      string
	After       string
}
