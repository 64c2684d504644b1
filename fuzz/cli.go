package fuzz

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// cliLine is the aws CLI command that sends body to op as the principal
// whose access key id is in the shell variable principal, against
// $ENDPOINT. Every JSON string of body that vars names (a handshake id, an
// organization id, an account id, an email the scenario learned) is
// replaced by that shell variable, so the script replays against a fresh
// target, where ids differ. query, when set, prints that part of the
// answer (for VAR=$(…) captures).
func cliLine(principal, op string, body []byte, vars map[string]string, query string) string {
	s := string(body)
	if s == "" || s == "{}" {
		s = ""
	}
	s = strings.ReplaceAll(s, "'", `'\''`) // inside single quotes
	// Longest values first, so that no value's replacement cuts another.
	values := make([]string, 0, len(vars))
	for v := range vars {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool {
		return len(values[i]) > len(values[j]) || (len(values[i]) == len(values[j]) && values[i] < values[j])
	})
	for _, v := range values {
		if strings.Contains(v, "'") {
			continue
		}
		quoted, _ := json.Marshal(v)
		s = strings.ReplaceAll(s, string(quoted), `"'"$`+vars[v]+`"'"`)
	}
	line := fmt.Sprintf("AWS_ACCESS_KEY_ID=$%s aws organizations %s", principal, kebab(op))
	if s != "" {
		line += " --cli-input-json '" + s + "'"
	}
	line += ` --endpoint-url "$ENDPOINT"`
	if query != "" {
		line += ` --query "` + query + `" --output text`
	}
	return line
}

// kebab is the aws CLI name of an operation: AcceptHandshake →
// accept-handshake.
func kebab(op string) string {
	var b strings.Builder
	for i, r := range op {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
