package api

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"mailroom/backend/fault"
	"mailroom/backend/mailbox"
	"mailroom/backend/message"
	"mailroom/backend/outbox"
	"mailroom/backend/syncer"
)

// Events the mail services emit.
const (
	SyncProgressEvent = "sync:progress" // SyncStatusDTO
	MailChangedEvent  = "mail:changed"  // {accountId}
)

// Dialogs are the native dialogs the API needs; app.go provides Wails' own.
type Dialogs interface {
	// SaveFile asks where to save a file; "" means the user cancelled.
	SaveFile(defaultName string) (string, error)
	// OpenFile asks for a file to import (CSV, text or vCard); "" means the user cancelled.
	OpenFile() (string, error)
}

// Mail is the unified inbox: list, search, read, flags, attachments, reply (F9).
type Mail struct{ b *Backend }

// visible returns the ids of the accounts the caller may read: those granted to them.
func (s *Mail) visible(ctx context.Context, c caller) ([]int64, error) {
	list, err := s.b.Accounts.List(ctx, c.user.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(list))
	for _, a := range list {
		if !a.Disabled {
			ids = append(ids, a.ID)
		}
	}
	return ids, nil
}

func parseCursor(s string) (*mailbox.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	d, id, ok := strings.Cut(s, ":")
	date, err1 := strconv.ParseInt(d, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, errCursor.Field("cursor", nil)
	}
	return &mailbox.Cursor{Date: date, ID: n}, nil
}

// List returns a page of messages, newest first, over the accounts the user may read.
func (s *Mail) List(q MailQueryDTO) (MailPageDTO, error) {
	return run(s.b, "Mail.List", func(ctx context.Context, c caller) (MailPageDTO, error) {
		ids, err := s.visible(ctx, c)
		if err != nil {
			return MailPageDTO{}, err
		}
		before, err := parseCursor(q.Cursor)
		if err != nil {
			return MailPageDTO{}, err
		}
		mq := mailbox.Query{AccountIDs: ids, AccountID: q.AccountID, FolderRole: q.FolderRole,
			FolderID: q.FolderID, Unread: q.Unread, Flagged: q.Flagged, Search: q.Search, Before: before, Limit: q.Limit}
		if strings.TrimSpace(q.Search) != "" {
			// A search is ranked (bm25), best first, as one page.
			hits, err := s.b.Mailbox.Search(ctx, mq, false)
			if err != nil {
				return MailPageDTO{}, err
			}
			page := MailPageDTO{Rows: make([]MailRowDTO, 0, len(hits))}
			for _, h := range hits {
				page.Rows = append(page.Rows, mailRowDTO(h.Row))
			}
			return page, nil
		}
		rows, next, err := s.b.Mailbox.List(ctx, mq)
		if err != nil {
			return MailPageDTO{}, err
		}
		page := MailPageDTO{Rows: make([]MailRowDTO, 0, len(rows))}
		for _, r := range rows {
			page.Rows = append(page.Rows, mailRowDTO(r))
		}
		if next != nil {
			page.Next = fmt.Sprintf("%d:%d", next.Date, next.ID)
		}
		return page, nil
	})
}

