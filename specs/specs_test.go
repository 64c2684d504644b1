package specs

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The exceptions the transition table's rules are about.
const (
	accessDenied      = "AccessDeniedException"
	notFound          = "HandshakeNotFoundException"
	invalidTransition = "InvalidHandshakeTransitionException"
	alreadyInState    = "HandshakeAlreadyInStateException"
	constraint        = "HandshakeConstraintViolationException"
	notInUse          = "AWSOrganizationsNotInUseException"
)

var responseOps = []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake"}

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
	assert.NotEmpty(t, c.Limits)
	assert.NotEmpty(t, c.PartyIDForms)
}

func TestTransitionTableIsComplete(t *testing.T) {
	c := Must()
	actions, _ := c.Enum("ActionType")
	states, _ := c.Enum("HandshakeState")
	seen := map[[4]string]int{}
	for _, tr := range c.Transitions {
		seen[[4]string{tr.Action, tr.State, tr.Operation, tr.Role}]++
		assert.Contains(t, Sources, tr.Source, "row %+v", tr)
		assert.True(t, tr.Outcome.State != "" || len(tr.Outcome.Errors) > 0, "row without outcome: %+v", tr)
		assert.NotEmpty(t, tr.Note, "%s row without its reasoning or citation: %+v", tr.Source, tr)
		op, ok := c.Operation(tr.Operation)
		require.True(t, ok, tr.Operation)
		for _, e := range tr.Outcome.Errors {
			assert.True(t, op.Documents(e), "%s does not document %s", tr.Operation, e)
		}
		for name, reasons := range tr.Outcome.Reasons {
			assert.Contains(t, tr.Outcome.Errors, name, "reasons for an exception the row does not allow: %+v", tr)
			e, ok := c.Error(name)
			require.True(t, ok, name)
			enum, ok := c.Enum(e.ReasonEnum)
			require.True(t, ok, "%s has no reason enum", name)
			for _, r := range reasons {
				assert.True(t, enum.Has(r), "%s: reason %s not in %s", name, r, e.ReasonEnum)
			}
		}
	}
	for _, a := range actions.Values {
		if a.Value == "ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE" {
			continue // no operation creates or answers it; see transitions.json
		}
		for _, s := range states.Values {
			for _, op := range responseOps {
				for _, r := range c.Roles {
					assert.Equal(t, 1, seen[[4]string{a.Value, s.Value, op, r.Name}], "row %s/%s/%s/%s", a.Value, s.Value, op, r.Name)
				}
			}
		}
	}
}

// row returns the transition row or fails the test.
func row(t *testing.T, c *Contract, action, state, op, role string) Transition {
	t.Helper()
	tr, ok := c.Transition(action, state, op, role)
	require.True(t, ok, "row %s/%s/%s/%s", action, state, op, role)
	return tr
}

