package config

import "maps"

// Defaults returns the default of every key, severities included, keyed as
// in the file, for the tests of package config_test.
func Defaults() map[string]any {
	m := maps.Clone(defaults)
	m["severities"] = severityDefaults()
	return m
}
