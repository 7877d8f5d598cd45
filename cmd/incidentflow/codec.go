package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/frontdoor/codecdoor"
	"github.com/incidentflow/incidentflow/internal/payloadcodec"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// clientOptions are the options a verb dials the Temporal at addr with:
// secured by temporal.tls and temporal.api_key when addr is
// temporal.address, its payloads encrypted with temporal.codec.keys when
// set. It also returns the connection, for temporalclient.Explain.
func clientOptions(cfg *config.Config, addr string, logger *slog.Logger) (client.Options, temporalclient.Connection, error) {
	codec, err := cfg.Temporal.Codec.Codec()
	if err != nil {
		return client.Options{}, temporalclient.Connection{}, err
	}
	conn, err := cfg.Temporal.Connection(addr, time.Now())
	if err != nil {
		return client.Options{}, conn, err
	}
	return temporalclient.ConnectionOptions(conn, logger, codec), conn, nil
}

// dataConverter decodes what Temporal hands back still encoded (memos, a
// schedule's arguments) as the clients of clientOptions encode it.
func dataConverter(cfg *config.Config) (converter.DataConverter, error) {
	codec, err := cfg.Temporal.Codec.Codec()
	if err != nil {
		return nil, err
	}
	return temporalclient.DataConverter(codec), nil
}

// newCodecDoor is the front door's codec server (/codec/decode,
// /codec/encode) over codec, for the Temporal Web UI and CLI; nil when
// codec is nil. Without temporal.codec.token it refuses every request
// with 403, and says so in the log.
func newCodecDoor(cfg *config.Config, codec *payloadcodec.Codec, logger *slog.Logger) (*codecdoor.Door, error) {
	if codec == nil {
		return nil, nil
	}
	if cfg.Temporal.Codec.Token == "" {
		logger.Warn("temporal.codec.token is not set: the codec endpoints /codec/decode and /codec/encode refuse every request (403), so the Web UI shows incidents encrypted")
	}
	return codecdoor.New(codecdoor.Options{
		Codec: codec, Token: cfg.Temporal.Codec.Token, Origins: cfg.Temporal.CodecOrigins(),
		Logger: logger.With("component", "codec"),
	})
}

// describeCodec adds dev's banner line about the payload codec, when one
// is configured.
func describeCodec(out io.Writer, cfg *config.Config, frontDoorURL string) {
	codec, err := cfg.Temporal.Codec.Codec()
	if err != nil || codec == nil {
		return
	}
	access := fmt.Sprintf("POST %s/codec/decode and /codec/encode with \"Authorization: Bearer <temporal.codec.token>\"", frontDoorURL)
	if cfg.Temporal.Codec.Token == "" {
		access = "its endpoints /codec/* are closed until temporal.codec.token is set"
	}
	fmt.Fprintf(out, "  Payload codec     incident text encrypted in Temporal with key %s; %s (docs/codec.md)\n", codec.KeyID(), access)
}
