package reftarget

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// defaultPageSize is the page size when MaxResults is absent.
const defaultPageSize = 20

// tokenPrefix marks this target's NextToken values.
const tokenPrefix = "orgconform:after:"

// pageInput holds the paging members of a List* request.
type pageInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

// paginate returns the page of items (ordered by seq) that starts after the
// position in the request's NextToken, and the token of the next page ("" on
// the last one). Tokens name a position, so items added or removed between
// pages do not shift later ones.
func paginate[T any](items []T, seq func(T) int64, in pageInput) ([]T, string, *apiError) {
	after := int64(0)
	if in.NextToken != nil {
		n, ok := decodeToken(*in.NextToken)
		if !ok {
			return nil, "", invalidInput("INVALID_NEXT_TOKEN", "The NextToken is not one this target returned.")
		}
		after = n
	}
	size := defaultPageSize
	if in.MaxResults != nil {
		size = *in.MaxResults
	}
	if size <= 0 { // only where a planted fault lets MaxResults 0 through: no limit
		size = len(items) + 1
	}
	page := make([]T, 0, min(size, len(items))) // not size: MaxResults is the caller's
	for i, it := range items {
		if seq(it) <= after {
			continue
		}
		if len(page) == size {
			return page, encodeToken(seq(items[i-1])), nil
		}
		page = append(page, it)
	}
	return page, "", nil
}

func encodeToken(after int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.FormatInt(after, 10)))
}

func decodeToken(tok string) (int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), tokenPrefix) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(raw), tokenPrefix), 10, 64)
	return n, err == nil && n >= 0
}
