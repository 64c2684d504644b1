package check

import (
	"sort"
	"sync"
)

// Capability says whether a target implements an operation.
type Capability string

// The capabilities an operation can have.
const (
	Implemented    Capability = "implemented"
	NotImplemented Capability = "not-implemented"
	Unknown        Capability = "unknown"
)

// OpCapability is one operation's capability and the answer that showed it.
type OpCapability struct {
	Operation string     `json:"operation"`
	Status    Capability `json:"status"`
	Evidence  string     `json:"evidence"`
}

// Capabilities is what a run learned about its target: per operation,
// whether it is implemented (first from a probe at the start of the run,
// then from every answer), whether it creates organizations implicitly,
// and whether it offers clock control. It is safe for concurrent use.
type Capabilities struct {
	mu    sync.Mutex
	ops   map[string]*OpCapability
	flags map[string]Flag
}

// Flag is a capability of the target as a whole.
type Flag struct {
	Name     string `json:"name"`
	On       bool   `json:"on"`
	Evidence string `json:"evidence"`
}

// The target-wide flags.
const (
	// FlagImplicitOrganizations: an account's first management call
	// creates its organization.
	FlagImplicitOrganizations = "implicit-organizations"
	// FlagClock: the target offers the orgconform clock control.
	FlagClock = "clock-control"
	// FlagSharedAccount: the target serves every caller as one account,
	// whatever account its credentials name (moto does): scenarios that
	// run at once would share that account's organization, so Execute
	// runs the checks one at a time.
	FlagSharedAccount = "shared-account"
)

// NewCapabilities returns an empty table: every operation Unknown.
func NewCapabilities() *Capabilities {
	return &Capabilities{ops: map[string]*OpCapability{}, flags: map[string]Flag{}}
}

// Of returns op's capability (Unknown until something showed it).
func (c *Capabilities) Of(op string) OpCapability {
	c.mu.Lock()
	defer c.mu.Unlock()
	if oc, ok := c.ops[op]; ok {
		return *oc
	}
	return OpCapability{Operation: op, Status: Unknown}
}

// Set records op's capability unconditionally (a probe's finding).
func (c *Capabilities) Set(op string, st Capability, evidence string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops[op] = &OpCapability{Operation: op, Status: st, Evidence: evidence}
}

// learn records what an answer showed of op, without overriding a
// finding: an Unknown operation becomes st.
func (c *Capabilities) learn(op string, st Capability, evidence string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if oc, ok := c.ops[op]; ok && oc.Status != Unknown {
		return
	}
	c.ops[op] = &OpCapability{Operation: op, Status: st, Evidence: evidence}
}

// List returns every operation's capability, sorted by operation.
func (c *Capabilities) List() []OpCapability {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]OpCapability, 0, len(c.ops))
	for _, oc := range c.ops {
		out = append(out, *oc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// SetFlag records a target-wide capability.
func (c *Capabilities) SetFlag(name string, on bool, evidence string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flags[name] = Flag{Name: name, On: on, Evidence: evidence}
}

// Flag returns a target-wide capability; ok is false when it was never
// probed.
func (c *Capabilities) Flag(name string) (Flag, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.flags[name]
	return f, ok
}

// Flags returns the target-wide capabilities, sorted by name.
func (c *Capabilities) Flags() []Flag {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Flag, 0, len(c.flags))
	for _, f := range c.flags {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
