package api

import (
	"context"
	"time"

	"mailroom/backend/filing"
	"mailroom/backend/records"
)

// FilingChangedEvent tells the UI that "To file" or a re-file changed (FilingEventDTO): it
// re-reads the count (Filing.Count) and, if shown, the list.
const FilingChangedEvent = "filing:changed"

// FilingOps are the operators of a filed type's open condition, for the generated contract.
var FilingOps = filing.Ops

// FilingOrigins are the origins of a message's link to a record, for the generated contract.
var FilingOrigins = filing.Origins

// FilingProgressKinds are what a re-file's progress is for, for the generated contract.
var FilingProgressKinds = filing.ProgressKinds

// Filing is which records messages belong to (F10): "To file", a message's records, a
// record's timeline. Everyone signed in files, on the accounts they may read; admins
// choose the filed types and the free-mail exceptions and start a re-file.
type Filing struct{ b *Backend }

// FilingEvents forwards the filing engine's events to the UI (filing.Deps.Emit).
func (b *Backend) FilingEvents() func(filing.Event) {
	return func(e filing.Event) {
		dto := FilingEventDTO{ToFile: e.ToFile}
		if e.Progress != nil {
			p := refileProgressDTO(*e.Progress)
			dto.Progress = &p
		}
		b.emit(FilingChangedEvent, dto)
	}
}

// RecordsChanged is records.Options.Changed: the filing engine files the past mail of the
// changed records.
func (b *Backend) RecordsChanged(ch records.Change) {
	if b.Filing != nil {
		b.Filing.RecordsChanged(ch.IDs)
	}
}

func (s *Filing) scope(ctx context.Context, c caller) (filing.Scope, error) {
	ids, err := (&Mail{b: s.b}).visible(ctx, c)
	if err != nil {
		return nil, err
	}
	return filing.Scope(ids), nil
}

// Count is how many messages of the caller's accounts wait in "To file".
func (s *Filing) Count() (int, error) {
	return run(s.b, "Filing.Count", func(ctx context.Context, c caller) (int, error) {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return 0, err
		}
		return s.b.Filing.ToFileCount(ctx, sc)
	})
}

// ToFile lists "To file" by correspondent, the latest first, with each one's messages.
func (s *Filing) ToFile(offset, limit int) (ToFilePageDTO, error) {
	return run(s.b, "Filing.ToFile", func(ctx context.Context, c caller) (ToFilePageDTO, error) {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return ToFilePageDTO{}, err
		}
		groups, total, err := s.b.Filing.ToFile(ctx, sc, offset, limit)
		if err != nil {
			return ToFilePageDTO{}, err
		}
		page := ToFilePageDTO{Total: total, Groups: make([]CorrespondentDTO, 0, len(groups))}
		for _, g := range groups {
			rows, err := s.b.Mailbox.Rows(ctx, []int64(sc), g.Messages)
			if err != nil {
				return ToFilePageDTO{}, err
			}
			dto := CorrespondentDTO{Email: g.Email, Name: g.Name, Domain: g.Domain, Freemail: g.Freemail,
				Count: g.Count, Latest: g.Latest.Format(time.RFC3339), Messages: make([]MailRowDTO, 0, len(rows))}
			for _, r := range rows {
				dto.Messages = append(dto.Messages, mailRowDTO(r))
			}
			page.Groups = append(page.Groups, dto)
		}
		return page, nil
	})
}

// MessageRecords returns the records a message is filed to and the suggestions to confirm.
func (s *Filing) MessageRecords(messageID int64) (MessageRecordsDTO, error) {
	return run(s.b, "Filing.MessageRecords", func(ctx context.Context, c caller) (MessageRecordsDTO, error) {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return MessageRecordsDTO{}, err
		}
		links, sugg, err := s.b.Filing.MessageRecords(ctx, sc, messageID)
		if err != nil {
			return MessageRecordsDTO{}, err
		}
		out := MessageRecordsDTO{Links: make([]FiledLinkDTO, 0, len(links)), Suggestions: make([]SuggestionDTO, 0, len(sugg))}
		for _, l := range links {
			out.Links = append(out.Links, FiledLinkDTO{RecordID: l.RecordID, TypeID: l.TypeID, Title: l.Title, Origin: l.Origin})
		}
		for _, x := range sugg {
			out.Suggestions = append(out.Suggestions, SuggestionDTO{RecordID: x.RecordID, TypeID: x.TypeID, Title: x.Title, Score: x.Score})
		}
		return out, nil
	})
}

// FileTo files messages to a record by hand (confirms a suggestion too).
func (s *Filing) FileTo(messageIDs []int64, recordID int64) error {
	return do(s.b, "Filing.FileTo", func(ctx context.Context, c caller) error {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return err
		}
		return s.b.Filing.FileTo(ctx, c.user.ID, sc, messageIDs, recordID)
	})
}

// Unfile removes a message from a record; the link is never recreated automatically.
func (s *Filing) Unfile(messageID, recordID int64) error {
	return do(s.b, "Filing.Unfile", func(ctx context.Context, c caller) error {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return err
		}
		return s.b.Filing.Unfile(ctx, c.user.ID, sc, messageID, recordID)
	})
}

