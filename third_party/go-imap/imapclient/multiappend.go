package imapclient

import (
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/internal"
)

// AppendMessage is one message of a MULTIAPPEND command: its options and its bytes.
type AppendMessage struct {
	Options *imap.AppendOptions
	Data    []byte
}

// MultiAppend sends an APPEND command with several messages (RFC 3502 MULTIAPPEND): the
// server files all of them, or none. The server must advertise MULTIAPPEND.
//
// Mailroom patch: the upstream client has no MULTIAPPEND (see PATCHES.md).
func (c *Client) MultiAppend(mailbox string, msgs []AppendMessage) *AppendCommand {
	cmd := &AppendCommand{}
	enc := c.beginCommand("APPEND", cmd)
	enc.SP().Mailbox(mailbox)
	for _, m := range msgs {
		enc.SP()
		if m.Options != nil && len(m.Options.Flags) > 0 {
			flags := m.Options.Flags
			enc.List(len(flags), func(i int) {
				enc.Flag(flags[i])
			}).SP()
		}
		if m.Options != nil && !m.Options.Time.IsZero() {
			enc.String(m.Options.Time.Format(internal.DateTimeLayout)).SP()
		}
		wc := enc.Literal(int64(len(m.Data)))
		_, err := wc.Write(m.Data)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cmd.wc = errorCloser{err}
			cmd.enc = enc
			return cmd
		}
	}
	cmd.enc = enc
	cmd.wc = nopCloser{}
	return cmd
}

// MultiAppendCommand's writer: the messages are written by MultiAppend; Close ends the
// command.
type nopCloser struct{}

func (nopCloser) Write(b []byte) (int, error) { return 0, io.ErrShortWrite }
func (nopCloser) Close() error                { return nil }

type errorCloser struct{ err error }

func (e errorCloser) Write(b []byte) (int, error) { return 0, e.err }
func (e errorCloser) Close() error                { return e.err }
