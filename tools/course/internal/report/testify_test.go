package report

import (
	"slices"
	"testing"
)

func TestCondenseTestify(t *testing.T) {
	in := []string{
		"    handshake_test.go:19: ",
		"        \tError Trace:\t/x/handshake_test.go:19",
		"        \tError:      \tNot equal: ",
		"        \t            \texpected: \"s3p\"",
		"        \t            \tactual  : \"\"",
		"        \t            \t",
		"        \t            \tDiff:",
		"        \t            \t--- Expected",
		"        \tTest:       \tTestAcceptKey",
		"        \tMessages:   \tacceptKey(k) = \"\", want \"s3p\"; see acceptKey in handshake.go",
		"    plain.go:3: a t.Errorf line stays as it is",
	}
	want := []string{
		"    handshake_test.go:19: acceptKey(k) = \"\", want \"s3p\"; see acceptKey in handshake.go",
		"        Not equal:",
		"        expected: \"s3p\"",
		"        actual  : \"\"",
		"    plain.go:3: a t.Errorf line stays as it is",
	}
	if got := condenseTestify(in); !slices.Equal(got, want) {
		t.Errorf("condenseTestify:\ngot  %q\nwant %q", got, want)
	}
	// Without Messages, the Error field is the message.
	got := condenseTestify([]string{
		"    a_test.go:5: ",
		"        \tError Trace:\t/x/a_test.go:5",
		"        \tError:      \tShould be true",
		"        \tTest:       \tTestA",
	})
	if want := []string{"    a_test.go:5: Should be true"}; !slices.Equal(got, want) {
		t.Errorf("condenseTestify without Messages:\ngot  %q\nwant %q", got, want)
	}
}
