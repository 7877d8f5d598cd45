package config_test

// No cluster (nor kubectl) runs in the tests: these parse every manifest
// in deploy/kubernetes and check their structure — the kinds and names,
// labels matching selectors, probes on the ports the ConfigMap's
// incidentflow.yaml has the processes listen on, a grace period longer
// than worker.shutdown_grace, INCIDENTFLOW_* variables that are real
// configuration keys, and every Secret and ConfigMap referenced present.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/incidentflow/incidentflow/config"
)

const k8sDir = "../deploy/kubernetes"

// k8sObject is one manifest, decoded for what the tests check.
type k8sObject struct {
	File       string
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"` // a Kustomization's
	Spec       yaml.Node         `yaml:"spec"`
}

type workloadSpec struct {
	Replicas *int `yaml:"replicas"`
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	Template struct {
		Metadata struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"metadata"`
		Spec podSpec `yaml:"spec"`
	} `yaml:"template"`
}

type podSpec struct {
	TerminationGracePeriodSeconds *int        `yaml:"terminationGracePeriodSeconds"`
	Containers                    []container `yaml:"containers"`
	Volumes                       []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		Secret *struct {
			SecretName string `yaml:"secretName"`
		} `yaml:"secret"`
	} `yaml:"volumes"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
			ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	EnvFrom []struct {
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	VolumeMounts   []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type serviceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort any    `yaml:"targetPort"`
	} `yaml:"ports"`
}

// readManifests parses every YAML document of every file in deploy/kubernetes.
func readManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", k8sDir, err)
	}
	var objs []k8sObject
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		for i := 0; ; i++ {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s, document %d: %v", f, i+1, err)
			}
			if o.Kind == "" && o.APIVersion == "" {
				continue // an empty document
			}
			o.File = filepath.Base(f)
			if o.APIVersion == "" || o.Kind == "" || (o.Metadata.Name == "" && o.Kind != "Kustomization") {
				t.Errorf("%s, document %d: apiVersion %q, kind %q, name %q: each must be set", f, i+1, o.APIVersion, o.Kind, o.Metadata.Name)
			}
			objs = append(objs, o)
		}
	}
	return objs
}

// find returns the object of kind called name.
func find(t *testing.T, objs []k8sObject, kind, name string) k8sObject {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind && o.Metadata.Name == name {
			return o
		}
	}
	t.Fatalf("deploy/kubernetes has no %s %s", kind, name)
	return k8sObject{}
}

func decodeSpec[T any](t *testing.T, o k8sObject) T {
	t.Helper()
	var spec T
	if err := o.Spec.Decode(&spec); err != nil {
		t.Fatalf("%s %s (%s): spec: %v", o.Kind, o.Metadata.Name, o.File, err)
	}
	return spec
}

// k8sConfig loads the ConfigMap's incidentflow.yaml as incidentflow does.
func k8sConfig(t *testing.T, objs []k8sObject) *config.Config {
	t.Helper()
	cm := find(t, objs, "ConfigMap", "incidentflow-config")
	file, ok := cm.Data["incidentflow.yaml"]
	if !ok {
		t.Fatal("ConfigMap incidentflow-config has no incidentflow.yaml")
	}
	path := filepath.Join(t.TempDir(), "incidentflow.yaml")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range config.Keys() {
		t.Setenv(config.EnvName(k), "")
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("the ConfigMap's incidentflow.yaml does not load: %v", err)
	}
	if cfg.Slack.BotToken != "" || cfg.Slack.SigningSecret != "" || cfg.GitHub.Token != "" {
		t.Error("the ConfigMap's incidentflow.yaml holds tokens: they belong in the Secret")
	}
	return cfg
}

// The kustomization lists every manifest, each exists, and the kinds the
// deployment needs are there.
func TestKubernetesManifests(t *testing.T) {
	objs := readManifests(t)
	k := find(t, objs, "Kustomization", "")
	files, _ := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" && !slices.Contains(k.Resources, base) {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join(k8sDir, r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
	find(t, objs, "Deployment", "incidentflow-worker")
	find(t, objs, "Deployment", "incidentflow-serve")
	find(t, objs, "Service", "incidentflow-serve")
	find(t, objs, "ConfigMap", "incidentflow-config")
	find(t, objs, "Secret", "incidentflow-secrets")
	find(t, objs, "Job", "incidentflow-setup")
	k8sConfig(t, objs)
}

