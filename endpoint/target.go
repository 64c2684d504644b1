package endpoint

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgconform/orgconform/internal/redact"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/specs"
)

// DefaultTimeout is the per-call deadline when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config says how to reach a target.
type Config struct {
	Endpoint   string        // base URL, e.g. http://127.0.0.1:4566; required
	Region     string        // signing region; default specs SigningRegion (us-east-1)
	Timeout    time.Duration // per call; default DefaultTimeout
	Seed       int64         // seeds account-id minting (math/rand/v2 PCG); 0 means random
	HTTPClient *http.Client  // optional; default one with sane transport timeouts
}

// Target is one endpoint under test. It is safe for concurrent use.
type Target struct {
	endpoint string
	base     *url.URL
	region   string
	timeout  time.Duration
	seed     int64
	http     *http.Client
	requests atomic.Int64

	mu      sync.Mutex
	rng     *rand.Rand
	minted  map[string]bool
	fixed   map[string]Principal
	clients map[Principal]*organizations.Client
	signers map[string]*v4.Signer // by access key id
	svc     specs.Service
	// redactor hides the fixed principals' secrets (SetPrincipals).
	redactor *redact.Secrets
}

// New validates cfg and returns a Target. The endpoint must be an http or
// https URL with a host and without query or fragment; a trailing slash is
// dropped.
func New(cfg Config) (*Target, error) {
	u, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	svc, err := service()
	if err != nil {
		return nil, err
	}
	t := &Target{
		endpoint: strings.TrimRight(u.String(), "/"),
		base:     u,
		region:   cfg.Region,
		timeout:  cfg.Timeout,
		seed:     cfg.Seed,
		minted:   map[string]bool{},
		fixed:    map[string]Principal{},
		clients:  map[Principal]*organizations.Client{},
		signers:  map[string]*v4.Signer{},
		svc:      svc,
	}
	if t.region == "" {
		t.region = svc.SigningRegion
	}
	if t.timeout <= 0 {
		t.timeout = DefaultTimeout
	}
	if t.seed == 0 {
		t.seed = randomSeed()
	}
	t.rng = rand.New(rand.NewPCG(uint64(t.seed), uint64(t.seed)^0x9e3779b97f4a7c15))
	t.http = countingClient(cfg.HTTPClient, &t.requests)
	return t, nil
}

// service returns the wire facts of the contract.
func service() (specs.Service, error) {
	c, err := specs.Load()
	if err != nil {
		return specs.Service{}, fmt.Errorf("target: %w", err)
	}
	return c.Service, nil
}

// parseEndpoint validates a base URL; errors are one line.
func parseEndpoint(raw string) (*url.URL, error) {
	bad := func(why string) error { return fmt.Errorf("invalid endpoint %q: %s", raw, why) }
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("invalid endpoint \"\": endpoint is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, bad(text.OneLine(err.Error()))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("scheme must be http or https")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return nil, bad("host is missing")
	case u.User != nil:
		return nil, bad("user info is not allowed")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, bad("query is not allowed")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, bad("fragment is not allowed")
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil {
			return nil, bad("bad port " + p)
		}
	}
	return u, nil
}

// randomSeed draws a non-zero seed from crypto/rand.
func randomSeed() int64 {
	var b [8]byte
	for {
		if _, err := crand.Read(b[:]); err != nil {
			return time.Now().UnixNano() | 1
		}
		if s := int64(binary.LittleEndian.Uint64(b[:]) >> 1); s != 0 {
			return s
		}
	}
}

// Endpoint returns the base URL, without a trailing slash.
func (t *Target) Endpoint() string { return t.endpoint }

// Region returns the signing region.
func (t *Target) Region() string { return t.region }

// Timeout returns the per-call deadline.
func (t *Target) Timeout() time.Duration { return t.timeout }

// Seed returns the seed of account-id minting (the random one drawn when
// Config.Seed was zero), so a run can be reproduced.
func (t *Target) Seed() int64 { return t.seed }

// awsHostSuffixes are the host suffixes of AWS-operated endpoints.
var awsHostSuffixes = []string{".amazonaws.com", ".amazonaws.com.cn", ".api.aws"}

// IsAWS reports whether the endpoint is operated by AWS.
func (t *Target) IsAWS() bool {
	host := strings.ToLower(strings.TrimSuffix(t.base.Hostname(), "."))
	for _, s := range awsHostSuffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// Requests returns the number of HTTP requests sent so far on every path
// (SDK, raw, Ping and the clock calls).
func (t *Target) Requests() int { return int(t.requests.Load()) }

// Ping reports whether the endpoint answers HTTP within the timeout. Any
// HTTP response, whatever its status, counts as reachable.
func (t *Target) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.endpoint+"/", nil)
	if err != nil {
		return fmt.Errorf("ping %s: %s", t.endpoint, text.OneLine(err.Error()))
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return fmt.Errorf("ping %s: %s", t.endpoint, describeTransport(err, t.timeout))
	}
	drain(resp)
	return nil
}

// countingClient returns a client whose transport counts requests; base is
// copied, never modified.
func countingClient(base *http.Client, n *atomic.Int64) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	} else {
		c.Transport = defaultTransport()
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = &countingTransport{next: rt, n: n}
	// The awsJson1_1 endpoint never redirects; a redirect is an outcome to
	// report, not to follow.
	if c.CheckRedirect == nil {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return &c
}

// defaultTransport is a transport with bounded dial, TLS and header waits.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	}
}

// countingTransport counts every round trip.
type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}
