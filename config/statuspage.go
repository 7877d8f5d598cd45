package config

import (
	"fmt"
	"regexp"

	"github.com/incidentflow/incidentflow/incident"
)

// DefaultStatusPagePort is dev.statuspage_port: the Statuspage sandbox of
// `incidentflow dev`.
const DefaultStatusPagePort = 3004

// statusPageID matches a Statuspage page or component ID (12 lowercase
// letters and digits on Atlassian's Statuspage; any letters and digits
// are accepted, for emulators and proxies).
var statusPageID = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// checkStatusPage validates statuspage.* and services.<name>.statuspage_components.
// The API key is a secret: its problems are said without echoing it.
func (c *Config) checkStatusPage(bad func(key, value, allowed string), say func(key, message string)) {
	sp := c.StatusPage
	if hasSpace(sp.APIKey) {
		say("statuspage.api_key", "contains a space, a line break or a control character, which no Statuspage API key has: set it to the key alone (Statuspage → your avatar → API info)")
	}
	if sp.APIKey != "" && sp.PageID == "" {
		say("statuspage.page_id", "is empty while statuspage.api_key is set: give the ID of the page to keep current (the part after /pages/ in its address on manage.statuspage.io)")
	}
	if sp.PageID != "" && !statusPageID.MatchString(sp.PageID) {
		bad("statuspage.page_id", sp.PageID, "a Statuspage page ID: letters and digits, e.g. kctbh9vrtdwd (the part after /pages/ in its address on manage.statuspage.io)")
	}
	if sp.APIURL != "" && !isURL(sp.APIURL) {
		bad("statuspage.api_url", sp.APIURL, "an http(s) URL such as https://api.statuspage.io")
	}
	for _, name := range incident.SortedKeys(c.Services) {
		for i, id := range c.Services[name].StatusPageComponents {
			if !statusPageID.MatchString(id) {
				bad(fmt.Sprintf("services.%s.statuspage_components[%d]", name, i), id,
					"a Statuspage component ID: letters and digits (GET /v1/pages/{page_id}/components lists them)")
			}
		}
	}
}