// Each Deployment runs two replicas of its verb, selects its own pods, is
// ready on /readyz and alive on /healthz at the port its listener has in
// the ConfigMap, and gets longer than worker.shutdown_grace to stop.
func TestKubernetesDeployments(t *testing.T) {
	objs := readManifests(t)
	cfg := k8sConfig(t, objs)
	for _, d := range []struct {
		name, verb, listenKey, listen string
	}{
		{"incidentflow-worker", "worker", "worker.listen", cfg.Worker.Listen},
		{"incidentflow-serve", "serve", "http.listen", cfg.HTTP.Listen},
	} {
		t.Run(d.verb, func(t *testing.T) {
			o := find(t, objs, "Deployment", d.name)
			spec := decodeSpec[workloadSpec](t, o)
			if spec.Replicas == nil || *spec.Replicas != 2 {
				t.Errorf("replicas = %v, want 2", spec.Replicas)
			}
			if len(spec.Selector.MatchLabels) == 0 || !subset(spec.Selector.MatchLabels, spec.Template.Metadata.Labels) {
				t.Errorf("selector %v does not select the pod template's labels %v", spec.Selector.MatchLabels, spec.Template.Metadata.Labels)
			}
			pod := spec.Template.Spec
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(pod.Containers))
			}
			c := pod.Containers[0]
			if len(c.Args) == 0 || c.Args[0] != d.verb {
				t.Errorf("args %q, want `incidentflow %s ...`", c.Args, d.verb)
			}
			checkConfigMount(t, pod, c)
			_, port, err := net.SplitHostPort(d.listen)
			if err != nil {
				t.Fatalf("the ConfigMap's %s = %q is no host:port", d.listenKey, d.listen)
			}
			for _, p := range []struct {
				name, path string
				probe      *probe
			}{{"readiness", "/readyz", c.ReadinessProbe}, {"liveness", "/healthz", c.LivenessProbe}} {
				if p.probe == nil || p.probe.HTTPGet == nil {
					t.Errorf("no HTTP %s probe", p.name)
					continue
				}
				if p.probe.HTTPGet.Path != p.path {
					t.Errorf("%s probe on %s, want %s", p.name, p.probe.HTTPGet.Path, p.path)
				}
				if got := resolvePort(c, p.probe.HTTPGet.Port); got != port {
					t.Errorf("%s probe on port %v (%s), want %s (%s = %s)", p.name, p.probe.HTTPGet.Port, got, port, d.listenKey, d.listen)
				}
			}
			grace := pod.TerminationGracePeriodSeconds
			if grace == nil || time.Duration(*grace)*time.Second <= cfg.Worker.Grace() {
				t.Errorf("terminationGracePeriodSeconds = %v, want more than worker.shutdown_grace (%v): Kubernetes would kill it mid-drain", grace, cfg.Worker.Grace())
			}
		})
	}
}

// checkConfigMount checks that --config names a file in a volume mounted
// from the ConfigMap with that file.
func checkConfigMount(t *testing.T, pod podSpec, c container) {
	t.Helper()
	i := slices.Index(c.Args, "--config")
	if i < 0 || i+1 >= len(c.Args) {
		t.Errorf("args %q name no --config file", c.Args)
		return
	}
	dir, file := filepath.Split(c.Args[i+1])
	for _, m := range c.VolumeMounts {
		if filepath.Clean(m.MountPath) != filepath.Clean(dir) {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.ConfigMap != nil && v.ConfigMap.Name == "incidentflow-config" && file == "incidentflow.yaml" {
				return
			}
		}
	}
	t.Errorf("--config %s is not incidentflow.yaml of the ConfigMap incidentflow-config mounted there", c.Args[i+1])
}

// resolvePort turns a probe's or Service's port (a number or a container
// port's name) into the number, as a string ("" when unknown).
func resolvePort(c container, port any) string {
	switch p := port.(type) {
	case int:
		return strconv.Itoa(p)
	case string:
		for _, cp := range c.Ports {
			if cp.Name == p {
				return strconv.Itoa(cp.ContainerPort)
			}
		}
	}
	return ""
}

func subset(small, big map[string]string) bool {
	for k, v := range small {
		if big[k] != v {
			return false
		}
	}
	return true
}

