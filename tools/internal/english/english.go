// Package english writes the few words the course's tools put together.
package english

import "fmt"

// Count says n of noun, as "1 test" or "3 tests".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
