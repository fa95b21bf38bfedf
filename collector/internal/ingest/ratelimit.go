package ingest

import (
	"sync"
	"time"
)

// limiter is a token bucket of sightings per agent, shared by all the
// agent's streams: a runaway or malicious agent cannot crowd out the fleet.
type limiter struct {
	rate  float64 // sightings per second; 0 is no limit
	burst float64
	mu    sync.Mutex // guards buckets
	// buckets holds, per agent, the tokens left and when they were counted.
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: max(float64(burst), rate), buckets: map[string]*bucket{}}
}

// take spends n tokens of the agent's bucket. When there are not enough it
// spends nothing and says how long until there would be.
func (l *limiter) take(agent string, n int, now time.Time) (ok bool, wait time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[agent]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[agent] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	need := float64(n)
	if need > l.burst {
		need = l.burst // a batch larger than the burst waits for a full bucket
	}
	if b.tokens >= need {
		b.tokens -= need
		return true, 0
	}
	return false, time.Duration((need - b.tokens) / l.rate * float64(time.Second))
}
