package worker

import (
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/milestones"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// Milestones is the interceptor that counts the incidents' milestones in
// the worker's metrics (internal/milestones), labelled with cfg's
// severities and decoding memos as cfg's temporal.codec encodes them.
func Milestones(cfg *config.Config) (*milestones.Interceptor, error) {
	codec, err := cfg.Temporal.Codec.Codec()
	if err != nil {
		return nil, err
	}
	proc := cfg.Process()
	return milestones.New(temporalclient.DataConverter(codec), proc.SeverityNames()), nil
}