// The guide's transcripts: members approve with APPROVE_ALL_FEATURES, the
// management account finalizes with ENABLE_ALL_FEATURES, and only once
// every member approved (OPEN), not while REQUESTED.
func TestAllFeaturesHandshakesGoTheGuidesWay(t *testing.T) {
	c := Must()
	approve := row(t, c, "APPROVE_ALL_FEATURES", "OPEN", "AcceptHandshake", RoleRecipient)
	assert.Equal(t, "ACCEPTED", approve.Outcome.State)
	assert.Equal(t, SourceGuide, approve.Source)
	final := row(t, c, "ENABLE_ALL_FEATURES", "OPEN", "AcceptHandshake", RoleRecipient)
	assert.Equal(t, "ACCEPTED", final.Outcome.State)
	assert.Equal(t, SourceGuide, final.Source)

	early := row(t, c, "ENABLE_ALL_FEATURES", "REQUESTED", "AcceptHandshake", RoleRecipient)
	assert.Empty(t, early.Outcome.State, "the final confirmation cannot be accepted before every member approved")
	assert.Contains(t, early.Outcome.Errors, invalidTransition)

	lc := c.Lifecycle.Actions
	assert.Equal(t, "management-account", lc["ENABLE_ALL_FEATURES"].Recipient)
	assert.Equal(t, "EnableAllFeatures", lc["ENABLE_ALL_FEATURES"].CreatedBy)
	assert.Equal(t, "APPROVE_ALL_FEATURES", lc["ENABLE_ALL_FEATURES"].ChildAction)
	assert.Equal(t, "member-account", lc["APPROVE_ALL_FEATURES"].Recipient)
	assert.Equal(t, "ENABLE_ALL_FEATURES", lc["APPROVE_ALL_FEATURES"].ParentAction)
	assert.Contains(t, lc["APPROVE_ALL_FEATURES"].ResourceTypes, []string{"PARENT_HANDSHAKE"})
	assert.Equal(t, [][]string{{"ORGANIZATION"}}, lc["ENABLE_ALL_FEATURES"].PartyTypes)

	for _, p := range c.Permissions {
		if p.Operation == "AcceptHandshake" && (p.Action == "ENABLE_ALL_FEATURES" || p.Action == "APPROVE_ALL_FEATURES") {
			assert.Equal(t, SourceGuide, p.Source, p.Action)
		}
	}
}

// ENABLE_ALL_FEATURES has one party, the management account, so its sender
// rows are the recipient rows and unreachable; APPROVE_ALL_FEATURES starts
// OPEN, so its REQUESTED rows are unreachable. Invitations start OPEN on
// AWS and may start REQUESTED elsewhere (lifecycle), so their REQUESTED
// rows are reachable on such a target.
func TestReachability(t *testing.T) {
	c := Must()
	for _, tr := range c.Transitions {
		switch {
		case tr.Action == "TRANSFER_RESPONSIBILITY":
			assert.False(t, tr.IsReachable(), "%+v", tr)
		case tr.Action == "ENABLE_ALL_FEATURES" && tr.Role == RoleSender:
			assert.False(t, tr.IsReachable(), "%+v", tr)
			twin := row(t, c, tr.Action, tr.State, tr.Operation, RoleRecipient)
			assert.Equal(t, twin.Outcome, tr.Outcome, "%s/%s/%s: sender and recipient rows differ", tr.Action, tr.State, tr.Operation)
		case tr.State == "REQUESTED" && tr.Action == "APPROVE_ALL_FEATURES":
			assert.False(t, tr.IsReachable(), "%+v", tr)
		default:
			assert.True(t, tr.IsReachable(), "%+v", tr)
		}
	}
}

// The page gives three terminal cases exactly; every other response of the
// allowed caller to a finished handshake accepts both state exceptions.
func TestFinishedHandshakesAcceptBothStateExceptions(t *testing.T) {
	c := Must()
	exact := map[[2]string]string{
		{"ACCEPTED", "AcceptHandshake"}: alreadyInState,
		{"ACCEPTED", "CancelHandshake"}: invalidTransition,
		{"DECLINED", "AcceptHandshake"}: invalidTransition,
	}
	checked := 0
	for _, tr := range c.Transitions {
		if !slices.Contains([]string{"ACCEPTED", "DECLINED", "CANCELED", "EXPIRED"}, tr.State) || !c.allowedCaller(tr) {
			continue
		}
		checked++
		assert.Empty(t, tr.Outcome.State, "%+v", tr)
		if want, ok := exact[[2]string{tr.State, tr.Operation}]; ok {
			assert.Equal(t, []string{want}, tr.Outcome.Errors, "%+v", tr)
			assert.Equal(t, SourceReference, tr.Source, "%+v", tr)
			continue
		}
		assert.ElementsMatch(t, []string{invalidTransition, alreadyInState}, tr.Outcome.Errors, "%+v", tr)
		assert.Equal(t, SourceAssumption, tr.Source, "%+v", tr)
	}
	// 4 actions x 4 final states x 3 operations, and the 12 ENABLE_ALL_FEATURES
	// sender rows that repeat the recipient rows.
	assert.Equal(t, 4*4*3+12, checked, "allowed-caller rows on finished handshakes")
}

