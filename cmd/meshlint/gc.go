package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A lint holds every object with its positions for the whole run, and
// parsing makes several times that in garbage. With Go's default alone
// (collect when the heap doubles) a 10,000-object lint peaked at 210 MiB;
// collecting more often all along (at 1.3x, as meshlint did) cost a fifth
// more CPU, most of it while parsing, when little is live and collections
// are cheap to skip. So meshlint keeps Go's default and sets a soft memory
// limit: collections come more often only when the heap nears the limit.
//
// A fixed limit would make a larger input (whose live heap nears it) collect
// without pause, so the limit follows the live heap: after each collection
// it is raised, if need be, to leave the heap half the live size again to
// grow into, the way GOGC=50 would.
const (
	softMemoryLimit = 90 << 20
	// minHeadroom is the growth the heap always has before the next
	// collection, as a fraction of the live heap.
	minHeadroom = 0.5
)

// tuneGC applies the policy above, unless GOGC or GOMEMLIMIT choose
// otherwise.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(softMemoryLimit)
	t := &gcTuner{limit: softMemoryLimit, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.arm()
}

type gcTuner struct {
	limit  int64
	sample []metrics.Sample
	// stop, once set, ends the tuning after the next collection (tests).
	stop atomic.Bool
}

// arm runs check after the next collection: the finalizer of an object
// nothing refers to runs once a collection has found it unreachable.
func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t}, func(s *gcSentinel) { s.t.check() })
}

type gcSentinel struct{ t *gcTuner }

func (t *gcTuner) check() {
	if t.stop.Load() {
		return
	}
	metrics.Read(t.sample)
	live := int64(t.sample[0].Value.Uint64())
	if want := live + int64(float64(live)*minHeadroom); want > t.limit {
		t.limit = want
		debug.SetMemoryLimit(want)
	}
	t.arm()
}
