package fuzz

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// paginated are the operations in scope whose pages the aws CLI follows
// by itself (botocore's paginators-1.json: ListAccounts,
// ListHandshakesForAccount, ListHandshakesForOrganization): a page-1 line
// with MaxResults 1 would print every page. Their replay lines send
// --no-paginate, so that each line sends the one request of its step.
var paginated = map[string]bool{
	"ListAccounts":                  true,
	"ListHandshakesForAccount":      true,
	"ListHandshakesForOrganization": true,
}

// cliLine is the aws CLI command that sends body to op as the principal
// whose access key id is in the shell variable principal, against
// $ENDPOINT. Every JSON string of body that vars names (a handshake id, an
// organization id, an account id, an email the scenario learned) is
// replaced by that shell variable, so the script replays against a fresh
// target, where ids differ. token, when set, is the variable that captured
// the NextToken body sends (the previous page's, which means nothing on
// another target): the body's NextToken becomes "$token", and the line
// runs only when that variable holds a token (aws --output text prints
// None where the previous page had none: the list ended there). query,
// when set, prints that part of the answer (for VAR=$(…) captures).
func cliLine(principal, op string, body []byte, vars map[string]string, token, query string) string {
	s := string(body)
	if s == "" || s == "{}" {
		s = ""
	}
	s = strings.ReplaceAll(s, "'", `'\''`) // inside single quotes
	if token != "" {
		var in struct{ NextToken *string }
		if json.Unmarshal(body, &in) == nil && in.NextToken != nil && !strings.Contains(*in.NextToken, "'") {
			quoted, _ := json.Marshal(*in.NextToken)
			s = strings.Replace(s, `"NextToken":`+string(quoted), `"NextToken":"'"$`+token+`"'"`, 1)
		}
	}
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
	if paginated[op] {
		line += " --no-paginate"
	}
	if query != "" {
		line += ` --query "` + query + `" --output text`
	}
	if token != "" {
		line = fmt.Sprintf(`if [ "${%s:-None}" != None ]; then %s; fi`, token, line)
	}
	return line
}

// captureLine is the replay line that runs line(query) and keeps what
// each capture ("VAR=query") selects from the answer in VAR: one capture
// is VAR=$(…); several select a list of their queries, which aws --output
// text prints on one line, tab-separated (null as None), and set -- splits.
func captureLine(line func(query string) string, captures []string) string {
	switch len(captures) {
	case 0:
		return line("")
	case 1:
		name, query, _ := strings.Cut(captures[0], "=")
		return fmt.Sprintf("%s=$(%s)", name, line(query))
	}
	queries := make([]string, len(captures))
	assigns := make([]string, len(captures))
	for i, c := range captures {
		name, query, _ := strings.Cut(c, "=")
		queries[i] = query
		assigns[i] = fmt.Sprintf("%s=$%d", name, i+1)
	}
	return fmt.Sprintf("set -- $(%s); %s", line("["+strings.Join(queries, ", ")+"]"), strings.Join(assigns, " "))
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
