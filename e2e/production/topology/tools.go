//go:build tools

// This file is never built: it names the Temporal server's own commands,
// which the topology builds with `go build` (BuildTemporal), so that
// `go mod tidy` keeps their go.sum entries.
package topology

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
