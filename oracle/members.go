package oracle

import (
	"encoding/json"
	"sort"
	"strings"
)

// UnknownMembers lists the members of op's success body that the contract
// does not know (paths such as "Handshake.Notes" or "Handshakes[].Extra"),
// sorted. AWS adds output members over time and every SDK ignores members
// it does not know, so they are worth a note, never a failure.
func UnknownMembers(op string, body []byte) []string {
	spec, ok := contract.Operation(op)
	if !ok {
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	known := map[string]string{}
	for _, m := range spec.Output {
		known[m.Name] = m.Shape
	}
	var out []string
	walkMembers("", top, known, &out)
	sort.Strings(out)
	return out
}

// walkMembers records members of obj missing from known (member → shape)
// and descends into those whose shape is a structure or a list of one.
func walkMembers(prefix string, obj map[string]json.RawMessage, known map[string]string, out *[]string) {
	for name, raw := range obj {
		shape, ok := known[name]
		if !ok {
			*out = append(*out, prefix+name)
			continue
		}
		if st, ok := contract.Structures[shape]; ok {
			var child map[string]json.RawMessage
			if json.Unmarshal(raw, &child) == nil {
				walkMembers(prefix+name+".", child, st.Members, out)
			}
			continue
		}
		if st, ok := contract.Structures[elementOf(shape)]; ok {
			var list []map[string]json.RawMessage
			if json.Unmarshal(raw, &list) == nil {
				seen := map[string]bool{}
				for _, child := range list {
					var sub []string
					walkMembers(prefix+name+"[].", child, st.Members, &sub)
					for _, s := range sub {
						if !seen[s] {
							seen[s] = true
							*out = append(*out, s)
						}
					}
				}
			}
		}
	}
}

// elementOf names the element shape of a list shape: HandshakeParties →
// HandshakeParty, Accounts → Account.
func elementOf(list string) string {
	if s, ok := strings.CutSuffix(list, "ies"); ok {
		return s + "y"
	}
	return strings.TrimSuffix(list, "s")
}
