package internal

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/orgconform/orgconform/"

// allowed lists, per package folder, the packages of this module its
// non-test code may import: imports run one way, from the data up to the
// runner. internal/ helpers may be used by anyone and use nothing of ours.
var allowed = map[string][]string{
	"specs":    {},
	"schemas":  {},
	"golden":   {},
	"endpoint": {"specs"},
	// The reference target reads constants from the data, never the checks
	// or their oracle; the checks reach it only as an endpoint.
	"reftarget": {"specs"},
	"oracle":    {"specs"},
	"check":     {"endpoint", "oracle", "schemas"},
	"fixture":   {"check", "endpoint", "oracle", "specs"},
	"contract":  {"check", "endpoint", "fixture", "golden", "oracle", "schemas", "specs"},
	"report":    {"check", "schemas"},
	"suite":     {"check", "contract", "fuzz"},
	// Generated tests stand on the same runtime, fixtures and oracle as
	// the written ones.
	"fuzz": {"check", "endpoint", "fixture", "inputgen", "internal", "oracle", "schemas", "specs"},
	// Differential runs drive two targets through the check runtime and
	// the fixtures; they judge nothing against the contract.
	"diff": {"check", "endpoint", "fixture", "inputgen"},
	// The mutation score wires the checks to the reference target's
	// faults, as the runner does.
	"mutation": {"check", "contract", "endpoint", "reftarget", "report"},
	"sdkcheck": {"golden", "sdkcheck/replay", "specs"},
	// replay is copied into throwaway modules built against other SDK
	// versions: it imports nothing of ours, internal/ included.
	"sdkcheck/replay": {},
	// Generated requests read the request schemas and the answer table's
	// reasons; they reach no target.
	"inputgen": {"schemas", "specs"},
}

// TestImportsRunOneWay pins the layering: every package imports only what
// its row allows (and internal/), and reftarget never touches the
// transition table or the permissions of specs, which the checks judge
// with.
func TestImportsRunOneWay(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for dir, ok := range allowed {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Errorf("%s: no Go files (%v)", dir, err)
			continue
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				ours, isOurs := strings.CutPrefix(path, module)
				if !isOurs || strings.HasPrefix(ours, "internal/") {
					continue
				}
				if !slices.Contains(ok, ours) {
					t.Errorf("%s imports %s; %s may import only %v (and internal/)", rel(root, f), ours, dir, ok)
				}
			}
			if dir == "reftarget" {
				ast.Inspect(file, func(n ast.Node) bool {
					if sel, isSel := n.(*ast.SelectorExpr); isSel && slices.Contains([]string{"Transitions", "Transition", "Permissions", "Allowed"}, sel.Sel.Name) {
						t.Errorf("%s uses %s: the reference target must not read the transition table or the permissions the checks judge with", rel(root, f), sel.Sel.Name)
					}
					return true
				})
			}
		}
	}
}

// TestInternalImportsNothingOfOurs: internal/ helpers are the bottom layer.
func TestInternalImportsNothingOfOurs(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module) && !strings.HasPrefix(p, module+"internal/") {
				t.Errorf("internal/%s imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rel(root, path string) string {
	r, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return r
}
