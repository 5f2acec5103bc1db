package survey

import (
	"context"

	"parindex"
	"parindex/store"
)

// Import checks an instrument file and stores it as a draft in canonical
// form, so that its hash names its content.
func Import(ctx context.Context, db *store.DB, actor parindex.Actor, filename string, data []byte) (*Instrument, *parindex.StoredInstrument, error) {
	in, err := ParseInstrument(filename, data)
	if err != nil {
		return nil, nil, err
	}
	canonical, err := MarshalInstrument(in)
	if err != nil {
		return nil, nil, err
	}
	stored := &parindex.StoredInstrument{Code: in.Code, Name: in.Name.VI, Year: in.Year, Source: string(canonical), Hash: in.Hash()}
	if err := db.SaveInstrument(ctx, actor, stored); err != nil {
		return nil, nil, err
	}
	return in, stored, nil
}

// EnsureReference stores and publishes a reference instrument unless an
// instrument with its code already exists.
func EnsureReference(ctx context.Context, db *store.DB, actor parindex.Actor, code string) (*parindex.StoredInstrument, error) {
	if existing, err := db.InstrumentByCode(ctx, code); err == nil {
		return existing, nil
	} else if parindex.ErrorCode(err) != parindex.ECodeNotFound {
		return nil, err
	}
	in, err := ReferenceInstrument(code)
	if err != nil {
		return nil, err
	}
	data, err := MarshalInstrument(in)
	if err != nil {
		return nil, err
	}
	if _, _, err := Import(ctx, db, actor, code+".yaml", data); err != nil {
		return nil, err
	}
	if err := db.PublishInstrument(ctx, actor, code); err != nil {
		return nil, err
	}
	return db.InstrumentByCode(ctx, code)
}

// NewLinkToken returns a random link token: 96 bits, 16 URL-safe characters.
func NewLinkToken() string { return randomToken(12) }
