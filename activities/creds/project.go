package creds

import "context"

type projectKey struct{}

// WithProject marks ctx as working for project: a project-scoped Source
// (KargoSecrets) then answers with that project's credentials and the
// global ones, never another project's.
func WithProject(ctx context.Context, project string) context.Context {
	return context.WithValue(ctx, projectKey{}, project)
}

// ProjectFrom is the project ctx works for, "" when none was set.
func ProjectFrom(ctx context.Context) string {
	p, _ := ctx.Value(projectKey{}).(string)
	return p
}
