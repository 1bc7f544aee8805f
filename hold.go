package railyard

import "time"

// Hold pauses auto-promotion of a Warehouse's Freight into a stage after a
// manual promotion of Freight other than the auto-promotion candidate.
type Hold struct {
	Freight   string    `json:"freight"`
	Promotion string    `json:"promotion"`
	Actor     string    `json:"actor,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Holds are a Pipeline's holds, by stage.
type Holds map[string]Hold

// AfterManual returns the holds after a manual promotion into r's stage
// (h says of which Freight, by whom): promoting the auto-promotion
// candidate releases the stage, promoting anything else holds it. A stage
// that does not auto-promote, or has no candidate (""), is left as it is.
func (hs Holds) AfterManual(r RouteStage, h Hold, candidate string) Holds {
	switch {
	case !r.AutoPromote || candidate == "":
		return hs
	case candidate == h.Freight:
		delete(hs, r.Stage)
		return hs
	}
	if hs == nil {
		hs = Holds{}
	}
	hs[r.Stage] = h
	return hs
}

// DropStale removes the holds of stages that left the route or no longer
// auto-promote.
func (hs Holds) DropStale(route Route) {
	for stage := range hs {
		if r, ok := route.Find(stage); !ok || !r.AutoPromote {
			delete(hs, stage)
		}
	}
}