// allowedCaller reports whether the row's role is the one the permissions
// allow (the sender of ENABLE_ALL_FEATURES is its recipient).
func (c *Contract) allowedCaller(tr Transition) bool {
	role := tr.Role
	if tr.Action == "ENABLE_ALL_FEATURES" && role == RoleSender {
		role = RoleRecipient
	}
	if tr.Operation == "CancelHandshake" && tr.Action == "ENABLE_ALL_FEATURES" {
		return role == RoleRecipient
	}
	return slices.Contains(c.Allowed(tr.Operation, tr.Action), role)
}

// Callers in the wrong role: a caller already in an organization may get
// ALREADY_IN_AN_ORGANIZATION when it accepts an invitation (and no other
// reason), an outsider AWSOrganizationsNotInUseException where the
// operation documents it, and neither where it does not.
func TestWrongRoleRows(t *testing.T) {
	c := Must()
	for _, tr := range c.Transitions {
		if c.allowedCaller(tr) {
			continue
		}
		assert.Subset(t, tr.Outcome.Errors, []string{accessDenied, notFound, invalidTransition}, "%+v", tr)
		assert.Empty(t, tr.Outcome.State, "%+v", tr)
		inOrg := tr.Action == "INVITE" && tr.Operation == "AcceptHandshake" && (tr.Role == RoleSender || tr.Role == RoleMember)
		assert.Equal(t, inOrg, slices.Contains(tr.Outcome.Errors, constraint), "%+v", tr)
		if inOrg {
			assert.Equal(t, map[string][]string{constraint: {"ALREADY_IN_AN_ORGANIZATION"}}, tr.Outcome.Reasons, "%+v", tr)
			assert.True(t, tr.Outcome.AllowsError(constraint, "ALREADY_IN_AN_ORGANIZATION"))
			assert.False(t, tr.Outcome.AllowsError(constraint, "HANDSHAKE_RATE_LIMIT_EXCEEDED"))
		}
		outsiderAccept := tr.Role == RoleOutsider && tr.Operation == "AcceptHandshake"
		assert.Equal(t, outsiderAccept, slices.Contains(tr.Outcome.Errors, notInUse), "%+v", tr)
	}
}

// Rows that tag the model or the page cite it; REQUESTED and repeat rows
// are inferences.
func TestInferredRowsAreAssumptions(t *testing.T) {
	c := Must()
	for _, tr := range c.Transitions {
		if tr.State == "REQUESTED" && tr.Action != "ENABLE_ALL_FEATURES" {
			assert.Equal(t, SourceAssumption, tr.Source, "%+v", tr)
		}
		if tr.State == "DECLINED" && tr.Operation == "DeclineHandshake" || tr.State == "CANCELED" && tr.Operation == "CancelHandshake" {
			assert.Equal(t, SourceAssumption, tr.Source, "%+v", tr)
		}
		if tr.Source == SourceModel {
			assert.Contains(t, tr.Note, "model", "%+v", tr)
		}
		if tr.Source == SourceGuide {
			assert.Contains(t, tr.Note, "guide", "%+v", tr)
		}
	}
}

