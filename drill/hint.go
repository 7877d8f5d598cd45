package drill

// Hint is the n-th fact of s (0-based), the one /incident hint reveals
// after n others, and false when s has no more facts.
func (s Scenario) Hint(n int) (string, bool) {
	if n < 0 || n >= len(s.Facts) {
		return "", false
	}
	return s.Facts[n], true
}
