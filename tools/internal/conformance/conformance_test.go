package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCasesAreWellFormed(t *testing.T) {
	cases := Cases()
	if len(cases) < 200 {
		t.Errorf("got %d cases, want at least 200", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.ID] {
			t.Errorf("case ID %s is used twice", c.ID)
		}
		seen[c.ID] = true
		if c.Sends == "" || c.Requires == "" || c.run == nil {
			t.Errorf("case %s lacks what it sends, what it requires or its run", c.ID)
		}
		if !strings.HasPrefix(c.ID, fmt.Sprint(c.Section)+".") {
			t.Errorf("case %s is in section %d", c.ID, c.Section)
		}
	}
}

func TestCorrectServerPassesEveryCase(t *testing.T) {
	checkNoLeaks(t)
	url := startServer(t, faults{})
	res, err := Run(context.Background(), Options{URL: url, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Cases), len(Cases()); got != want {
		t.Errorf("ran %d cases, want all %d", got, want)
	}
	for _, c := range res.Cases {
		if c.Verdict != Pass {
			t.Errorf("case %s (%s): %s: %s\n%s", c.ID, c.Sends, c.Verdict, strings.Join(c.Why, "; "), FormatTranscript(c.Transcript))
		}
	}
	for _, c := range res.rates() {
		if c.Throughput.Messages == 0 || c.Throughput.MBps <= 0 {
			t.Errorf("case %s measured no throughput: %+v", c.ID, c.Throughput)
		}
	}
}

// wrongServers are the test servers that get something wrong, the sections
// each is run on (to keep the test short), and cases each must not pass:
// the ones its fault is there to show.
var wrongServers = []struct {
	name   string
	f      faults
	only   []string
	caught []string
}{
	{"ignores RSV bits", faults{ignoreRSV: true}, []string{"3"}, []string{"3.1.1", "3.5.3", "3.7.2"}},
	{"echoes invalid UTF-8", faults{noUTF8: true}, []string{"6", "7.3"}, []string{"6.3.1", "6.4.1", "7.3.7"}},
	{"checks UTF-8 only at the end", faults{lateUTF8: true}, []string{"6.4"}, []string{"6.4.1", "6.4.9"}},
	{"answers a close with a reset", faults{resetOnClose: true}, []string{"1.1", "7"}, []string{"1.1.1", "7.1.1", "7.3.3"}},
	{"does not answer pings", faults{noPong: true}, []string{"2", "5.2", "10.3"}, []string{"2.1.1", "2.4.2", "5.2.1", "10.3.1"}},
	{"takes messages over the limit", faults{noLimit: true}, []string{"9.2"}, []string{"9.2.1", "9.2.4", "9.2.5"}},
	{"notices the limit only past it", faults{lateLimit: true}, []string{"9.2.5"}, []string{"9.2.5"}},
	{"skips reserved opcodes", faults{reservedOpcodes: true}, []string{"4", "7.4.5"}, []string{"4.1.1", "4.2.10", "7.4.5"}},
	{"does not reassemble fragments", faults{noReassemble: true}, []string{"5", "6.2", "9.1", "10.3"}, []string{"5.1.1", "6.2.1", "9.1.3"}},
	{"takes long or fragmented control frames", faults{noControlChecks: true}, []string{"2.2", "5.3", "7.3"}, []string{"2.2.1", "5.3.7", "7.3.6"}},
	{"echoes invalid close codes", faults{badCloseCodes: true}, []string{"7.2", "7.3"}, []string{"7.2.1", "7.3.2"}},
	{"always closes with 1000", faults{always1000: true}, []string{"1.3", "3", "4", "5.3", "6.3", "7", "9.2"}, []string{"1.3.1", "3.1.1", "6.3.1", "7.2.1"}},
	{"never closes TCP", faults{keepTCP: true}, []string{"7.4"}, []string{"7.4.4", "7.4.5"}},
	{"takes unmasked frames", faults{noMaskCheck: true}, []string{"1.3"}, []string{"1.3.1", "1.3.3"}},
	{"does not check the order of fragments", faults{noSequenceChecks: true}, []string{"5.3"}, []string{"5.3.1", "5.3.4"}},
	{"expects a frame whole in one read", faults{oneRead: true}, []string{"10"}, []string{"10.2.2", "10.3.1"}},
	{"refuses 64-bit lengths", faults{no64bit: true}, []string{"1", "9.1", "10.1"}, []string{"1.1.7", "9.1.1", "10.1.7"}},
	{"goes on after the client's close", faults{echoAfterClose: true}, []string{"7.4"}, []string{"7.4.1", "7.4.2", "7.4.3"}},
	{"echoes text as binary", faults{textAsBinary: true}, []string{"1.1", "2.3", "6.1", "6.2", "9.3.5", "9.3.6", "9.3.7", "9.3.8", "10"},
		[]string{"1.1.1", "2.3.1", "6.1.1", "9.3.5", "10.1.4"}},
	{"echoes binary as text", faults{binaryAsText: true}, []string{"1.2", "9.3.1", "9.3.2", "9.3.3", "9.3.4"}, []string{"1.2.1", "9.3.1"}},
	{"answers pongs", faults{echoPongs: true}, []string{"2.3", "5.2.3"}, []string{"2.3.1", "2.3.3", "5.2.3"}},
	{"refuses 4-byte characters", faults{bmpOnly: true}, []string{"6.1", "6.2"}, []string{"6.1.11", "6.2.4"}},
	{"answers an empty close with 1005", faults{answer1005: true}, []string{"7.3.1"}, []string{"7.3.1"}},
	{"answers a close without a close frame", faults{dropOnClose: true}, []string{"7.1", "7.3"}, []string{"7.1.1", "7.3.3"}},
	{"answers a close with a longer reason", faults{longReason: true}, []string{"7.3.5"}, []string{"7.3.5"}},
	{"gets the length forms' bounds wrong", faults{badLengths: true}, []string{"1.1", "1.2"}, []string{"1.1.3", "1.2.7"}},
}

// TestEveryCaseCatchesAWrongServer runs the wrong servers and checks that
// each is caught where it is wrong, and that no case passes them all: a case
// no server can fail would test nothing.
func TestEveryCaseCatchesAWrongServer(t *testing.T) {
	checkNoLeaks(t)
	var (
		mu     sync.Mutex
		caught = map[string][]string{} // case ID: the servers it did not pass
	)
	t.Run("servers", func(t *testing.T) {
		for _, w := range wrongServers {
			t.Run(w.name, func(t *testing.T) {
				t.Parallel()
				url := startServer(t, w.f)
				res, err := Run(context.Background(), Options{URL: url, Timeout: 300 * time.Millisecond, Only: w.only})
				if err != nil {
					t.Fatal(err)
				}
				verdicts := map[string]CaseResult{}
				for _, c := range res.Cases {
					verdicts[c.ID] = c
					if c.Verdict != Pass {
						mu.Lock()
						caught[c.ID] = append(caught[c.ID], w.name)
						mu.Unlock()
						if len(c.Transcript) == 0 {
							t.Errorf("case %s did not pass but kept no transcript", c.ID)
						}
					}
				}
				for _, id := range w.caught {
					c, ok := verdicts[id]
					switch {
					case !ok:
						t.Errorf("case %s did not run on this server", id)
					case c.Verdict == Pass:
						t.Errorf("case %s (%s) passed a server that %s", id, c.Sends, w.name)
					}
				}
			})
		}
	})
	for _, c := range Cases() {
		if len(caught[c.ID]) == 0 {
			t.Errorf("case %s (%s) passed every wrong server: nothing shows it can fail", c.ID, c.Sends)
		}
	}
}

func TestRunSelectsAndRefuses(t *testing.T) {
	checkNoLeaks(t)
	url := startServer(t, faults{})
	res, err := Run(context.Background(), Options{URL: url, Only: []string{"2.1", "7.1.3"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range res.Cases {
		ids = append(ids, c.ID)
	}
	want := []string{"2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.1.5", "2.1.6", "2.1.7", "7.1.3"}
	if !slices.Equal(ids, want) {
		t.Errorf("Only 2.1 and 7.1.3 ran %v, want %v", ids, want)
	}
	for _, bad := range []Options{
		{URL: "http://127.0.0.1:1/ws"},
		{URL: url, Only: []string{"8"}},
		{URL: "ws://127.0.0.1:1/ws"}, // nothing listens on port 1
	} {
		if _, err := Run(context.Background(), bad); err == nil {
			t.Errorf("Run(%+v) gave no error", bad)
		}
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	checkNoLeaks(t)
	url := startServer(t, faults{noPong: true})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Options{URL: url, Timeout: 10 * time.Second, Only: []string{"2.1"}})
	if err == nil {
		t.Errorf("Run gave no error when its context ended")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v after its context ended at 300ms", d)
	}
	if res == nil || len(res.Cases) != 0 {
		t.Errorf("Run kept cases cut short by its context: %+v", res)
	}
}

func TestReports(t *testing.T) {
	checkNoLeaks(t)
	url := startServer(t, faults{ignoreRSV: true})
	res, err := Run(context.Background(), Options{URL: url, Timeout: 300 * time.Millisecond, Only: []string{"3.1", "9.3.1"}})
	if err != nil {
		t.Fatal(err)
	}
	var sum, md, js bytes.Buffer
	for _, w := range []func() error{
		func() error { return res.WriteSummary(&sum) },
		func() error { return res.WriteMarkdown(&md) },
		func() error { return res.WriteJSON(&js) },
	} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{" 3 Reserved bits", "3.1.1", "fail", "throughput", "MB/s"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, sum.String())
		}
	}
	for _, want := range []string{"### Case 3.1.1", "```text", "C->S", "S->C", "RSV1", "| 3 Reserved bits | 0 | 0 | 3 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report lacks %q:\n%s", want, md.String())
		}
	}
	var decoded struct {
		Cases []struct {
			ID         string  `json:"id"`
			Verdict    string  `json:"verdict"`
			Transcript []Event `json:"transcript"`
		} `json:"cases"`
		Total Tally `json:"total"`
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Total.Fail != 3 || decoded.Cases[0].Verdict != "fail" || len(decoded.Cases[0].Transcript) == 0 {
		t.Errorf("the JSON report has total %+v and first case %+v", decoded.Total, decoded.Cases[0])
	}
}
