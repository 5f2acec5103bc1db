package web

import (
	"context"

	"parindex/i18n"
	"parindex/web/kit"
)

// People read names, not codes. Unit types, roles and states are catalogue
// keys (package i18n); names that are data come from the data: metrics from
// the metric catalogue table, frameworks and instruments from their
// records. The helpers below are the one place each is looked up.

// unitTypeName names a unit type: the catalogue's label (unit_type.<code>),
// or, for a type added to the org_types table as data alone, the name
// stored there.
func (s *Server) unitTypeName(lang, code string) string {
	if i18n.Has("unit_type." + code) {
		return i18n.T(lang, "unit_type."+code)
	}
	types, err := s.db.OrgTypes(context.Background())
	if err == nil {
		for _, t := range types {
			if t.Code == code {
				return kit.PickName(lang, t.NameVI, t.NameEN)
			}
		}
	}
	return code
}
