package api

import (
	"context"

	"mailroom/backend/records"
)

// RecordsChangedEvent tells the UI that records changed (RecordsChangedDTO): it re-reads
// the lists and pages it shows.
const RecordsChangedEvent = "records:changed"

// FieldKinds and FilterOps are the records' enums, for the generated contract.
var (
	FieldKinds = records.Kinds
	FilterOps  = records.Ops
)

// Records are the business records (F10, F20): contacts, companies and the types admins
// define. Everyone signed in reads and edits records; admins define types and fields and
// empty the trash.
type Records struct{ b *Backend }

func (s *Records) changed(ch records.Change) {
	if ch.IDs == nil {
		ch.IDs = []int64{}
	}
	if ch.TypeIDs == nil {
		ch.TypeIDs = []int64{}
	}
	s.b.emit(RecordsChangedEvent, RecordsChangedDTO{TypeIDs: ch.TypeIDs, RecordIDs: ch.IDs})
}

// Types returns every type with its fields, contacts and companies first.
func (s *Records) Types() ([]RecordTypeDTO, error) {
	return run(s.b, "Records.Types", func(ctx context.Context, c caller) ([]RecordTypeDTO, error) {
		sc, err := s.b.Records.Schema(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]RecordTypeDTO, 0, len(sc.Types))
		for _, t := range sc.Types {
			out = append(out, recordTypeDTO(*t))
		}
		return out, nil
	})
}

// CreateType defines a type with a text field that titles its records.
func (s *Records) CreateType(in TypeInputDTO) (RecordTypeDTO, error) {
	return run(s.b, "Records.CreateType", func(ctx context.Context, c caller) (RecordTypeDTO, error) {
		t, err := s.b.Records.CreateType(ctx, c.user.ID, records.TypeInput{Singular: in.Singular, Plural: in.Plural, TitleLabel: in.TitleLabel})
		if err != nil {
			return RecordTypeDTO{}, err
		}
		s.changed(records.Change{})
		return recordTypeDTO(t), nil
	})
}

// UpdateType renames a type and may choose another title field.
func (s *Records) UpdateType(id int64, in TypeInputDTO) (RecordTypeDTO, error) {
	return run(s.b, "Records.UpdateType", func(ctx context.Context, c caller) (RecordTypeDTO, error) {
		t, err := s.b.Records.UpdateType(ctx, id, records.TypeChange{Singular: in.Singular, Plural: in.Plural, TitleFieldID: in.TitleFieldID})
		if err != nil {
			return RecordTypeDTO{}, err
		}
		s.changed(records.Change{TypeIDs: []int64{id}})
		return recordTypeDTO(t), nil
	})
}

// DeleteType deletes a type that holds no record and that no other type links to.
func (s *Records) DeleteType(id int64) error {
	return do(s.b, "Records.DeleteType", func(ctx context.Context, c caller) error {
		if err := s.b.Records.DeleteType(ctx, id); err != nil {
			return err
		}
		s.changed(records.Change{})
		return nil
	})
}

// AddField adds a field to a type.
func (s *Records) AddField(typeID int64, in FieldInputDTO) (FieldDTO, error) {
	return run(s.b, "Records.AddField", func(ctx context.Context, c caller) (FieldDTO, error) {
		choices := make([]string, len(in.Choices))
		for i, ch := range in.Choices {
			choices[i] = ch.Label
		}
		f, err := s.b.Records.AddField(ctx, typeID, records.FieldInput{Label: in.Label, Kind: records.Kind(in.Kind),
			Multiple: in.Multiple, Currency: in.Currency, TargetTypeID: in.TargetTypeID, Choices: choices})
		if err != nil {
			return FieldDTO{}, err
		}
		s.changed(records.Change{TypeIDs: []int64{typeID}})
		return fieldDTO(f), nil
	})
}

