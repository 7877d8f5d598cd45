package githubemu

import (
	"strings"
	"unicode"
)

// searchQuery is a parsed GET /search/issues "q".
type searchQuery struct {
	terms, notTerms [][]string // word sequences that must (not) appear
	in              map[string]bool
	repos, owners   []string // lower case
	state           string   // "", "open" or "closed"
	labels          [][]string
	notLabels       []string
	authors         []string
	assignees       []string
	noLabel         bool
	noAssignee      bool
	nothing         bool // e.g. is:pr: the emulator has no pull requests
}

// ignoredQualifiers are GitHub qualifiers the emulator accepts but does not
// apply, so results are a superset of GitHub's.
var ignoredQualifiers = map[string]bool{
	"created": true, "updated": true, "closed": true, "comments": true, "milestone": true,
	"mentions": true, "involves": true, "commenter": true, "team": true, "linked": true,
	"archived": true, "sort": true, "language": true, "reactions": true, "interactions": true,
	"project": true, "status": true, "head": true, "base": true, "draft": true, "review": true,
	"reason": true, "review-requested": true, "team-review-requested": true, "merged": true,
}

func parseQuery(q string) *searchQuery {
	sq := &searchQuery{in: map[string]bool{}}
	for _, tok := range splitQuery(q) {
		neg := len(tok) > 1 && tok[0] == '-'
		if neg {
			tok = tok[1:]
		}
		key, val, ok := strings.Cut(tok, ":")
		key = strings.ToLower(key)
		if tok[0] == '"' || !ok || !sq.qualifier(key, unquote(val), neg) {
			if strings.EqualFold(tok, "AND") {
				continue
			}
			if words := words(unquote(tok)); len(words) > 0 {
				if neg {
					sq.notTerms = append(sq.notTerms, words)
				} else {
					sq.terms = append(sq.terms, words)
				}
			}
		}
	}
	return sq
}

// qualifier applies key:val; it reports false when key is not a qualifier,
// in which case the token is searched for as text.
func (sq *searchQuery) qualifier(key, val string, neg bool) bool {
	lval := strings.ToLower(val)
	switch key {
	case "repo":
		sq.repos = append(sq.repos, lval)
	case "user", "org", "owner":
		sq.owners = append(sq.owners, lval)
	case "is", "type", "state":
		switch lval {
		case "pr", "pull-request":
			sq.nothing = sq.nothing || !neg
		case "issue":
			sq.nothing = sq.nothing || neg
		case "open", "closed":
			sq.state = lval
			if neg {
				sq.state = map[string]string{"open": "closed", "closed": "open"}[lval]
			}
		}
	case "label":
		if neg {
			sq.notLabels = append(sq.notLabels, val)
		} else {
			sq.labels = append(sq.labels, strings.Split(val, ","))
		}
	case "author":
		sq.authors = append(sq.authors, val)
	case "assignee":
		sq.assignees = append(sq.assignees, val)
	case "no":
		sq.noLabel = sq.noLabel || lval == "label"
		sq.noAssignee = sq.noAssignee || lval == "assignee"
	case "in":
		for _, f := range strings.Split(lval, ",") {
			sq.in[f] = true
		}
	default:
		return ignoredQualifiers[key]
	}
	return true
}

// splitQuery splits on spaces outside double quotes.
func splitQuery(q string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case unicode.IsSpace(r) && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func unquote(s string) string { return strings.ReplaceAll(s, `"`, "") }

// words lower-cases s and splits it into runs of letters and digits, which is
// how the search index sees text.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsSeq reports whether needle appears contiguously in hay.
func containsSeq(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		match := true
		for j, w := range needle {
			if hay[i+j] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
