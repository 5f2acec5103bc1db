package parindex_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"parindex"
)

// TestLoginThrottleSchedule: five free failures per account and twenty per
// address, then 1 s doubling to a ceiling of 15 minutes; a known address
// escapes the address limit, not the account's.
func TestLoginThrottleSchedule(t *testing.T) {
	p := parindex.DefaultLoginThrottle
	want := map[int]time.Duration{0: 0, 1: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second,
		14: 512 * time.Second, 15: 15 * time.Minute, 16: 15 * time.Minute, 1000: 15 * time.Minute}
	for n, d := range want {
		if got := p.AccountDelay(n); got != d {
			t.Errorf("AccountDelay(%d) = %v, want %v", n, got, d)
		}
		if n > 0 && n < 1000 {
			if got := p.AddressDelay(n + 15); got != d {
				t.Errorf("AddressDelay(%d) = %v, want %v", n+15, got, d)
			}
		}
	}
	if got := p.AddressDelay(19); got != 0 {
		t.Errorf("AddressDelay(19) = %v", got)
	}
	if account, address := p.Saturation(); account != 15 || address != 30 {
		t.Errorf("Saturation = %d, %d; want 15, 30", account, address)
	}

	now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	rec := parindex.LoginRecord{AccountFailures: 6, AccountLast: now.Add(-time.Second), AddressFailures: 25, AddressLast: now.Add(-2 * time.Second)}
	if got := p.Wait(rec, now); got != 30*time.Second {
		t.Errorf("Wait = %v, want the longer of 1s and 30s", got)
	}
	rec.KnownAddress = true
	if got := p.Wait(rec, now); got != time.Second {
		t.Errorf("Wait from a known address = %v, want the account's 1s", got)
	}
	rec.AccountLast = now.Add(-time.Hour)
	if got := p.Wait(rec, now); got != 0 {
		t.Errorf("Wait after the delay = %v", got)
	}
}

// TestLoginThrottleIsDocumented holds docs/security.md to the policy: its
// table of waits is the one the policy gives.
func TestLoginThrottleIsDocumented(t *testing.T) {
	p := parindex.DefaultLoginThrottle
	doc, err := os.ReadFile("docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| account failures | address failures | wait before the next attempt |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| 1–%d | 1–%d | none |\n", p.AccountFree-1, p.AddressFree-1)
	accountCap, addressCap := p.Saturation()
	for i := 0; p.AccountFree+i < accountCap; i++ {
		a, d := p.AccountDelay(p.AccountFree+i), p.AddressDelay(p.AddressFree+i)
		if a != d {
			t.Fatalf("the account and address schedules differ at step %d (%v, %v): the table needs two wait columns", i, a, d)
		}
		fmt.Fprintf(&b, "| %d | %d | %d s |\n", p.AccountFree+i, p.AddressFree+i, int(a/time.Second))
	}
	fmt.Fprintf(&b, "| %d or more | %d or more | %d s (%d min) |\n", accountCap, addressCap,
		int(p.AccountMaxDelay/time.Second), int(p.AccountMaxDelay/time.Minute))
	if !strings.Contains(string(doc), b.String()) {
		t.Errorf("docs/security.md lacks the table of waits; the policy gives:\n%s", b.String())
	}
	for _, phrase := range []string{
		fmt.Sprintf("A failure counts for %d hours", int(p.AccountWindow/time.Hour)),
		"counts against its address for one hour",
		fmt.Sprintf("within the last %d days", int(p.KnownFor/(24*time.Hour))),
	} {
		if !strings.Contains(strings.Join(strings.Fields(string(doc)), " "), phrase) {
			t.Errorf("docs/security.md does not say %q", phrase)
		}
	}
	if p.AddressWindow != time.Hour {
		t.Errorf("the address window is %v; docs/security.md says one hour", p.AddressWindow)
	}
}
