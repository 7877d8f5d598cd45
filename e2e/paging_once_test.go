package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestPageOnceWhenPagerDutysAnswerIsLost: PagerDuty takes the page but its
// answer is lost (a 502 after the event was processed, as a timeout or a
// worker killed mid-call leaves it); Temporal retries the activity, and
// PagerDuty still holds one alert — the retry is deduplicated by the
// incident's dedup key. A rate limit before that is waited out.
func TestPageOnceWhenPagerDutysAnswerIsLost(t *testing.T) {
	_, incidents, pd := newPagingEnv(t)
	pd.RateLimitNext("enqueue", time.Second, 1)
	pd.FailAfterNext(http.StatusBadGateway, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	_, err := incidents.Declare(ctx, declaration("e2elost"), true)
	require.NoError(t, err)
	key := wfapi.PageDedupKey("e2elost", "")
	harness.Eventually(t, 20*time.Second, "the retried trigger", func() bool { return len(eventsOf(pd, key, "trigger")) == 2 })
	alerts := pd.Alerts()
	require.Len(t, alerts, 1, "one alert however often the page was sent")
	assert.Equal(t, key, alerts[0].DedupKey)
	assert.Equal(t, 1, alerts[0].Deduplicated)
	assert.Equal(t, pagerdutyemu.StatusTriggered, alerts[0].Status)
}
