package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one figure: a measured value beside its floor.
type row struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	// Floor is the value nothing could beat (or, for limits, the ceiling
	// not to cross), measured or computed in the same run; Ratio is
	// Value/Floor.
	Floor     float64 `json:"floor,omitempty"`
	FloorName string  `json:"floor_name,omitempty"`
	Ratio     float64 `json:"ratio,omitempty"`
	Target    string  `json:"target,omitempty"`
	// Pass says whether Value meets Target (nil: no target).
	Pass *bool `json:"pass,omitempty"`
}

// figure is one section of the report.
type figure struct {
	Name    string   `json:"name"`
	Rows    []row    `json:"rows"`
	Notes   []string `json:"notes,omitempty"`
	Failed  int      `json:"failed"`          // incidents that failed
	Error   string   `json:"error,omitempty"` // why the figure is incomplete
	Elapsed seconds  `json:"elapsed_s"`

	start time.Time // when startFigure started the clock
}

// add appends a row; ratio and pass are computed from floor and check.
func (f *figure) add(r row, check func(row) bool) {
	if r.Floor != 0 {
		r.Ratio = round(r.Value/r.Floor, 3)
	}
	r.Value = round(r.Value, 3)
	r.Floor = round(r.Floor, 3)
	if check != nil {
		ok := check(r)
		r.Pass = &ok
	}
	f.Rows = append(f.Rows, r)
}

// note appends a line of explanation.
func (f *figure) note(format string, args ...any) {
	f.Notes = append(f.Notes, fmt.Sprintf(format, args...))
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// seconds is a duration that JSON renders in seconds.
type seconds time.Duration

// MarshalJSON renders s in seconds, to the millisecond.
func (s seconds) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", time.Duration(s).Seconds())), nil
}

// machine describes where the bench ran.
type machine struct {
	CPUs      int    `json:"nproc"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
}

func thisMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// report is the whole run.
type report struct {
	Machine  machine        `json:"machine"`
	Settings map[string]any `json:"settings"`
	Figures  []*figure      `json:"figures"`
	Started  time.Time      `json:"started"`
	Elapsed  seconds        `json:"elapsed_s"`
	OK       bool           `json:"ok"`
	Problems []string       `json:"problems,omitempty"`
}

// writeJSON prints the report as one JSON object.
func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeTable prints the report as a table a person can read.
func (r *report) writeTable(w io.Writer) {
	fmt.Fprintf(w, "incidentflow bench — %d CPU × %s, %s, %s; %s\n\n",
		r.Machine.CPUs, r.Machine.CPUModel, r.Machine.GoVersion, r.Machine.OS, r.Started.UTC().Format("2006-01-02 15:04 MST"))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\tfloor\t× floor\ttarget\t")
	for _, f := range r.Figures {
		fmt.Fprintf(tw, "%s\t\t\t\t\t\n", strings.ToUpper(f.Name[:1])+f.Name[1:])
		for _, row := range f.Rows {
			floor, ratio := "", ""
			if row.Floor != 0 {
				floor = fmt.Sprintf("%s %s", num(row.Floor), row.FloorName)
				ratio = fmt.Sprintf("%.2f", row.Ratio)
			} else if row.FloorName != "" {
				floor = row.FloorName
			}
			target := row.Target
			if row.Pass != nil {
				if *row.Pass {
					target += " ✓"
				} else {
					target += " ✗"
				}
			}
			fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%s\t%s\t\n", row.Metric, num(row.Value), row.Unit, floor, ratio, target)
		}
		if f.Error != "" {
			fmt.Fprintf(tw, "  INCOMPLETE: %s\t\t\t\t\t\n", f.Error)
		}
	}
	tw.Flush()
	for _, f := range r.Figures {
		if len(f.Notes) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s):\n", f.Name, time.Duration(f.Elapsed).Round(time.Second))
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	fmt.Fprintf(w, "\nran in %s", time.Duration(r.Elapsed).Round(time.Second))
	if r.OK {
		fmt.Fprintln(w, "; every figure produced, no incident failed")
	} else {
		fmt.Fprintf(w, "; PROBLEMS: %s\n", strings.Join(r.Problems, "; "))
	}
}

// num renders a value with as few digits as it needs.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a == math.Trunc(a) && a < 1e9:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// writeJSONFile writes the report as JSON to path.
func writeJSONFile(path string, r *report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.writeJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
