package web

import "time"

// SetLiveTimings shortens the live counter's heartbeat and stream life and
// sets its streams per user, for tests of package web_test.
func SetLiveTimings(s *Server, heartbeat, maxLife time.Duration, perUser int) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	s.live.opts.Heartbeat, s.live.opts.MaxLife, s.live.opts.PerUser = heartbeat, maxLife, perUser
}
