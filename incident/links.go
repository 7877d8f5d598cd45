package incident

import "strings"

// SlackLink is a Slack mrkdwn link to url labelled label (already escaped),
// or the label alone when url isn't http(s): a sender's text never becomes
// a link of another kind.
func SlackLink(url, label string) string {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return label
	}
	return "<" + slackURL.Replace(url) + "|" + label + ">"
}

// slackURL makes a URL safe inside <url|label>: Slack's three control
// characters and the label separator cannot end or split the link.
var slackURL = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20")
