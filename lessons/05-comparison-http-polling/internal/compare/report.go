package compare

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
)

// Summary is a mode's figures over several runs: the median of each.
type Summary struct {
	Mode                Mode
	PerSecond, Fraction float64
	P50, P99            float64 // seconds
	Up, Down, Requests  float64 // per update
	Segments, Wire      float64 // per update; -1 unknown
	CPU, ClientCPU      float64 // per update, in seconds; -1 unknown
	Predicted           Prediction
	Runs                []Result // what the medians are of
}

// CPUTotal is the CPU time per update of the server and the clients
// together, -1 unless both are known.
func (s Summary) CPUTotal() float64 {
	if s.CPU < 0 || s.ClientCPU < 0 {
		return -1
	}
	return s.CPU + s.ClientCPU
}

// Summarize takes the median of every figure of results, all of one mode.
func Summarize(results []Result) Summary {
	med := func(f func(Result) float64) float64 { return median(each(results, f)) }
	return Summary{
		Runs:     results,
		Segments: med(Result.SegmentsPerUpdate), Wire: med(Result.WirePerUpdate),
		Mode:      results[0].Mode,
		PerSecond: med(Result.PerSecond), Fraction: med(Result.Fraction),
		P50: med(func(r Result) float64 { return r.Quantile(0.5) }),
		P99: med(func(r Result) float64 { return r.Quantile(0.99) }),
		Up:  med(Result.UpPerUpdate), Down: med(Result.DownPerUpdate),
		Requests: med(Result.RequestsPerUpdate), CPU: med(Result.CPUPerUpdate),
		ClientCPU: med(Result.ClientCPUPerUpdate),
	}
}

// each returns f of every result.
func each(results []Result, f func(Result) float64) []float64 {
	v := make([]float64, len(results))
	for i, r := range results {
		v[i] = f(r)
	}
	return v
}