func TestLifecyclePerAction(t *testing.T) {
	l := Must().Lifecycle
	day := 24 * time.Hour
	for action, want := range map[string]struct {
		initial []string
		expiry  time.Duration
	}{
		"INVITE":               {[]string{"OPEN", "REQUESTED"}, 15 * day},
		"ENABLE_ALL_FEATURES":  {[]string{"REQUESTED"}, 90 * day},
		"APPROVE_ALL_FEATURES": {[]string{"OPEN"}, 90 * day},
	} {
		assert.Equal(t, want.initial, l.InitialStateSet(action), action)
		got, ok := l.ExpiresAfter(action)
		assert.True(t, ok, action)
		assert.Equal(t, want.expiry, got, action)
	}
	_, ok := l.ExpiresAfter("TRANSFER_RESPONSIBILITY")
	assert.False(t, ok, "no source gives a billing transfer's expiry")
	_, ok = l.ExpiresAfter("NO_SUCH_ACTION")
	assert.False(t, ok)
	assert.Empty(t, l.InitialStateSet("NO_SUCH_ACTION"))
	assert.Equal(t, []string{"OPEN", "REQUESTED"}, l.Actions["ENABLE_ALL_FEATURES"].InitialStatesWithoutChildren)
	assert.Equal(t, 30*day, l.RetainedFor())

	// The fields kept for older callers: INVITE's expiry, every action's
	// initial states.
	assert.EqualValues(t, 1296000, l.ExpiresAfterSeconds)
	assert.Equal(t, SourceReference, l.ExpiresSource)
	assert.Equal(t, []any{"OPEN", "REQUESTED"}, l.InitialStates["INVITE"])
	assert.Equal(t, []any{"REQUESTED"}, l.InitialStates["ENABLE_ALL_FEATURES"])
	for name, a := range l.Actions {
		for _, src := range []Source{a.InitialSource, a.ExpiresSource, a.ShapeSource} {
			assert.Contains(t, Sources, src, name)
		}
		assert.NotEmpty(t, a.InitialNote, name)
		assert.NotEmpty(t, a.ExpiresNote, name)
		assert.NotEmpty(t, a.ShapeNote, name)
	}
}

func TestLimits(t *testing.T) {
	c := Must()
	want := map[string]int64{
		"finalizing-organization":     3600,
		"invitations-per-day":         20,
		"accounts-per-organization":   10,
		"invitation-expiry":           1296000,
		"all-features-request-expiry": 7776000,
		"handshake-retention":         2592000,
	}
	for name, v := range want {
		l, ok := c.Limit(name)
		require.True(t, ok, name)
		require.NotNil(t, l.Value, name)
		assert.Equal(t, v, *l.Value, name)
	}
	rate, ok := c.Limit("membership-change-rate")
	require.True(t, ok)
	assert.Nil(t, rate.Value, "AWS documents no interval")
	d, ok := c.Limit("finalizing-organization")
	require.True(t, ok)
	got, ok := d.Duration()
	assert.True(t, ok)
	assert.Equal(t, time.Hour, got)
	_, ok = rate.Duration()
	assert.False(t, ok)
	_, ok = c.Limit("no-such-limit")
	assert.False(t, ok)

	// The quotas page's timeouts and the lifecycle agree.
	assert.Equal(t, c.Lifecycle.Actions["INVITE"].ExpiresAfterSeconds, want["invitation-expiry"])
	assert.Equal(t, c.Lifecycle.Actions["ENABLE_ALL_FEATURES"].ExpiresAfterSeconds, want["all-features-request-expiry"])
	assert.Equal(t, c.Lifecycle.Actions["APPROVE_ALL_FEATURES"].ExpiresAfterSeconds, want["all-features-request-expiry"])
	assert.Equal(t, c.Lifecycle.RetainedAfterSeconds, want["handshake-retention"])

	for _, l := range c.Limits {
		assert.Contains(t, Sources, l.Source, l.Name)
		assert.NotEmpty(t, l.Note, l.Name)
		assert.NotEmpty(t, l.Operations, l.Name)
		for _, op := range l.Operations {
			_, ok := c.Operation(op)
			assert.True(t, ok, "%s: operation %s", l.Name, op)
		}
		for _, e := range l.Errors {
			modeled, isModeled := c.Error(e.Name)
			_, isCommon := c.CommonError(e.Name)
			assert.True(t, isModeled || isCommon, "%s: error %s", l.Name, e.Name)
			if e.Reason != "" {
				enum, ok := c.Enum(modeled.ReasonEnum)
				require.True(t, ok, "%s: %s has no reason enum", l.Name, e.Name)
				assert.True(t, enum.Has(e.Reason), "%s: %s.%s", l.Name, e.Name, e.Reason)
			}
		}
	}
}

