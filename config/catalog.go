package config

import (
	"fmt"
	"slices"
	"sort"

	railyard "github.com/railyard/railyard"
)

// entry is a decoded resource and where it came from.
type entry[T any] struct {
	src source
	val T
}

// projectEntries gathers one project's resources before cross-checking.
type projectEntries struct {
	name       string
	project    *source // the Project document, if any
	first      source  // the first resource naming this project
	config     *entry[*railyard.ProjectConfig]
	warehouses []entry[*railyard.Warehouse]
	stages     []entry[*railyard.Stage]
	tasks      []entry[*railyard.PromotionTask]
	analyses   []entry[*railyard.AnalysisTemplate]
	freight    []entry[*railyard.Freight]
	configMaps []railyard.ConfigMap
}

// catalog gathers every decoded resource of a Parse call.
type catalog struct {
	projects     map[string]*projectEntries
	clusterTasks []entry[*railyard.PromotionTask]
	sharedMaps   []railyard.ConfigMap
	clusterTmpls []railyard.AnalysisTemplate
	seen         map[string]source
	namespace    string // for namespaced resources that name none
}

func newCatalog() *catalog {
	return &catalog{projects: map[string]*projectEntries{}, seen: map[string]source{}}
}

func (c *catalog) project(name string, src source) *projectEntries {
	p := c.projects[name]
	if p == nil {
		p = &projectEntries{name: name, first: src}
		c.projects[name] = p
	}
	return p
}

// add files a decoded resource; v is nil for documents that could not be
// used. A second resource of the same kind and name is a problem.
func (c *catalog) add(v any, src source, r *report) {
	if v == nil || c.duplicate(src, r) {
		return
	}
	if t, ok := v.(*railyard.PromotionTask); ok && t.Kind == kindClusterPromotionTask {
		c.clusterTasks = append(c.clusterTasks, entry[*railyard.PromotionTask]{src, t})
		return
	}
	switch d := v.(type) {
	case *namespaceDoc:
		return // a namespace for the Project of the same name to adopt
	case *clusterTemplateDoc:
		c.clusterTmpls = append(c.clusterTmpls, *d.val)
		return
	case *configMapDoc:
		if d.shared {
			c.sharedMaps = append(c.sharedMaps, d.val)
			return
		}
		p := c.project(src.Namespace, src)
		p.configMaps = append(p.configMaps, d.val)
		return
	}
	if d, ok := v.(*projectDoc); ok {
		p := c.project(d.name, src)
		p.project = &src
		return
	}
	if src.Namespace == "" {
		return // already reported: a namespaced resource needs a project
	}
	c.addNamespaced(c.project(src.Namespace, src), v, src)
}

func (c *catalog) addNamespaced(p *projectEntries, v any, src source) {
	switch x := v.(type) {
	case *railyard.ProjectConfig:
		p.config = &entry[*railyard.ProjectConfig]{src, x}
	case *railyard.Warehouse:
		p.warehouses = append(p.warehouses, entry[*railyard.Warehouse]{src, x})
	case *railyard.Stage:
		p.stages = append(p.stages, entry[*railyard.Stage]{src, x})
	case *railyard.PromotionTask:
		p.tasks = append(p.tasks, entry[*railyard.PromotionTask]{src, x})
	case *railyard.AnalysisTemplate:
		p.analyses = append(p.analyses, entry[*railyard.AnalysisTemplate]{src, x})
	case *railyard.Freight:
		p.freight = append(p.freight, entry[*railyard.Freight]{src, x})
	}
}

func (c *catalog) duplicate(src source, r *report) bool {
	if src.Kind == kindFreight {
		return false // Freight is deduplicated by ID once it has one
	}
	key := src.Kind + "/" + src.Namespace + "/" + src.Name
	if first, ok := c.seen[key]; ok {
		r.add(src, "metadata.name", "duplicate %s %q (first defined in %s)", src.Kind, src.Name, first.where())
		return true
	}
	c.seen[key] = src
	return false
}

// resolve cross-checks every project and builds the Set.
func (c *catalog) resolve(r *report) *Set {
	names := make([]string, 0, len(c.projects))
	for name := range c.projects {
		names = append(names, name)
	}
	sort.Strings(names)
	set := &Set{SharedConfigMaps: c.sharedMaps, ClusterAnalysisTemplates: c.clusterTmpls}
	for _, name := range names {
		p := c.projects[name]
		if p.project == nil {
			r.add(p.first, "metadata.namespace", "project %q has no Project resource", name)
		}
		set.Projects = append(set.Projects, p.resolve(c.clusterTasks, r))
		c.checkClusterTemplateRefs(p, r)
	}
	return set
}

// resolve cross-checks one project and returns its Resources.
func (p *projectEntries) resolve(clusterTasks []entry[*railyard.PromotionTask], r *report) *railyard.Resources {
	res := &railyard.Resources{Project: p.name}
	if p.config != nil {
		res.Config = *p.config.val
	}
	for _, w := range p.warehouses {
		res.Warehouses = append(res.Warehouses, *w.val)
	}
	for _, s := range p.stages {
		res.Stages = append(res.Stages, *s.val)
	}
	for _, t := range append(append([]entry[*railyard.PromotionTask]{}, p.tasks...), clusterTasks...) {
		res.Tasks = append(res.Tasks, *t.val)
	}
	for _, a := range p.analyses {
		res.AnalysisTemplates = append(res.AnalysisTemplates, *a.val)
	}
	res.ConfigMaps = p.configMaps
	checkRefs(p, res, r)
	res.Freight = checkFreight(p, res, r)
	return res
}

// checkClusterTemplateRefs warns about ClusterAnalysisTemplates a stage
// names that these manifests do not define: they must have been applied
// before, or the stage's verification ends in an Error.
func (c *catalog) checkClusterTemplateRefs(p *projectEntries, r *report) {
	for _, s := range p.stages {
		v := s.val.Spec.Verification
		if v == nil {
			continue
		}
		for i, t := range v.AnalysisTemplates {
			if t.Kind != kindClusterAnalysisTemplate || t.Name == "" {
				continue
			}
			if !slices.ContainsFunc(c.clusterTmpls, func(a railyard.AnalysisTemplate) bool { return a.Name == t.Name }) {
				r.warn(s.src, fmt.Sprintf("spec.verification.analysisTemplates[%d].name", i),
					"ClusterAnalysisTemplate %q is not in these manifests; it must have been applied already", t.Name)
			}
		}
	}
}
