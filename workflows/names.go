// Package workflows orchestrates Railyard: one long-lived workflow per
// Project, per Warehouse (Pipeline) and per Stage, and one short Promotion
// workflow per promotion. Workflow code reads only its input, activity
// results and messages; every side effect is an activity.
package workflows

// TaskQueue is the default shared task queue of workflows and non-affine
// activities (railyard-worker --task-queue, railyard apply --task-queue);
// workflows start the others on the queue they run on.
const TaskQueue = "railyard"

// Workflow type names, as registered.
const (
	ProjectWorkflowType   = "Project"
	PipelineWorkflowType  = "Pipeline"
	StageWorkflowType     = "Stage"
	PromotionWorkflowType = "Promotion"
	SharedWorkflowType    = "Shared"
)

// Message names. Commands that need an answer are updates with validators;
// notifications are signals; reads are queries.
const (
	UpdateApply   = "apply"   // Project: apply a configuration; Shared: add shared resources
	UpdatePromote = "promote" // Pipeline: promote Freight to a stage
	SignalPromote = "promote" // Pipeline: the same, fire-and-forget
	UpdateApprove = "approve" // Pipeline: approve Freight for a stage
	SignalApprove = "approve"
	SignalRefresh = "refresh" // Pipeline: discover now

	SignalReceivers = "webhook-receivers" // worker → Project: receiver URLs

	UpdateCreateFreight = "create-freight" // Pipeline: assemble Freight by hand
	UpdateAlias         = "alias"          // Pipeline: rename Freight

	SignalConfigure   = "configure"          // Project → Pipeline/Stage
	SignalRetire      = "retire"             // Project → Pipeline/Stage
	SignalRequest     = "request"            // Pipeline → Stage: promote this Freight
	SignalStageEvent  = "stage-event"        // Stage → Pipeline: what the stage holds
	SignalUpstream    = "upstream"           // Stage → downstream Stage
	UpdateVerify      = "verify"             // Stage: re-verify or abort verification
	UpdatePromoteFrom = "promote-collection" // Stage: promote an upstream stage's whole collection
	UpdateAbort       = "abort"              // Stage: abort a queued or running promotion
	SignalPoll        = "poll"               // webhook → Promotion: run the waiting step now

	QueryConfig    = "config"
	QueryStatus    = "status"
	QueryFreight   = "freight"
	QueryPromotion = "promotions"
)
