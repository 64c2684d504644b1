package endpoint

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClockAbsent(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"404":      reply(404, "text/plain", "not found"),
		"html 200": reply(200, "text/html", "<html>moto</html>"),
		"json 400": reply(400, "application/json", `{"__type":"UnknownOperationException"}`),
		"no now":   reply(200, "application/json", `{"then": 1}`),
	} {
		t.Run(name, func(t *testing.T) {
			tg, _ := serve(t, h)
			now, ok, err := tg.Clock(context.Background(), "")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.True(t, now.IsZero())
		})
	}
}

func TestClockUnreachable(t *testing.T) {
	tg, srv := serve(t, reply(200, "", ""))
	srv.Close()
	_, ok, err := tg.Clock(context.Background(), "")
	require.Error(t, err)
	assert.False(t, ok)
	assert.NotContains(t, err.Error(), "\n")
}

func TestClockReadAndAdvance(t *testing.T) {
	// A fake clock control: the target-wide clock plus one offset per
	// organization, as the reference target keeps them.
	base := 1_700_000_000.25
	offsets := map[string]float64{"o-aaaaaaaaaa": 0, "o-bbbbbbbbbb": 0}
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_orgconform/clock" {
			http.NotFound(w, r)
			return
		}
		org := r.URL.Query().Get("organization")
		if r.Method == http.MethodPost {
			var in struct {
				Organization   string  `json:"organization"`
				AdvanceSeconds float64 `json:"advance_seconds"`
			}
			b, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(b, &in); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			org = in.Organization
			if _, known := offsets[org]; org == "" {
				base += in.AdvanceSeconds
			} else if known {
				offsets[org] += in.AdvanceSeconds
			}
		}
		off, known := offsets[org]
		if org != "" && !known {
			http.Error(w, `{"message":"no organization"}`, 404)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]float64{"now": base + off})
	})
	read := func(org string) time.Time {
		t.Helper()
		got, ok, err := tg.Clock(context.Background(), org)
		require.NoError(t, err)
		require.True(t, ok, "clock of %q", org)
		return got
	}
	start := time.Unix(1_700_000_000, 250_000_000).UTC()
	assert.Equal(t, start, read(""))
	assert.Equal(t, start, read("o-aaaaaaaaaa"))

	const fifteenDays = 15 * 24 * time.Hour
	require.NoError(t, tg.AdvanceClock(context.Background(), "o-aaaaaaaaaa", fifteenDays))
	assert.Equal(t, start.Add(fifteenDays), read("o-aaaaaaaaaa"))
	assert.Equal(t, start, read("o-bbbbbbbbbb"), "another organization's clock moved")
	assert.Equal(t, start, read(""), "the target-wide clock moved")

	require.NoError(t, tg.AdvanceClock(context.Background(), "", time.Hour))
	assert.Equal(t, start.Add(time.Hour), read("o-bbbbbbbbbb"))
	assert.Equal(t, start.Add(fifteenDays+time.Hour), read("o-aaaaaaaaaa"))

	_, ok, err := tg.Clock(context.Background(), "o-unknown000")
	require.NoError(t, err)
	assert.False(t, ok, "an unknown organization's clock")
	err = tg.AdvanceClock(context.Background(), "o-unknown000", time.Hour)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "o-unknown000")
	assert.Contains(t, err.Error(), "404")

	assert.Error(t, tg.AdvanceClock(context.Background(), "o-aaaaaaaaaa", -time.Second))
}

func TestAdvanceClockWithoutEndpoint(t *testing.T) {
	tg, _ := serve(t, reply(404, "text/plain", "not found"))
	err := tg.AdvanceClock(context.Background(), "o-aaaaaaaaaa", time.Hour)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "404")
	assert.NotContains(t, err.Error(), "\n")
}
