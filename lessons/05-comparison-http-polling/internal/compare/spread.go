package compare

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// spreadFigures are the figures whose spread over the runs is shown: the
// ones that move from run to run.
var spreadFigures = []string{"p50 latency", "p99 latency", "bytes down/update", "bytes up/update", "TCP segments/update", "wire bytes/update", "server CPU/update"}

// WriteSpread writes the lowest and highest of each run's figure, and each
// transport's figures over WebSocket's, run by run: how far one run can be
// trusted, and whether the ratios hold from run to run.
func WriteSpread(w io.Writer, sums []Summary) {
	var fs []figure
	for _, f := range figures {
		if slices.Contains(spreadFigures, f.head) {
			fs = append(fs, f)
		}
	}
	heads := []string{"transport"}
	for _, f := range fs {
		heads = append(heads, f.head)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(heads, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat(" ---: |", len(heads)))
	for _, s := range sums {
		cells := []string{s.Mode.Name()}
		for _, f := range fs {
			v := each(s.Runs, f.per)
			cells = append(cells, f.format(slices.Min(v))+" – "+f.format(slices.Max(v)))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}

	i := slices.IndexFunc(sums, func(s Summary) bool { return s.Mode.Kind == "ws" })
	if i < 0 {
		return
	}
	ws := sums[i]
	fmt.Fprintf(w, "\nOver WebSocket's, run by run (run n of each against run n of ws; lowest – highest):\n\n")
	ratios := []struct {
		name string
		f    func(Result) float64
	}{
		{"payload bytes", func(r Result) float64 { return r.UpPerUpdate() + r.DownPerUpdate() }},
		{"wire bytes", Result.WirePerUpdate},
		{"server CPU", Result.CPUPerUpdate},
		{"p50 latency", func(r Result) float64 { return r.Quantile(0.5) }},
	}
	for _, s := range sums {
		if s.Mode.Kind == "ws" {
			continue
		}
		var parts []string
		for _, q := range ratios {
			lo, hi, ok := ratioRange(each(s.Runs, q.f), each(ws.Runs, q.f))
			if ok {
				parts = append(parts, fmt.Sprintf("%s ×%.2f – ×%.2f", q.name, lo, hi))
			}
		}
		fmt.Fprintf(w, "- %s: %s\n", s.Mode.Name(), strings.Join(parts, ", "))
	}
}

// ratioRange is the lowest and highest of a[n]/b[n], over the runs both
// have; ok is false when a figure is unknown or zero.
func ratioRange(a, b []float64) (lo, hi float64, ok bool) {
	n := min(len(a), len(b))
	if n == 0 {
		return 0, 0, false
	}
	rs := make([]float64, n)
	for i := range n {
		if a[i] < 0 || b[i] <= 0 {
			return 0, 0, false
		}
		rs[i] = a[i] / b[i]
	}
	return slices.Min(rs), slices.Max(rs), true
}

// Memory is what the server holds in RAM for each open connection of a
// transport, in bytes: with no updates flowing, and at the measured rate;
// -1 when unknown.
type Memory struct {
	Mode       Mode
	Idle, Busy float64
}

// WriteMemory writes the memory table.
func WriteMemory(w io.Writer, ms []Memory, rate float64) {
	fmt.Fprintf(w, "| transport | server memory per open connection, idle | at %v updates/s |\n", rate)
	fmt.Fprintf(w, "| ---: | ---: | ---: |\n")
	for _, m := range ms {
		fmt.Fprintf(w, "| %s | %s | %s |\n", m.Mode.Name(), Kilobytes(m.Idle), Kilobytes(m.Busy))
	}
}

// Kilobytes shows a memory figure in kB, or n/a for -1.
func Kilobytes(b float64) string {
	if b < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f kB", b/1000)
}
