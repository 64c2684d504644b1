package endpoint

import (
	"context"
	"encoding/json"
	"net/http"
)

// infoPath is the reference target's self-description.
const infoPath = "/_orgconform/info"

// Info reads GET {endpoint}/_orgconform/info, the reference target's
// description of itself ({"name": …, "accounts": …, …}). A target without
// it reports ok=false and no error; err is for an unreachable target.
func (t *Target) Info(ctx context.Context) (info map[string]any, ok bool, err error) {
	status, body, err := t.control(ctx, http.MethodGet, infoPath, nil)
	if err != nil {
		return nil, false, err
	}
	if status < 200 || status >= 300 || json.Unmarshal(body, &info) != nil || info == nil {
		return nil, false, nil
	}
	return info, true, nil
}

// ReferenceTargetName is the name the reference target gives itself in
// its info document.
const ReferenceTargetName = "orgconform reference target"
