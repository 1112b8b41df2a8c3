package handlers_test

import (
	"testing"

	"github.com/kitshelf/kitshelf/handlers/browsertest"
)

// One Chromium serves every browser test in this package.
func TestMain(m *testing.M) { browsertest.Main(m) }
