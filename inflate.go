package railyard

import (
	"errors"
	"fmt"
	"strconv"
)

// TaskAliasSeparator joins a task step's alias and the alias of a step of
// that task: "<taskAlias>::<stepAlias>".
const TaskAliasSeparator = "::"

// InflateSteps expands a promotion template into the steps a promotion runs,
// as Kargo does when it creates a Promotion: every step gets its alias
// (`as`, else "step-<i>"; a task reference "task-<i>", i counting template
// steps from 0), and every task reference is replaced by its task's steps,
// aliased "<taskAlias>::<stepAlias>".
//
// An inflated task step carries, in its vars: the task's defaults (unless a
// template var of that name has a value), then the task reference's vars
// (the task's inputs), then its own vars. A task var without a default must
// get a value from the template vars or the task reference. Such steps see
// their siblings' outputs as task.outputs, which the engine derives from
// the alias.
func InflateSteps(tmpl PromotionTemplateSpec, tasks func(TaskRef) (PromotionTask, bool)) ([]PromotionStep, error) {
	var out []PromotionStep
	var errs []error
	for i, step := range tmpl.Steps {
		if step.Task == nil {
			step.As = defaultAlias(step.As, "step", i)
			out = append(out, step)
			continue
		}
		inflated, err := inflateTask(tmpl.Vars, step, defaultAlias(step.As, "task", i), tasks)
		if err != nil {
			errs = append(errs, fmt.Errorf("steps[%d]: %w", i, err))
			continue
		}
		out = append(out, inflated...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func defaultAlias(as, prefix string, i int) string {
	if as != "" {
		return as
	}
	return prefix + "-" + strconv.Itoa(i)
}

func inflateTask(global []ExpressionVar, ref PromotionStep, alias string,
	tasks func(TaskRef) (PromotionTask, bool)) ([]PromotionStep, error) {
	if ref.Uses != "" || ref.If != "" || len(ref.Config) > 0 || ref.ContinueOnError || ref.Retry != nil {
		return nil, fmt.Errorf("task %q: %w: a task reference may not set uses, if, config, continueOnError or retry",
			ref.Task.Name, ErrInvalid)
	}
	task, ok := tasks(*ref.Task)
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", taskKind(*ref.Task), ref.Task.Name, ErrNotFound)
	}
	vars, err := taskVars(task, global, ref.Vars)
	if err != nil {
		return nil, err
	}
	steps := make([]PromotionStep, 0, len(task.Spec.Steps))
	for j, s := range task.Spec.Steps {
		if s.Task != nil {
			return nil, fmt.Errorf("task %q step %d: %w: tasks may not reference tasks", task.Name, j, ErrInvalid)
		}
		s.As = alias + TaskAliasSeparator + defaultAlias(s.As, "step", j)
		s.Vars = append(append([]ExpressionVar(nil), vars...), s.Vars...)
		steps = append(steps, s)
	}
	return steps, nil
}

func taskKind(ref TaskRef) string {
	if ref.Kind == "" {
		return KindPromotionTask
	}
	return ref.Kind
}

// taskVars returns the vars every step of the task starts with.
func taskVars(task PromotionTask, global, inputs []ExpressionVar) ([]ExpressionVar, error) {
	set := func(vars []ExpressionVar) map[string]bool {
		m := map[string]bool{}
		for _, v := range vars {
			if v.Value != "" {
				m[v.Name] = true
			}
		}
		return m
	}
	inGlobal, inInputs := set(global), set(inputs)
	var vars []ExpressionVar
	var missing []error
	for _, v := range task.Spec.Vars {
		switch {
		case inGlobal[v.Name]:
		case v.Value != "":
			vars = append(vars, v)
		case !inInputs[v.Name]:
			missing = append(missing, fmt.Errorf("task %q: var %q has no default and no value", task.Name, v.Name))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	return append(vars, inputs...), nil
}
