package dashboard_test

import (
	"reflect"
	"testing"
	"time"

	"parindex"
	"parindex/dashboard"
	"parindex/integrity"
	"parindex/store"
)

// A link's drill-down counts an hour as the policy does (a Saturday and a
// holiday morning are outside office hours, like an evening), says plainly
// that no slot was kept, and shows devices by rank with their shares.
func TestLinkIntegrityPanels(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	at := func(day, hour int) time.Time { return time.Date(2026, 9, day, hour, 0, 0, 0, ict) }
	link := integrity.Link{Hours: []integrity.HourCount{
		{Hour: at(7, 9), Count: 5},   // Monday
		{Hour: at(12, 10), Count: 2}, // Saturday
		{Hour: at(2, 10), Count: 1},  // Wednesday, National Day
		{Hour: at(8, 10), Count: 4},  // Tuesday
		{Hour: at(7, 19), Count: 3},  // Monday evening
	}}
	devices := store.LinkDevices{Busiest: []int{4, 1}, Other: 2, Unrecorded: 3}
	panels, err := dashboard.LinkIntegrityPanels(keys, parindex.NewClock(ict), integrity.DefaultPolicy(), link, nil, devices)
	if err != nil {
		t.Fatal(err)
	}
	if len(panels) != 3 {
		t.Fatalf("%d panels, want 3", len(panels))
	}
	hours, slots, devs := panels[0], panels[1], panels[2]
	row := func(p dashboard.Panel, i int) []string {
		var out []string
		for _, c := range p.Table.Rows[i] {
			out = append(out, c.Text)
		}
		return out
	}
	if len(hours.Table.Rows) != 24 || hours.Option == nil {
		t.Fatalf("hours: %d rows, chart %v", len(hours.Table.Rows), hours.Option != nil)
	}
	for h, want := range map[int][]string{
		9:  {"09:00–09:59", "5", "0", "5"},
		10: {"10:00–10:59", "4", "3", "7"},
		19: {"19:00–19:59", "0", "3", "3"},
		3:  {"03:00–03:59", "0", "0", "0"},
	} {
		if got := row(hours, h); !reflect.DeepEqual(got, want) {
			t.Errorf("hour %d: %v, want %v", h, got, want)
		}
	}
	if slots.Table != nil || slots.Option != nil || slots.Note != "integrity.slots_none3" {
		t.Errorf("no slot kept, yet the timeline has a table or chart, or says %q", slots.Note)
	}
	want := [][]string{{"integrity.device1", "4", "40,0"}, {"integrity.device2", "1", "10,0"},
		{"integrity.device_other", "2", "20,0"}, {"integrity.device_none", "3", "30,0"}}
	for i, w := range want {
		if got := row(devs, i); !reflect.DeepEqual(got, w) {
			t.Errorf("device row %d: %v, want %v", i, got, w)
		}
	}
	if len(devs.Table.Rows) != len(want) || devs.Option == nil {
		t.Errorf("devices: %d rows, chart %v", len(devs.Table.Rows), devs.Option != nil)
	}

	// A kept slot is listed at the clock's time, start to end.
	slot := integrity.Slot{Start: time.Date(2026, 10, 14, 3, 30, 0, 0, time.UTC), Responses: 40}
	panels, err = dashboard.LinkIntegrityPanels(keys, parindex.NewClock(ict), integrity.DefaultPolicy(), link, []integrity.Slot{slot}, devices)
	if err != nil {
		t.Fatal(err)
	}
	if got := row(panels[1], 0); !reflect.DeepEqual(got, []string{"14/10/2026 10:30–10:35", "40"}) {
		t.Errorf("the kept slot reads %v", got)
	}
}