// Authentication errors may come with 400 or 403; every common error's
// statuses include the one the reference target sends.
func TestCommonErrorStatuses(t *testing.T) {
	c := Must()
	for _, name := range []string{"MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException"} {
		e, ok := c.CommonError(name)
		require.True(t, ok, name)
		assert.ElementsMatch(t, []int{400, 403}, e.Statuses(), name)
	}
	for _, e := range c.CommonErrors {
		assert.Contains(t, e.Statuses(), e.HTTPStatus, e.Name)
	}
	ser, ok := c.CommonError("SerializationException")
	require.True(t, ok)
	assert.Equal(t, []int{400}, ser.Statuses(), "without httpStatuses, Statuses is httpStatus")
}

// The modeled exceptions' status notes no longer credit botocore with a
// status it does not carry.
func TestStatusNotesDoNotCreditBotocore(t *testing.T) {
	for _, e := range Must().Errors {
		if e.StatusNote != "" {
			assert.NotContains(t, e.StatusNote, "and the botocore model) say", e.Name)
			assert.Contains(t, e.StatusNote, "botocore model gives no status", e.Name)
		}
	}
}

func TestOutcomeAllowsError(t *testing.T) {
	o := Outcome{Errors: []string{constraint, accessDenied}, Reasons: map[string][]string{constraint: {"ALREADY_IN_AN_ORGANIZATION"}}}
	assert.True(t, o.AllowsError(constraint, "ALREADY_IN_AN_ORGANIZATION"))
	assert.False(t, o.AllowsError(constraint, "PAYMENT_INSTRUMENT_REQUIRED"))
	assert.False(t, o.AllowsError(constraint, ""), "a restricted exception needs its reason")
	assert.True(t, o.AllowsError(accessDenied, ""))
	assert.True(t, o.AllowsError(accessDenied, "ANYTHING"), "an unrestricted exception takes any reason")
	assert.False(t, o.AllowsError(notFound, ""))
	assert.False(t, Outcome{State: "ACCEPTED"}.AllowsError(accessDenied, ""))
}

// The page's reason names that the model's documentation still lists are
// conforming, and stand for the enum's names.
func TestDocumentationOnlyReasons(t *testing.T) {
	e, ok := Must().Enum("InvalidInputExceptionReason")
	require.True(t, ok)
	for old, current := range map[string]string{"INVALID_PAGINATION_TOKEN": "INVALID_NEXT_TOKEN", "MAX_FILTER_LIMIT_EXCEEDED": "MAX_LIMIT_EXCEEDED_FILTER"} {
		assert.True(t, e.Has(old), old)
		assert.True(t, e.Has(current), current)
		assert.ElementsMatch(t, []string{current, old}, e.Equivalents(old), old)
		assert.ElementsMatch(t, []string{current, old}, e.Equivalents(current), current)
	}
	assert.Equal(t, []string{"INPUT_REQUIRED"}, e.Equivalents("INPUT_REQUIRED"))
	assert.Equal(t, []string{""}, e.Equivalents(""), "a value outside the enum is only itself")
	assert.Equal(t, []string{"NOT_A_REASON"}, e.Equivalents("NOT_A_REASON"))
	for _, v := range e.Values {
		if v.Drift == DriftDocumentationOnly {
			assert.True(t, e.Has(v.SameAs), "%s sameAs %s", v.Value, v.SameAs)
		}
	}
}

