// Package githubemu is a stateful, in-memory emulator of the part of the GitHub
// REST API that incidentflow uses: issues, issue comments, labels, issue search,
// the repository and the authenticated user.
//
// It serves tests, the benchmark, and the GitHub sandbox of `incidentflow dev`
// (127.0.0.1:3002) when no GitHub token is configured. It speaks the wire
// format github.com/google/go-github/v60 sends and parses, but the package
// itself only uses the standard library.
//
// # Pointing a client at it
//
// Requests are accepted both at the root (https://api.github.com style) and
// under /api/v3/ (GitHub Enterprise style). Prefer the root: go-github keys its
// client-side rate-limit bookkeeping on the request path, and only sees the
// search limit as separate from the core limit when search requests go to
// /search/... rather than /api/v3/search/...:
//
//	c := github.NewClient(nil).WithAuthToken(githubemu.SandboxToken)
//	c.BaseURL, _ = url.Parse(srv.URL() + "/")
//
// github.NewClient(nil).WithEnterpriseURLs(srv.URL(), srv.URL()) also works.
//
// # Authentication and rate limits
//
// Every API request needs `Authorization: Bearer <token>` or
// `Authorization: token <token>` with a token from Options.Tokens (default
// SandboxToken); otherwise the answer is 401 {"message":"Bad credentials"}.
// Every API response carries X-RateLimit-Limit, -Remaining, -Reset, -Used and
// -Resource. Each login has a "core" budget per hour and a "search" budget per
// minute; when one is spent the answer is 403 with X-RateLimit-Remaining: 0,
// which go-github v60 turns into *github.RateLimitError. Server.RateLimitNext
// injects secondary rate limits (403 or 429 with Retry-After), Server.FailNext
// injects any other status, and Options.Latency / Server.SetLatency delay
// every API call.
//
// # Search
//
// GET /search/issues understands bare words and "quoted phrases" (matched as
// sequences of words, case-insensitively, the way GitHub's tokenizer does:
// punctuation separates words), in:title / in:body / in:comments, repo:o/r,
// user:/org:, is:issue / is:pr, is:open / is:closed, state:, label: (also
// -label:), author:, assignee:, no:label and no:assignee. Other GitHub
// qualifiers (created:, updated:, ...) are ignored, so results are a superset.
// Because phrases match words, not bytes, a client that searches for a marker
// such as "incidentflow:action:abc123" must still check the exact marker in the
// returned bodies — exactly as it must against GitHub. Options.SearchLag
// emulates the search index lagging behind writes.
//
// # Operation names
//
// FailNext, CallCount and Call.Op name API operations: "user", "rate_limit",
// "repo", "create", "get", "edit", "list", "search", "comment" (create a
// comment), "comments" (list comments), "labels" (list repo labels),
// "create_label", "add_labels" (add labels to an issue). A matcher may also be
// "METHOD /path/pattern" where the pattern uses path.Match syntax against the
// path without any /api/v3 prefix, e.g. "POST /repos/*/*/issues"; the method
// may be "*". "" or "*" matches every API call.
//
// # Inspection
//
// GET /_emu/state answers {"issues":[{"repo","number","title","body",
// "labels":[],"assignees":[],"state",...}]}, POST /_emu/reset forgets
// everything, GET / is a page a person can read, and each issue's html_url
// ({URL}/{owner}/{repo}/issues/{n}) is a readable page too. None of these
// need a token, count against a rate limit or show up in Calls.
//
// # Persistence
//
// With Options.StateFile the repositories, labels, issues and comments
// survive restarts and crashes (`incidentflow dev` keeps them in
// <data-dir>/github-sandbox.json). Each change is appended to a journal
// beside the file (<file>.journal) and synced before the request that made
// it is answered, and the journal is folded into the file now and then and
// on Close (a temporary file, then a rename); a file that cannot be loaded
// is moved to <file>.corrupt, and a journal that ends in a change cut short
// is loaded up to it, both reported by Server.StateFileError.
package githubemu
