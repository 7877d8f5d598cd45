package slackdoor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
)

const (
	// directoryTTL is how long a users.list answer (or a
	// users.lookupByEmail one) is reused to resolve the names people type.
	directoryTTL = 5 * time.Minute
	// directoryLoad bounds one walk of users.list. It goes on in the
	// background when a command can't wait that long, so the next command
	// finds the list cached.
	directoryLoad = 20 * time.Second
	// directoryKey is the cache key of the whole list; email lookups are
	// keyed by the lower-cased address, which always holds an @.
	directoryKey = "users.list"
)

// person is a workspace member as name resolution sees them.
type person struct {
	ID, Handle, DisplayName, RealName string
	Bot, Deleted                      bool
}

// fit reports whether p can hold a role or own an action item.
func (p person) fit() bool { return !p.Bot && !p.Deleted }

// label names p for a reply, as mrkdwn: the mention and the real name.
func (p person) label() string {
	name := p.RealName
	if name == "" {
		name = p.Handle
	}
	return fmt.Sprintf("%s (%s)", incident.Mention(p.ID), incident.Escape(name))
}

// directoryLoadState is one users.list walk that commands wait for.
type directoryLoadState struct {
	done  chan struct{} // closed when the walk ends
	users []person
	err   error
}

// directory resolves the names people type for a person (a plain @name, a
// display or real name, an email address) to workspace members, through
// users.list and users.lookupByEmail, both cached for directoryTTL.
// Concurrent commands share one walk of users.list. Safe for concurrent use.
type directory struct {
	slack *slack.Client
	now   func() time.Time
	bg    *sync.WaitGroup
	cache *ttlCache[[]person]

	mu      sync.Mutex
	loading *directoryLoadState // the walk under way, or nil
}

// newDirectory returns a directory over api; loads run in bg.
func newDirectory(api *slack.Client, now func() time.Time, bg *sync.WaitGroup) *directory {
	return &directory{slack: api, now: now, bg: bg, cache: newTTLCache[[]person](1000)}
}

// lookup returns the members who is most likely to name: an exact match of
// an email address, handle, display name or real name (ignoring case), else
// those whose first name it is. None is an empty result, not an error; the
// error is Slack's (or ctx's when Slack is slower than the command may wait).
func (d *directory) lookup(ctx context.Context, who string) ([]person, error) {
	if looksLikeEmail(who) {
		return d.byEmail(ctx, who)
	}
	users, err := d.list(ctx)
	if err != nil {
		return nil, err
	}
	var exact, first []person
	for _, u := range users {
		switch {
		case strings.EqualFold(who, u.Handle), strings.EqualFold(who, u.DisplayName), strings.EqualFold(who, u.RealName):
			exact = append(exact, u)
		case strings.EqualFold(who, firstWord(u.RealName)), strings.EqualFold(who, firstWord(u.DisplayName)):
			first = append(first, u)
		}
	}
	if len(exact) > 0 {
		return exact, nil
	}
	return first, nil
}

// looksLikeEmail reports whether s is an email address rather than a name.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsFunc(s, isSpace)
}

// firstWord returns the first word of a name.
func firstWord(name string) string {
	w, _ := cutWord(name)
	return w
}

// byEmail asks users.lookupByEmail, caching the answer (found or not).
func (d *directory) byEmail(ctx context.Context, email string) ([]person, error) {
	key := strings.ToLower(email)
	if found, ok := d.cache.get(key, d.now()); ok {
		return found, nil
	}
	u, err := d.slack.GetUserByEmailContext(ctx, email)
	var found []person
	switch {
	case err == nil:
		found = []person{toPerson(*u)}
	case !strings.Contains(err.Error(), "users_not_found"):
		return nil, err
	}
	d.cache.put(key, found, d.now(), directoryTTL)
	return found, nil
}

// list returns the workspace's members from the cache, or waits (within
// ctx) for a walk of users.list, starting one unless one is under way.
func (d *directory) list(ctx context.Context) ([]person, error) {
	if users, ok := d.cache.get(directoryKey, d.now()); ok {
		return users, nil
	}
	d.mu.Lock()
	load := d.loading
	if load == nil {
		load = &directoryLoadState{done: make(chan struct{})}
		d.loading = load
		d.bg.Go(func() { d.load(context.WithoutCancel(ctx), load) })
	}
	d.mu.Unlock()
	select {
	case <-load.done:
		return load.users, load.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// load walks users.list into load and the cache.
func (d *directory) load(ctx context.Context, load *directoryLoadState) {
	ctx, cancel := context.WithTimeout(ctx, directoryLoad)
	defer cancel()
	users, err := d.slack.GetUsersContext(ctx, slack.GetUsersOptionLimit(1000))
	load.err = err
	if err == nil {
		load.users = make([]person, 0, len(users))
		for _, u := range users {
			load.users = append(load.users, toPerson(u))
		}
		d.cache.put(directoryKey, load.users, d.now(), directoryTTL)
	}
	d.mu.Lock()
	d.loading = nil
	d.mu.Unlock()
	close(load.done)
}

// toPerson keeps what name resolution needs of u.
func toPerson(u slack.User) person {
	name := u.RealName
	if name == "" {
		name = u.Profile.RealName
	}
	return person{ID: u.ID, Handle: u.Name, DisplayName: u.Profile.DisplayName, RealName: name,
		Bot: u.IsBot, Deleted: u.Deleted}
}

// unfit returns why u can't hold a role or own an action item, or "".
func unfit(u person) string {
	switch {
	case u.Deleted:
		return incident.Mention(u.ID) + " is deactivated; pick someone else."
	case u.Bot:
		return incident.Mention(u.ID) + " is a bot and can't hold a role; pick a person."
	}
	return ""
}

// resolvePerson turns the person cmd names in words (cmd.Who) into
// cmd.User. It returns a note saying whom it picked, to go before the reply,
// or a refusal saying why no one was (ending with notDone and hint, what
// to type instead). A command that names nobody in words is left alone.
func (f *FrontDoor) resolvePerson(ctx context.Context, cmd *Command, notDone, hint string) (note, refusal string) {
	if cmd.Who == "" {
		return "", ""
	}
	typed := incident.Escape(incident.Truncate(cmd.Who, 60))
	if !looksLikeEmail(cmd.Who) {
		typed = "@" + typed
	}
	sctx, cancel := f.slackCtx(ctx)
	defer cancel()
	found, err := f.people.lookup(sctx, cmd.Who)
	if err != nil {
		f.log.Warn("resolving a typed name failed", "err", err)
		return "", fmt.Sprintf("I couldn't look up “%s” in Slack just now (%s), so %s. %s", typed, escapeErr(err), notDone, hint)
	}
	if len(found) > 1 {
		var fit []person
		for _, u := range found {
			if u.fit() {
				fit = append(fit, u)
			}
		}
		if len(fit) > 0 {
			found = fit
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Sprintf("No one in this workspace is called “%s”, so %s. %s", typed, notDone, hint)
	case 1:
	default:
		labels := make([]string, 0, min(len(found), 5))
		for _, u := range found[:min(len(found), 5)] {
			labels = append(labels, u.label())
		}
		more := ""
		if len(found) > 5 {
			more = fmt.Sprintf(" and %d more", len(found)-5)
		}
		return "", fmt.Sprintf("“%s” could be %s%s, so %s. %s", typed, strings.Join(labels, ", "), more, notDone, hint)
	}
	if why := unfit(found[0]); why != "" {
		return "", why
	}
	cmd.User = found[0].ID
	return fmt.Sprintf("I took “%s” to be %s. ", typed, found[0].label()), ""
}
