package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDirName(t *testing.T) {
	for url, want := range map[string]string{
		"ws://127.0.0.1:8080/ws":        "127.0.0.1_8080_ws",
		"ws://localhost:18082/ws/coder": "localhost_18082_ws_coder",
		"ws://[::1]:8080/":              "1__8080",
	} {
		if got := DirName(url); got != want {
			t.Errorf("DirName(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestSave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	res := &Results{URL: "ws://127.0.0.1:1/ws", Started: time.Now(), Cases: []CaseResult{{ID: "1.1.1", Section: 1, Verdict: Fail, Why: []string{"no echo"}}}}
	if err := res.Save(dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"report.md": "### Case 1.1.1", "report.json": `"verdict": "fail"`} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, data)
		}
	}
}

// A server that fails every case lists summaryLines of them on the terminal
// and says how many more the report holds.
func TestSummaryCapped(t *testing.T) {
	t.Parallel()
	res := &Results{URL: "ws://x/ws"}
	for i := range summaryLines + 5 {
		res.Cases = append(res.Cases, CaseResult{ID: fmt.Sprintf("1.1.%d", i+1), Section: 1, Verdict: Fail, Why: []string{"handshake answered 501"}})
	}
	var b strings.Builder
	if err := res.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if got := strings.Count(out, "handshake answered 501"); got != summaryLines {
		t.Errorf("the summary lists %d failed cases, want %d:\n%s", got, summaryLines, out)
	}
	if !strings.Contains(out, "and 5 more") {
		t.Errorf("the summary does not say how many more the report holds:\n%s", out)
	}
}
