package railyard

import (
	"strings"
	"time"
)

// Search attribute names registered in the Temporal namespace.
const (
	SearchAttrProject   = "RailyardProject"
	SearchAttrWarehouse = "RailyardWarehouse"
	SearchAttrStage     = "RailyardStage"
	SearchAttrFreight   = "RailyardFreight"
)

// SearchAttributes lists every search attribute Railyard uses (all Keyword).
var SearchAttributes = []string{SearchAttrProject, SearchAttrWarehouse, SearchAttrStage, SearchAttrFreight}

// ProjectWorkflowID is the ID of a project's Project workflow.
func ProjectWorkflowID(project string) string { return project }

// PipelineWorkflowID is the ID of a Warehouse's Pipeline workflow.
func PipelineWorkflowID(project, warehouse string) string {
	return project + "/pipeline/" + warehouse
}

// StageWorkflowID is the ID of a Stage's Stage workflow.
func StageWorkflowID(project, stage string) string {
	return project + "/stage/" + stage
}

// HealthQueue is the task queue of the Argo CD health watches of the
// Stages on queue: each watch waits for a change for up to half an hour, so
// they have their own queue and worker slots, and never hold a slot that
// discovery or configuration needs.
func HealthQueue(queue string) string { return queue + "-health" }

// PromotionWorkflowID is the ID of one Promotion workflow.
func PromotionWorkflowID(project, stage, promotion string) string {
	return project + "/promotion/" + stage + "/" + promotion
}

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// PromotionName names a promotion "<stage>.<sortable id>.<freight[:7]>" so
// that names of one stage sort in creation order, as Kargo's do. at and seq
// must come from workflow time and state to stay deterministic.
func PromotionName(stage string, at time.Time, seq int, freightID string) string {
	var b strings.Builder
	ms := uint64(at.UnixMilli())
	ts := make([]byte, 10)
	for i := 9; i >= 0; i-- {
		ts[i] = crockford[ms&31]
		ms >>= 5
	}
	b.WriteString(stage + ".")
	b.Write(ts)
	n := uint64(seq)
	sq := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		sq[i] = crockford[n&31]
		n >>= 5
	}
	b.Write(sq)
	if len(freightID) > 7 {
		freightID = freightID[:7]
	}
	if freightID != "" {
		b.WriteString("." + freightID)
	}
	return b.String()
}
