package survey

import (
	"fmt"
	"testing"
	"time"
)

// TestLimitsShareAcrossServers: N servers, each with its share of a limit,
// together allow what one server alone allows, never more: the burst at
// once and the rate over ten minutes, whether the load balancer takes turns
// or sends a client's requests to one server (which then gets a share).
func TestLimitsShareAcrossServers(t *testing.T) {
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for _, perMinute := range []float64{6, 30, 600} {
		alone := newLimiters(perMinute, 1)
		for _, servers := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%g a minute on %d servers", perMinute, servers), func(t *testing.T) {
				// Requests every 50 ms for ten minutes, in turn.
				each := make([]*limiters, servers)
				for i := range each {
					each[i] = newLimiters(perMinute, servers)
				}
				burst, total := 0, 0
				for i := 0; i < 12000; i++ {
					now := start.Add(time.Duration(i) * 50 * time.Millisecond)
					if each[i%servers].allow("client", now) {
						total++
						if i < servers*20 { // the first second: the burst
							burst++
						}
					}
				}
				if burst > alone.burst+1 {
					t.Errorf("a burst of %d allowed together, one server alone allows %d", burst, alone.burst)
				}
				limit := alone.burst + int(perMinute*10)
				if total > limit || float64(total) < 0.95*perMinute*10 {
					t.Errorf("%d allowed in ten minutes; want at most %d and about %g", total, limit, perMinute*10)
				}
				// Every request to one server: its share only.
				one := newLimiters(perMinute, servers)
				got := 0
				for i := 0; i < 12000; i++ {
					if one.allow("client", start.Add(time.Duration(i)*50*time.Millisecond)) {
						got++
					}
				}
				if share := perMinute * 10 / float64(servers); float64(got) > share+float64(one.burst) || float64(got) < 0.95*share {
					t.Errorf("one server alone allowed %d in ten minutes; want its share, about %g", got, share)
				}
			})
		}
	}
}
