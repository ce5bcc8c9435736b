package callback

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEListsEveryCommand keeps the README's Callbacks table in step with
// the command table: every row's command and event type must be there.
func TestREADMEListsEveryCommand(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, c := range commands {
		typ := strings.TrimPrefix(c.typ.String(), "EVENT_TYPE_")
		for _, want := range append([]string{c.name, typ}, c.aliases...) {
			if want != "" && !strings.Contains(readme, "`"+want+"`") {
				t.Errorf("README.md does not mention `%s` (command %s)", want, c.name)
			}
		}
	}
}
