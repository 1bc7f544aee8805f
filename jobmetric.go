package railyard

import "encoding/json"

// JobMetric is Argo Rollouts' `job` metric provider: a Kubernetes Job.
// Railyard has no cluster to run it in, so the worker runs the Job's one
// container's command and args as a process, with the container's env and
// workingDir: exit code 0 is a Successful measurement, anything else
// Failed. Which Job fields apply is said in the README; the others are
// refused by name or as unknown fields.
type JobMetric struct {
	Metadata *JobObjectMeta `json:"metadata,omitempty"` // kept; no effect
	Spec     JobSpec        `json:"spec"`
}

// JobObjectMeta is the labels and annotations of a Job or its pod.
type JobObjectMeta struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// JobSpec is the part of a Kubernetes JobSpec Railyard reads.
type JobSpec struct {
	// BackoffLimit is how many times a failed run is retried (Kubernetes'
	// default is 6).
	BackoffLimit *int `json:"backoffLimit,omitempty"`
	// ActiveDeadlineSeconds bounds all runs together.
	ActiveDeadlineSeconds *int64      `json:"activeDeadlineSeconds,omitempty"`
	Template              JobTemplate `json:"template"`
}

// JobTemplate is the Job's pod template.
type JobTemplate struct {
	Metadata *JobObjectMeta `json:"metadata,omitempty"` // kept; no effect
	Spec     JobPodSpec     `json:"spec"`
}

// JobPodSpec is the part of a pod spec Railyard reads.
type JobPodSpec struct {
	Containers    []JobContainer `json:"containers"`
	RestartPolicy string         `json:"restartPolicy,omitempty"` // Never or OnFailure; both retry up to backoffLimit
}

// JobContainer is the container whose command runs.
type JobContainer struct {
	Name       string      `json:"name"`
	Image      string      `json:"image,omitempty"` // not pulled: the command runs on the worker
	Command    []string    `json:"command,omitempty"`
	Args       []string    `json:"args,omitempty"`
	Env        []JobEnvVar `json:"env,omitempty"`
	WorkingDir string      `json:"workingDir,omitempty"`
}

// JobEnvVar is one environment variable of the container.
type JobEnvVar struct {
	Name      string          `json:"name"`
	Value     string          `json:"value,omitempty"`
	ValueFrom json.RawMessage `json:"valueFrom,omitempty"` // refused by config: not supported yet
}

// DefaultJobBackoffLimit is Kubernetes' default backoffLimit.
const DefaultJobBackoffLimit = 6
