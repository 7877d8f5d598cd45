package slackemu

// Stable identifiers of the emulated workspace. They never change between runs,
// so tests, fixtures and the sandbox can name them directly.
const (
	// TeamID is the ID of the single emulated workspace.
	TeamID = "T0SANDBOX"
	// TeamName is the display name of the emulated workspace.
	TeamName = "incidentflow sandbox"
	// TeamDomain is the workspace subdomain used in permalinks and auth.test.
	TeamDomain = "incidentflow-sandbox"
	// AppID is the ID of the incidentflow app installed in the workspace.
	AppID = "A0INCIDENTFLOW"
	// BotID is the bot ID of the app (bot_id on the messages it posts).
	BotID = "B0INCIDENTFLOW"
	// BotUserID is the user ID of the app's bot user (the user behind the bot token).
	BotUserID = "U0INCIDENTFLOW"
	// BotName is the user name of the bot user.
	BotName = "incidentflow"

	// GeneralChannelID is the ID of the seeded public channel #general.
	GeneralChannelID = "C0GENERAL"
	// IncidentsChannelID is the ID of the seeded public channel #incidents.
	IncidentsChannelID = "C0INCIDENTS"

	// DefaultBotToken is the bot token accepted when Options.BotToken is empty.
	DefaultBotToken = "xoxb-sandbox"
	// DefaultAppToken is the app-level token (Socket Mode) accepted when
	// Options.AppToken is empty.
	DefaultAppToken = "xapp-sandbox"
	// VerificationToken is the legacy verification token put in the `token`
	// field of slash commands and interaction payloads.
	VerificationToken = "emu-verification-token"
)

// Seeded user IDs (see DefaultUsers).
const (
	UserAlice = "U0ALICE" // Alice Anders, incident commander, workspace admin
	UserBob   = "U0BOB"   // Bob Brown, site reliability engineer
	UserCarol = "U0CAROL" // Carol Chen, communications lead
	UserDave  = "U0DAVE"  // Dave Diaz, backend engineer
	UserErin  = "U0ERIN"  // Erin Evans, database engineer
	UserFrank = "U0FRANK" // Frank Fischer, security engineer (not in #incidents)
	UserGrace = "U0GRACE" // Grace Green, support manager
)

// User is a member of the emulated workspace.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RealName string `json:"real_name"`
	Email    string `json:"email,omitempty"`
	Title    string `json:"title,omitempty"`
	TZ       string `json:"tz"`
	TZLabel  string `json:"tz_label"`
	TZOffset int    `json:"tz_offset"` // seconds east of UTC
	IsBot    bool   `json:"is_bot"`
	IsAdmin  bool   `json:"is_admin"`
}

// BotUser returns the app's bot user. It is always present in the workspace,
// whatever Options.Users holds.
func BotUser() User {
	return User{ID: BotUserID, Name: BotName, RealName: "incidentflow", TZ: "America/Los_Angeles",
		TZLabel: "Pacific Standard Time", TZOffset: -28800, IsBot: true}
}

// DefaultUsers returns the seeded users: seven people with stable IDs and the bot user.
//
//	U0ALICE  alice  Alice Anders   alice@example.com  Incident Commander   America/New_York (admin)
//	U0BOB    bob    Bob Brown      bob@example.com    Site Reliability Eng Europe/London
//	U0CAROL  carol  Carol Chen     carol@example.com  Communications Lead  Asia/Singapore
//	U0DAVE   dave   Dave Diaz      dave@example.com   Backend Engineer     America/Los_Angeles
//	U0ERIN   erin   Erin Evans     erin@example.com   Database Engineer    Europe/Berlin
//	U0FRANK  frank  Frank Fischer  frank@example.com  Security Engineer    Australia/Sydney
//	U0GRACE  grace  Grace Green    grace@example.com  Support Manager      America/Chicago
//	U0INCIDENTFLOW  incidentflow  (bot user, bot_id B0INCIDENTFLOW)
func DefaultUsers() []User {
	return []User{
		{ID: UserAlice, Name: "alice", RealName: "Alice Anders", Email: "alice@example.com", Title: "Incident Commander",
			TZ: "America/New_York", TZLabel: "Eastern Standard Time", TZOffset: -18000, IsAdmin: true},
		{ID: UserBob, Name: "bob", RealName: "Bob Brown", Email: "bob@example.com", Title: "Site Reliability Engineer",
			TZ: "Europe/London", TZLabel: "Greenwich Mean Time", TZOffset: 0},
		{ID: UserCarol, Name: "carol", RealName: "Carol Chen", Email: "carol@example.com", Title: "Communications Lead",
			TZ: "Asia/Singapore", TZLabel: "Singapore Standard Time", TZOffset: 28800},
		{ID: UserDave, Name: "dave", RealName: "Dave Diaz", Email: "dave@example.com", Title: "Backend Engineer",
			TZ: "America/Los_Angeles", TZLabel: "Pacific Standard Time", TZOffset: -28800},
		{ID: UserErin, Name: "erin", RealName: "Erin Evans", Email: "erin@example.com", Title: "Database Engineer",
			TZ: "Europe/Berlin", TZLabel: "Central European Time", TZOffset: 3600},
		{ID: UserFrank, Name: "frank", RealName: "Frank Fischer", Email: "frank@example.com", Title: "Security Engineer",
			TZ: "Australia/Sydney", TZLabel: "Australian Eastern Daylight Time", TZOffset: 39600},
		{ID: UserGrace, Name: "grace", RealName: "Grace Green", Email: "grace@example.com", Title: "Support Manager",
			TZ: "America/Chicago", TZLabel: "Central Standard Time", TZOffset: -21600},
		BotUser(),
	}
}

// usergroupSeed is a seeded user group (usergroups.list).
type usergroupSeed struct {
	id, handle, name, description string
	users                         []string
}

// defaultUsergroups are the seeded user groups, filtered to the users present.
var defaultUsergroups = []usergroupSeed{
	{id: "S0COMMANDERS", handle: "incident-commanders", name: "Incident commanders",
		description: "People who can run an incident", users: []string{UserAlice, UserBob}},
	{id: "S0ONCALL", handle: "oncall", name: "On call", description: "Current on-call engineers",
		users: []string{UserBob, UserDave, UserErin}},
}
