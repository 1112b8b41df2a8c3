package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/models"
)

// Route is one endpoint and who may use it.
type Route struct {
	Method  string
	Path    string
	Handler echo.HandlerFunc
	Roles   access
}

// access says who may use a route: nil is anyone, signed in or not.
type access []models.Role

var (
	anyone    access
	signedIn  = access{models.RoleAdmin, models.RoleStaff, models.RoleSchool, models.RoleAmbassador}
	staffOnly = access{models.RoleAdmin, models.RoleStaff}
	adminOnly = access{models.RoleAdmin}
)

// routes declares every route with the roles allowed on it, one line each,
// so who-can-do-what reads from top to bottom. Object-level checks (whose
// reservation is it?) happen in models, which answer 404 for a miss.
func (a *App) routes() []Route {
	return []Route{
		{http.MethodGet, "/", a.home, anyone},
		{http.MethodGet, "/healthz", a.healthz, anyone},
		{http.MethodGet, "/readyz", a.readyz, anyone},
		{http.MethodGet, "/assets/*", assetHandler, anyone},

		// Signing in and out
		{http.MethodGet, "/login", a.loginPage, anyone},
		{http.MethodPost, "/login", a.login, anyone},
		{http.MethodPost, "/logout", a.logout, signedIn},
		{http.MethodPost, "/logout/everywhere", a.logoutEverywhere, signedIn},
		{http.MethodGet, "/auth/:provider", a.oidcStart, anyone},
		{http.MethodGet, "/auth/:provider/callback", a.oidcCallback, anyone},

		// One-time links and asking for an account
		{http.MethodGet, "/welcome/:token", a.welcomePage, anyone},
		{http.MethodPost, "/welcome/:token", a.welcome, anyone},
		{http.MethodGet, "/password/forgot", a.forgotPage, anyone},
		{http.MethodPost, "/password/forgot", a.forgot, anyone},
		{http.MethodGet, "/register", a.registerPage, anyone},
		{http.MethodPost, "/register", a.register, anyone},
		{http.MethodGet, "/setup/:token", a.setupPage, anyone},
		{http.MethodPost, "/setup/:token", a.setup, anyone},

		// Everyone's own pages
		{http.MethodGet, "/home", a.myPage, signedIn},
		{http.MethodGet, "/account", a.accountPage, signedIn},
		{http.MethodGet, "/reservations/:id", a.reservationPage, signedIn},
		{http.MethodPost, "/reservations/:id/cancel", a.cancelReservation, signedIn},

		// Hub staff
		{http.MethodPost, "/reservations/:id/approve", a.approveReservation, staffOnly},
		{http.MethodPost, "/reservations/:id/decline", a.declineReservation, staffOnly},
		{http.MethodGet, "/users", a.usersPage, staffOnly},
		{http.MethodGet, "/users/invite", a.invitePage, staffOnly},
		{http.MethodPost, "/users/invite", a.invite, staffOnly},
		{http.MethodGet, "/users/:id", a.userPage, staffOnly},
		{http.MethodPost, "/users/:id/deactivate", a.deactivateUser, staffOnly},
		{http.MethodPost, "/users/:id/reactivate", a.reactivateUser, staffOnly},
		{http.MethodGet, "/organisations/pending", a.pendingOrganisationsPage, staffOnly},
		{http.MethodPost, "/organisations/:id/approve", a.approveOrganisation, staffOnly},

		// Kits: anyone may read a kit's public page (its QR label points there);
		// staff see its state, history and actions.
		{http.MethodGet, "/k/:tag", a.kitPage, anyone},
		{http.MethodPost, "/k/:tag/status", a.changeKitStatus, staffOnly},
		{http.MethodGet, "/photos/:id", a.photo, anyone},

		// The scan station
		{http.MethodGet, "/scan", a.scanPage, staffOnly},
		{http.MethodPost, "/scan", a.scan, staffOnly},
		{http.MethodPost, "/scan/basket/remove", a.basketRemove, staffOnly},
		{http.MethodPost, "/scan/basket/clear", a.basketClear, staffOnly},
		{http.MethodPost, "/scan/checkout", a.confirmCheckOut, staffOnly},
		{http.MethodGet, "/scan/checkin/:tag", a.checkInPage, staffOnly},
		{http.MethodPost, "/scan/checkin/:tag", a.confirmCheckIn, staffOnly},

		// QR codes and label sheets
		{http.MethodGet, "/kits/:tag/qr.png", a.kitQRPNG, staffOnly},
		{http.MethodGet, "/kits/:tag/qr.svg", a.kitQRSVG, staffOnly},
		{http.MethodGet, "/labels", a.labelsPage, staffOnly},
		{http.MethodGet, "/labels.pdf", a.labelsPDF, staffOnly},

		// Managing kits and the catalogue
		{http.MethodGet, "/kits", a.kitsPage, staffOnly},
		{http.MethodGet, "/kits/new", a.newKitsPage, staffOnly},
		{http.MethodPost, "/kits", a.addKits, staffOnly},
		{http.MethodGet, "/kit-types/new", a.newKitTypePage, staffOnly},
		{http.MethodPost, "/kit-types", a.createKitType, staffOnly},
		{http.MethodGet, "/kit-types/:slug/edit", a.editKitTypePage, staffOnly},
		{http.MethodPost, "/kit-types/:slug", a.updateKitType, staffOnly},
		{http.MethodPost, "/kit-types/:slug/photo", a.uploadKitTypePhoto, staffOnly},

		// Administrators
		{http.MethodPost, "/users/:id/role", a.changeRole, adminOnly},
		{http.MethodGet, "/admin/audit", a.auditPage, adminOnly},
		{http.MethodGet, "/admin/outbox", a.outboxPage, adminOnly},
	}
}

// RouteTable lists the application's routes and their roles, for tests and docs.
func RouteTable(a *App) []Route { return a.routes() }
