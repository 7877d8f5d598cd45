package main

import (
	"context"
	"io"
)

// runMaintenance dispatches `incidentflow maintenance schedule|list|cancel`.
func runMaintenance(ctx context.Context, args []string, out io.Writer) error {
	return maintenanceVerb(ctx, args, out)
}
