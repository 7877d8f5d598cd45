package main

import (
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/frontdoor/insightsdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// newInsights is the reader of the figures over c, decoding memos with dc.
func newInsights(cfg *config.Config, c client.Client, dc converter.DataConverter) *starter.Insights {
	return &starter.Insights{Client: c, Namespace: cfg.Temporal.Namespace, DataConverter: dc}
}

// newInsightsDoor is GET /insights and /insights.json over reports,
// protected by insights.token or, without one, answering only on a
// loopback http.listen.
func newInsightsDoor(cfg *config.Config, reports insightsdoor.Reports, proc incident.Process, logger *slog.Logger) (*insightsdoor.Door, error) {
	if cfg.Insights.Token == "" {
		logger.Info("insights.token is empty: GET /insights answers only requests from this host on a loopback http.listen (set insights.token, or put an authenticating proxy in front)", "listen", cfg.HTTP.Listen)
	}
	return insightsdoor.New(insightsdoor.Options{Reports: reports, Token: cfg.Insights.Token, Listen: cfg.HTTP.Listen, Process: proc, Logger: logger})
}
