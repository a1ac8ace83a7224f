package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// The soft limit follows the live heap: a run whose live heap passes the
// limit gets half its live size again to grow into, instead of collecting
// without pause against the limit.
func TestGCLimitFollowsLiveHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	tuner := &gcTuner{limit: 1 << 20, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	defer tuner.stop.Store(true)
	debug.SetMemoryLimit(tuner.limit)
	live := make([][]byte, 32)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	tuner.arm()
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < 48<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB with 32 MiB live", debug.SetMemoryLimit(-1)>>20)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
}
