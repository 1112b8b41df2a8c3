package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kitshelf/kitshelf/assets"
	"github.com/kitshelf/kitshelf/models"
)

// healthz answers while the process is up: for a load balancer's liveness check.
func (a *App) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only while the database does: for readiness checks, so
// a load balancer stops sending traffic to an instance that lost its database.
func (a *App) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := models.Ping(ctx, a.db); err != nil {
		a.log.Warn("readiness check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "database": string(models.DialectOf(a.db))})
}

var assetHandler = echo.WrapHandler(assets.Handler())
