package mistakes

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseGood(t *testing.T) {
	f, err := Load("testdata")
	if err != nil {
		t.Fatalf("Load(testdata/good.md): %v", err)
	}
	want := &File{Lesson: "02-echo", Mistakes: []Mistake{
		{
			Title:       "No write deadline on the echo",
			Line:        11,
			Description: "The echo's WriteMessage has no deadline, so a peer that stops reading holds\nthe handler for ever.\n\nA second paragraph.",
			File:        "gorilla.go",
			Test:        "TestGorillaSlowReader",
			Says:        []string{"write deadline", "slow", "reader", "got 1, want 2", "x"},
			Limit:       2500 * time.Millisecond,
			Edits:       []Edit{{Line: 25, Replace: "\t\tws.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))\n", With: ""}},
		},
		{
			Title:       "Wrong close code",
			Line:        32,
			Description: "Closes with 1000 where 1009 is due.",
			File:        "main.go",
			Test:        "FuzzClose",
			Says:        []string{"1009"},
			Limit:       DefaultLimit,
			Edits: []Edit{
				{Line: 38, Replace: "\tcode := 1009\n", With: "\tcode := 1000\n"},
				{Line: 44, Replace: "```\n", With: "` ` `\n"},
			},
		},
	}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("Load(testdata/good.md) =\n%#v\nwant\n%#v", f, want)
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a folder without %s: %v, want a not-exist error", FileName, err)
	}
}

