package mistakes

import "strings"

// Unnamed reads a lesson README for its sections whose heading contains
// "Mistakes" (any case; a section runs to the next heading of its level or
// higher) and returns the titles none of them names, matched ignoring case
// and line breaks. found is false when there is no such section.
func Unnamed(readme string, titles []string) (missing []string, found bool) {
	var section []string
	level, fence := 0, false // level: of the Mistakes heading being read; 0 outside one
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
		}
		if h := heading.FindStringSubmatch(strings.TrimRight(line, " \t\r")); h != nil && !fence {
			if len(h[1]) <= level {
				level = 0
			}
			if level == 0 && strings.Contains(strings.ToLower(h[2]), "mistakes") {
				level, found = len(h[1]), true
				continue
			}
		}
		if level > 0 {
			section = append(section, line)
		}
	}
	text := squash(strings.ToLower(strings.Join(section, " ")))
	for _, t := range titles {
		if !strings.Contains(text, squash(strings.ToLower(t))) {
			missing = append(missing, t)
		}
	}
	return missing, found
}