// The ARN patterns accept every AWS partition (botocore partitions.json)
// and nothing that is not a partition.
func TestARNPatternsAcceptEveryPartition(t *testing.T) {
	c := Must()
	partitions := []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
	samples := map[string]string{
		"HandshakeArn":    ":organizations::111111111111:handshake/o-exampleorgid/invite/h-examplehandshakeid111",
		"AccountArn":      ":organizations::111111111111:account/o-exampleorgid/222222222222",
		"OrganizationArn": ":organizations::111111111111:organization/o-exampleorgid",
	}
	for name, rest := range samples {
		re := regexp.MustCompile(c.Scalars[name].Pattern)
		for _, p := range partitions {
			assert.True(t, re.MatchString("arn:"+p+rest), "%s in partition %s", name, p)
		}
		for _, bad := range []string{"arn:" + rest, "arn:awsx" + rest, "arn:gcp" + rest, "arn:aws-" + rest, "arn:aws-CN" + rest} {
			assert.False(t, re.MatchString(bad), "%s: %s", name, bad)
		}
		assert.Equal(t, SourceAssumption, c.Scalars[name].Source, name)
		assert.NotEmpty(t, c.Scalars[name].Note, name)
	}
}

func TestIdentifierForms(t *testing.T) {
	c := Must()
	assert.Equal(t, []string{"o-exampleorgid", "exampleorgid"}, c.PartyIDs("ORGANIZATION", "o-exampleorgid"))
	assert.Equal(t, []string{"111111111111"}, c.PartyIDs("ACCOUNT", "111111111111"))
	assert.Equal(t, []string{"juan@example.com"}, c.PartyIDs("EMAIL", "juan@example.com"))
	assert.Equal(t, []string{"x"}, c.PartyIDs("NO_SUCH_TYPE", "x"), "an unlisted type carries its id as-is")
	assert.Equal(t, []string{"h-abcdefgh12", "abcdefgh12"}, c.ResourceValues("PARENT_HANDSHAKE", "h-abcdefgh12"))
	assert.Equal(t, []string{"o-exampleorgid"}, c.ResourceValues("ORGANIZATION", "o-exampleorgid"))
	for typ, forms := range c.PartyIDForms {
		for _, f := range forms {
			assert.Contains(t, []string{FormAsIs, FormWithoutPrefix}, f.Form, typ)
			assert.Contains(t, Sources, f.Source, typ)
			assert.NotEmpty(t, f.Note, typ)
			assert.Equal(t, f.Form == FormWithoutPrefix, f.Prefix != "", typ)
		}
	}
	org := c.PartyIDForms["ORGANIZATION"]
	require.Len(t, org, 2)
	assert.Equal(t, SourceGuide, org[1].Source, "the guide's transcripts show the prefix-less form")
}

func TestEveryFactHasASource(t *testing.T) {
	c := Must()
	valid := map[Source]bool{}
	for _, s := range Sources {
		valid[s] = true
	}
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
	for name, s := range c.Scalars {
		assert.True(t, valid[s.Source], name)
	}
	roles := map[string]bool{}
	for _, r := range c.Roles {
		roles[r.Name] = true
	}
	for _, p := range c.Permissions {
		assert.True(t, valid[p.Source], p.Operation)
		assert.NotEmpty(t, p.Note, p.Operation)
		for _, r := range append(slices.Clone(p.Allowed), p.Undecided...) {
			assert.True(t, roles[r], "%s: role %s", p.Operation, r)
		}
	}
	for _, d := range c.Drift {
		assert.NotEmpty(t, d.Topic)
		assert.NotEmpty(t, d.Handling, d.Topic)
	}
}

// DescribeHandshake: the model lets any account of an organization call it,
// which does not settle whether a non-party member sees the handshake.
func TestDescribeHandshakePermission(t *testing.T) {
	for _, p := range Must().Permissions {
		if p.Operation == "DescribeHandshake" {
			assert.Equal(t, []string{RoleRecipient, RoleSender}, p.Allowed)
			assert.Equal(t, []string{RoleMember}, p.Undecided)
			assert.Equal(t, SourceAssumption, p.Source)
			return
		}
	}
	t.Fatal("no DescribeHandshake permission")
}
