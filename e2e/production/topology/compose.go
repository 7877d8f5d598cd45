package topology

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Compose is what the topology reads from docker-compose.yml: its services
// (with the shared x-incidentflow block merged in, as Compose does) and
// its inline configs.
type Compose struct {
	// Dir is the directory of the compose file: relative volume sources
	// are relative to it.
	Dir      string
	Services map[string]ComposeService `yaml:"services"`
	Configs  map[string]ComposeConfig  `yaml:"configs"`
	Volumes  map[string]any            `yaml:"volumes"`
}

// ComposeService is one service of the compose file, as far as the
// topology and the tests read it.
type ComposeService struct {
	Image       string                       `yaml:"image"`
	Build       *ComposeBuild                `yaml:"build"`
	Command     []string                     `yaml:"command"`
	Entrypoint  []string                     `yaml:"entrypoint"`
	Environment map[string]string            `yaml:"environment"`
	Ports       []string                     `yaml:"ports"`
	Volumes     []string                     `yaml:"volumes"`
	DependsOn   map[string]map[string]string `yaml:"depends_on"`
	Healthcheck *ComposeHealthcheck          `yaml:"healthcheck"`
	Configs     []ComposeConfigRef           `yaml:"configs"`
	Restart     string                       `yaml:"restart"`
	StopGrace   string                       `yaml:"stop_grace_period"`
}

// ComposeBuild is a service's build section.
type ComposeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

// ComposeHealthcheck is a service's healthcheck.
type ComposeHealthcheck struct {
	Test     []string `yaml:"test"`
	Interval string   `yaml:"interval"`
}

// ComposeConfig is a top-level config; the topology uses inline ones.
type ComposeConfig struct {
	Content string `yaml:"content"`
	File    string `yaml:"file"`
}

// ComposeConfigRef mounts a config into a service.
type ComposeConfigRef struct {
	Source string `yaml:"source"`
	Target string `yaml:"target"`
}

// ReadCompose parses the compose file at path.
func ReadCompose(path string) (*Compose, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the compose file: %w", err)
	}
	var c Compose
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%s is not a valid compose file: %w", path, err)
	}
	c.Dir = filepath.Dir(path)
	return &c, nil
}

// Service returns the service called name.
func (c *Compose) Service(name string) (ComposeService, error) {
	s, ok := c.Services[name]
	if !ok {
		return ComposeService{}, fmt.Errorf("docker-compose.yml has no service %q", name)
	}
	return s, nil
}

// Env is the service's environment with ${VAR}, ${VAR:-default} and
// ${VAR-default} taken from vars (the .env file of the compose file's
// instructions), as Compose interpolates them.
func (s ComposeService) Env(vars map[string]string) map[string]string {
	env := make(map[string]string, len(s.Environment))
	for k, v := range s.Environment {
		env[k] = Interpolate(v, vars)
	}
	return env
}

// MountSource returns the host path mounted at target in the service's
// volumes, interpolated with vars and resolved against the compose file's
// directory.
func (c *Compose) MountSource(s ComposeService, target string, vars map[string]string) (string, error) {
	for _, v := range s.Volumes {
		parts := strings.Split(Interpolate(v, vars), ":")
		if len(parts) < 2 || parts[1] != target {
			continue
		}
		src := parts[0]
		if !filepath.IsAbs(src) {
			src = filepath.Join(c.Dir, src)
		}
		return src, nil
	}
	return "", fmt.Errorf("no volume is mounted at %s (volumes %q)", target, s.Volumes)
}

// HealthURL returns the URL the service's healthcheck fetches (the first
// http:// word of its test), or "" if it fetches none.
func (s ComposeService) HealthURL() string {
	if s.Healthcheck == nil {
		return ""
	}
	for _, w := range s.Healthcheck.Test {
		for _, f := range strings.Fields(w) {
			if strings.HasPrefix(f, "http://") {
				return f
			}
		}
	}
	return ""
}

var interpolation = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}`)

// Interpolate replaces ${VAR}, ${VAR:-default} (default when VAR is unset
// or empty) and ${VAR-default} (default when VAR is unset) with values
// from vars, and $$ with $, as Compose does.
func Interpolate(s string, vars map[string]string) string {
	return interpolation.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := interpolation.FindStringSubmatch(m)
		v, set := vars[sub[1]]
		switch sub[2] {
		case ":-":
			if v == "" {
				return sub[3]
			}
		case "-":
			if !set {
				return sub[3]
			}
		}
		return v
	})
}
