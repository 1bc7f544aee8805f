package git

import (
	"context"
	"fmt"
)

// RecordPush writes commit, just pushed to repoURL's branch, into the
// worker's mirror of repoURL as that branch, copying the objects it lacks
// from the repository at dir (a clone that borrows the mirror's objects, so
// only the new commit's objects move). The next clone then finds the mirror
// as the remote is and fetches nothing. It is a cache's update: a clone
// still compares the mirror with a fresh listing of the remote before it
// trusts it. A worker without the mirror records nothing.
func (c *Client) RecordPush(ctx context.Context, repoURL, dir, commit, branch string) error {
	if !c.HasMirror(repoURL) {
		return nil
	}
	unlock := c.Lock(repoURL)
	defer unlock()
	mirror := c.MirrorDir(repoURL)
	_, err := c.Git(ctx, dir, "push", "--quiet", "--no-verify", mirror, "+"+commit+":refs/heads/"+branch)
	if err != nil {
		return fmt.Errorf("recording %s of %s in its mirror: %w", branch, Redact(repoURL), err)
	}
	c.maintain(ctx, mirror)
	return nil
}
