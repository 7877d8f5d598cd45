package drill

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxScenarioBytes bounds a scenario file: Parse refuses anything larger.
const MaxScenarioBytes = 64 << 10

// Problem is one mistake in a scenario: its line in the file (0 when not
// known, as for a scenario built in Go) and what is wrong, starting with
// the field's path, e.g. `injects[2].after: unknown event "acked"; use one
// of acknowledged, first_update, ...`.
type Problem struct {
	Line    int
	Message string
}

// ParseError lists every mistake Parse (or Check) found in one scenario.
type ParseError struct {
	// Origin is the scenario's file, or "built-in".
	Origin   string
	Problems []Problem
}

// Error lists the problems one per line, each "origin:LINE: message"
// ("origin: message" when the line isn't known).
func (e *ParseError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if e.Origin != "" {
			b.WriteString(e.Origin)
			if p.Line > 0 {
				b.WriteString(":" + strconv.Itoa(p.Line))
			}
			b.WriteString(": ")
		} else if p.Line > 0 {
			b.WriteString("line " + strconv.Itoa(p.Line) + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// Parse reads the YAML scenario data from origin (a file's path, or
// "built-in"), applies its defaults (time_limit DefaultTimeLimit, an
// alert's status "firing") and checks it as Check does. On failure the
// error is a *ParseError listing every mistake found, each with its line.
//
// Durations are strings such as "90s", "5m" or "1h30m"; unknown keys,
// anchors and aliases, and more than one YAML document are refused.
func Parse(origin string, data []byte) (Scenario, error) {
	if len(data) > MaxScenarioBytes {
		return Scenario{}, &ParseError{Origin: origin, Problems: []Problem{{Message: fmt.Sprintf(
			"the scenario is %d bytes; at most %d (64 KiB) are allowed: shorten its texts or split it into two scenarios",
			len(data), MaxScenarioBytes)}}}
	}
	root, probs := readYAML(data)
	if len(probs) > 0 {
		return Scenario{}, &ParseError{Origin: origin, Problems: probs}
	}
	d := newDecoder()
	s := d.scenario(root)
	s.Origin = origin
	s.applyDefaults()
	loc := &locator{lines: d.lines, bad: d.bad, root: root.Line}
	all := append(d.problems, check(&s, loc)...)
	if len(all) > 0 {
		return Scenario{}, &ParseError{Origin: origin, Problems: sortProblems(all)}
	}
	return s, nil
}

// readYAML parses data as exactly one YAML document whose root is a
// mapping.
func readYAML(data []byte) (root *yaml.Node, probs []Problem) {
	defer func() {
		// yaml.v3 is not known to panic on bad input, but a parser
		// failure must not take the caller down.
		if r := recover(); r != nil {
			root, probs = nil, []Problem{{Message: fmt.Sprintf("the YAML parser failed (%v): check the file is well-formed YAML", r)}}
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Problem{{Message: "the scenario is empty: it needs at least name, title and severity"}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, []Problem{yamlProblem(err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if err != nil {
			return nil, []Problem{yamlProblem(err)}
		}
		return nil, []Problem{{Line: line, Message: "a second YAML document (after ---): a file holds one scenario; move this one to its own file"}}
	}
	n := &doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, []Problem{{Message: "the scenario is empty: it needs at least name, title and severity"}}
		}
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil, []Problem{{Line: n.Line, Message: "the scenario must be a mapping of keys (name:, title:, severity:, ...), not " + kindName(n)}}
	}
	return n, nil
}

// yamlProblem turns yaml.v3's syntax error ("yaml: line 3: ...") into a
// problem on that line.
func yamlProblem(err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, after
			}
		}
	}
	return Problem{Line: line, Message: "not valid YAML: " + msg + " (check the indentation and quoting)"}
}

// sortProblems orders problems by line, keeping the order of those on one
// line.
func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return ps
}
