package statuspageemu

import "time"

// Sandbox credentials: the API key and page ID the emulator accepts when
// Options leaves them empty.
const (
	SandboxAPIKey = "sandbox-statuspage-key"
	SandboxPageID = "sandboxpage1"
)

const (
	defaultRateLimit  = 60
	defaultRateWindow = time.Minute
	// MaxBody is the largest request body accepted (413 beyond).
	MaxBody = 256 << 10
	// Statuspage's own bounds on an incident's name and an update's body.
	maxName = 255
	maxBody = 25000
)

// Component is one component of the page.
type Component struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Status is one of the component statuses (operational when empty).
	Status string `json:"status"`
}

// Options configures a Server. The zero value is a usable sandbox with the
// DefaultComponents.
type Options struct {
	// APIKey is the only key accepted (default SandboxAPIKey).
	APIKey string
	// PageID is the only page that exists (default SandboxPageID).
	PageID string
	// PageName is shown on the page (default "Status").
	PageName string
	// Components are the page's components (default DefaultComponents).
	Components []Component
	// RateLimit requests per RateWindow per key (defaults 60 a minute).
	RateLimit  int
	RateWindow time.Duration
	// StateFile, when set, keeps the incidents and component statuses
	// across restarts: New loads it, every change rewrites it (a temporary
	// file, then a rename).
	StateFile string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DefaultComponents are the components of the sandbox page.
func DefaultComponents() []Component {
	return []Component{
		{ID: "cmpcheckout01", Name: "Checkout", Description: "Cart and payment"},
		{ID: "cmppayments01", Name: "Payments API"},
		{ID: "cmpsearch0001", Name: "Search"},
		{ID: "cmpwebsite001", Name: "Website"},
	}
}

func (o Options) withDefaults() Options {
	if o.APIKey == "" {
		o.APIKey = SandboxAPIKey
	}
	if o.PageID == "" {
		o.PageID = SandboxPageID
	}
	if o.PageName == "" {
		o.PageName = "Status"
	}
	if o.Components == nil {
		o.Components = DefaultComponents()
	}
	if o.RateLimit <= 0 {
		o.RateLimit = defaultRateLimit
	}
	if o.RateWindow <= 0 {
		o.RateWindow = defaultRateWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
