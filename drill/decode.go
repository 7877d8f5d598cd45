package drill

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/incidentflow/incidentflow/incident"
)

// decoder reads a scenario from its YAML nodes by hand, so that every
// mistake carries its line: it records the line of every value it reads
// (by path, "injects[2].after"), and the paths whose values it couldn't
// read, whose follow-on problems check leaves out.
type decoder struct {
	lines    map[string]int
	bad      map[string]bool
	problems []Problem
}

func newDecoder() *decoder {
	return &decoder{lines: map[string]int{}, bad: map[string]bool{}}
}

// fail records a problem with the value at path on n's line.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	d.problems = append(d.problems, Problem{Line: n.Line, Message: path + ": " + fmt.Sprintf(format, args...)})
}

// field is one key of a mapping and how to read its value.
type field struct {
	name string
	read func(v *yaml.Node, path string)
}

// mapping reads the mapping n at path (what names it in messages) with
// fields, refusing unknown and repeated keys. It reports false when n is
// not a mapping.
func (d *decoder) mapping(n *yaml.Node, path, what string, fields []field) bool {
	n = d.deref(n, path)
	if n == nil {
		return false
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want %s (a mapping of keys), got %s", what, kindName(n))
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "a key must be a plain word, not %s", kindName(k))
			continue
		}
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.fail(k, p, "repeated key (first at line %d); keep one of them", first)
			continue
		}
		seen[k.Value] = k.Line
		found := false
		for _, f := range fields {
			if f.name == k.Value {
				d.lines[p] = v.Line
				f.read(v, p)
				found = true
				break
			}
		}
		if !found {
			names := make([]string, len(fields))
			for i, f := range fields {
				names[i] = f.name
			}
			d.fail(k, p, "unknown key %q in %s; use one of %s", k.Value, what, strings.Join(names, ", "))
		}
	}
	return true
}

// join is the path of key within the value at path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// deref returns n, refusing aliases (nil then).
func (d *decoder) deref(n *yaml.Node, path string) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		d.fail(n, path, "anchors and aliases (*%s) aren't supported; write the value out", n.Value)
		return nil
	}
	return n
}

// scalar returns n's text, "" for null, and false (with a problem) when n
// isn't a scalar.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	n = d.deref(n, path)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want %s, got %s", want, kindName(n))
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

func (d *decoder) str(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		if s, ok := d.scalar(n, path, "a text"); ok {
			*dst = s
		}
	}
}

func (d *decoder) boolean(dst *bool) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "true or false")
		if !ok || s == "" {
			return
		}
		switch strings.ToLower(s) {
		case "true", "yes", "on":
			*dst = true
		case "false", "no", "off":
			*dst = false
		default:
			d.fail(n, path, "want true or false, got %q", s)
		}
	}
}

func (d *decoder) duration(dst *time.Duration) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, `a duration such as "5m"`)
		if !ok || s == "" {
			return
		}
		v, err := time.ParseDuration(s)
		switch {
		case err != nil:
			d.fail(n, path, `%q is not a duration; write it like "90s", "5m" or "1h30m"`, s)
		case v < 0:
			d.fail(n, path, "%s is negative; offsets count forward from the start or the event", s)
		default:
			*dst = v
		}
	}
}

// sequence reads each item of the sequence n at path with item.
func (d *decoder) sequence(n *yaml.Node, path, what string, item func(v *yaml.Node, path string)) {
	n = d.deref(n, path)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list of %s (lines starting with \"- \"), got %s", what, kindName(n))
		return
	}
	for i, v := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = v.Line
		item(v, p)
	}
}

// scenario reads a scenario from the mapping root.
func (d *decoder) scenario(root *yaml.Node) Scenario {
	var s Scenario
	var severity string
	d.mapping(root, "", "a scenario", []field{
		{"name", d.str(&s.Name)},
		{"title", d.str(&s.Title)},
		{"summary", d.str(&s.Summary)},
		{"severity", d.str(&severity)},
		{"service", d.str(&s.Service)},
		{"security", d.boolean(&s.Security)},
		{"time_limit", d.duration(&s.TimeLimit)},
		{"facts", func(v *yaml.Node, path string) {
			d.sequence(v, path, "facts", func(v *yaml.Node, path string) {
				var f string
				d.str(&f)(v, path)
				s.Facts = append(s.Facts, f)
			})
		}},
		{"injects", func(v *yaml.Node, path string) {
			d.sequence(v, path, "injects", func(v *yaml.Node, path string) {
				s.Injects = append(s.Injects, d.inject(v, path))
			})
		}},
		{"expected", func(v *yaml.Node, path string) {
			d.sequence(v, path, "expectations", func(v *yaml.Node, path string) {
				s.Expected = append(s.Expected, d.expectation(v, path))
			})
		}},
	})
	s.Severity = incident.Severity(severity)
	return s
}

func (d *decoder) inject(n *yaml.Node, path string) Inject {
	var i Inject
	var kind, after string
	d.mapping(n, path, "an inject", []field{
		{"id", d.str(&i.ID)},
		{"kind", d.str(&kind)},
		{"from", d.str(&i.From)},
		{"text", d.str(&i.Text)},
		{"alert", func(v *yaml.Node, path string) { i.Alert = d.alert(v, path) }},
		{"at", d.duration(&i.Trigger.At)},
		{"after", d.str(&after)},
		{"delay", d.duration(&i.Trigger.Delay)},
	})
	i.Kind = InjectKind(kind)
	i.Trigger.After = Event(after)
	return i
}

func (d *decoder) alert(n *yaml.Node, path string) *AlertInject {
	var a AlertInject
	d.mapping(n, path, "an alert", []field{
		{"name", d.str(&a.Name)},
		{"status", d.str(&a.Status)},
		{"labels", func(v *yaml.Node, path string) { a.Labels = d.labels(v, path) }},
		{"summary", d.str(&a.Summary)},
		{"url", d.str(&a.URL)},
	})
	return &a
}

// labels reads a mapping of label names to values.
func (d *decoder) labels(n *yaml.Node, path string) map[string]string {
	n = d.deref(n, path)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want labels (a mapping of name: value), got %s", kindName(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "a label name must be a plain word, not %s", kindName(k))
			continue
		}
		p := join(path, k.Value)
		if _, dup := out[k.Value]; dup {
			d.fail(k, p, "repeated label; keep one of them")
			continue
		}
		d.lines[p] = v.Line
		if s, ok := d.scalar(v, p, "a label value"); ok {
			out[k.Value] = s
		}
	}
	return out
}

func (d *decoder) expectation(n *yaml.Node, path string) Expectation {
	var e Expectation
	var ev string
	d.mapping(n, path, "an expectation", []field{
		{"text", d.str(&e.Text)},
		{"event", d.str(&ev)},
		{"within", d.duration(&e.Within)},
	})
	e.Event = Event(ev)
	return e
}

// kindName says what kind of YAML value n is, for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "a document"
}