func median(v []float64) float64 {
	v = slices.Sorted(slices.Values(v))
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// figure is one column of the table.
type figure struct {
	head   string
	per    func(Result) float64     // the figure of one run; the table shows the median
	want   func(Prediction) float64 // nil: no prediction
	format func(float64) string
	floor  float64 // a difference below it counts as none (off)
}

func (f figure) measured(s Summary) float64 { return median(each(s.Runs, f.per)) }

var figures = []figure{
	{"updates/s", Result.PerSecond, func(p Prediction) float64 { return p.PerSecond }, fixed(0), 1},
	{"delivered", Result.Fraction, func(p Prediction) float64 { return p.Fraction }, percent, 0.01},
	{"p50 latency", func(r Result) float64 { return r.Quantile(0.5) }, func(p Prediction) float64 { return p.P50 }, duration, 50e-6},
	{"p99 latency", func(r Result) float64 { return r.Quantile(0.99) }, func(p Prediction) float64 { return p.P99 }, duration, 50e-6},
	{"bytes down/update", Result.DownPerUpdate, func(p Prediction) float64 { return p.Down }, fixed(0), 1},
	{"bytes up/update", Result.UpPerUpdate, func(p Prediction) float64 { return p.Up }, fixed(0), 1},
	{"requests/update", Result.RequestsPerUpdate, func(p Prediction) float64 { return p.Requests }, fixed(2), 0.01},
	{"TCP segments/update", Result.SegmentsPerUpdate, func(p Prediction) float64 { return p.Segments }, orNA(fixed(2)), 0.05},
	{"wire bytes/update", Result.WirePerUpdate, func(p Prediction) float64 { return p.Wire }, orNA(fixed(0)), 1},
	{"server CPU/update", Result.CPUPerUpdate, nil, duration, 1},
	{"client CPU/update", Result.ClientCPUPerUpdate, nil, duration, 1},
}

// orNA says n/a for a figure the system could not give (-1).
func orNA(f func(float64) string) func(float64) string {
	return func(v float64) string {
		if v < 0 {
			return "n/a"
		}
		return f(v)
	}
}

func fixed(digits int) func(float64) string {
	return func(v float64) string { return fmt.Sprintf("%.*f", digits, v) }
}

func percent(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

func duration(sec float64) string {
	switch {
	case sec < 0:
		return "n/a"
	case sec < 1e-3:
		return fmt.Sprintf("%.0fµs", sec*1e6)
	case sec < 10e-3:
		return fmt.Sprintf("%.2fms", sec*1e3)
	case sec < 1:
		return fmt.Sprintf("%.0fms", sec*1e3)
	}
	return fmt.Sprintf("%.2fs", sec)
}

// off says whether measured and predicted disagree by more than 20%, and
// reports the ratio. Figures below a floor (a byte, a microsecond, 0.01 of
// a request) count as equal: the ratio of two near-zeros says nothing.
func off(measured, predicted, floor float64) (float64, bool) {
	if predicted < 0 || math.Abs(measured-predicted) < floor {
		return 1, false
	}
	if predicted == 0 {
		return math.Inf(1), true
	}
	r := measured / predicted
	return r, r > 1.2 || r < 1/1.2
}

// WriteTable writes the Markdown table: each figure measured, and in
// brackets what first principles predict; then the disagreements over 20%.
func WriteTable(w io.Writer, sums []Summary) {
	heads := []string{"transport"}
	for _, f := range figures {
		heads = append(heads, f.head)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(heads, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat(" ---: |", len(heads)))
	var notes []string
	for _, s := range sums {
		cells := []string{s.Mode.Name()}
		for _, f := range figures {
			m := f.measured(s)
			cell := f.format(m)
			if f.want != nil {
				p := f.want(s.Predicted)
				if p >= 0 {
					cell += " (" + f.format(p) + ")"
				}
				if r, bad := off(m, p, f.floor); bad {
					cell += " ≠"
					notes = append(notes, fmt.Sprintf("%s, %s: measured %s, predicted %s (×%.2f)", s.Mode.Name(), f.head, f.format(m), f.format(p), r))
				}
			}
			cells = append(cells, cell)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "\nMeasured and predicted (in brackets) differ by more than 20%% (≠):\n\n")
		for _, n := range notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// WriteSVG draws latency against bytes on the wire per update, both on log
// scales: a dot for each mode's p50 and a line up to its p99. Where the
// segments could not be counted, the bytes are the payload's alone.
func WriteSVG(w io.Writer, sums []Summary, title string) {
	const (
		width, height = 720, 440
		left, right   = 70, 30
		top, bottom   = 50, 60
	)
	xlabel := "bytes on the wire per update, both ways, TCP/IP headers included (log scale)"
	bytesOf := func(s Summary) float64 { return s.Wire }
	for _, s := range sums {
		if s.Wire < 0 {
			xlabel = "bytes per update, both ways, without TCP/IP headers (log scale)"
			bytesOf = func(s Summary) float64 { return s.Up + s.Down }
			break
		}
	}
	var xs, ys []float64
	for _, s := range sums {
		xs = append(xs, bytesOf(s))
		ys = append(ys, s.P50, s.P99)
	}
	xlo, xhi := decades(xs)
	ylo, yhi := decades(ys)
	px := func(v float64) float64 {
		return left + (math.Log10(v)-xlo)/(xhi-xlo)*(width-left-right)
	}
	py := func(v float64) float64 {
		return height - bottom - (math.Log10(math.Max(v, math.Pow(10, ylo)))-ylo)/(yhi-ylo)*(height-top-bottom)
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	fmt.Fprintf(w, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	for d := xlo; d <= xhi; d++ {
		x := px(math.Pow(10, d))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, top, x, height-bottom)
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, height-bottom+18, bytesLabel(math.Pow(10, d)))
	}
	for d := ylo; d <= yhi; d++ {
		y := py(math.Pow(10, d))
		fmt.Fprintf(w, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, width-right, y)
		fmt.Fprintf(w, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-6, y, duration(math.Pow(10, d)))
	}
	fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", (left+width-right)/2, height-18, xlabel)
	fmt.Fprintf(w, `<text transform="translate(16 %d) rotate(-90)" text-anchor="middle">delivery latency: dot p50, bar to p99 (log scale)</text>`+"\n", (top+height-bottom)/2)
	colors := []string{"#d1495b", "#edae49", "#00798c", "#30638e", "#6a4c93", "#2a9d8f"}
	for i, s := range sums {
		c := colors[i%len(colors)]
		x := px(bytesOf(s))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", x, py(s.P50), x, py(s.P99), c)
		fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="6" fill="%s"/>`+"\n", x, py(s.P50), c)
		// Labels go right of the dot, or left of it near the right edge.
		lx, anchor := x+9, "start"
		if x > width-right-110 {
			lx, anchor = x-9, "end"
		}
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" fill="%s" font-weight="bold" text-anchor="%s">%s</text>`+"\n", lx, py(s.P50)+4, c, anchor, html.EscapeString(s.Mode.Name()))
	}
	fmt.Fprintln(w, "</svg>")
}

// decades returns the powers of ten around the positive values of vs.
func decades(vs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if v > 0 {
			lo = math.Min(lo, math.Floor(math.Log10(v)))
			hi = math.Max(hi, math.Ceil(math.Log10(v)))
		}
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

func bytesLabel(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.0f kB", v/1000)
	}
	return fmt.Sprintf("%.0f B", v)
}
