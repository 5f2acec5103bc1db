package snapshot

import (
	"context"
	"strings"

	"parindex"
	"parindex/store"
)

// Decision is how DoHA publishes a snapshot.
type Decision struct {
	As parindex.Publication
	// Note says why; required unless the snapshot is complete and
	// published as final.
	Note string
}

// Publish freezes a draft snapshot under DoHA's decision, after checking
// the decision against the snapshot's preflight:
//   - final: only when nothing is incomplete;
//   - final with exceptions: when something is, and DoHA accepts every
//     incomplete item as it is; the items are stored as the exceptions;
//   - provisional: always allowed; every output then says provisional.
func Publish(ctx context.Context, db *store.DB, actor parindex.Actor, id int64, d Decision) error {
	snap, err := db.Snapshot(ctx, id)
	if err != nil {
		return err
	}
	if snap.Status == parindex.StatusPublished {
		return parindex.Errorf(parindex.ECodeConflict, "Bản chốt điểm số %d đã công bố (already published)", id)
	}
	rec, err := DecodeRecord(snap)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(d.Note)
	incomplete := len(rec.Preflight)
	var exceptions []string
	switch d.As {
	case parindex.PublicationFinal:
		if incomplete > 0 {
			return parindex.Errorf(parindex.ECodeInvalid,
				"Còn %d mục chưa đầy đủ: chỉ công bố tạm thời, hoặc chính thức kèm danh sách ngoại lệ (%d items are incomplete: publish as provisional, or as final with exceptions)", incomplete, incomplete)
		}
	case parindex.PublicationFinalWithExceptions:
		if incomplete == 0 {
			return parindex.Errorf(parindex.ECodeInvalid,
				"Không có mục nào chưa đầy đủ: công bố chính thức (nothing is incomplete: publish as final)")
		}
		exceptions = rec.Keys()
	case parindex.PublicationProvisional:
	default:
		return parindex.Errorf(parindex.ECodeInvalid, "Hình thức công bố %q không hợp lệ (unknown publication %q)", d.As, d.As)
	}
	if note == "" && (incomplete > 0 || d.As != parindex.PublicationFinal) {
		return parindex.Errorf(parindex.ECodeInvalid, "Cần ghi lý do công bố khi kết quả chưa đầy đủ hoặc là tạm thời (a reason is required)")
	}
	return db.PublishSnapshot(ctx, actor, id, d.As, exceptions, note)
}