// Timeline returns a record's messages (every account the caller may read) by thread,
// the latest thread first.
func (s *Filing) Timeline(recordID int64, offset, limit int) (TimelinePageDTO, error) {
	return run(s.b, "Filing.Timeline", func(ctx context.Context, c caller) (TimelinePageDTO, error) {
		sc, err := s.scope(ctx, c)
		if err != nil {
			return TimelinePageDTO{}, err
		}
		threads, total, err := s.b.Filing.Timeline(ctx, sc, recordID, offset, limit)
		if err != nil {
			return TimelinePageDTO{}, err
		}
		page := TimelinePageDTO{Total: total, Threads: make([]ThreadDTO, 0, len(threads))}
		for _, t := range threads {
			ids := make([]int64, len(t.Messages))
			origin := map[int64]string{}
			for i, m := range t.Messages {
				ids[i], origin[m.ID] = m.ID, m.Origin
			}
			rows, err := s.b.Mailbox.Rows(ctx, []int64(sc), ids)
			if err != nil {
				return TimelinePageDTO{}, err
			}
			th := ThreadDTO{Latest: t.Latest.Format(time.RFC3339), Messages: make([]TimelineMessageDTO, 0, len(rows))}
			for _, r := range rows {
				th.Messages = append(th.Messages, TimelineMessageDTO{Row: mailRowDTO(r), Origin: origin[r.ID]})
			}
			page.Threads = append(page.Threads, th)
		}
		return page, nil
	})
}

// Ignore sets an address or a domain aside in "To file"; it returns the normalised value
// (for Unignore, the undo).
func (s *Filing) Ignore(value string) (string, error) {
	return run(s.b, "Filing.Ignore", func(ctx context.Context, c caller) (string, error) {
		return s.b.Filing.Ignore(ctx, c.user.ID, value)
	})
}

// Unignore brings an ignored address or domain back.
func (s *Filing) Unignore(value string) error {
	return do(s.b, "Filing.Unignore", func(ctx context.Context, c caller) error {
		return s.b.Filing.Unignore(ctx, value)
	})
}

// Ignored lists the addresses and domains set aside.
func (s *Filing) Ignored() ([]IgnoredDTO, error) {
	return run(s.b, "Filing.Ignored", func(ctx context.Context, c caller) ([]IgnoredDTO, error) {
		list, err := s.b.Filing.IgnoredList(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]IgnoredDTO, 0, len(list))
		for _, x := range list {
			out = append(out, IgnoredDTO{Value: x.Value, Kind: x.Kind, At: x.At.Format(time.RFC3339)})
		}
		return out, nil
	})
}

// Settings returns the filed types and the free-mail exceptions (admins).
func (s *Filing) Settings() (FilingSettingsDTO, error) {
	return run(s.b, "Filing.Settings", func(ctx context.Context, c caller) (FilingSettingsDTO, error) {
		types, err := s.b.Filing.FiledTypes(ctx)
		if err != nil {
			return FilingSettingsDTO{}, err
		}
		exc, err := s.b.Filing.DomainExceptions(ctx)
		if err != nil {
			return FilingSettingsDTO{}, err
		}
		out := FilingSettingsDTO{Types: make([]FiledTypeDTO, 0, len(types)), Domains: make([]DomainExceptionDTO, 0, len(exc)),
			Progress: refileProgressDTO(s.b.Filing.Progress())}
		for _, t := range types {
			out.Types = append(out.Types, FiledTypeDTO(t))
		}
		for _, d := range exc {
			out.Domains = append(out.Domains, DomainExceptionDTO{Domain: d.Domain, Free: d.Free, Listed: filing.IsFreemail(d.Domain)})
		}
		return out, nil
	})
}

// SetFiledType turns filing through contacts and companies on (or off) for a type of your own.
func (s *Filing) SetFiledType(t FiledTypeDTO, on bool) error {
	return do(s.b, "Filing.SetFiledType", func(ctx context.Context, c caller) error {
		sc, err := s.b.Records.Schema(ctx)
		if err != nil {
			return err
		}
		return s.b.Filing.SetFiledType(ctx, sc, filing.FiledType(t), on)
	})
}

// SetDomainException treats a domain as free-mail (free) or not, whatever the list says.
func (s *Filing) SetDomainException(domain string, free bool) (string, error) {
	return run(s.b, "Filing.SetDomainException", func(ctx context.Context, c caller) (string, error) {
		return s.b.Filing.SetDomainException(ctx, domain, free)
	})
}

// RemoveDomainException lets the shipped list decide again for a domain.
func (s *Filing) RemoveDomainException(domain string) error {
	return do(s.b, "Filing.RemoveDomainException", func(ctx context.Context, c caller) error {
		return s.b.Filing.RemoveDomainException(ctx, domain)
	})
}

// Refile files every message again in the background (filing:changed events carry the
// progress, kind all).
func (s *Filing) Refile() error {
	return do(s.b, "Filing.Refile", func(ctx context.Context, c caller) error {
		s.b.Filing.Refile()
		return nil
	})
}

// CancelRefile stops a re-file between two batches.
func (s *Filing) CancelRefile() error {
	return do(s.b, "Filing.CancelRefile", func(ctx context.Context, c caller) error {
		s.b.Filing.CancelRefile()
		return nil
	})
}

func refileProgressDTO(p filing.Progress) RefileProgressDTO {
	return RefileProgressDTO{Kind: p.Kind, Running: p.Running, Done: p.Done, Total: p.Total, Records: p.Records, Cancelled: p.Cancelled}
}
