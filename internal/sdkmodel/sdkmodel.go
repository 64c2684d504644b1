// Package sdkmodel reads what an aws-sdk-go-v2 service/organizations module
// knows — its exceptions, its type registry, its enums, its HTTP error
// codes — from the module's Go source, not from compiled symbols. Tests
// and tools that use it therefore build with every SDK version, including
// those that predate a symbol (TypeRegistry arrived in v1.57.0,
// types.AccountState in v1.46.0).
package sdkmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Module is the import path of the service module.
const Module = "github.com/aws/aws-sdk-go-v2/service/organizations"

// Model is what one version of the module knows.
type Model struct {
	Dir string // the module's source folder
	// Exceptions are the error types of types/errors.go, sorted by name.
	Exceptions []Exception
	// Registry lists the exception names of the service-wide type registry
	// (type_registry.go), sorted; nil for versions without one (before
	// schema-based serde, v1.57.0).
	Registry []string
	// Enums maps each string enum type of types/enums.go to its values, in
	// source order.
	Enums map[string][]string
}

// Exception is one error type of the types package.
type Exception struct {
	Name       string // Go type name
	Code       string // what ErrorCode returns without an override
	Fault      string // "client" or "server", from ErrorFault
	ReasonEnum string // type of its Reason field, "" when it has none
	// HTTPStatus is the httpError trait of its schema (schemas/schemas.go),
	// 0 when the version has no schemas or the trait is absent.
	HTTPStatus int
}

// Names returns the exception names the module's registry knows: the type
// registry's when there is one, the error types' otherwise.
func (m *Model) Names() []string {
	if m.Registry != nil {
		return m.Registry
	}
	out := make([]string, len(m.Exceptions))
	for i, e := range m.Exceptions {
		out[i] = e.Name
	}
	return out
}

// Exception returns the exception name.
func (m *Model) Exception(name string) (Exception, bool) {
	for _, e := range m.Exceptions {
		if e.Name == name {
			return e, true
		}
	}
	return Exception{}, false
}

// HasSchemas reports whether the version carries schemas (and so the
// httpError codes of its exceptions).
func (m *Model) HasSchemas() bool {
	_, err := os.Stat(filepath.Join(m.Dir, "schemas", "schemas.go"))
	return err == nil
}

// Read parses the module source in dir.
func Read(dir string) (*Model, error) {
	m := &Model{Dir: dir, Enums: map[string][]string{}}
	errFile, err := parse(filepath.Join(dir, "types", "errors.go"))
	if err != nil {
		return nil, err
	}
	m.Exceptions = exceptions(errFile)
	if len(m.Exceptions) == 0 {
		return nil, fmt.Errorf("sdkmodel: %s: no error types found", filepath.Join(dir, "types", "errors.go"))
	}
	enumFile, err := parse(filepath.Join(dir, "types", "enums.go"))
	if err != nil {
		return nil, err
	}
	m.Enums = enums(enumFile)
	if reg, err := parse(filepath.Join(dir, "type_registry.go")); err == nil {
		m.Registry = registry(reg)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if sch, err := parse(filepath.Join(dir, "schemas", "schemas.go")); err == nil {
		statuses := httpErrors(sch)
		for i := range m.Exceptions {
			m.Exceptions[i].HTTPStatus = statuses[m.Exceptions[i].Name]
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return m, nil
}

// parse parses one Go file, keeping os.ErrNotExist visible.
func parse(path string) (*ast.File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sdkmodel: %w", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("sdkmodel: %w", err)
	}
	return f, nil
}

// exceptions finds the types with an ErrorCode method and reads their
// code, fault and Reason field.
func exceptions(f *ast.File) []Exception {
	byName := map[string]*Exception{}
	get := func(name string) *Exception {
		if byName[name] == nil {
			byName[name] = &Exception{Name: name}
		}
		return byName[name]
	}
	structs := map[string]*ast.StructType{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						structs[ts.Name.Name] = st
					}
				}
			}
		case *ast.FuncDecl:
			recv := receiver(d)
			if recv == "" || d.Body == nil {
				continue
			}
			switch d.Name.Name {
			case "ErrorCode":
				if s, ok := lastReturnString(d.Body); ok {
					get(recv).Code = s
				}
			case "ErrorFault":
				get(recv).Fault = faultOf(d.Body)
			}
		}
	}
	var out []Exception
	for name, e := range byName {
		if e.Code == "" {
			continue
		}
		if st := structs[name]; st != nil {
			for _, fld := range st.Fields.List {
				for _, n := range fld.Names {
					if id, ok := fld.Type.(*ast.Ident); ok && n.Name == "Reason" {
						e.ReasonEnum = id.Name
					}
				}
			}
		}
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// receiver returns the type name of a method's pointer or value receiver.
func receiver(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) != 1 {
		return ""
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// lastReturnString returns the last string literal returned in body.
func lastReturnString(body *ast.BlockStmt) (string, bool) {
	var out string
	var found bool
	ast.Inspect(body, func(n ast.Node) bool {
		r, ok := n.(*ast.ReturnStmt)
		if !ok || len(r.Results) != 1 {
			return true
		}
		if lit, ok := r.Results[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out, found = s, true
			}
		}
		return true
	})
	return out, found
}

// faultOf reads smithy.FaultClient / FaultServer from an ErrorFault body.
func faultOf(body *ast.BlockStmt) string {
	fault := "unknown"
	ast.Inspect(body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			switch sel.Sel.Name {
			case "FaultClient":
				fault = "client"
			case "FaultServer":
				fault = "server"
			}
		}
		return true
	})
	return fault
}

