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
			now, ok, err := tg.Clock(context.Background())
			require.NoError(t, err)
			assert.False(t, ok)
			assert.True(t, now.IsZero())
		})
	}
}

func TestClockUnreachable(t *testing.T) {
	tg, srv := serve(t, reply(200, "", ""))
	srv.Close()
	_, ok, err := tg.Clock(context.Background())
	require.Error(t, err)
	assert.False(t, ok)
	assert.NotContains(t, err.Error(), "\n")
}

func TestClockReadAndAdvance(t *testing.T) {
	now := 1_700_000_000.25
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_orgconform/clock" {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodPost {
			var in struct {
				AdvanceSeconds float64 `json:"advance_seconds"`
			}
			b, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(b, &in); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			now += in.AdvanceSeconds
		}
		_ = json.NewEncoder(w).Encode(map[string]float64{"now": now})
	})
	got, ok, err := tg.Clock(context.Background())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, time.Unix(1_700_000_000, 250_000_000).UTC(), got)

	require.NoError(t, tg.AdvanceClock(context.Background(), 15*24*time.Hour))
	got, ok, err = tg.Clock(context.Background())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, time.Unix(1_700_000_000+15*24*3600, 250_000_000).UTC(), got)

	assert.Error(t, tg.AdvanceClock(context.Background(), -time.Second))
}

func TestAdvanceClockWithoutEndpoint(t *testing.T) {
	tg, _ := serve(t, reply(404, "text/plain", "not found"))
	err := tg.AdvanceClock(context.Background(), time.Hour)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "404")
	assert.NotContains(t, err.Error(), "\n")
}
