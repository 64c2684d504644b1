// Package reftarget is orgconform's embedded reference target: an in-memory
// emulator of the AWS Organizations handshake API that the checks can run
// against without an AWS account. It is an independent implementation of the
// behaviour described by package specs — it reads names, patterns, lengths,
// error statuses and lifecycle durations from specs, but not the transition
// table or the permissions, which the checks use as their oracle.
//
// # Use
//
//	srv := reftarget.New(reftarget.Options{})   // an http.Handler
//	url, shutdown, err := srv.Start("127.0.0.1:0")
//	defer shutdown(ctx)
//
// or mount srv in an httptest.Server. "runner serve" serves it on
// 127.0.0.1:4566 by default.
//
// # Wire protocol
//
// awsJson1_1: POST / with X-Amz-Target: AWSOrganizationsV20161128.<Op> and
// a JSON object body (an empty body reads as {}). Every response carries a
// random UUID in x-amzn-RequestId. Errors are
// {"__type": "<Name>", "Message": "...", "Reason": "..."} (Reason only for
// exceptions that have one) with the HTTP status specs gives the error, and
// the name repeated in X-Amzn-ErrorType. Checks run in this order:
//
//   - Content-Length over 1 MiB: 413 RequestEntityTooLargeException, without
//     reading the body (a chunked body is cut off after 1 MiB the same way);
//   - no Authorization header: MissingAuthenticationTokenException (403;
//     specs allow 400 or 403 for authentication errors, this target sends
//     403);
//   - X-Amz-Target not an operation of specs, or not POST /:
//     UnknownOperationException;
//   - the body is not one JSON object, or a member has the wrong JSON type
//     (including nested members and non-integer MaxResults):
//     SerializationException;
//   - member constraints from specs, per member in order: missing required →
//     InvalidInputException INPUT_REQUIRED, then MAX_LENGTH_EXCEEDED,
//     MIN_LENGTH_EXCEEDED, MIN_VALUE_EXCEEDED / MAX_VALUE_EXCEEDED,
//     INVALID_PATTERN, INVALID_ENUM. A 35-character HandshakeId is therefore
//     MAX_LENGTH_EXCEEDED, not INVALID_PATTERN.
//
// Unknown members are ignored. Signatures are not verified.
//
// # Accounts
//
// LocalStack's convention: the caller's account is the access key id of the
// SigV4 Credential= in the Authorization header when it is 12 digits, and
// 000000000000 otherwise. Every 12-digit account exists implicitly, with
// email <account>@example.com and name "Account <account>"; an invitation of
// Type EMAIL to <account>@example.com addresses that account (any other
// valid address is accepted but no account can answer it).
// Options.SharedAccount (runner serve --shared-account) instead serves
// every signed caller as SharedAccountID, as moto does.
//
// # Behaviour and the choices made where the contract allows several
//
//   - Invitations and the members' APPROVE_ALL_FEATURES handshakes start
//     OPEN, the ENABLE_ALL_FEATURES request REQUESTED. A REQUESTED or OPEN
//     handshake reads as EXPIRED once its organization's clock reaches
//     ExpirationTimestamp: RequestedTimestamp + 15 days for INVITE, + 90 days
//     for the all-features request and its members' handshakes (which
//     expire with the request). Lifetimes come from specs' lifecycle.
//   - ACCEPTED, DECLINED, CANCELED and EXPIRED handshakes are gone 30 days
//     after reaching that state: they vanish from both lists and from
//     DescribeHandshake/Accept/Decline/Cancel (HandshakeNotFoundException).
//   - Accept, Decline and Cancel check, in order: the caller is a party
//     (sender = the organization's management account, or recipient), else
//     HandshakeNotFoundException; the caller has the right role (recipient
//     accepts and declines, sender cancels), else AccessDeniedException; the
//     state: already in the requested state → HandshakeAlreadyInStateException;
//     accepting a REQUESTED request (members still to approve), or any
//     response to a final state (EXPIRED included) →
//     InvalidHandshakeTransitionException. Accept needs OPEN; Decline and
//     Cancel take REQUESTED or OPEN.
//   - The all-features process follows the User Guide's transcripts.
//     EnableAllFeatures (management account, CONSOLIDATED_BILLING
//     organization) returns the ENABLE_ALL_FEATURES request: sender and
//     recipient the management account, its only party the ORGANIZATION
//     (Id without the "o-" prefix, as the guide shows), resource
//     ORGANIZATION, REQUESTED. Every member account that joined by
//     invitation (created accounts would get none) gets an APPROVE_ALL_FEATURES
//     handshake: OPEN, parties ORGANIZATION and ACCOUNT, resources
//     PARENT_HANDSHAKE (the request's id without "h-"), ORGANIZATION and
//     ACCOUNT, expiring with the request. When every member still in the
//     organization accepted, the request becomes OPEN (at once when there is
//     none); the management account accepts it and FeatureSet becomes ALL.
//     A member that declines keeps the request REQUESTED until it leaves or
//     is removed. Canceling or declining the request cancels the members'
//     open handshakes and ends the process, as does its expiry; the
//     management account may cancel one member's handshake (the contract
//     allows that or a refusal). Invitations open when the process starts
//     are canceled; while it runs, invitations get
//     INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES and a second
//     EnableAllFeatures ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION;
//     an organization with all features gets
//     ORGANIZATION_ALREADY_HAS_ALL_FEATURES. Filter.ParentHandshakeId lists
//     the members' handshakes of one request.
//   - InviteAccountToOrganization refuses an account already in the same
//     organization with HandshakeConstraintViolationException
//     ALREADY_IN_AN_ORGANIZATION; an account in another organization can be
//     invited but gets ALREADY_IN_AN_ORGANIZATION when it accepts. A second
//     OPEN invitation to the same account (by id or by its email) is
//     DuplicateHandshakeException. Target Type ORGANIZATION or an ACCOUNT id
//     that is not 12 digits is InvalidInputException
//     INVALID_PARTY_TYPE_TARGET; an invalid email INVALID_EMAIL_ADDRESS_TARGET.
//   - Operations that need an organization answer
//     AWSOrganizationsNotInUseException outside one; management-only
//     operations (invite, EnableAllFeatures, ListAccounts,
//     ListHandshakesForOrganization, RemoveAccountFromOrganization,
//     DeleteOrganization) answer AccessDeniedException to members.
//     CreateOrganization by an account in an organization is
//     AlreadyInOrganizationException. LeaveOrganization by the management
//     account is MasterCannotLeaveOrganizationException;
//     RemoveAccountFromOrganization of it is ConstraintViolationException
//     ACCOUNT_CANNOT_LEAVE_ORGANIZATION, of an account outside the
//     organization AccountNotFoundException. DeleteOrganization needs no
//     members left (OrganizationNotEmptyException) and cancels the
//     organization's REQUESTED and OPEN handshakes.
//   - Lists are in creation order; NextToken is opaque and names a position
//     (a foreign token is InvalidInputException INVALID_NEXT_TOKEN);
//     MaxResults defaults to 20. Filter.ActionType and
//     Filter.ParentHandshakeId together are MAX_LIMIT_EXCEEDED_FILTER.
//   - One mutex serializes every operation, so requests are linearizable:
//     of two simultaneous accepts exactly one succeeds.
//
// # Partial modes
//
// For tests of how the checks cope with incomplete emulators:
//
//   - Options.Without names operations that answer as LocalStack answers an
//     operation it lacks, before their input is looked at: HTTP 501,
//     X-Amzn-ErrorType InternalFailure and
//     {"__type":"InternalFailure","message":"API action '<Op>' for service
//     'organizations' not yet implemented or pro feature"} (LocalStack's
//     lower-case "message").
//   - Options.ImplicitOrganizations: CreateOrganization answers as not
//     implemented, and an account in no organization is given one (FeatureSet
//     ALL, the account its management account, JoinedMethod CREATED) by its
//     first call of DescribeOrganization, ListAccounts,
//     InviteAccountToOrganization, EnableAllFeatures,
//     ListHandshakesForOrganization or RemoveAccountFromOrganization, before
//     the call runs (a refused call keeps the organization).
//     LeaveOrganization and DeleteOrganization still answer
//     AWSOrganizationsNotInUseException, the handshake operations never
//     create one (an invited account can still accept), and a member of an
//     organization is never given another.
//
// For tests and benchmarks of slow emulators (Python ones answer in about
// 40 ms), Options.Latency delays every API answer, errors included (not the
// control endpoints): the request body is read, then the handler waits
// outside the state lock; a client that gives up meanwhile ends the wait,
// its request has no effect, and the log shows status 499.
//
// # Faults and equivalent variants
//
// Options.Fault plants one fault of the catalogue (faults.go, Faults): a
// bug as emulator authors write it, at the spot where it would be written
// (hooks.go lists those spots; rewrite.go the faults that are a matter of
// encoding), each with the contract point it breaks, its source and the
// checks that must catch it. Options.Variant makes one equivalent variant
// (Variants): an answer the sources allow where this target picks another.
// Package mutation runs the checks against every one; "runner faults"
// lists them, "runner --fault NAME" and "runner serve --fault NAME" plant
// one.
//
// NewChecked (or Options.Validate) reports an unknown operation name, a
// Latency outside [0, MaxLatency], or an unknown fault or variant as an
// error; New panics on them.
// "runner serve --without OP,OP --implicit-organizations --latency D" sets
// all three.
//
// # Test-control endpoints
//
// Outside the AWS API, without authentication:
//
//	GET  /_orgconform/info   → {"name":"orgconform reference target","accounts":"localstack",
//	                            "defaultAccount":"000000000000","clock":"/_orgconform/clock",
//	                            "initialState":"OPEN",
//	                            "initialStateByAction":{"INVITE":"OPEN","ENABLE_ALL_FEATURES":"REQUESTED",...},
//	                            "expiresAfterSeconds":1296000,
//	                            "expiresAfterSecondsByAction":{"INVITE":1296000,"ENABLE_ALL_FEATURES":7776000,...},
//	                            "retainedAfterSeconds":2592000,"without":[],
//	                            "implicitOrganizations":false,"organizationClocks":true,
//	                            "latencyMs":0}
//	GET  /_orgconform/clock?organization=o-…  → {"now": 1700000000.123, "organization": "o-…"}
//	POST /_orgconform/clock  {"organization": "o-…", "advance_seconds": 1296001} → {"now": ..., "organization": "o-…"}
//	POST /_orgconform/clock  {"organization": "o-…", "set": 1800000000} → {"now": ..., "organization": "o-…"}
//	GET  /_orgconform/clock  → {"now": 1700000000.123}
//	POST /_orgconform/clock  {"advance_seconds": 1296001} → {"now": ...}
//
// Every organization has its own clock: the target clock plus an offset
// that only the scoped form (with "organization") moves. An organization's
// clock stamps its handshakes' RequestedTimestamp, ExpirationTimestamp and
// close time and its accounts' JoinedTimestamp, and judges its handshakes'
// expiry and retention whoever reads them (a recipient's
// ListHandshakesForAccount mixes organizations, each on its own clock). A
// deleted organization's clock lives on while any of its handshakes is
// retained (until the sweep releases the last of them, a few requests
// after its retention ends). The unscoped form moves the target clock, and so every
// organization's; the runner never uses it (on a shared target it would
// expire other clients' handshakes) — it moves only the clocks of the
// organizations its scenarios create, and reads the unscoped clock once to
// learn that clock control exists.
//
// Clocks only move forward: a negative advance or a set before the clock's
// now is 400 {"message": "..."}, as is an unknown query parameter or an
// empty organization; an organization the target does not know (or no
// longer retains anything of) is 404 {"message": "..."}. Unknown control
// paths are 404. /_orgconform/info reports "organizationClocks": true.
//
// # Memory
//
// The target keeps what AWS keeps — a closed handshake for 30 days after it
// closed, by its organization's clock — compactly (Parties and Resources
// are rendered from a handshake's fields, the PARENT_HANDSHAKE of an
// all-features child from its family's request id; account ids and party
// types are copied out of the request; a deleted organization leaves only
// its clock, and only while its handshakes are retained), and releases what
// retention ends: every API request that passes input validation examines
// the next 8 handshakes of the log (sweep.go) and releases those past their
// retention from every index and from their all-features family (a
// released child that was not ACCEPTED is remembered by its account alone,
// so that the request still waits for that member), so a pass over N
// retained handshakes takes N/8 requests and no request scans them all. Indexes that have fallen to a quarter of their peak are
// rebuilt during a pass (Go maps never shrink). A client of a shared target
// can release what its scenarios leave behind by moving its deleted
// organizations' clocks past the 30 days.
//
// # Benchmark
//
//	go test -bench Server -run '^$' ./reftarget/
//
// measures requests per second for DescribeHandshake and AcceptHandshake
// over loopback and reports each as a ratio to a bare net/http handler
// measured in the same run.
//
//	go test -bench RetainedMemory -run '^$' -benchtime 20000x ./reftarget/
//
// reports the live heap (runtime.ReadMemStats after two collections) the
// target retains per unit of work, divided by b.N: retained-B/cycle for one
// organization-invite-accept-remove-delete cycle with fresh accounts, which
// leaves one ACCEPTED handshake behind for its 30 days, and
// retained-B/handshake for one more OPEN invitation. Measured on a shared
// 2-core VM (Oxide "Virtual Turin-like Processor", linux/amd64, go1.26.8),
// 20000 iterations, three runs each (heap figures are the same from run to
// run, unlike times on that machine):
//
//	                        before   now
//	retained-B/cycle          1137   499
//	retained-B/handshake       769   429
//
// "Before" is the layout until this change: stored Resources slices, account
// ids that were substrings of the whole Authorization header, and nothing
// ever released. TestRetentionReleasesMemory runs 4000 cycles (2.1 MB
// retained), moves each deleted organization's clock 30 days, sends 4000
// ordinary requests and finds the heap 81 KB above where it started (the
// noise of the measurement: a heap profile shows about 20 KB of the
// target's own).
package reftarget
