package report

import (
	"regexp"
	"strings"
)

// testify's assertions print a block of tab-aligned fields after the
// file:line of the failure:
//
//	    x_test.go:19:
//	        	Error Trace:	/abs/x_test.go:19
//	        	Error:      	Not equal:
//	        	            	expected: "a"
//	        	            	actual  : ""
//	        	            	Diff: ...
//	        	Test:       	TestX
//	        	Messages:   	what the test says went wrong
//
// condenseTestify turns each block into what a student reads first: the
// location and the test's own message, then expected and actual. The trace
// repeats the location, Test repeats the test's name, and the diff repeats
// expected and actual.

var (
	testifyLocation = regexp.MustCompile(`^(\s*)(\S+\.go:\d+):\s*$`)
	testifyField    = regexp.MustCompile(`^\s*\t([A-Za-z ]+):\s*\t(.*)$`)
	testifyMore     = regexp.MustCompile(`^\s*\t\s+\t(.*)$`)
)

func condenseTestify(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		loc := testifyLocation.FindStringSubmatch(lines[i])
		if loc == nil || i+1 >= len(lines) || !strings.Contains(lines[i+1], "\tError Trace:\t") {
			out = append(out, lines[i])
			continue
		}
		fields := map[string][]string{}
		key := ""
		j := i + 1
		for ; j < len(lines); j++ {
			if m := testifyField.FindStringSubmatch(lines[j]); m != nil {
				key = m[1]
				fields[key] = append(fields[key], m[2])
			} else if m := testifyMore.FindStringSubmatch(lines[j]); m != nil && key != "" {
				fields[key] = append(fields[key], m[1])
			} else {
				break
			}
		}
		indent, where := loc[1], loc[2]
		msg, details := fields["Messages"], fields["Error"]
		if len(msg) == 0 {
			msg, details = details, nil
		}
		if len(msg) == 0 {
			msg = []string{"(no message)"}
		}
		out = append(out, indent+where+": "+strings.TrimSpace(msg[0]))
		for _, l := range msg[1:] {
			out = append(out, indent+"    "+l)
		}
		for _, l := range details {
			if strings.TrimSpace(l) == "Diff:" {
				break
			}
			if strings.TrimSpace(l) != "" {
				out = append(out, indent+"    "+strings.TrimRight(l, " "))
			}
		}
		i = j - 1
	}
	return out
}
