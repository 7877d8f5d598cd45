package incident

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DefaultChannelTemplate is the war-room name template of a first run.
const DefaultChannelTemplate = "inc-{yyyymmdd}-{hhmm}-{slug}"

// MaxChannelName is the longest channel name Slack accepts.
const MaxChannelName = 80

// channelPlaceholders are the placeholders a channel-name template may use.
var channelPlaceholders = []string{"{yyyymmdd}", "{hhmm}", "{slug}", "{id}", "{severity}", "{kind}"}

// ValidateChannelTemplate reports what is wrong with a channel-name template:
// unknown or unclosed placeholders, characters Slack rejects in channel
// names, or a template without {slug} or {id} (names would collide).
func ValidateChannelTemplate(tmpl string) error {
	if strings.TrimSpace(tmpl) == "" {
		return fmt.Errorf("the template is empty; use placeholders %s", strings.Join(channelPlaceholders, " "))
	}
	rest := tmpl
	for {
		open := strings.IndexByte(rest, '{')
		closeIdx := strings.IndexByte(rest, '}')
		if open < 0 {
			if closeIdx >= 0 {
				return fmt.Errorf("unmatched %q in %q", "}", tmpl)
			}
			break
		}
		if closeIdx < 0 || closeIdx < open {
			return fmt.Errorf("unclosed or unmatched brace in %q", tmpl)
		}
		ph := rest[open : closeIdx+1]
		if !contains(channelPlaceholders, ph) {
			return fmt.Errorf("unknown placeholder %s in %q: use %s", ph, tmpl, strings.Join(channelPlaceholders, " "))
		}
		rest = rest[closeIdx+1:]
	}
	if !strings.Contains(tmpl, "{slug}") && !strings.Contains(tmpl, "{id}") {
		return fmt.Errorf("%q has neither {slug} nor {id}, so every incident would get the same channel name", tmpl)
	}
	literal := tmpl
	for _, ph := range channelPlaceholders {
		literal = strings.ReplaceAll(literal, ph, "")
	}
	for _, r := range literal {
		if !isChannelRune(r) {
			return fmt.Errorf("%q contains %q; Slack channel names allow only lowercase letters, digits, - and _", tmpl, r)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isChannelRune(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_'
}

// Slug turns free text into a channel-name fragment: lowercase, accents
// folded to ASCII, every other run of characters turned into a single "-",
// no leading or trailing "-".
func Slug(text string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(text) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent: drop it, keep the base letter
		}
		r = foldRune(unicode.ToLower(r))
		if isChannelRune(r) && r != '-' && r != '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// foldRune maps the letters that don't decompose under NFD to ASCII.
func foldRune(r rune) rune {
	switch r {
	case 'ß':
		return 's'
	case 'ø':
		return 'o'
	case 'đ', 'ð':
		return 'd'
	case 'ł':
		return 'l'
	case 'æ':
		return 'a'
	case 'œ':
		return 'o'
	case 'þ':
		return 't'
	case 'ı':
		return 'i'
	}
	return r
}

// ChannelName renders the war-room name for declaration d from tmpl in loc,
// with suffix (e.g. "-2" after name_taken) kept whole: the slug is cut so the
// whole name fits Slack's 80 characters.
func ChannelName(tmpl string, d Declaration, loc *time.Location, suffix string) string {
	if tmpl == "" {
		tmpl = DefaultChannelTemplate
	}
	if loc == nil {
		loc = time.UTC
	}
	at := d.DeclaredAt.In(loc)
	kind := d.Kind
	if kind == "" {
		kind = KindIncident
	}
	r := strings.NewReplacer(
		"{yyyymmdd}", at.Format("20060102"),
		"{hhmm}", at.Format("1504"),
		"{id}", Slug(d.ID),
		"{severity}", Slug(string(d.Severity)),
		"{kind}", string(kind),
	)
	withoutSlug := r.Replace(tmpl)
	slug := Slug(d.Title)
	if d.Security {
		// A security incident's title must not leak through the name.
		slug = "security"
	}
	if slug == "" {
		slug = "incident"
	}
	budget := MaxChannelName - len(strings.ReplaceAll(withoutSlug, "{slug}", "")) - len(suffix)
	if n := strings.Count(withoutSlug, "{slug}"); n > 0 {
		budget /= n
		if budget < 1 {
			budget = 1
		}
		if len(slug) > budget {
			slug = strings.TrimRight(slug[:budget], "-")
		}
	}
	name := strings.ReplaceAll(withoutSlug, "{slug}", slug)
	name = strings.Trim(name, "-")
	if len(name)+len(suffix) > MaxChannelName {
		name = strings.TrimRight(name[:MaxChannelName-len(suffix)], "-")
	}
	return name + suffix
}

// channelRef is a Slack channel name (without "#") or a channel ID.
var channelRef = regexp.MustCompile(`^([a-z0-9_-]{1,80}|[CG][A-Z0-9]{2,})$`)

// IsChannelRef reports whether s names a Slack channel as the configuration
// may: a channel name without "#" (lowercase letters, digits, - and _) or
// a channel ID.
func IsChannelRef(s string) bool { return channelRef.MatchString(s) }