// Folders lists the folders of the accounts the user may read, with counts.
func (s *Mail) Folders() ([]FolderDTO, error) {
	return run(s.b, "Mail.Folders", func(ctx context.Context, c caller) ([]FolderDTO, error) {
		ids, err := s.visible(ctx, c)
		if err != nil {
			return nil, err
		}
		fs, err := s.b.Mailbox.Folders(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make([]FolderDTO, 0, len(fs))
		for _, f := range fs {
			out = append(out, folderDTO(f))
		}
		return out, nil
	})
}

// Get returns a message ready to show. Remote images stay blocked unless showRemote is
// set for this viewing or the sender is always allowed.
func (s *Mail) Get(id int64, showRemote bool) (MessageViewDTO, error) {
	return run(s.b, "Mail.Get", func(ctx context.Context, c caller) (MessageViewDTO, error) {
		ids, err := s.visible(ctx, c)
		if err != nil {
			return MessageViewDTO{}, err
		}
		m, err := s.b.Mailbox.Get(ctx, ids, id)
		if err != nil {
			return MessageViewDTO{}, err
		}
		always, err := s.b.Mailbox.RemoteAllowed(ctx, m.FromEmail)
		if err != nil {
			return MessageViewDTO{}, err
		}
		allow := showRemote || always
		v := MessageViewDTO{MailRowDTO: mailRowDTO(m.Row), FolderName: m.FolderName, MessageID: m.MessageID,
			From: addressDTOs(m.From), ReplyTo: addressDTOs(m.ReplyTo), To: addressDTOs(m.To), Cc: addressDTOs(m.Cc),
			Attachments: []AttachmentDTO{}, Problems: append([]string{}, m.Problems...), BodyState: m.BodyState, RemoteAlways: always}
		for _, a := range m.Attachments {
			v.Attachments = append(v.Attachments, AttachmentDTO{PartPath: a.PartPath, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, Inline: a.Inline})
		}
		var body string
		if m.HTML != "" {
			san := message.Sanitize(m.HTML, message.SanitizeOptions{AllowRemoteImages: allow})
			body, v.IsHTML, v.RemoteImages = san.HTML, true, san.RemoteImages
			v.RemoteBlocked = san.Blocked
		} else {
			body = message.TextToHTML(m.Text)
		}
		v.Document = message.Document(body, message.DocumentOptions{AllowRemoteImages: allow && v.RemoteImages > 0})
		return v, nil
	})
}

// checkVisible refuses message ids the caller may not read (one query for all of them).
func (s *Mail) checkVisible(ctx context.Context, c caller, ids []int64) error {
	acc, err := s.visible(ctx, c)
	if err != nil {
		return err
	}
	ok, err := s.b.Mailbox.AllVisible(ctx, acc, ids)
	if err != nil {
		return err
	}
	if !ok {
		return mailbox.ErrMessageGone.New(nil)
	}
	return nil
}

// requireAccess refuses an account the caller has no access to.
func (b *Backend) requireAccess(ctx context.Context, c caller, accountID int64) error {
	ok, err := b.Accounts.CanUse(ctx, accountID, c.user.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errAccountNotGranted.New(nil)
	}
	return nil
}

// maxFlagBatch bounds one flag change.
const maxFlagBatch = 1000

// SetFlags marks messages read/unread ("seen") or flagged; the change goes to the server.
func (s *Mail) SetFlags(ids []int64, flag string, value bool) error {
	return do(s.b, "Mail.SetFlags", func(ctx context.Context, c caller) error {
		if len(ids) > maxFlagBatch {
			return errTooMany.Field("ids", fault.P{"count": maxFlagBatch})
		}
		if err := s.checkVisible(ctx, c, ids); err != nil {
			return err
		}
		return s.b.Sync.SetFlags(ctx, ids, flag, value)
	})
}

// AllowRemoteImages always shows remote images from a sender (or stops doing so).
func (s *Mail) AllowRemoteImages(email string, always bool) error {
	return do(s.b, "Mail.AllowRemoteImages", func(ctx context.Context, c caller) error {
		if !always {
			return s.b.Mailbox.DisallowRemote(ctx, email)
		}
		return s.b.Mailbox.AllowRemote(ctx, email, c.user.ID)
	})
}

// SaveAttachment asks where to save an attachment, fetches it from the server and writes
// it there. It returns the path, or "" when the user cancelled.
func (s *Mail) SaveAttachment(id int64, partPath string) (string, error) {
	return run(s.b, "Mail.SaveAttachment", func(_ context.Context, c caller) (string, error) {
		ctx, cancel := s.b.networkContext()
		defer cancel()
		if err := s.checkVisible(ctx, c, []int64{id}); err != nil {
			return "", err
		}
		r, name, _, err := s.b.Sync.FetchPart(ctx, id, partPath)
		if err != nil {
			return "", err
		}
		defer r.Close()
		if s.b.Dialogs == nil {
			return "", errSaveUnavailable.New(nil)
		}
		path, err := s.b.Dialogs.SaveFile(name)
		if err != nil || path == "" {
			return "", err
		}
		f, err := os.CreateTemp(dirOf(path), ".mailroom-save-*")
		if err != nil {
			return "", errSaveFolder.Wrap(err, nil)
		}
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
			return "", errSaveIncomplete.Wrap(err, nil)
		}
		return path, nil
	})
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// DraftModes lists the modes of Draft.
var DraftModes = []string{"reply", "reply_all", "forward"}

// Draft prepares a reply ("reply", "reply_all") or a forward ("forward") of a message.
func (s *Mail) Draft(id int64, mode string) (DraftDTO, error) {
	return run(s.b, "Mail.Draft", func(ctx context.Context, c caller) (DraftDTO, error) {
		ids, err := s.visible(ctx, c)
		if err != nil {
			return DraftDTO{}, err
		}
		m, err := s.b.Mailbox.Get(ctx, ids, id)
		if err != nil {
			return DraftDTO{}, err
		}
		acc, err := s.b.Accounts.Get(ctx, m.AccountID)
		if err != nil {
			return DraftDTO{}, err
		}
		lang := message.English // the lines Mailroom writes are in the user's language
		if c.user.Language == string(message.French) {
			lang = message.French
		}
		orig := &message.Message{MessageID: m.MessageID, Subject: m.Subject, Date: m.Date, Text: m.Text, HTML: m.HTML,
			From: messageAddrs(m.From), ReplyTo: messageAddrs(m.ReplyTo), To: messageAddrs(m.To), Cc: messageAddrs(m.Cc)}
		d, err := lang.Draft(orig, message.DraftMode(mode), acc.Email)
		if err != nil {
			return DraftDTO{}, err
		}
		return DraftDTO{AccountID: m.AccountID, To: msgAddressDTOs(d.To), Cc: msgAddressDTOs(d.Cc), Subject: d.Subject,
			InReplyTo: d.InReplyTo, References: d.References, Text: d.Text, QuotedHTML: d.QuotedHTML}, nil
	})
}

func messageAddrs(as []mailbox.Address) []message.Address {
	out := make([]message.Address, 0, len(as))
	for _, a := range as {
		out = append(out, message.Address{Name: a.Name, Email: a.Email})
	}
	return out
}

func msgAddressDTOs(as []message.Address) []AddressDTO {
	out := make([]AddressDTO, 0, len(as))
	for _, a := range as {
		out = append(out, AddressDTO{Name: a.Name, Email: a.Email})
	}
	return out
}

// Send queues a message written in the composer in the outbox and returns as soon as it is
// committed (synced to disk): the account's outbox worker sends it, and the Outbox screen
// follows it (the server's answer, a failure in its words, retries).
func (s *Mail) Send(in SendInput) (SentDTO, error) {
	return run(s.b, "Mail.Send", func(ctx context.Context, c caller) (SentDTO, error) {
		if err := s.b.mayCompose(ctx, c, in.AccountID); err != nil {
			return SentDTO{}, err
		}
		acc, err := s.b.Accounts.Get(ctx, in.AccountID)
		if err != nil {
			return SentDTO{}, err
		}
		if acc.Disabled {
			return SentDTO{}, errAccountDisabled.New(fault.P{"address": acc.Email})
		}
		if len(in.To)+len(in.Cc)+len(in.Bcc) == 0 {
			return SentDTO{}, errNoRecipient.Field("to", nil)
		}
		m := outbox.Compose{From: outbox.Address{Name: acc.FromName, Email: acc.Email},
			To: outboxAddrs(in.To), Cc: outboxAddrs(in.Cc), Bcc: outboxAddrs(in.Bcc),
			Subject: in.Subject, InReplyTo: in.InReplyTo, References: in.References}
		sig, err := s.b.signatureFor(ctx, c.user, acc.ID, in.SignatureID)
		if err != nil {
			return SentDTO{}, err
		}
		m.Text, m.HTML = message.SignedBody(in.Text, sig, in.QuotedText, in.QuotedHTML)
		env, err := outbox.Render(m)
		if err != nil {
			return SentDTO{}, err
		}
		env.QueuedBy = c.user.ID
		id, err := s.b.Outbox.Enqueue(ctx, acc.ID, env)
		if err != nil {
			return SentDTO{}, err
		}
		return SentDTO{OutboxID: id, MessageID: env.MessageID, State: string(outbox.Queued)}, nil
	})
}

func outboxAddrs(as []AddressDTO) []outbox.Address {
	out := make([]outbox.Address, 0, len(as))
	for _, a := range as {
		out = append(out, outbox.Address{Name: a.Name, Email: strings.TrimSpace(a.Email)})
	}
	return out
}

// Sync reports and steers the sync engine (F8).
type Sync struct{ b *Backend }

// Status returns the sync state of every account the user may read.
func (s *Sync) Status() ([]SyncStatusDTO, error) {
	return run(s.b, "Sync.Status", func(ctx context.Context, c caller) ([]SyncStatusDTO, error) {
		ids, err := (&Mail{b: s.b}).visible(ctx, c)
		if err != nil {
			return nil, err
		}
		mine := map[int64]bool{}
		for _, id := range ids {
			mine[id] = true
		}
		out := []SyncStatusDTO{}
		for _, e := range s.b.Sync.Status() {
			if mine[e.AccountID] {
				out = append(out, syncStatusDTO(e))
			}
		}
		return out, nil
	})
}

// Now syncs an account at once.
func (s *Sync) Now(accountID int64) error {
	return do(s.b, "Sync.Now", func(ctx context.Context, c caller) error {
		if err := s.b.requireAccess(ctx, c, accountID); err != nil {
			return err
		}
		s.b.Sync.SyncNow(accountID)
		return nil
	})
}

// Cancel stops an account's sync under way; it resumes at the next poll or on Now.
func (s *Sync) Cancel(accountID int64) error {
	return do(s.b, "Sync.Cancel", func(ctx context.Context, c caller) error {
		if err := s.b.requireAccess(ctx, c, accountID); err != nil {
			return err
		}
		s.b.Sync.Cancel(accountID)
		return nil
	})
}

// SetFolderSynced chooses whether a folder of an account the user may use is synced.
// Turning a folder off forgets its local copy (the mail stays on the server); turning
// one on fetches it at once. The inbox is always synced.
func (s *Sync) SetFolderSynced(folderID int64, synced bool) error {
	return do(s.b, "Sync.SetFolderSynced", func(ctx context.Context, c caller) error {
		accountID, err := s.b.Sync.FolderAccount(ctx, folderID)
		if err != nil {
			return err
		}
		if err := s.b.requireAccess(ctx, c, accountID); err != nil {
			return err
		}
		return s.b.Sync.SetFolderSynced(ctx, folderID, synced)
	})
}

// syncEvent maps an engine event to the UI's events.
func syncEvent(b *Backend) func(syncer.Event) {
	return func(e syncer.Event) {
		if e.Kind == syncer.KindChanged {
			b.emit(MailChangedEvent, map[string]int64{"accountId": e.AccountID})
			return
		}
		b.emit(SyncProgressEvent, syncStatusDTO(e))
	}
}
