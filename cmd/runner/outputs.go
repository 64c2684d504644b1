package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/report"
)

// outputs are the report files. A regular file (or a new one) is first
// created as a temporary file beside its destination, so that an
// unwritable path is a usage error before the run, and renamed into place
// after it: a failed or refused run never truncates an earlier report. A
// symlink is followed to its file; anything else (/dev/stdout, a pipe) is
// opened up front and written directly; "-" is the process's stdout.
type outputs struct {
	json, junit, markdown *pending
}

type pending struct {
	flag   string
	tmp    *os.File  // temporary file to rename, or
	direct io.Writer // a non-regular destination written in place
	closer io.Closer // of direct, when it is a file we opened
	dest   string
}

func openOutputs(f *runFlags, stdout io.Writer) (*outputs, error) {
	paths := map[string]string{"--json": f.jsonPath, "--junit": f.junitPath, "--markdown": f.markdownPath}
	for a, pa := range paths {
		for b, pb := range paths {
			if a < b && pa != "" && pa != "-" && pb != "" && sameFile(pa, pb) {
				return nil, fmt.Errorf("%s and %s name the same file %s", a, b, pa)
			}
		}
	}
	o := &outputs{}
	var err error
	for _, p := range []struct {
		into *(*pending)
		flag string
	}{{&o.json, "--json"}, {&o.junit, "--junit"}, {&o.markdown, "--markdown"}} {
		if *p.into, err = newPending(p.flag, paths[p.flag], stdout); err != nil {
			o.close()
			return nil, err
		}
	}
	return o, nil
}

// usesStdout reports whether a report goes to stdout ("-").
func (o *outputs) usesStdout() bool {
	for _, p := range []*pending{o.json, o.junit, o.markdown} {
		if p != nil && p.dest == "-" {
			return true
		}
	}
	return false
}

func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// reportMode is the permission of a new report file (before umask).
const reportMode = 0o644

func newPending(flagName, dest string, stdout io.Writer) (*pending, error) {
	switch dest {
	case "":
		return nil, nil
	case "-":
		return &pending{flag: flagName, direct: stdout, dest: "-"}, nil
	}
	if resolved, err := filepath.EvalSymlinks(dest); err == nil {
		dest = resolved
	}
	mode := os.FileMode(reportMode)
	if fi, err := os.Stat(dest); err == nil {
		switch {
		case fi.IsDir():
			return nil, fmt.Errorf("%s: %s is a directory", flagName, dest)
		case !fi.Mode().IsRegular():
			f, err := os.OpenFile(dest, os.O_WRONLY, 0)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", flagName, err)
			}
			return &pending{flag: flagName, direct: f, closer: f, dest: dest}, nil
		}
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot write beside %s: %v", flagName, dest, err)
	}
	if err := tmp.Chmod(mode &^ umask()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("%s: %v", flagName, err)
	}
	return &pending{flag: flagName, tmp: tmp, dest: dest}, nil
}

// umask returns the process umask (read by setting and restoring it).
func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

// commit writes the report with write and moves it into place.
func (p *pending) commit(write func(io.Writer) error) error {
	if p == nil {
		return nil
	}
	if p.direct != nil {
		err := write(p.direct)
		if p.closer != nil {
			if cerr := p.closer.Close(); err == nil {
				err = cerr
			}
			p.closer = nil
		}
		p.direct = nil
		if err != nil {
			return fmt.Errorf("%s: %v", p.flag, err)
		}
		return nil
	}
	err := write(p.tmp)
	if cerr := p.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.tmp.Name(), p.dest)
	}
	if err != nil {
		os.Remove(p.tmp.Name())
		return fmt.Errorf("%s: %v", p.flag, err)
	}
	p.tmp = nil
	return nil
}

func (o *outputs) write(rep *check.Report, opts report.Options) error {
	for _, w := range []struct {
		p     *pending
		write func(io.Writer) error
	}{
		{o.json, func(w io.Writer) error { return report.WriteJSON(w, rep) }},
		{o.junit, func(w io.Writer) error { return report.WriteJUnit(w, rep, opts) }},
		{o.markdown, func(w io.Writer) error { return report.WriteMarkdown(w, rep, opts) }},
	} {
		if err := w.p.commit(w.write); err != nil {
			return err
		}
	}
	return nil
}

// close removes temporary files that were never committed.
func (o *outputs) close() {
	for _, p := range []*pending{o.json, o.junit, o.markdown} {
		switch {
		case p == nil:
		case p.tmp != nil:
			p.tmp.Close()
			os.Remove(p.tmp.Name())
		case p.closer != nil:
			p.closer.Close()
		}
	}
}

// lookPath finds a command on PATH.
func lookPath(name string) (string, error) { return exec.LookPath(name) }

// sameExecutable reports whether two paths name the same file.
func sameExecutable(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return os.SameFile(fa, fb)
}
