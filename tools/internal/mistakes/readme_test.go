package mistakes

import (
	"slices"
	"testing"
)

func TestUnnamed(t *testing.T) {
	titles := []string{"No write deadline", "Wrong close code", "Forgot `SetReadLimit`"}
	for _, c := range []struct {
		name, readme string
		missing      []string
		found        bool
	}{
		{"all named", "# L\n\n## Common mistakes\n\n- no WRITE deadline\n- wrong close\n  code\n- forgot `SetReadLimit`\n", nil, true},
		{"subsections count", "# L\n\n## Mistakes\n\n### No write deadline\n\n### Wrong close code\n\nForgot `SetReadLimit`.\n", nil, true},
		{"no section", "# L\n\nNo write deadline, wrong close code, forgot `SetReadLimit`.\n", titles, false},
		{"outside the section", "# L\n\n## Mistakes\n\nNo write deadline.\n\n## Other\n\nWrong close code.\n\n```\n## Mistakes in a code block\nForgot `SetReadLimit`\n```\n",
			[]string{"Wrong close code", "Forgot `SetReadLimit`"}, true},
		{"two sections", "## Mistakes with gorilla\n\nNo write deadline.\n\n## Other\n\n## More mistakes\n\nWrong close code, forgot `SetReadLimit`\n", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			missing, found := Unnamed(c.readme, titles)
			if found != c.found || !slices.Equal(missing, c.missing) {
				t.Errorf("Unnamed = %q, %v; want %q, %v", missing, found, c.missing, c.found)
			}
		})
	}
}
