package incident

import (
	"net/url"
	"strings"
)

// WebUIWorkflowURL is the page of workflow workflowID in namespace on the
// Temporal Web UI whose base URL is base (Process.WebUIURL; a trailing
// slash is dropped), each path segment escaped: the war room's bookmark and
// the Slack front door's link to an incident's whole history.
func WebUIWorkflowURL(base, namespace, workflowID string) string {
	return strings.TrimRight(base, "/") + "/namespaces/" + url.PathEscape(namespace) + "/workflows/" + url.PathEscape(workflowID)
}

// SlackLink is a Slack mrkdwn link to url labelled label (already escaped),
// or the label alone when url isn't http(s): a sender's text never becomes
// a link of another kind.
func SlackLink(url, label string) string {
	if !isWebURL(url) {
		return label
	}
	return "<" + slackURL.Replace(url) + "|" + label + ">"
}

// markdownLink is a GitHub Markdown link to url labelled label (already
// escaped), or the label alone when url isn't http(s), as SlackLink.
func markdownLink(url, label string) string {
	if !isWebURL(url) {
		return label
	}
	return "[" + markdownLabel.Replace(label) + "](" + markdownURL.Replace(url) + ")"
}

// isWebURL reports whether url is an http(s) URL.
func isWebURL(url string) bool {
	return strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")
}

// slackURL makes a URL safe inside <url|label>: Slack's three control
// characters and the label separator cannot end or split the link.
var slackURL = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20")

// markdownLabel and markdownURL keep a label and a URL inside their parts
// of [label](url).
var (
	markdownLabel = strings.NewReplacer("[", `\[`, "]", `\]`)
	markdownURL   = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")
)
