package clock

import (
	"testing"
	"time"
)

func TestFakeAfterAdvancesAndRecords(t *testing.T) {
	start := time.Date(2028, 2, 28, 23, 59, 0, 0, time.FixedZone("UTC+8", 8*3600))
	f := NewFake(start)
	if got := f.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Fatalf("Now() = %v, want %v in UTC", got, start)
	}
	fired := <-f.After(90 * time.Second)
	if want := start.Add(90 * time.Second); !fired.Equal(want) || !f.Now().Equal(want) {
		t.Fatalf("After fired at %v, Now() = %v, want %v", fired, f.Now(), want)
	}
	f.Advance(time.Hour)
	f.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if got := f.Now(); !got.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Set: Now() = %v", got)
	}
	if s := f.Slept(); len(s) != 1 || s[0] != 90*time.Second {
		t.Fatalf("Slept() = %v, want [1m30s] (Advance and Set are not sleeps)", s)
	}
}

func TestRealIsUTC(t *testing.T) {
	if loc := (Real{}).Now().Location(); loc != time.UTC {
		t.Fatalf("Real.Now() is in %v, want UTC", loc)
	}
}
