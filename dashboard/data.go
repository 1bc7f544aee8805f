package dashboard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// snapshot is what the dashboard knows of one project, read through the
// workflows' queries at one moment.
type snapshot struct {
	Project    string                             `json:"project"`
	Resources  railyard.Resources                 `json:"resources"`
	Stages     map[string]workflows.StageState    `json:"stages"`
	Pipelines  map[string]workflows.PipelineState `json:"pipelines"`
	Freight    map[string][]railyard.Freight      `json:"freight"` // warehouse → newest first
	Version    string                             `json:"-"`
	ReadAt     time.Time                          `json:"-"`
	ReadFor    time.Duration                      `json:"-"`
	Unreadable []string                           `json:"unreadable,omitempty"` // workflows that did not answer
}

// maxAge is how long a snapshot serves every page of a project: ten open
// pages polling every second cost one round of queries per maxAge.
const maxAge = 500 * time.Millisecond

type cached struct {
	mu   sync.Mutex
	snap *snapshot
	err  error
}

// snapshot returns the project's snapshot, reading it again when it is
// older than maxAge; concurrent callers share one read.
func (s *Server) snapshot(ctx context.Context, project string) (*snapshot, error) {
	s.mu.Lock()
	c, ok := s.cache[project]
	if !ok {
		c = &cached{}
		s.cache[project] = c
	}
	s.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && s.now().Sub(c.snap.ReadAt) < maxAge {
		return c.snap, nil
	}
	snap, err := s.read(ctx, project)
	if err != nil {
		return nil, err
	}
	c.snap = snap
	return snap, nil
}

// forget drops a project's snapshot so the page after an action shows it.
func (s *Server) forget(project string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cache, project)
}

// read queries the Project for its resources, then every Stage and
// Pipeline at once.
func (s *Server) read(ctx context.Context, project string) (*snapshot, error) {
	start := s.now()
	var res *railyard.Resources
	if err := s.query(ctx, railyard.ProjectWorkflowID(project), workflows.QueryConfig, &res); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, fmt.Errorf("project %s has no applied configuration yet", project)
	}
	snap := &snapshot{Project: project, Resources: *res, Stages: map[string]workflows.StageState{},
		Pipelines: map[string]workflows.PipelineState{}, Freight: map[string][]railyard.Freight{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	failed := func(id string) {
		mu.Lock()
		snap.Unreadable = append(snap.Unreadable, id)
		mu.Unlock()
	}
	for _, st := range res.Stages {
		wg.Go(func() {
			var v workflows.StageState
			id := railyard.StageWorkflowID(project, st.Name)
			if err := s.query(ctx, id, workflows.QueryStatus, &v); err != nil {
				failed(id)
				return
			}
			v.Config = nil
			if cur := v.Current; cur != nil && cur.Message == "" && cur.WorkflowID != "" {
				// A waiting step says what it waits for in the promotion's own
				// status: "waiting for PR #12 (url) …".
				var ps workflows.PromotionStatus
				if s.query(ctx, cur.WorkflowID, workflows.QueryStatus, &ps) == nil {
					cur.Message = ps.Message
				}
			}
			mu.Lock()
			snap.Stages[st.Name] = v
			mu.Unlock()
		})
	}
	for _, w := range res.Warehouses {
		id := railyard.PipelineWorkflowID(project, w.Name)
		wg.Go(func() {
			var fs []railyard.Freight
			if err := s.query(ctx, id, workflows.QueryFreight, &fs); err != nil {
				failed(id)
				return
			}
			mu.Lock()
			snap.Freight[w.Name] = fs
			mu.Unlock()
		})
		wg.Go(func() {
			var p workflows.PipelineState
			if err := s.query(ctx, id, workflows.QueryStatus, &p); err != nil {
				failed(id)
				return
			}
			p.Config, p.Discovered = nil, nil
			mu.Lock()
			snap.Pipelines[w.Name] = p
			mu.Unlock()
		})
	}
	wg.Wait()
	raw, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("encoding the snapshot of %s: %w", project, err)
	}
	sum := sha256.Sum256(raw)
	snap.Version = hex.EncodeToString(sum[:8])
	snap.ReadAt = s.now()
	snap.ReadFor = snap.ReadAt.Sub(start)
	return snap, nil
}

// query runs a workflow query and decodes its answer.
func (s *Server) query(ctx context.Context, workflowID, name string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := s.client.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return fmt.Errorf("querying %s of %s: %w", name, workflowID, explain(err))
	}
	return v.Get(out)
}

// projects lists the running Project workflows.
func (s *Server) projects(ctx context.Context) ([]string, error) {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.ProjectWorkflowType)
	var out []string
	var token []byte
	for {
		resp, err := s.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing projects: %w", explain(err))
		}
		for _, e := range resp.Executions {
			out = append(out, e.GetExecution().GetWorkflowId())
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return out, nil
		}
	}
}

// errNotFound marks a workflow that does not exist (an unknown project,
// stage or promotion): the page answers 404.
var errNotFound = errors.New("not found")

// explain reduces Temporal errors to their one-line reason: a validator's
// rejection is the message of the update's failure.
func explain(err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %s", errNotFound, nf.Message)
	}
	return errors.New(oneLine(err.Error()))
}