// UpdateField renames a field, changes its currency or edits its choices.
func (s *Records) UpdateField(id int64, in FieldInputDTO) (FieldDTO, error) {
	return run(s.b, "Records.UpdateField", func(ctx context.Context, c caller) (FieldDTO, error) {
		var choices []records.ChoiceInput
		if in.Choices != nil {
			choices = make([]records.ChoiceInput, len(in.Choices))
			for i, ch := range in.Choices {
				choices[i] = records.ChoiceInput{ID: ch.ID, Label: ch.Label}
			}
		}
		f, err := s.b.Records.UpdateField(ctx, id, records.FieldChange{Label: in.Label, Currency: in.Currency, Choices: choices})
		if err != nil {
			return FieldDTO{}, err
		}
		s.changed(records.Change{TypeIDs: []int64{f.TypeID}})
		return fieldDTO(f), nil
	})
}

// FieldUsage says how many records hold a value of a field and of each of its choices.
func (s *Records) FieldUsage(id int64) (FieldUsageDTO, error) {
	return run(s.b, "Records.FieldUsage", func(ctx context.Context, c caller) (FieldUsageDTO, error) {
		u, err := s.b.Records.FieldUsage(ctx, id)
		if err != nil {
			return FieldUsageDTO{}, err
		}
		out := FieldUsageDTO{Records: u.Records, Choices: []ChoiceUsageDTO{}}
		for cid, n := range u.Choices {
			out.Choices = append(out.Choices, ChoiceUsageDTO{ChoiceID: cid, Records: n})
		}
		return out, nil
	})
}

// DeleteField deletes a field and its values (ask first with FieldUsage).
func (s *Records) DeleteField(id int64) error {
	return do(s.b, "Records.DeleteField", func(ctx context.Context, c caller) error {
		if err := s.b.Records.DeleteField(ctx, id); err != nil {
			return err
		}
		s.changed(records.Change{})
		return nil
	})
}

// List returns one page of a type's records.
func (s *Records) List(q RecordQueryDTO) (RecordPageDTO, error) {
	return run(s.b, "Records.List", func(ctx context.Context, c caller) (RecordPageDTO, error) {
		p, err := s.b.Records.List(ctx, records.Query{TypeID: q.TypeID, Search: q.Search,
			Sort: records.Sort{Field: q.Sort.Field, Desc: q.Sort.Desc}, Filters: filtersIn(q.Filters),
			Columns: q.Columns, Cursor: q.Cursor, Limit: q.Limit})
		if err != nil {
			return RecordPageDTO{}, err
		}
		out := RecordPageDTO{Records: make([]RecordDTO, 0, len(p.Records)), Next: p.Next, Total: p.Total}
		for _, r := range p.Records {
			out.Records = append(out.Records, recordDTO(r))
		}
		return out, nil
	})
}

// Get returns a record with the records that link to it.
func (s *Records) Get(id int64) (RecordDetailDTO, error) {
	return run(s.b, "Records.Get", func(ctx context.Context, c caller) (RecordDetailDTO, error) {
		d, err := s.b.Records.Get(ctx, id)
		if err != nil {
			return RecordDetailDTO{}, err
		}
		out := RecordDetailDTO{Record: recordDTO(d.Record), Backlinks: []BacklinksDTO{}}
		for _, b := range d.Backlinks {
			out.Backlinks = append(out.Backlinks, BacklinksDTO{FieldID: b.FieldID, TypeID: b.TypeID, Records: linkRefDTOs(b.Records), Total: b.Total})
		}
		return out, nil
	})
}

// Create adds a record.
func (s *Records) Create(in RecordInputDTO) (RecordDTO, error) {
	return run(s.b, "Records.Create", func(ctx context.Context, c caller) (RecordDTO, error) {
		r, err := s.b.Records.Create(ctx, c.user.ID, in.TypeID, records.Values(in.Values))
		if err != nil {
			return RecordDTO{}, err
		}
		s.changed(records.Change{IDs: []int64{r.ID}, TypeIDs: []int64{r.TypeID}})
		return recordDTO(r), nil
	})
}

