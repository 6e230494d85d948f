package metrics

import (
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of the App's metrics.
const Namespace = "Hardener"

// EMF is a Recorder that sums measurements and writes them, on Flush, in
// CloudWatch's Embedded Metric Format: one JSON log line per dimension
// value, whose `_aws` member tells CloudWatch Logs which members are
// metrics. Lambda sends a function's stdout to CloudWatch Logs, which turns
// those lines into metrics without any API call (and so without any IAM
// permission or latency in the function).
type EMF struct {
	// Dimensions are added to every line and metric, e.g. {"Function":
	// "worker"}.
	Dimensions map[string]string

	mu     sync.Mutex
	values map[emfKey]float64
	order  []emfKey
}

type emfKey struct {
	name Name
	dim  string
}

// Add sums value into the metric.
func (e *EMF) Add(name Name, dim string, value float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.values == nil {
		e.values = map[emfKey]float64{}
	}
	k := emfKey{name, dim}
	if _, ok := e.values[k]; !ok {
		e.order = append(e.order, k)
	}
	e.values[k] += value
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// Flush writes what was recorded since the last Flush, timestamped now,
// and starts over. Nothing recorded: nothing written.
func (e *EMF) Flush(w io.Writer, now time.Time) error {
	e.mu.Lock()
	values, order := e.values, e.order
	e.values, e.order = nil, nil
	e.mu.Unlock()

	// One document per (dimension name, value): a document's dimension
	// members are top-level fields, so two values cannot share one.
	type group struct{ dimName, dimValue string }
	byGroup := map[group][]emfKey{}
	var groups []group
	for _, k := range order {
		g := group{k.name.Dimension(), k.dim}
		switch {
		case g.dimName == "":
			g.dimValue = ""
		case g.dimValue == "":
			g.dimValue = "unknown" // CloudWatch refuses empty dimension values
		}
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], k)
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].dimName != groups[j].dimName {
			return groups[i].dimName < groups[j].dimName
		}
		return groups[i].dimValue < groups[j].dimValue
	})
	base := make([]string, 0, len(e.Dimensions))
	for k := range e.Dimensions {
		base = append(base, k)
	}
	sort.Strings(base)
	for _, g := range groups {
		doc := map[string]any{}
		for k, v := range e.Dimensions {
			doc[k] = v
		}
		d := emfDirective{Namespace: Namespace, Dimensions: [][]string{base}}
		if g.dimName != "" {
			// Also without the metric's own dimension: one total per
			// function for alarms, besides the figure per job kind.
			d.Dimensions = [][]string{append(append([]string(nil), base...), g.dimName), base}
			doc[g.dimName] = g.dimValue
		}
		for _, k := range byGroup[g] {
			d.Metrics = append(d.Metrics, emfMetric{Name: string(k.name), Unit: k.name.Unit()})
			doc[string(k.name)] = values[k]
		}
		doc["_aws"] = emfMeta{Timestamp: now.UnixMilli(), CloudWatchMetrics: []emfDirective{d}}
		line, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return err
		}
	}
	return nil
}
