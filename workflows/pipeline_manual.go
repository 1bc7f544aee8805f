package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/railyard/railyard"
)

// AliasRequest gives a Freight a new alias.
type AliasRequest struct {
	Freight string `json:"freight"`
	Alias   string `json:"alias"`
}

// registerManual registers the updates that assemble Freight by hand and
// rename it.
func (p *pipeline) registerManual(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCreateFreight, p.createFreight,
		workflow.UpdateHandlerOptions{Validator: p.validateCreateFreight,
			Description: `Assemble Freight by hand: {"commits":[{"repoURL":"…","id":"…"}],"images":[…],"charts":[…]}`}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAlias, p.setAlias,
		workflow.UpdateHandlerOptions{Validator: p.validateAlias,
			Description: `Change a Freight's alias: {"freight":"<id or alias>","alias":"new-name"}`})
}

func (p *pipeline) validateCreateFreight(_ workflow.Context, f railyard.Freight) error {
	if p.Config == nil {
		return errors.New("pipeline is not configured yet")
	}
	if f.Origin.Name != "" && f.Origin.Name != p.Warehouse {
		return fmt.Errorf("freight origin %q is not warehouse %q", f.Origin.Name, p.Warehouse)
	}
	if problems := p.Config.Warehouse.Spec.CheckFreight(f); len(problems) > 0 {
		return fmt.Errorf("freight does not fit warehouse %s: %s", p.Warehouse, strings.Join(problems, "; "))
	}
	f.Origin = railyard.WarehouseOrigin(p.Warehouse)
	if i := p.Freight.Find(f.ComputeID()); i >= 0 {
		return fmt.Errorf("these artifacts are Freight %s (%s) already", p.Freight[i].Alias, p.Freight[i].ShortID())
	}
	if f.Alias != "" {
		return p.Freight.CheckAlias(f.Alias)
	}
	return nil
}

func (p *pipeline) createFreight(ctx workflow.Context, f railyard.Freight) (railyard.Freight, error) {
	f.Origin = railyard.WarehouseOrigin(p.Warehouse)
	p.addFreight(ctx, f, "manual assembly")
	return p.Freight[p.Freight.Find(f.ComputeID())], nil
}

func (p *pipeline) validateAlias(_ workflow.Context, req AliasRequest) error {
	if _, err := p.freight(req.Freight); err != nil {
		return err
	}
	return p.Freight.CheckAlias(req.Alias)
}

func (p *pipeline) setAlias(_ workflow.Context, req AliasRequest) (railyard.Freight, error) {
	i := p.Freight.Find(req.Freight)
	p.Freight[i].Alias = req.Alias
	return p.Freight[i], nil
}
