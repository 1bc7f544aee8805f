package git

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/railyard/railyard"
)

// ErrNotInProcess says that PushOwnObjects cannot push this repository in
// this process (not an http(s) remote, objects in a pack, a SHA-256
// repository, too many objects, a server without report-status): git push
// can.
var ErrNotInProcess = errors.New("not pushable in process")

// Limits of an in-process push: a promotion's commit and the trees and
// blobs it changed. Anything bigger is git's to pack, with deltas.
const (
	maxOwnObjects = 2000
	maxOwnBytes   = 32 << 20
)

// Update is one ref update of a push: the ref moves from Old (zero or ""
// when it must not exist) to New, and the server refuses it otherwise.
type Update struct {
	Ref      string // refs/heads/<branch>
	Old, New string
}

// PushOwnObjects pushes the objects that the step repository at repo holds
// of its own, and the ref update u, to r in this process: one request when
// this client has pushed to r before, two the first time (the
// advertisement tells which capabilities to ask for). A step repository
// borrows its mirror's objects, so what it holds of its own is exactly the
// promotion's new work; the objects it borrows came from the remote. The
// repository's http.sslVerify=false (git-clone's insecureSkipTLSVerify)
// holds here too.
//
// The server checks Old as a lease. Its refusal is a *CommandError that
// names the ref and gives the server's reason: git's "failed to update
// ref" when the remote moved, "missing necessary objects" when a borrowed
// object is not on the remote after all. Any refusal or other error,
// ErrNotInProcess among them, leaves the remote as it was: git push can
// then try, and tell what fails in its own words.
func (c *Client) PushOwnObjects(ctx context.Context, r Remote, repo string, u Update) error {
	if !ListsInProcess(r.URL) {
		return ErrNotInProcess
	}
	cfg, err := readConfig(filepath.Join(repo, "config"))
	if err != nil || !strings.EqualFold(cmp.Or(cfg.Section("extensions").Option("objectformat"), "sha1"), "sha1") {
		return ErrNotInProcess
	}
	r.Insecure = r.Insecure || strings.EqualFold(cfg.Section("http").Option("sslVerify"), "false")
	pack, err := ownPack(repo)
	if err != nil {
		return err
	}
	sess, err := c.receivePackSession(ctx, r)
	if err != nil {
		return err
	}
	defer sess.Close()
	caps, err := c.pushCapabilities(ctx, sess, r.URL)
	if err != nil {
		return err
	}
	req := packp.NewReferenceUpdateRequestFromCapabilities(caps)
	req.Commands = []*packp.Command{{Name: plumbing.ReferenceName(u.Ref), Old: plumbing.NewHash(u.Old), New: plumbing.NewHash(u.New)}}
	req.Packfile = io.NopCloser(bytes.NewReader(pack))
	report, err := sess.ReceivePack(ctx, req)
	switch {
	case err == nil && report != nil:
		return nil
	case report != nil && report.UnpackStatus == "ok" && len(report.CommandStatuses) == 1:
		return &CommandError{Args: []string{"push"}, Stderr: "refused " + u.Ref + ": " + report.CommandStatuses[0].Status}
	case err == nil:
		err = errors.New("the server sent no report")
	}
	return fmt.Errorf("pushing to %s in process: %s", Redact(r.URL), Redact(err.Error()))
}

// receivePackSession opens a push session to r with its credentials.
func (c *Client) receivePackSession(ctx context.Context, r Remote) (transport.ReceivePackSession, error) {
	auth, _, err := c.basicAuth(ctx, r)
	if err != nil {
		return nil, err
	}
	ep, cl, err := transportFor(r)
	if err != nil {
		return nil, fmt.Errorf("pushing to %s: %w", Redact(r.URL), err)
	}
	return cl.NewReceivePackSession(ep, auth)
}

// pushCapabilities are the receive-pack capabilities of url: read from its
// advertisement the first time, remembered after that (a server does not
// take report-status away between two pushes).
func (c *Client) pushCapabilities(ctx context.Context, sess transport.ReceivePackSession, url string) (*capability.List, error) {
	key := railyard.NormalizeGitURL(url)
	if caps, ok := c.pushCaps.Load(key); ok {
		return caps.(*capability.List), nil
	}
	lctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	adv, err := sess.AdvertisedReferencesContext(lctx)
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, fmt.Errorf("listing %s for a push: %s", Redact(url), Redact(err.Error()))
	}
	if adv == nil || !adv.Capabilities.Supports(capability.ReportStatus) {
		return nil, ErrNotInProcess
	}
	c.pushCaps.Store(key, adv.Capabilities)
	return adv.Capabilities, nil
}

// ownPack is a pack of the loose objects in repo's own object directory,
// each stored whole (no deltas: they are few and small). A repository that
// keeps packs of its own is git's to push.
func ownPack(repo string) ([]byte, error) {
	objects := filepath.Join(repo, "objects")
	if packs, _ := filepath.Glob(filepath.Join(objects, "pack", "*.pack")); len(packs) > 0 {
		return nil, ErrNotInProcess
	}
	files, err := filepath.Glob(filepath.Join(objects, "[0-9a-f][0-9a-f]", "*"))
	if err != nil || len(files) > maxOwnObjects {
		return nil, ErrNotInProcess
	}
	var body bytes.Buffer
	body.WriteString("PACK\x00\x00\x00\x02")
	body.Write([]byte{byte(len(files) >> 24), byte(len(files) >> 16), byte(len(files) >> 8), byte(len(files))})
	for _, f := range files {
		if err := appendLoose(&body, f); err != nil {
			return nil, fmt.Errorf("packing %s: %w", f, err)
		}
		if body.Len() > maxOwnBytes {
			return nil, ErrNotInProcess
		}
	}
	sum := sha1.Sum(body.Bytes())
	body.Write(sum[:])
	return body.Bytes(), nil
}

// packTypes are the pack's type numbers of the loose objects' type names.
var packTypes = map[string]byte{"commit": 1, "tree": 2, "blob": 3, "tag": 4}

// appendLoose appends the loose object file path to a pack: its type and
// size, then its content compressed again on its own.
func appendLoose(w *bytes.Buffer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := zlib.NewReader(f)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	hdr, content, ok := bytes.Cut(raw, []byte{0})
	kind, size, _ := strings.Cut(string(hdr), " ")
	n, err := strconv.Atoi(size)
	if !ok || err != nil || n != len(content) || packTypes[kind] == 0 {
		return errors.New("not a loose object")
	}
	b := packTypes[kind]<<4 | byte(n&15)
	for n >>= 4; n > 0; n >>= 7 {
		w.WriteByte(b | 0x80)
		b = byte(n & 0x7f)
	}
	w.WriteByte(b)
	zw, _ := zlib.NewWriterLevel(w, zlib.BestSpeed)
	if _, err := zw.Write(content); err != nil {
		return err
	}
	return zw.Close()
}