// Update changes the fields given (one field edited in place, or several).
func (s *Records) Update(id int64, in RecordInputDTO) (RecordDTO, error) {
	return run(s.b, "Records.Update", func(ctx context.Context, c caller) (RecordDTO, error) {
		r, err := s.b.Records.Update(ctx, c.user.ID, id, records.Values(in.Values))
		if err != nil {
			return RecordDTO{}, err
		}
		s.changed(records.Change{IDs: []int64{r.ID}, TypeIDs: []int64{r.TypeID}})
		return recordDTO(r), nil
	})
}

// Delete moves records to the trash.
func (s *Records) Delete(ids []int64) error {
	return do(s.b, "Records.Delete", func(ctx context.Context, c caller) error {
		ch, err := s.b.Records.Delete(ctx, c.user.ID, ids...)
		if err == nil {
			s.changed(ch)
		}
		return err
	})
}

// Restore takes records out of the trash.
func (s *Records) Restore(ids []int64) error {
	return do(s.b, "Records.Restore", func(ctx context.Context, c caller) error {
		ch, err := s.b.Records.Restore(ctx, c.user.ID, ids...)
		if err == nil {
			s.changed(ch)
		}
		return err
	})
}

// Trash lists the records in the trash, most recently deleted first; before is the last id
// of the previous page (0 for the first).
func (s *Records) Trash(before int64, limit int) ([]TrashItemDTO, error) {
	return run(s.b, "Records.Trash", func(ctx context.Context, c caller) ([]TrashItemDTO, error) {
		items, err := s.b.Records.Trash(ctx, before, limit)
		if err != nil {
			return nil, err
		}
		out := make([]TrashItemDTO, 0, len(items))
		for _, it := range items {
			out = append(out, TrashItemDTO{ID: it.ID, TypeID: it.TypeID, Title: it.Title, DeletedAt: rfc3339(it.DeletedAt), DeletedByName: it.DeletedByName})
		}
		return out, nil
	})
}

// EmptyTrash deletes every record in the trash for good and returns how many.
func (s *Records) EmptyTrash() (int, error) {
	return run(s.b, "Records.EmptyTrash", func(ctx context.Context, c caller) (int, error) {
		n, err := s.b.Records.EmptyTrash(ctx)
		if err == nil && n > 0 {
			s.changed(records.Change{})
		}
		return n, err
	})
}

// Views lists the caller's saved views of a type.
func (s *Records) Views(typeID int64) ([]ViewDTO, error) {
	return run(s.b, "Records.Views", func(ctx context.Context, c caller) ([]ViewDTO, error) {
		vs, err := s.b.Records.Views(ctx, c.user.ID, typeID)
		if err != nil {
			return nil, err
		}
		out := make([]ViewDTO, 0, len(vs))
		for _, v := range vs {
			out = append(out, viewDTO(v))
		}
		return out, nil
	})
}

// SaveView creates (id 0) or replaces one of the caller's views.
func (s *Records) SaveView(v ViewDTO) (ViewDTO, error) {
	return run(s.b, "Records.SaveView", func(ctx context.Context, c caller) (ViewDTO, error) {
		saved, err := s.b.Records.SaveView(ctx, c.user.ID, records.View{ID: v.ID, TypeID: v.TypeID, Name: v.Name,
			Spec: records.ViewSpec{Columns: v.Columns, Sort: records.Sort{Field: v.Sort.Field, Desc: v.Sort.Desc},
				Filters: filtersIn(v.Filters), Search: v.Search}})
		if err != nil {
			return ViewDTO{}, err
		}
		return viewDTO(saved), nil
	})
}

// DeleteView deletes one of the caller's views.
func (s *Records) DeleteView(id int64) error {
	return do(s.b, "Records.DeleteView", func(ctx context.Context, c caller) error {
		return s.b.Records.DeleteView(ctx, c.user.ID, id)
	})
}
