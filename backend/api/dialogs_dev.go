//go:build dev

package api

import (
	"os"
	"strings"
)

// TestDialogFileEnv names a file that answers the file dialogs of the dev-tagged binary the
// browser tests drive: a browser cannot reach a native dialog, so when this variable is set,
// "open" and "save" both return the path written in that file (read again at each call, so
// a test changes it between calls; an empty file is a cancelled dialog). Only this build has
// it: the product's binary always asks the user (dialogs_test.go proves it ignores the variable).
const TestDialogFileEnv = "MAILROOM_TEST_DIALOG_FILE"

func init() {
	devDialogs = func() Dialogs {
		name := os.Getenv(TestDialogFileEnv)
		if name == "" {
			return nil
		}
		return fileDialogs{name: name}
	}
}

// fileDialogs answers every dialog with the path written in the file name.
type fileDialogs struct{ name string }

func (d fileDialogs) path() (string, error) {
	b, err := os.ReadFile(d.name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func (d fileDialogs) SaveFile(string) (string, error) { return d.path() }
func (d fileDialogs) OpenFile() (string, error)       { return d.path() }