// mistake is a well-formed mistake section for the error cases to break.
const mistake = "## A title\n\nWhat went wrong.\n\n- file: a.go\n- test: TestA\n- says: word\n\n```go replace\nx\n```\n\n```go with\ny\n```\n"

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       string // every error, one a line
	}{
		{"empty", "", `line 1: the file is empty; it starts with a heading "# Mistakes: LESSON"`},
		{"no header", "## A title\n", `line 1: the file starts with a heading "# Mistakes: LESSON", not "## A title"`},
		{"header without lesson", "# Mistakes: \n", `line 1: the file starts with a heading "# Mistakes: LESSON", not "# Mistakes:"`},
		{"empty title", "# Mistakes: x\n\n##\n",
			"line 3: a mistake's heading has no title\n" +
				"line 3: no description: say in a sentence or two what the student got wrong and what it breaks\n" +
				`line 3: no "- file:" in its list` + "\n" + `line 3: no "- test:" in its list` + "\n" + `line 3: no "- says:" in its list` + "\n" +
				"line 3: no replace and with blocks: the mistake changes nothing"},
		{"duplicate title", "# Mistakes: x\n\n" + mistake + "\n" + strings.Replace(mistake, "A title", "a TITLE", 1),
			`line 19: "a TITLE": the same title as the mistake at line 3: titles name mistakes in the README and in verify's report`},
		{"subheading", "# Mistakes: x\n\n" + strings.Replace(mistake, "What went wrong.", "### Why", 1),
			`line 3: "A title": no description: say in a sentence or two what the student got wrong and what it breaks` + "\n" +
				`line 5: "A title": a heading "### Why" inside a mistake: each mistake is one "## Title" section, with no headings of its own`},
		{"unknown key", "# Mistakes: x\n\n" + strings.Replace(mistake, "- says: word", "- says: word\n- tset: TestA", 1),
			`line 10: "A title": a list item is "- KEY: VALUE" with KEY file, test, says or limit, not "- tset: TestA"`},
		{"no colon", "# Mistakes: x\n\n" + strings.Replace(mistake, "- says: word", "- says word", 1),
			`line 3: "A title": no "- says:" in its list` + "\n" +
				`line 9: "A title": a list item is "- KEY: VALUE" with KEY file, test, says or limit, not "- says word"`},
		{"empty value", "# Mistakes: x\n\n" + strings.Replace(mistake, "- says: word", "- says: word\n- limit:", 1),
			`line 10: "A title": limit: has no value`},
		{"second file", "# Mistakes: x\n\n" + strings.Replace(mistake, "- says: word", "- says: word\n- file: b.go", 1),
			`line 10: "A title": a second file: a mistake has one`},
		{"test file", "# Mistakes: x\n\n" + strings.Replace(mistake, "a.go", "a_test.go", 1),
			`line 7: "A title": file: a_test.go is not a Go file of the lesson (a file of the solution or a given file, not a test)`},
		{"file outside", "# Mistakes: x\n\n" + strings.Replace(mistake, "a.go", "../a.go", 1),
			`line 7: "A title": file: ../a.go is not a Go file of the lesson (a file of the solution or a given file, not a test)`},
		{"not a test", "# Mistakes: x\n\n" + strings.Replace(mistake, "TestA", "Testing", 1),
			`line 8: "A title": test: Testing is not the name of a Test or Fuzz function`},
		{"bad limit", "# Mistakes: x\n\n" + strings.Replace(mistake, "- says: word", "- says: word\n- limit: 10", 1),
			`line 10: "A title": limit: 10 is not a duration such as 10s or 2.5s`},
		{"empty phrase", "# Mistakes: x\n\n" + strings.Replace(mistake, "says: word", "says: word,", 1),
			`line 9: "A title": says: an empty phrase in "word,"`},
		{"bad quote", "# Mistakes: x\n\n" + strings.Replace(mistake, "says: word", `says: x, "a, b`, 1),
			`line 9: "A title": says: "a, b: a quoted phrase is one Go string, "like, this"`},
		{"no comma after a quote", "# Mistakes: x\n\n" + strings.Replace(mistake, "says: word", `says: "a, b" c`, 1),
			`line 9: "A title": says: "a, b" c: a comma goes between a quoted phrase and the next`},
		{"empty quote", "# Mistakes: x\n\n" + strings.Replace(mistake, "says: word", `says: a, ""`, 1),
			`line 9: "A title": says: an empty phrase in "a, \"\""`},
		{"text after list", "# Mistakes: x\n\n" + strings.Replace(mistake, "- says: word\n", "- says: word\nmore words\n", 1),
			`line 10: "A title": text after the list: only replace and with blocks follow it (a list item is "- KEY: VALUE")`},
		{"text between blocks", "# Mistakes: x\n\n" + strings.Replace(mistake, "```\n\n```go with", "```\nand then\n```go with", 1),
			`line 14: "A title": text between the code blocks: a mistake ends with its replace and with blocks`},
		{"list after blocks", "# Mistakes: x\n\n" + mistake + "- limit: 1s\n",
			`line 18: "A title": a list item after the code blocks: the list comes before them`},
		{"other block", "# Mistakes: x\n\n" + strings.Replace(mistake, "go with", "go", 1),
			`line 3: "A title": no replace and with blocks: the mistake changes nothing` + "\n" +
				`line 11: "A title": a replace block without a with block after it` + "\n" +
				`line 15: "A title": a code block in a mistake is "` + "```go replace" + `" or "` + "```go with" + `", not "` + "```go" + `"`},
		{"with first", "# Mistakes: x\n\n" + strings.Replace(mistake, "go replace", "go with", 1),
			`line 3: "A title": no replace and with blocks: the mistake changes nothing` + "\n" +
				`line 11: "A title": a with block without a replace block before it` + "\n" +
				`line 15: "A title": a with block without a replace block before it`},
		{"two replaces", "# Mistakes: x\n\n" + strings.Replace(mistake, "go with", "go replace", 1),
			`line 3: "A title": no replace and with blocks: the mistake changes nothing` + "\n" +
				`line 11: "A title": a replace block without a with block after it` + "\n" +
				`line 15: "A title": a replace block without a with block after it`},
		{"empty replace", "# Mistakes: x\n\n" + strings.Replace(mistake, "```go replace\nx\n", "```go replace\n", 1),
			`line 11: "A title": an empty replace block: quote the lines the mistake changes`},
		{"no change", "# Mistakes: x\n\n" + strings.Replace(mistake, "y\n", "x\n", 1),
			`line 15: "A title": the with block is the same as the replace block before it: the edit changes nothing`},
		{"unclosed", "# Mistakes: x\n\n" + strings.TrimSuffix(mistake, "```\n"),
			`line 3: "A title": no replace and with blocks: the mistake changes nothing` + "\n" +
				`line 11: "A title": a replace block without a with block after it` + "\n" +
				`line 15: "A title": a code block that is never closed`},
		{"missing parts", "# Mistakes: x\n\n## Bare\n",
			`line 3: "Bare": no description: say in a sentence or two what the student got wrong and what it breaks` + "\n" +
				`line 3: "Bare": no "- file:" in its list` + "\n" + `line 3: "Bare": no "- test:" in its list` + "\n" + `line 3: "Bare": no "- says:" in its list` + "\n" +
				`line 3: "Bare": no replace and with blocks: the mistake changes nothing`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(c.text)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %+v, %v; want Errors", f, err)
			}
			if got := errs.Error(); got != c.want {
				t.Errorf("Parse errors:\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// The well-formed section the error cases start from parses.
func TestParseMistakeConst(t *testing.T) {
	f, err := Parse("# Mistakes: x\n\n" + mistake)
	if err != nil || len(f.Mistakes) != 1 || f.Mistakes[0].Edits[0].Replace != "x\n" {
		t.Fatalf("Parse = %+v, %v", f, err)
	}
}

func TestParseCRLF(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", FileName))
	if err != nil {
		t.Fatal(err)
	}
	// Code lines keep their \r; the structure reads the same.
	f, err := Parse(strings.ReplaceAll(string(data), "\n", "\r\n"))
	if err != nil || len(f.Mistakes) != 2 || f.Mistakes[1].Test != "FuzzClose" {
		t.Fatalf("Parse with CRLF = %+v, %v", f, err)
	}
}

func TestSplitSays(t *testing.T) {
	got, err := splitSays(`write deadline,"got 1, want 2" , "a \"b\"",c`)
	if want := []string{"write deadline", "got 1, want 2", `a "b"`, "c"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("splitSays = %q, %v; want %q", got, err, want)
	}
}
