package drill

// DefaultSender is who posts an inject that names no From.
const DefaultSender = "Drill control"

// StaleStatusPageText is what a status_page_stale inject with no Text
// says.
const StaleStatusPageText = "The status page hasn't been updated since the incident began. Customers are asking — can someone draft an update?"

// Sender is who posts the inject: From, or DefaultSender.
func (i Inject) Sender() string {
	if i.From == "" {
		return DefaultSender
	}
	return i.From
}
