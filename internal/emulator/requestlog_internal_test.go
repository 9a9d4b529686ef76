package emulator

import (
	"strconv"
	"testing"
)

func TestRequestLogRing(t *testing.T) {
	l := newRequestLog(3)
	paths := func() string {
		s := ""
		for _, r := range l.list() {
			s += r.Path
		}
		return s
	}
	if got := l.list(); got == nil || len(got) != 0 {
		t.Fatalf("empty log lists %#v", got)
	}
	for i := 1; i <= 7; i++ {
		l.add(RequestRecord{Path: strconv.Itoa(i)})
		want := ""
		for j := max(1, i-2); j <= i; j++ {
			want += strconv.Itoa(j)
		}
		if got := paths(); got != want {
			t.Fatalf("after %d adds: %q, want %q", i, got, want)
		}
	}
	if len(l.recs) != 3 || cap(l.recs) > 4 {
		t.Fatalf("the ring grew: len %d cap %d", len(l.recs), cap(l.recs))
	}
	l.clear()
	if got := paths(); got != "" {
		t.Fatalf("after clear: %q", got)
	}
	l.add(RequestRecord{Path: "x"})
	if got := paths(); got != "x" {
		t.Fatalf("after clear and add: %q", got)
	}
}

// Adding to a full log does not allocate (it used to copy the whole log on every request).
func TestRequestLogFullAddDoesNotAllocate(t *testing.T) {
	l := newRequestLog(maxRequestLog)
	for i := 0; i < maxRequestLog; i++ {
		l.add(RequestRecord{})
	}
	if n := testing.AllocsPerRun(1000, func() { l.add(RequestRecord{Path: "/p"}) }); n != 0 {
		t.Fatalf("%v allocations per add to a full log", n)
	}
}
