package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/orgconform/orgconform/endpoint"
)

// handles maps one target's ids to handles numbered by first appearance
// in a sequence's answers: "<handshake#2>" is the second handshake id that
// target showed. Equal handles on two targets are ids in the same
// position. The accounts of the sequence's roles are named by role
// ("<management>", "<recipient#2>", "<outsider>"), as steps name them.
type handles struct {
	byID  map[string]string
	count map[string]int
}

func newHandles() *handles { return &handles{byID: map[string]string{}, count: map[string]int{}} }

// idPattern finds the ids a body may carry, in any string: emails (before
// the account ids they may contain), handshake ids, organization ids and
// 12-digit account ids.
var idPattern = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\bh-[0-9a-z]{8,32}\b|\bo-[a-z0-9]{10,32}\b|\b\d{12}\b`)

// kindOf names the kind of an id idPattern found.
func kindOf(id string) string {
	switch {
	case strings.Contains(id, "@"):
		return "email"
	case strings.HasPrefix(id, "h-"):
		return "handshake"
	case strings.HasPrefix(id, "o-"):
		return "organization"
	}
	return "account"
}

// handle returns id's handle, numbering it when it is new.
func (h *handles) handle(id string) string {
	if x, ok := h.byID[id]; ok {
		return x
	}
	k := kindOf(id)
	h.count[k]++
	x := fmt.Sprintf("<%s#%d>", k, h.count[k])
	h.byID[id] = x
	return x
}

// name gives id the handle x (a role's account).
func (h *handles) name(id, x string) { h.byID[id] = x }

// text replaces every id in s by its handle.
func (h *handles) text(s string) string {
	return idPattern.ReplaceAllStringFunc(s, h.handle)
}

// known replaces the ids in s that have a handle by it, and leaves the
// others (an id nobody issued, a malformed one) as they are: a request
// shows the handshakes it names as the answers did.
func (h *handles) known(s string) string {
	return idPattern.ReplaceAllStringFunc(s, func(id string) string {
		if x, ok := h.byID[id]; ok {
			return x
		}
		return id
	})
}

// normalise renders an answer for comparison: a success as its status and
// body, with ids as handles, timestamps and NextTokens masked, members
// sorted; an error as its status, code and Reason; anything else as its
// kind and status. Request ids and messages are left out.
func (p *player) normalise(r *endpoint.Response) string {
	switch r.Kind {
	case endpoint.KindSuccess:
		return fmt.Sprintf("%d %s", r.Status, p.body(r.Body))
	case endpoint.KindError:
		s := fmt.Sprintf("%d %s", r.Status, r.Code)
		if r.Reason != "" {
			s += " (Reason " + r.Reason + ")"
		}
		return s
	}
	return fmt.Sprintf("%d %s", r.Status, r.Kind)
}

// body renders a JSON body canonically with ids as handles.
func (p *player) body(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "{}"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "(not JSON)"
	}
	var b strings.Builder
	p.write(&b, "", v)
	return b.String()
}

// write renders v under member key.
func (p *player) write(b *strings.Builder, key string, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(b, "%q:", k)
			p.write(b, k, x[k])
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			p.write(b, key, e)
		}
		b.WriteString("]")
	case string:
		switch {
		case key == "NextToken":
			b.WriteString(`"<token>"`)
		case strings.HasSuffix(key, "Timestamp"):
			b.WriteString(`"<timestamp>"`)
		default:
			fmt.Fprintf(b, "%q", p.ids.text(x))
		}
	case json.Number:
		if strings.HasSuffix(key, "Timestamp") {
			b.WriteString(`"<timestamp>"`)
			return
		}
		b.WriteString(x.String())
	default:
		out, _ := json.Marshal(x)
		b.Write(out)
	}
}

// handshakeID returns the Id of the handshake a success answer carries.
func handshakeID(r *endpoint.Response) (string, bool) {
	if !r.OK() {
		return "", false
	}
	var out struct{ Handshake struct{ Id string } }
	if json.Unmarshal(r.Body, &out) != nil || out.Handshake.Id == "" {
		return "", false
	}
	return out.Handshake.Id, true
}
