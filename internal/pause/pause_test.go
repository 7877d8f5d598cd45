package pause_test

import (
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/pause"
)

func TestFor(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	if !pause.For(0, closed, nil) {
		t.Error("a zero duration did not elapse")
	}
	if !pause.For(time.Millisecond, nil, nil) {
		t.Error("1ms with nothing to stop it did not elapse")
	}
	if pause.For(time.Hour, nil, closed) {
		t.Error("an hour elapsed though alsoStop was closed")
	}
	if pause.For(time.Hour, closed, nil) {
		t.Error("an hour elapsed though stop was closed")
	}
}
