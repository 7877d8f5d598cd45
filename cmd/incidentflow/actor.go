package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/spf13/pflag"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

// actor is whom a CLI command acts as: the Slack person --as or cli.user
// names, or, without either, the CLI on this host — never the OS account,
// which is nobody in Slack. It says only whom a change is attributed to:
// the CLI holds Temporal access, full control anyway, so the changes it
// asks the permission model about say so (Operator in their requests) and
// are allowed whoever the actor is.
type actor struct {
	// ID is the Slack user ID; empty without a Slack identity.
	ID string
	// Name is the person's name in Slack, for the command's output.
	Name string
	// Host is this machine's name, for attributing actions without ID.
	Host string
}

// person is the Slack user ID for fields that name a Slack person (a
// declarer, a lead): empty without a Slack identity.
func (a actor) person() string { return a.ID }

// attribution is who did something, for fields that say so in Slack and in
// the timeline: the Slack user ID, or "the CLI on host h".
func (a actor) attribution() string {
	if a.ID != "" {
		return a.ID
	}
	return a.via()
}

// via is how the CLI acts without a Slack identity: "the CLI on host h".
func (a actor) via() string {
	return "the CLI on host " + a.Host
}

// String says whom the command acted as, for its output.
func (a actor) String() string {
	switch {
	case a.ID == "":
		return a.via() + " (no Slack identity: pass --as or set cli.user)"
	case a.Name != "":
		return a.Name + " (" + a.ID + ")"
	}
	return a.ID
}

// asFlag adds --as, and the older --by as its deprecated spelling, to a
// verb's flags.
func asFlag(fs *pflag.FlagSet, what string) *string {
	as := fs.String("as", "", what+": your Slack user ID (U…) or the email of your Slack account (default: cli.user)")
	fs.StringVar(as, "by", "", "the same as --as")
	_ = fs.MarkDeprecated("by", "use --as with your Slack user ID or email")
	return as
}

// resolveActor finds whom the CLI acts as: --as (ref), else cli.user,
// looked up in Slack. Without either it acts as the CLI on this host. A
// person Slack doesn't know is an error. When Slack can't be asked, a Slack
// user ID is used unchecked and an email can't be used at all, so the
// command acts as the CLI on this host; either way it says so on standard
// error.
func resolveActor(ctx context.Context, people *slackPeople, cfg *config.Config, ref string) (actor, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	a := actor{Host: host}
	source := "--as"
	if ref == "" {
		ref, source = cfg.CLI.User, "cli.user"
	}
	if ref == "" {
		return a, nil
	}
	a.ID, a.Name, err = people.lookup(ctx, ref)
	var unreachable *slackUnreachableError
	switch {
	case errors.As(err, &unreachable):
		fmt.Fprintf(os.Stderr, "incidentflow: can't look up %s %s, so acting as %s: %v\n", source, ref, a.via(), err)
		return a, nil
	case err != nil:
		return a, fmt.Errorf("%s %q: %w", source, ref, err)
	case a.Name == "":
		fmt.Fprintf(os.Stderr, "incidentflow: acting as %s without checking it: %s can't be reached\n", a.ID, people.where)
	}
	return a, nil
}

// lookup returns the Slack user ID and name of ref (a user ID or an
// email). When Slack can't be asked, a user ID comes back unchecked with
// no name, and an email with a *slackUnreachableError.
func (p *slackPeople) lookup(ctx context.Context, ref string) (id, name string, err error) {
	u, err := p.find(ctx, ref)
	var unreachable *slackUnreachableError
	switch {
	case errors.As(err, &unreachable) && incident.IsUserID(ref):
		return ref, "", nil
	case err != nil:
		return "", "", err
	}
	return u.ID, displayName(u), nil
}

// slackPeople looks people up in the Slack workspace of the configuration:
// slack.bot_token (at slack.api_url when set), or, with no token, the Slack
// sandbox of the local `incidentflow dev`.
type slackPeople struct {
	api *slack.Client
	// where names that workspace in messages.
	where string
}