// The Service selects the front doors (and not the workers) on their
// listener's port.
func TestKubernetesService(t *testing.T) {
	objs := readManifests(t)
	cfg := k8sConfig(t, objs)
	svc := decodeSpec[serviceSpec](t, find(t, objs, "Service", "incidentflow-serve"))
	serve := decodeSpec[workloadSpec](t, find(t, objs, "Deployment", "incidentflow-serve"))
	worker := decodeSpec[workloadSpec](t, find(t, objs, "Deployment", "incidentflow-worker"))
	if len(svc.Selector) == 0 || !subset(svc.Selector, serve.Template.Metadata.Labels) {
		t.Errorf("the Service's selector %v does not select the front doors (%v)", svc.Selector, serve.Template.Metadata.Labels)
	}
	if subset(svc.Selector, worker.Template.Metadata.Labels) {
		t.Errorf("the Service's selector %v also selects the workers", svc.Selector)
	}
	_, port, _ := net.SplitHostPort(cfg.HTTP.Listen)
	if len(svc.Ports) != 1 || resolvePort(serve.Template.Spec.Containers[0], svc.Ports[0].TargetPort) != port {
		t.Errorf("the Service's ports %+v, want one whose targetPort is the front door's %s", svc.Ports, port)
	}
}

// Every INCIDENTFLOW_* variable is a configuration key, and every Secret
// and ConfigMap referenced (with its key) exists; the Secret holds
// placeholders, not tokens.
func TestKubernetesEnvironmentAndReferences(t *testing.T) {
	objs := readManifests(t)
	known := map[string]bool{}
	for _, k := range config.Keys() {
		known[config.EnvName(k)] = true
	}
	keysOf := func(kind, name string) (map[string]bool, bool) {
		for _, o := range objs {
			if o.Kind == kind && o.Metadata.Name == name {
				keys := map[string]bool{}
				for k := range maps.Keys(o.Data) {
					keys[k] = true
				}
				for k := range maps.Keys(o.StringData) {
					keys[k] = true
				}
				return keys, true
			}
		}
		return nil, false
	}
	secret := find(t, objs, "Secret", "incidentflow-secrets")
	for k, v := range secret.StringData {
		if !known[k] {
			t.Errorf("the Secret's %s is no configuration key", k)
		}
		if !strings.Contains(v, "REPLACE") {
			t.Errorf("the Secret's %s holds %q: commit placeholders only", k, v)
		}
	}
	for _, o := range objs {
		if o.Kind != "Deployment" && o.Kind != "Job" {
			continue
		}
		spec := decodeSpec[workloadSpec](t, o)
		where := fmt.Sprintf("%s %s", o.Kind, o.Metadata.Name)
		for _, v := range spec.Template.Spec.Volumes {
			if v.ConfigMap != nil {
				if _, ok := keysOf("ConfigMap", v.ConfigMap.Name); !ok {
					t.Errorf("%s mounts ConfigMap %s, which deploy/kubernetes does not define", where, v.ConfigMap.Name)
				}
			}
			if v.Secret != nil {
				if _, ok := keysOf("Secret", v.Secret.SecretName); !ok {
					t.Errorf("%s mounts Secret %s, which deploy/kubernetes does not define", where, v.Secret.SecretName)
				}
			}
		}
		for _, c := range spec.Template.Spec.Containers {
			for _, e := range c.Env {
				if strings.HasPrefix(e.Name, config.EnvPrefix+"_") && !known[e.Name] {
					t.Errorf("%s sets %s, which is no configuration key", where, e.Name)
				}
				if e.ValueFrom == nil {
					continue
				}
				for kind, ref := range map[string]*keyRef{"Secret": e.ValueFrom.SecretKeyRef, "ConfigMap": e.ValueFrom.ConfigMapKeyRef} {
					if ref == nil {
						continue
					}
					keys, ok := keysOf(kind, ref.Name)
					if !ok {
						t.Errorf("%s: %s comes from %s %s, which deploy/kubernetes does not define", where, e.Name, kind, ref.Name)
					} else if !keys[ref.Key] {
						t.Errorf("%s: %s comes from key %s of %s %s, which has no such key", where, e.Name, ref.Key, kind, ref.Name)
					}
				}
			}
			for _, e := range c.EnvFrom {
				if e.SecretRef != nil {
					if _, ok := keysOf("Secret", e.SecretRef.Name); !ok {
						t.Errorf("%s takes its environment from Secret %s, which deploy/kubernetes does not define", where, e.SecretRef.Name)
					}
				}
				if e.ConfigMapRef != nil {
					if _, ok := keysOf("ConfigMap", e.ConfigMapRef.Name); !ok {
						t.Errorf("%s takes its environment from ConfigMap %s, which deploy/kubernetes does not define", where, e.ConfigMapRef.Name)
					}
				}
			}
		}
	}
}
