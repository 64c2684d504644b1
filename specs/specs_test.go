package specs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadParsesEveryFile(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "AWSOrganizationsV20161128", c.Service.TargetPrefix)
	op, ok := c.Operation("AcceptHandshake")
	require.True(t, ok)
	m, ok := op.InputMember("HandshakeId")
	require.True(t, ok)
	assert.Equal(t, "^h-[0-9a-z]{8,32}$", m.Pattern)
	require.NotNil(t, m.MaxLength)
	assert.Equal(t, 34, *m.MaxLength)
	assert.Equal(t, "^h-[0-9a-z]{8,32}$", c.HandshakeID().Pattern)
}

func TestTransitionTableIsComplete(t *testing.T) {
	c := Must()
	actions, _ := c.Enum("ActionType")
	states, _ := c.Enum("HandshakeState")
	seen := map[[4]string]int{}
	for _, tr := range c.Transitions {
		seen[[4]string{tr.Action, tr.State, tr.Operation, tr.Role}]++
		assert.Contains(t, []Source{SourceReference, SourceModel, SourceAssumption}, tr.Source, "row %+v", tr)
		assert.True(t, tr.Outcome.State != "" || len(tr.Outcome.Errors) > 0, "row without outcome: %+v", tr)
		if tr.Source != SourceModel {
			assert.NotEmpty(t, tr.Note, "%s row without its reasoning or citation: %+v", tr.Source, tr)
		}
		op, ok := c.Operation(tr.Operation)
		require.True(t, ok, tr.Operation)
		for _, e := range tr.Outcome.Errors {
			assert.True(t, op.Documents(e), "%s does not document %s", tr.Operation, e)
		}
	}
	for _, a := range actions.Values {
		if a.Value == "ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE" {
			continue // no operation creates or answers it; see transitions.json
		}
		for _, s := range states.Values {
			for _, op := range []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake"} {
				for _, r := range c.Roles {
					assert.Equal(t, 1, seen[[4]string{a.Value, s.Value, op, r.Name}], "row %s/%s/%s/%s", a.Value, s.Value, op, r.Name)
				}
			}
		}
	}
}

func TestEveryFactHasASource(t *testing.T) {
	c := Must()
	valid := map[Source]bool{SourceReference: true, SourceModel: true, SourceAssumption: true}
	for _, o := range c.Operations {
		assert.True(t, valid[o.Source], o.Name)
		for _, e := range o.Errors {
			assert.True(t, valid[e.Source], "%s %s", o.Name, e.Name)
			_, ok := c.Error(e.Name)
			assert.True(t, ok, "%s documents %s, which errors.json lacks", o.Name, e.Name)
		}
	}
	for _, e := range c.Errors {
		assert.True(t, valid[e.Source], e.Name)
		assert.Contains(t, []int{400, 500}, e.HTTPStatus, e.Name)
	}
	for _, e := range c.CommonErrors {
		assert.True(t, valid[e.Source], e.Name)
		assert.NotEmpty(t, e.AcceptedWhere, e.Name)
	}
	for _, e := range c.Enums {
		for _, v := range e.Values {
			assert.True(t, valid[v.Source], "%s.%s", e.Name, v.Value)
		}
	}
	for _, p := range c.Permissions {
		assert.True(t, valid[p.Source], p.Operation)
	}
}