func newSlackPeople(cfg *config.Config) *slackPeople {
	token, apiURL, where := cfg.Slack.BotToken, cfg.Slack.APIURL, "Slack"
	if token == "" {
		token, apiURL = sandboxBotToken, slackSandboxAPIURL(cfg)
		where = "the Slack sandbox of `incidentflow dev` at " + apiURL + " (set slack.bot_token to use your workspace)"
	}
	var opts []slack.Option
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	return &slackPeople{api: slack.New(token, opts...), where: where}
}

// slackUnreachableError means Slack could not be asked (down, no network,
// no sandbox running), as opposed to Slack answering that it doesn't know
// someone.
type slackUnreachableError struct {
	where string
	err   error
}

func (e *slackUnreachableError) Error() string {
	return fmt.Sprintf("%s can't be reached (%v)", e.where, e.err)
}

// find returns the Slack user ref names: a user ID (users.info) or an
// email (users.lookupByEmail).
func (p *slackPeople) find(ctx context.Context, ref string) (*slack.User, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var u *slack.User
	var err error
	switch {
	case incident.IsUserID(ref):
		u, err = p.api.GetUserInfoContext(ctx, ref)
	case strings.Contains(ref, "@") && !strings.HasPrefix(ref, "@"):
		u, err = p.api.GetUserByEmailContext(ctx, ref)
	default:
		return nil, errors.New("is neither a Slack user ID (U…/W…) nor an email: give your Slack user ID or the email of your Slack account")
	}
	var slackErr slack.SlackErrorResponse
	switch {
	case errors.As(err, &slackErr) && (slackErr.Err == "user_not_found" || slackErr.Err == "users_not_found"):
		return nil, fmt.Errorf("%s has no such user: check the user ID or email", p.where)
	case errors.As(err, &slackErr):
		return nil, fmt.Errorf("%s refused to look it up: %s", p.where, slackErr.Err)
	case err != nil:
		return nil, &slackUnreachableError{where: p.where, err: err}
	case u.Deleted || u.IsBot:
		return nil, fmt.Errorf("is %s in %s, not a person who can act", botOrDeleted(u), p.where)
	}
	return u, nil
}

func botOrDeleted(u *slack.User) string {
	if u.IsBot {
		return "a bot"
	}
	return "a deactivated account"
}

// nameOf is the Slack name of who did something, for the CLI's output: the
// person's name when ref is a Slack user ID Slack describes, ref itself
// otherwise ("the CLI on host h").
func (p *slackPeople) nameOf(ctx context.Context, ref string) string {
	if !incident.IsUserID(ref) {
		return ref
	}
	u, err := p.find(ctx, ref)
	if err != nil {
		return ref
	}
	return displayName(u)
}

// displayName is how Slack shows a person: their real name, or their
// username without one.
func displayName(u *slack.User) string {
	if u.RealName != "" {
		return u.RealName
	}
	return u.Name
}

// identity is whom a command acts as, found once its configuration is
// loaded (actingAs), with the Slack workspace it was looked up in.
type identity struct {
	as *string // --as
	actor
	people *slackPeople
}

// newIdentity adds --as to fs for a command that acts as someone; what
// says who that is, for --help.
func newIdentity(fs *pflag.FlagSet, what string) *identity {
	return &identity{as: asFlag(fs, what)}
}

// actingAs wraps connect so that it first finds whom the command acts as,
// into id.
func actingAs[T any](id *identity, connect func(context.Context, *config.Config) (T, func(), error)) func(context.Context, *config.Config) (T, func(), error) {
	return func(ctx context.Context, cfg *config.Config) (T, func(), error) {
		var zero T
		id.people = newSlackPeople(cfg)
		a, err := resolveActor(ctx, id.people, cfg, *id.as)
		if err != nil {
			return zero, nil, err
		}
		id.actor = a
		return connect(ctx, cfg)
	}
}
