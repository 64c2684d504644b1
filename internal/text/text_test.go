package text

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCount(t *testing.T) {
	assert.Equal(t, "0 checks", Count(0, "check"))
	assert.Equal(t, "1 check", Count(1, "check"))
	assert.Equal(t, "2 checks", Count(2, "check"))
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, "abc-1.2/x", ShellQuote("abc-1.2/x"), "safe text stays as it is")
	assert.Equal(t, "''", ShellQuote(""))
	assert.Equal(t, `'it'\''s'`, ShellQuote("it's"))
	assert.Equal(t, `'{"a":1}'`, ShellQuote(`{"a":1}`))
}

func TestOneLineAndCut(t *testing.T) {
	assert.Equal(t, "a b c", OneLine("  a\n\tb   c \n"))
	assert.Equal(t, "abc", Cut("abc", 3))
	assert.Equal(t, "ab…", Cut("abcd", 2))
}
