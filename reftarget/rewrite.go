package reftarget

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The answer rewrites of the catalogue (faults.go): how a bug looks on the
// wire where it is a matter of encoding (timestamps, ARNs, nulls), and the
// layout variants (member order, whitespace, unknown members). Each works
// on the decoded JSON body (numbers kept as written).

// rewriteJSON returns a body hook that applies fn to the decoded body and
// encodes the result (members sorted, compact).
func rewriteJSON(fn func(status int, v any) any) func(status int, body []byte) []byte {
	return func(status int, body []byte) []byte {
		v, ok := decodeBody(body)
		if !ok {
			return body
		}
		out, err := json.Marshal(fn(status, v))
		if err != nil {
			return body
		}
		return out
	}
}

// decodeBody decodes a JSON body with its numbers as written.
func decodeBody(body []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// walk calls fn for every object in v, depth first, with the member name
// that holds it ("" at the top and for array elements).
func walk(v any, key string, fn func(key string, obj map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(key, x)
		for k, child := range x {
			walk(child, k, fn)
		}
	case []any:
		for _, child := range x {
			walk(child, key, fn)
		}
	}
}

// rewriteTimestamps returns a body hook that rewrites every member whose
// name ends in Timestamp with form.
func rewriteTimestamps(form func(json.Number) any) func(int, []byte) []byte {
	return rewriteJSON(func(_ int, v any) any {
		walk(v, "", func(_ string, obj map[string]any) {
			for k, x := range obj {
				if n, ok := x.(json.Number); ok && strings.HasSuffix(k, "Timestamp") {
					obj[k] = form(n)
				}
			}
		})
		return v
	})
}

// isoTimestamp writes epoch seconds as an ISO 8601 string.
func isoTimestamp(n json.Number) any {
	f, err := n.Float64()
	if err != nil {
		return n
	}
	return time.UnixMilli(int64(f * 1000)).UTC().Format("2006-01-02T15:04:05.000Z")
}

// millisecondTimestamp writes epoch seconds as epoch milliseconds.
func millisecondTimestamp(n json.Number) any {
	f, err := n.Float64()
	if err != nil {
		return n
	}
	return json.Number(strconv.FormatInt(int64(f*1000), 10))
}

// rewriteStrings returns a body hook that rewrites every string member
// with fn(member name, value).
func rewriteStrings(fn func(key, value string) string) func(int, []byte) []byte {
	return rewriteJSON(func(_ int, v any) any {
		walk(v, "", func(_ string, obj map[string]any) {
			for k, x := range obj {
				if s, ok := x.(string); ok {
					obj[k] = fn(k, s)
				}
			}
		})
		return v
	})
}

// handshakeArn splits a handshake ARN around its organization and action.
var handshakeArn = regexp.MustCompile(`^(arn:[^:]+:organizations::\d{12}:handshake)/o-[a-z0-9]+/[a-z_]+/(h-[0-9a-z]+)$`)

// handshakeArnAccount finds the management account in a handshake ARN.
var handshakeArnAccount = regexp.MustCompile(`^arn:[^:]+:organizations::(\d{12}):handshake/`)

// shortArn drops the organization and the action from a handshake ARN.
func shortArn(key, value string) string {
	if key != "Arn" {
		return value
	}
	return handshakeArn.ReplaceAllString(value, "$1/$2")
}

// rewriteHandshakes returns a body hook that applies fn to every handshake
// of an answer (Handshake, Handshakes[]).
func rewriteHandshakes(fn func(h map[string]any)) func(int, []byte) []byte {
	return rewriteJSON(func(_ int, v any) any {
		top, ok := v.(map[string]any)
		if !ok {
			return v
		}
		if h, ok := top["Handshake"].(map[string]any); ok {
			fn(h)
		}
		if list, ok := top["Handshakes"].([]any); ok {
			for _, x := range list {
				if h, ok := x.(map[string]any); ok {
					fn(h)
				}
			}
		}
		return v
	})
}

// dropMembers returns a handshake rewrite that deletes the named members.
func dropMembers(names ...string) func(map[string]any) {
	return func(h map[string]any) {
		for _, n := range names {
			delete(h, n)
		}
	}
}

// lowerPartyTypes writes the parties' types in lower case.
func lowerPartyTypes(h map[string]any) {
	parties, _ := h["Parties"].([]any)
	for _, x := range parties {
		if p, ok := x.(map[string]any); ok {
			if t, ok := p["Type"].(string); ok {
				p["Type"] = strings.ToLower(t)
			}
		}
	}
}

// reverseParties reverses the order of a handshake's parties.
func reverseParties(h map[string]any) {
	if parties, ok := h["Parties"].([]any); ok {
		slices.Reverse(parties)
	}
}

// rewriteEmptyLists answers an empty Handshakes or Accounts list as null.
var rewriteEmptyLists = rewriteJSON(func(_ int, v any) any {
	if top, ok := v.(map[string]any); ok {
		for _, k := range []string{"Handshakes", "Accounts"} {
			if list, ok := top[k].([]any); ok && len(list) == 0 {
				top[k] = nil
			}
		}
	}
	return v
})

// addExtraMembers adds a member no contract knows to every object of an
// answer, error bodies included.
func addExtraMembers(_ int, v any) any {
	walk(v, "", func(key string, obj map[string]any) {
		if key == "" {
			obj["UnknownTopLevelMember"] = map[string]any{"Nested": true}
			return
		}
		obj["Unknown"+key+"Member"] = "extra"
	})
	return v
}

// reverseIndented rewrites a body with every object's members in reverse
// order, indented by two spaces.
func reverseIndented(_ int, body []byte) []byte {
	v, ok := decodeBody(body)
	if !ok {
		return body
	}
	var b bytes.Buffer
	writeReversed(&b, v, "")
	b.WriteByte('\n')
	return b.Bytes()
}

// writeReversed writes v as indented JSON with object members in reverse
// order of their names.
func writeReversed(b *bytes.Buffer, v any, indent string) {
	inner := indent + "  "
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Reverse(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + inner)
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteString(" : ")
			writeReversed(b, x[k], inner)
		}
		if len(keys) > 0 {
			b.WriteString("\n" + indent)
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + inner)
			writeReversed(b, e, inner)
		}
		if len(x) > 0 {
			b.WriteString("\n" + indent)
		}
		b.WriteString("]")
	default:
		vb, _ := json.Marshal(x)
		b.Write(vb)
	}
}
