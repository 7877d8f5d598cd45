package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/statuspageemu"
)

// startStatusPageSandbox starts the Statuspage sandbox when
// statuspage.api_key is empty and points cfg at it: its page has the
// sandbox's components and every component the services name in
// statuspage_components (named after the service), so the publish modal
// and planned maintenance have something to offer. It returns nil when a
// real key is configured.
func startStatusPageSandbox(cfg *config.Config) (*statuspageemu.Server, error) {
	sp := &cfg.StatusPage
	if sp.APIKey != "" {
		return nil, nil
	}
	emu := statuspageemu.New(statuspageemu.Options{
		PageName:   "Status (incidentflow sandbox)",
		Components: sandboxComponents(cfg),
		StateFile:  filepath.Join(cfg.Dev.DataDir, "statuspage-sandbox.json"),
	})
	if err := emu.StateFileError(); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %v\n", err)
	}
	addr := devserver.LoopbackAddr(cfg.Dev.StatusPagePort)
	if err := emu.Start(addr); err != nil {
		emu.Close()
		return nil, portHint(&devserver.PortInUseError{Role: "statuspage", Addr: addr, Err: err})
	}
	sp.APIKey, sp.PageID, sp.APIURL = statuspageemu.SandboxAPIKey, statuspageemu.SandboxPageID, emu.URL()
	return emu, nil
}

// sandboxComponents are the sandbox's own components and those the
// configured services name.
func sandboxComponents(cfg *config.Config) []statuspageemu.Component {
	comps := statuspageemu.DefaultComponents()
	for _, name := range incident.SortedKeys(cfg.Services) {
		for _, id := range cfg.Services[name].StatusPageComponents {
			if !slices.ContainsFunc(comps, func(c statuspageemu.Component) bool { return c.ID == id }) {
				comps = append(comps, statuspageemu.Component{ID: id, Name: name})
			}
		}
	}
	return comps
}

// describeStatusPage is the banner's line of the Statuspage sandbox.
func describeStatusPage(out io.Writer, emu *statuspageemu.Server) {
	if emu == nil {
		return
	}
	fmt.Fprintf(out, "  Statuspage sandbox %s  (the public page; state: %s/_emu/state, page %s, API key %s)\n",
		emu.URL(), emu.URL(), statuspageemu.SandboxPageID, statuspageemu.SandboxAPIKey)
}
