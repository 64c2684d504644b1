// Package golden holds wire-level golden files of the AWS Organizations
// handshake API (documented sample requests, responses and error bodies) and
// the tools to compare live bodies with them: parsing of the .http files,
// normalisation of volatile values, header redaction, a go-cmp diff, a
// comparison that tells failures from notes (CompareBody, CompareSample)
// and a recorder for adding goldens captured from a live endpoint.
//
// Layout of the embedded files:
//
//	<Operation>/sample.request.http   documented sample request
//	<Operation>/sample.response.http  documented sample response
//	<Operation>/sample-<name>.*.http  a further documented example
//	<Operation>/errors/<Name>.http    one error response per documented exception
//	<Operation>/expectations.json     what an SDK client decodes from each file
//	<Operation>/source.json           where each sample comes from, its source's defects
//
// A .http file is an HTTP/1.1 message as on the wire: start line, header
// lines, an empty line, the body. See README.md.
package golden

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

//go:embed */*.http */errors/*.http */expectations.json */source.json
var files embed.FS

// FS returns the embedded golden files.
func FS() fs.FS { return files }

// List returns the paths of the embedded .http files, sorted.
func List() ([]string, error) {
	var out []string
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".http") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("golden: list: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// Message is one HTTP message of a golden file: a request (Method and
// Target set) or a response (StatusCode set).
type Message struct {
	Method     string // request method, e.g. "POST"
	Target     string // request target, e.g. "/"
	Proto      string // "HTTP/1.1"
	StatusCode int    // response status code, e.g. 200
	Reason     string // response reason phrase, e.g. "OK"
	Header     http.Header
	Body       []byte
}

// IsRequest reports whether m is a request.
func (m *Message) IsRequest() bool { return m.Method != "" }

// Read parses the embedded golden file at path (e.g.
// "AcceptHandshake/sample.response.http").
func Read(path string) (*Message, error) {
	data, err := fs.ReadFile(files, path)
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("golden: %s: %w", path, err)
	}
	return m, nil
}

// Parse parses a wire file: a request line ("POST / HTTP/1.1") or status line
// ("HTTP/1.1 200 OK"), header lines, an empty line and the body. Lines may
// end in LF or CRLF. The body is kept byte for byte, except that the single
// newline ending the file is dropped.
func Parse(data []byte) (*Message, error) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	start, err := r.ReadLine()
	if err != nil {
		return nil, fmt.Errorf("read start line: %w", err)
	}
	m := &Message{}
	if err := m.parseStart(start); err != nil {
		return nil, err
	}
	hdr, err := r.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read headers: %w", err)
	}
	m.Header = http.Header(hdr)
	if m.Header == nil {
		m.Header = http.Header{}
	}
	body, err := io.ReadAll(r.R)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	body = bytes.TrimSuffix(body, []byte("\n"))
	body = bytes.TrimSuffix(body, []byte("\r"))
	m.Body = body
	return m, nil
}

func (m *Message) parseStart(line string) error {
	parts := strings.SplitN(line, " ", 3)
	if len(parts) < 2 {
		return fmt.Errorf("bad start line %q", line)
	}
	if strings.HasPrefix(parts[0], "HTTP/") {
		code, err := strconv.Atoi(parts[1])
		if err != nil || code < 100 || code > 599 {
			return fmt.Errorf("bad status line %q", line)
		}
		m.Proto, m.StatusCode = parts[0], code
		if len(parts) == 3 {
			m.Reason = parts[2]
		}
		return nil
	}
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		return fmt.Errorf("bad request line %q", line)
	}
	m.Method, m.Target, m.Proto = parts[0], parts[1], parts[2]
	return nil
}

// Bytes renders m in the wire-file format Parse reads, headers sorted by name.
func (m *Message) Bytes() []byte {
	var b bytes.Buffer
	proto := m.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	if m.IsRequest() {
		fmt.Fprintf(&b, "%s %s %s\n", m.Method, m.Target, proto)
	} else {
		reason := m.Reason
		if reason == "" {
			reason = http.StatusText(m.StatusCode)
		}
		fmt.Fprintf(&b, "%s %d %s\n", proto, m.StatusCode, reason)
	}
	names := make([]string, 0, len(m.Header))
	for k := range m.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range m.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(m.Body)
	if len(m.Body) > 0 && !bytes.HasSuffix(m.Body, []byte("\n")) {
		b.WriteString("\n")
	}
	return b.Bytes()
}

// Serve writes m as the response to w (for replay servers).
func (m *Message) Serve(w http.ResponseWriter) {
	for k, vs := range m.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(m.Body)))
	w.WriteHeader(m.StatusCode)
	_, _ = w.Write(m.Body)
}

// FromResponse reads resp (and closes its body) into a Message.
func FromResponse(resp *http.Response) (*Message, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("golden: read response body: %w", err)
	}
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	return &Message{Proto: "HTTP/1.1", StatusCode: resp.StatusCode, Reason: reason, Header: resp.Header.Clone(), Body: body}, nil
}

// volatileHeaders are response headers whose values differ on every call;
// Record replaces them with placeholders.
var volatileHeaders = map[string]string{
	"X-Amzn-Requestid": "<REQUEST_ID_1>",
	"Date":             "<DATE_1>",
	"X-Amz-Date":       "<DATE_1>",
}

// transportHeaders are set by the transport and dropped by Record.
var transportHeaders = []string{"Content-Length", "Connection", "Keep-Alive", "Accept-Encoding", "User-Agent", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"}

// Sanitize returns a copy of m fit to be committed: headers redacted
// (Redact), volatile headers replaced by placeholders, transport headers
// dropped, and a JSON body normalised (Normalize). A body that is not JSON is
// kept as is.
func Sanitize(m *Message) (*Message, error) {
	out := *m
	out.Header = Redact(m.Header)
	for _, k := range transportHeaders {
		out.Header.Del(k)
	}
	for k, placeholder := range volatileHeaders {
		if out.Header.Get(k) != "" {
			out.Header.Set(k, placeholder)
		}
	}
	if len(bytes.TrimSpace(m.Body)) > 0 && json.Valid(m.Body) {
		body, err := Normalize(m.Body)
		if err != nil {
			return nil, err
		}
		out.Body = body
	}
	return &out, nil
}

// Record sanitises m (see Sanitize) and writes it to the wire file path,
// creating its folder. Use it to add a golden captured from a live endpoint;
// README.md describes the recording test that calls it.
func Record(path string, m *Message) error {
	clean, err := Sanitize(m)
	if err != nil {
		return fmt.Errorf("golden: record %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("golden: record %s: %w", path, err)
	}
	if err := os.WriteFile(path, clean.Bytes(), 0o644); err != nil {
		return fmt.Errorf("golden: record %s: %w", path, err)
	}
	return nil
}
