package drill

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// BuiltInOrigin is the Origin of the scenarios incidentflow ships.
const BuiltInOrigin = "built-in"

//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtins are the shipped scenarios, parsed once; a built-in that doesn't
// parse is a bug, and panics at start-up.
var builtins = parseBuiltins()

func parseBuiltins() []Scenario {
	files, err := fs.Glob(builtinFS, "builtin/*.yaml")
	if err != nil {
		panic("drill: listing the built-in scenarios: " + err.Error())
	}
	var out []Scenario
	for _, f := range files {
		data, err := builtinFS.ReadFile(f)
		if err != nil {
			panic("drill: reading the built-in scenario " + f + ": " + err.Error())
		}
		s, err := Parse(BuiltInOrigin, data)
		if err != nil {
			panic("drill: the built-in scenario " + f + " is invalid:\n" + err.Error())
		}
		if want := strings.TrimSuffix(path.Base(f), ".yaml"); s.Name != want {
			panic("drill: the built-in scenario " + f + " is named " + s.Name + "; name it " + want)
		}
		out = append(out, s)
	}
	sortByName(out)
	return out
}

// BuiltIn returns the scenarios incidentflow ships (Origin "built-in"),
// sorted by name: bad-deploy, database-outage and security-breach. Each
// call returns fresh copies.
func BuiltIn() []Scenario {
	out := make([]Scenario, len(builtins))
	for i, s := range builtins {
		out[i] = s.clone()
	}
	return out
}

// Find returns the scenario of list named name.
func Find(list []Scenario, name string) (Scenario, bool) {
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Names lists the names of list's scenarios, in its order.
func Names(list []Scenario) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}

// sortByName sorts scenarios by name.
func sortByName(list []Scenario) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
}
