package assessment

import (
	"parindex"
	"parindex/criteria"
)

// CheckEvidenceChange says why the agency may not add or withdraw
// evidence files now, or nil when it may: while it may change its scores
// or write explanations.
func (a *Assessment) CheckEvidenceChange() error {
	if AgencyMayEdit(a.State, a.Locked) || AgencyMayExplain(a.State, a.Locked) {
		return nil
	}
	return a.editRefused()
}

// CheckEvidence says why the agency may not add an evidence file to leaf
// node of framework f now, or nil when it may: CheckEvidenceChange, on a
// leaf appraisers decide.
func (a *Assessment) CheckEvidence(f *criteria.Framework, node string) error {
	if err := a.CheckEvidenceChange(); err != nil {
		return err
	}
	if n := f.Find(node); n == nil || !Appraisable(n) {
		return parindex.Errorf(parindex.ECodeInvalid, "%q không phải là tiêu chí nhận tài liệu kiểm chứng (not a leaf that takes evidence)", node)
	}
	return nil
}

// TooLargeError is the refusal of an evidence file above the limit, in
// bytes.
func TooLargeError(maxSize int64) error {
	mb := float64(maxSize) / (1 << 20)
	return parindex.Errorf(parindex.ECodeInvalid, "Tệp quá lớn: tối đa %s MB mỗi tệp (the file is too large: at most %s MB per file)",
		num(mb, true), num(mb, false))
}