// enums reads `const ( X T = "VALUE" … )` blocks: typed string constants.
func enums(f *ast.File) map[string][]string {
	out := map[string][]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok || vs.Type == nil || len(vs.Values) != 1 {
				continue
			}
			id, ok := vs.Type.(*ast.Ident)
			lit, ok2 := vs.Values[0].(*ast.BasicLit)
			if !ok || !ok2 || lit.Kind != token.STRING {
				continue
			}
			if v, err := strconv.Unquote(lit.Value); err == nil {
				out[id.Name] = append(out[id.Name], v)
			}
		}
	}
	return out
}

// registry reads the "namespace#Name" keys of the TypeRegistry literal.
func registry(f *ast.File) []string {
	out := []string{}
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if lit, ok := kv.Key.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && strings.Contains(s, "#") {
				out = append(out, s[strings.IndexByte(s, '#')+1:])
			}
		}
		return true
	})
	sort.Strings(out)
	return out
}

// httpErrors reads `var X = smithy.NewSchema(smithy.ShapeID{…, Name: "X"},
// …, &smithytraits.HTTPError{Code: N})` declarations.
func httpErrors(f *ast.File) map[string]int {
	out := map[string]int{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "NewSchema" || len(call.Args) == 0 {
			return true
		}
		name := compositeField(call.Args[0], "Name")
		for _, a := range call.Args[1:] {
			u, ok := a.(*ast.UnaryExpr)
			if !ok {
				continue
			}
			cl, ok := u.X.(*ast.CompositeLit)
			if !ok {
				continue
			}
			if sel, ok := cl.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "HTTPError" {
				if code, err := strconv.Atoi(compositeField(cl, "Code")); err == nil && name != "" {
					out[name] = code
				}
			}
		}
		return false
	})
	return out
}

// compositeField returns the literal value of key in a composite literal.
func compositeField(e ast.Expr, key string) string {
	cl, ok := e.(*ast.CompositeLit)
	if !ok {
		return ""
	}
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if id, ok := kv.Key.(*ast.Ident); ok && id.Name == key {
			if lit, ok := kv.Value.(*ast.BasicLit); ok {
				if lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					return s
				}
				return lit.Value
			}
		}
	}
	return ""
}

// Located is a module version and its source folder, as the go command
// resolved them.
type Located struct {
	Path    string
	Version string
	Dir     string
}

// Locate asks the go command (`go list -m -json`), run in workdir, where
// the listed modules' sources are. It needs go on PATH and the modules
// downloaded (or a module proxy to download them).
func Locate(ctx context.Context, workdir string, env []string, modules ...string) (map[string]Located, error) {
	args := append([]string{"list", "-m", "-json"}, modules...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = workdir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list -m %s: %s", strings.Join(modules, " "), strings.Join(strings.Fields(msg), " "))
	}
	found := map[string]Located{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var m Located
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("go list -m: %w", err)
		}
		found[m.Path] = m
	}
	return found, nil
}

// InModule reads the model of the organizations version the module at
// workdir builds with (for in-tree tests: the version in go.mod).
func InModule(ctx context.Context, workdir string) (*Model, string, error) {
	mods, err := Locate(ctx, workdir, nil, Module)
	if err != nil {
		return nil, "", err
	}
	loc := mods[Module]
	if loc.Dir == "" {
		return nil, "", fmt.Errorf("sdkmodel: %s %s is not downloaded (run go mod download)", Module, loc.Version)
	}
	m, err := Read(loc.Dir)
	return m, loc.Version, err
}

// ValidVersion reports whether v is a module version of the form
// vMAJOR.MINOR.PATCH (no pre-release or build suffix).
func ValidVersion(v string) bool {
	_, ok := versionParts(v)
	return ok
}

// CompareVersions compares two versions of the form vMAJOR.MINOR.PATCH
// numerically: -1 when a < b, 0 when equal, +1 when a > b. A malformed
// version sorts before every well-formed one.
func CompareVersions(a, b string) int {
	pa, okA := versionParts(a)
	pb, okB := versionParts(b)
	switch {
	case !okA && !okB:
		return strings.Compare(a, b)
	case !okA:
		return -1
	case !okB:
		return 1
	}
	for i := range pa {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func versionParts(v string) ([3]int, bool) {
	var out [3]int
	if !strings.HasPrefix(v, "v") {
		return out, false
	}
	parts := strings.Split(v[1:], ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return out, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || strings.ContainsAny(p, "+-") {
			return out, false
		}
		out[i] = n
	}
	return out, true
}
