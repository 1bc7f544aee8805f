package railyard

import (
	"crypto/sha1"
	"encoding/binary"
)

var aliasAdjectives = []string{
	"agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring",
	"deft", "eager", "early", "fancy", "fierce", "fleet", "gentle", "giddy", "golden", "grand",
	"happy", "hardy", "humble", "icy", "jolly", "keen", "kind", "lively", "lucky", "mellow",
	"merry", "mighty", "misty", "nimble", "noble", "odd", "olive", "plucky", "proud", "quick",
	"quiet", "rapid", "rosy", "rustic", "sandy", "shiny", "silent", "sleek", "smooth", "snowy",
	"solar", "spry", "stoic", "sunny", "swift", "tidy", "trusty", "vivid", "warm", "wary",
	"wild", "wise", "witty", "zesty",
}

var aliasAnimals = []string{
	"albatross", "alpaca", "badger", "beaver", "bison", "bobcat", "camel", "caribou", "cheetah", "condor",
	"coyote", "crane", "dingo", "dolphin", "eagle", "egret", "falcon", "ferret", "finch", "gazelle",
	"gecko", "gibbon", "heron", "hippo", "ibex", "iguana", "jackal", "jaguar", "kestrel", "koala",
	"lemur", "leopard", "llama", "lynx", "magpie", "marmot", "meerkat", "moose", "narwhal", "ocelot",
	"osprey", "otter", "panda", "pelican", "puffin", "quail", "quokka", "raven", "salmon", "seal",
	"sparrow", "stork", "tapir", "tiger", "toucan", "turtle", "urchin", "viper", "walrus", "weasel",
	"wombat", "yak", "zebra", "zorilla",
}

// GenerateAlias derives an "adjective-animal" alias from seed (a Freight ID
// salted with its Warehouse), skipping aliases for which taken is true. It is
// deterministic, so workflows may call it.
func GenerateAlias(seed string, taken func(string) bool) string {
	for i := 0; ; i++ {
		sum := sha1.Sum([]byte(seed + "#" + string(rune('a'+i%26)) + string(rune('0'+i/26%10))))
		n := binary.BigEndian.Uint64(sum[:8])
		alias := aliasAdjectives[n%uint64(len(aliasAdjectives))] + "-" +
			aliasAnimals[(n>>32)%uint64(len(aliasAnimals))]
		if i >= 260 {
			alias += "-" + seed[:min(6, len(seed))]
		}
		if !taken(alias) {
			return alias
		}
	}
}

// AliasesSet collects the aliases that succeeded set-freight-alias steps
// gave Freight of collection c, by Freight ID; a later step wins. A step
// names its Freight by ID or alias (its outputs "name" and "alias"). It is
// nil when there are none.
func AliasesSet(steps []StepRecord, c Collection) map[string]string {
	out := map[string]string{}
	for _, r := range steps {
		if r.Uses != StepSetFreightAlias || r.Status != StepSucceeded {
			continue
		}
		name, _ := r.Output["name"].(string)
		alias, _ := r.Output["alias"].(string)
		for _, ref := range c.Refs() {
			if name == ref.ID || name == ref.Alias {
				out[ref.ID] = alias
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
