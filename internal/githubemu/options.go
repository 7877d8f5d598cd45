package githubemu

import "time"

// SandboxToken is the token the emulator accepts when Options.Tokens is empty.
// It has the prefix of a classic personal access token ("ghp_"), which is what
// a person would paste into `github.token`.
const SandboxToken = "ghp_sandbox"

// SandboxLogin is the login SandboxToken authenticates as.
const SandboxLogin = "incidentflow-sandbox"

const (
	defaultRateLimit       = 5000
	defaultSearchRateLimit = 1000
	bodyMaxChars           = 65536
	titleMaxChars          = 256
	defaultPerPage         = 30
	maxPerPage             = 100
)

var defaultAssignees = []string{"alice", "bob", "carol"}

// Options configures a Server. The zero value is a usable sandbox.
type Options struct {
	// Repos, when non-empty, declares the only repositories ("owner/repo")
	// that exist; requests to any other answer 404 {"message":"Not Found"}.
	// When empty, a repository springs into existence on first use.
	Repos []string

	// Tokens maps each accepted token to the login it authenticates as.
	// Default: {SandboxToken: SandboxLogin}.
	Tokens map[string]string

	// Assignees are the logins that may be assigned to issues (matched
	// case-insensitively). Default: "alice", "bob", "carol". Any other login
	// answers 422 Validation Failed, as GitHub does.
	Assignees []string

	// Labels are created in every repository up front.
	Labels []string

	// StrictLabels makes an unknown label in a create or edit answer 422
	// Validation Failed instead of creating the label on the fly.
	StrictLabels bool

	// RateLimit is the number of core API requests each login may make per
	// hour. Default 5000, as GitHub grants a personal access token.
	RateLimit int

	// SearchRateLimit is the number of search requests each login may make
	// per minute. Default 1000 (GitHub grants 30; set that to be realistic).
	SearchRateLimit int

	// SearchLag hides issues created less than this long ago from search,
	// the way GitHub's search index trails writes. Default 0.
	SearchLag time.Duration

	// Latency, when set, is called once per API request and the request
	// waits that long before it is handled. Server.SetLatency replaces it.
	Latency func() time.Duration

	// StateFile, when set, makes the issues outlive the process, kill -9 and
	// power cuts included: New loads it if it exists (see
	// Server.StateFileError when it cannot), and every change is written to a
	// journal beside it (StateFile+".journal") and synced before the emulator
	// answers the request that made it. The journal is folded into StateFile
	// now and then and on Close, atomically (temporary file, then rename). It
	// holds repositories, labels, issues, comments and the ID counter; not
	// rate limits, faults or the call log.
	StateFile string

	// Now is the clock used for timestamps, SearchLag and rate-limit windows.
	// Default time.Now. Keep it near the real time when a go-github client
	// is involved: go-github compares X-RateLimit-Reset and Retry-After with
	// the real clock to decide whether to refuse requests without sending.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if len(o.Tokens) == 0 {
		o.Tokens = map[string]string{SandboxToken: SandboxLogin}
	}
	if len(o.Assignees) == 0 {
		o.Assignees = defaultAssignees
	}
	if o.RateLimit <= 0 {
		o.RateLimit = defaultRateLimit
	}
	if o.SearchRateLimit <= 0 {
		o.SearchRateLimit = defaultSearchRateLimit
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
