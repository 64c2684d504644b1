// Package awserr reads the error code of an awsJson1_1 error response
// exactly as aws-sdk-go-v2 does (smithy-go's awsjson protocol:
// ResolveProtocolErrorType and SanitizeErrorCode).
package awserr

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Bare strips what awsJson1_1 clients strip from an error type: everything
// from the first ':' (a URI suffix such as
// ":http://internal.amazon.com/coral/…"), then everything up to and
// including the first '#' (a namespace such as
// "com.amazonaws.organizations#").
func Bare(code string) string {
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.IndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return code
}

// Code reads the error code as aws-sdk-go-v2 does: the X-Amzn-ErrorType
// header when it is not empty, else the body's "__type", else its "code"
// when that is a string; then Bare. It returns "" when there is none (the
// SDK then reports the generic "UnknownError"), and also when the SDK cannot
// decode the body (not JSON, a JSON value other than an object or null, a
// non-string "__type" or "Message"): the SDK then fails with a
// deserialization error and reads no code, not even the header's.
func Code(header http.Header, body []byte) string {
	info, ok := protocolInfo(body)
	if !ok {
		return ""
	}
	if h := header.Get("X-Amzn-ErrorType"); h != "" {
		return Bare(h)
	}
	if info.Type != "" {
		return Bare(info.Type)
	}
	code, _ := info.Code.(string)
	return Bare(code)
}

// protocolInfo decodes body as smithy-go's GetProtocolErrorInfo does: the
// first JSON value into {__type string, Message string, Code any} (member
// names matched case-insensitively); an empty body is no error. ok is false
// when the SDK's decode fails.
func protocolInfo(body []byte) (info struct {
	Type    string `json:"__type"`
	Message string
	Code    any
}, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil && err != io.EOF {
		return info, false
	}
	return info, true
}

// ErrorFields are the members of an error body that clients read.
type ErrorFields struct {
	Type    string // "__type" (a string; the SDK cannot decode another type)
	Code    string // "code", when a string
	Message string // "Message", matched case-insensitively
	Reason  string // "Reason", matched case-insensitively, when a string
}

// Fields decodes the first JSON value of body as the SDK's error decoder
// does (member names case-insensitive) and returns its error members.
// decoded is false when body is not a JSON object the decoder accepts (a
// non-string "__type" or "Message" included), or is empty.
func Fields(body []byte) (f ErrorFields, decoded bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return f, false
	}
	var info struct {
		Type    string `json:"__type"`
		Message string
		Code    any
		Reason  any
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil && err != io.EOF {
		return f, false
	}
	code, _ := info.Code.(string)
	reason, _ := info.Reason.(string)
	return ErrorFields{Type: info.Type, Code: code, Message: info.Message, Reason: reason}, true
}

// Read is Code and Fields from one decode of body: the error code as the
// SDK reads it, and the error members (decoded as Fields says).
func Read(header http.Header, body []byte) (code string, f ErrorFields, decoded bool) {
	var info struct {
		Type    string `json:"__type"`
		Message string
		Code    any
		Reason  any
	}
	// Unmarshal when the body is one JSON value (the usual case, and no
	// decoder to allocate); else the decoder reads the first value, as the
	// SDK's does. Numbers are never read: only strings count.
	if json.Unmarshal(body, &info) != nil {
		info.Type, info.Message, info.Code, info.Reason = "", "", nil, nil
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&info); err != nil && err != io.EOF {
			return "", f, false
		}
	}
	c, _ := info.Code.(string)
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
		reason, _ := info.Reason.(string)
		f, decoded = ErrorFields{Type: info.Type, Code: c, Message: info.Message, Reason: reason}, true
	}
	switch h := header.Get("X-Amzn-ErrorType"); {
	case h != "":
		code = Bare(h)
	case info.Type != "":
		code = Bare(info.Type)
	default:
		code = Bare(c)
	}
	return code, f, decoded
}
