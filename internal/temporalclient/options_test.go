package temporalclient_test

import (
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

func TestIsLoopback(t *testing.T) {
	for hostPort, want := range map[string]bool{
		"127.0.0.1:7233":             true,
		"127.8.9.1:7233":             true,
		"[::1]:7233":                 true,
		"localhost:7233":             true,
		"LOCALHOST":                  true,
		"temporal.localhost:7233":    true,
		"10.0.0.5:7233":              false,
		"temporal-frontend:7233":     false,
		"my.cluster.tmprl.cloud:443": false,
		"[2001:db8::1]:7233":         false,
		"":                           false,
	} {
		if got := temporalclient.IsLoopback(hostPort); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", hostPort, got, want)
		}
	}
}

func TestOptionsCompressOnlyOverTheNetwork(t *testing.T) {
	local := temporalclient.Options("127.0.0.1:7233", "incidentflow", nil)
	if _, ok := local.ConnectionOptions.GrpcCompression.(*client.GrpcCompressionNone); !ok {
		t.Errorf("loopback: compression %T, want none", local.ConnectionOptions.GrpcCompression)
	}
	remote := temporalclient.Options("temporal-frontend:7233", "incidentflow", nil)
	if remote.ConnectionOptions.GrpcCompression != nil {
		t.Errorf("remote: compression %T, want the SDK's default (gzip)", remote.ConnectionOptions.GrpcCompression)
	}
	if remote.HostPort != "temporal-frontend:7233" || remote.Namespace != "incidentflow" {
		t.Errorf("options = %+v", remote)
	}
}
