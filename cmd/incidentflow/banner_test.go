package main

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

// TestDevBannerNamesTheSigningSecretInUse: dev's banner prints the Slack
// sandbox's signing secret when the sandbox signs with its own, and when a
// signing secret is configured says so without printing it.
func TestDevBannerNamesTheSigningSecretInUse(t *testing.T) {
	for _, tt := range []struct{ configured, want string }{
		{"", fmt.Sprintf("signing secret %q)", sandboxSigningSecret)},
		{"our-very-own-signing-secret-0123", "the signing secret of slack.signing_secret)"},
	} {
		clearEnv(t)
		t.Chdir(t.TempDir())
		t.Setenv("INCIDENTFLOW_SLACK_SIGNING_SECRET", tt.configured)
		t.Setenv("INCIDENTFLOW_DEV_SLACK_PORT", fmt.Sprint(freePort(t)))
		t.Setenv("INCIDENTFLOW_DEV_GITHUB_PORT", fmt.Sprint(freePort(t)))
		t.Setenv("INCIDENTFLOW_DEV_PAGERDUTY_PORT", fmt.Sprint(freePort(t)))
		t.Setenv("INCIDENTFLOW_DEV_STATUSPAGE_PORT", fmt.Sprint(freePort(t)))
		cfg, err := config.Load("", nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := startSandboxes(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var banner bytes.Buffer
		s.describe(&banner)
		s.close()
		if !strings.Contains(banner.String(), tt.want) {
			t.Errorf("with slack.signing_secret %q the banner says\n%s\nwant it to say %s", tt.configured, banner.String(), tt.want)
		}
		if tt.configured != "" && strings.Contains(banner.String(), tt.configured) {
			t.Errorf("the banner prints the configured signing secret:\n%s", banner.String())
		}
		if inUse := cmp.Or(tt.configured, sandboxSigningSecret); cfg.Slack.SigningSecret != inUse {
			t.Errorf("the sandbox signs with %q, want %q", cfg.Slack.SigningSecret, inUse)
		}
	}
}
