package parindex

import "time"

// LoginThrottle is the policy that slows password guessing without
// locking anyone out (docs/security.md). A few failures are free; after
// them every failure doubles the wait before the next attempt, up to a
// ceiling. An attempt made before the wait has passed is refused without
// checking the password and does not count as a failure, so hammering
// does not make the wait longer.
//
// Failures are counted per account and per client address. An account that
// has logged in from an address recently ("a known address") is judged
// from that address by its own failures there only: the address limit does
// not apply to it, and neither do failures from elsewhere. So an attacker
// guessing the administrator's password from home cannot keep the
// administrator out at the office, and colleagues' typing mistakes behind
// the office's one public address do not delay anyone who works there.
type LoginThrottle struct {
	FirstDelay time.Duration // the wait after the last free failure; it doubles with each further one

	AccountFree     int           // failures an account may have before its next attempt waits
	AccountWindow   time.Duration // how long a failure of an account counts (a successful login ends it sooner)
	AccountMaxDelay time.Duration

	AddressFree     int           // the same for one client address, whatever the accounts
	AddressWindow   time.Duration // how long a failure counts against its address
	AddressMaxDelay time.Duration

	KnownFor time.Duration // how long a successful login makes its address known for the account
}

// DefaultLoginThrottle is the policy of the product. docs/security.md
// states these numbers; a test holds the two together.
var DefaultLoginThrottle = LoginThrottle{
	FirstDelay:      time.Second,
	AccountFree:     5,
	AccountWindow:   24 * time.Hour,
	AccountMaxDelay: 15 * time.Minute,
	AddressFree:     20,
	AddressWindow:   time.Hour,
	AddressMaxDelay: 15 * time.Minute,
	KnownFor:        30 * 24 * time.Hour,
}

// LoginRecord is what the store found about one attempt, under the
// windows of a LoginThrottle.
type LoginRecord struct {
	// KnownAddress: the account logged in successfully from this address
	// within KnownFor.
	KnownAddress bool
	// AccountFailures counts the failures of the account within
	// AccountWindow that came after its last successful login, from this
	// address only when it is known; AccountLast is the latest of them.
	AccountFailures int
	AccountLast     time.Time
	// AddressFailures counts the failures from this address within
	// AddressWindow, for any account; AddressLast is the latest of them.
	AddressFailures int
	AddressLast     time.Time
}

// Wait returns how long after now the attempt must wait; zero lets it try
// its password now.
func (p LoginThrottle) Wait(r LoginRecord, now time.Time) time.Duration {
	wait := remaining(r.AccountLast, p.AccountDelay(r.AccountFailures), now)
	if !r.KnownAddress {
		wait = max(wait, remaining(r.AddressLast, p.AddressDelay(r.AddressFailures), now))
	}
	return wait
}

// AccountDelay is the wait after an account's nth counted failure.
func (p LoginThrottle) AccountDelay(n int) time.Duration {
	return p.delay(n, p.AccountFree, p.AccountMaxDelay)
}

// AddressDelay is the wait after an address's nth counted failure.
func (p LoginThrottle) AddressDelay(n int) time.Duration {
	return p.delay(n, p.AddressFree, p.AddressMaxDelay)
}

// Saturation returns, for accounts and for addresses, the number of
// failures from which the wait no longer grows: the store need not count
// further.
func (p LoginThrottle) Saturation() (account, address int) {
	return saturation(p.AccountFree, p.FirstDelay, p.AccountMaxDelay), saturation(p.AddressFree, p.FirstDelay, p.AddressMaxDelay)
}

// delay: nothing before the last free failure, FirstDelay after it, twice
// as long after each further one, never more than ceiling.
func (p LoginThrottle) delay(n, free int, ceiling time.Duration) time.Duration {
	if n == 0 || n < free {
		return 0
	}
	d := p.FirstDelay
	for i := max(free, 1); i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

func saturation(free int, first, ceiling time.Duration) int {
	n := max(free, 1)
	for d := first; d < ceiling && d > 0; d *= 2 {
		n++
	}
	return n
}

func remaining(last time.Time, delay time.Duration, now time.Time) time.Duration {
	if delay <= 0 || last.IsZero() {
		return 0
	}
	return max(last.Add(delay).Sub(now), 0)
}
