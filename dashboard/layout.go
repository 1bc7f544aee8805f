package dashboard

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Layout sizes, in CSS pixels.
const (
	nodeWidth  = 300
	columnGap  = 72
	rowGap     = 16
	lineHeight = 20
	nodePad    = 16
)

// GraphInput is one stage as the layout sees it: its upstream stages and
// how many lines of text its node holds.
type GraphInput struct {
	Name     string   `json:"name"`
	Upstream []string `json:"upstream,omitempty"`
	Lines    int      `json:"lines"`
}

// Node is a placed stage: its layer (column), order in the layer, and box.
type Node struct {
	Name  string `json:"name"`
	Layer int    `json:"layer"`
	Order int    `json:"order"`
	X     int    `json:"x"`
	Y     int    `json:"y"`
	W     int    `json:"w"`
	H     int    `json:"h"`
}

// Edge is an upstream edge drawn from the right of From to the left of To,
// as an SVG path.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Path string `json:"path"`
}

// Graph is the laid-out stage graph.
type Graph struct {
	Nodes  []Node `json:"nodes"`
	Edges  []Edge `json:"edges"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// LayOut places stages left to right: a stage's layer is one more than the
// deepest of its upstream stages (roots in layer 0), and stages within a
// layer are ordered by the mean order of their upstream stages (barycentre),
// then by name, so edges cross rarely. Unknown upstream names are ignored;
// a cycle (which the loader refuses) is broken by ignoring the back edge.
func LayOut(in []GraphInput) Graph {
	byName := map[string]GraphInput{}
	for _, s := range in {
		byName[s.Name] = s
	}
	layer := map[string]int{}
	visiting := map[string]bool{}
	var depth func(string) int
	depth = func(name string) int {
		if l, ok := layer[name]; ok {
			return l
		}
		if visiting[name] {
			return -1
		}
		visiting[name] = true
		l := 0
		for _, u := range byName[name].Upstream {
			if _, ok := byName[u]; ok && u != name {
				l = max(l, depth(u)+1)
			}
		}
		visiting[name] = false
		layer[name] = l
		return l
	}
	names := make([]string, 0, len(in))
	for _, s := range in {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	layers := [][]string{}
	for _, n := range names {
		l := depth(n)
		for len(layers) <= l {
			layers = append(layers, nil)
		}
		layers[l] = append(layers[l], n)
	}
	order := map[string]int{}
	for li, members := range layers {
		bary := map[string]float64{}
		for _, n := range members {
			bary[n] = barycentre(byName[n].Upstream, order, li)
		}
		sort.SliceStable(members, func(i, j int) bool {
			if bary[members[i]] != bary[members[j]] {
				return bary[members[i]] < bary[members[j]]
			}
			return members[i] < members[j]
		})
		for i, n := range members {
			order[n] = i
		}
	}
	g := Graph{}
	pos := map[string]Node{}
	for li, members := range layers {
		y := 0
		for i, n := range members {
			h := nodePad + max(byName[n].Lines, 1)*lineHeight
			node := Node{Name: n, Layer: li, Order: i, X: li * (nodeWidth + columnGap), Y: y, W: nodeWidth, H: h}
			g.Nodes = append(g.Nodes, node)
			pos[n] = node
			y += h + rowGap
		}
		g.Height = max(g.Height, y-rowGap)
	}
	g.Width = max(0, len(layers)*(nodeWidth+columnGap)-columnGap)
	for _, n := range names {
		ups := slices.Clone(byName[n].Upstream)
		sort.Strings(ups)
		for _, u := range slices.Compact(ups) {
			from, ok := pos[u]
			if !ok || u == n || from.Layer >= pos[n].Layer {
				continue
			}
			g.Edges = append(g.Edges, Edge{From: u, To: n, Path: edgePath(from, pos[n])})
		}
	}
	return g
}

// barycentre is the mean order of a stage's upstream stages in earlier
// layers, or 0 for a root.
func barycentre(upstream []string, order map[string]int, layer int) float64 {
	sum, n := 0, 0
	for _, u := range upstream {
		if o, ok := order[u]; ok {
			sum += o
			n++
		}
	}
	if n == 0 || layer == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// edgePath is a cubic Bézier from the middle of a's right side to the first
// line of b's left side.
func edgePath(a, b Node) string {
	x1, y1 := a.X+a.W, a.Y+nodePad/2+lineHeight/2
	x2, y2 := b.X, b.Y+nodePad/2+lineHeight/2
	mid := (x1 + x2) / 2
	return strings.Join([]string{
		fmt.Sprintf("M%d %d", x1, y1),
		fmt.Sprintf("C%d %d", mid, y1),
		fmt.Sprintf("%d %d", mid, y2),
		fmt.Sprintf("%d %d", x2, y2),
	}, " ")
}
